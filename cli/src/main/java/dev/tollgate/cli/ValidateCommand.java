package dev.tollgate.cli;

import dev.tollgate.core.config.ConfigLoader;
import dev.tollgate.core.config.ConfigProblem;
import dev.tollgate.core.config.InvalidConfigException;
import dev.tollgate.core.config.LoadedConfig;
import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code tollgate validate FILE}: every problem in a config, one per line; exit 1 if any. */
@Command(name = "validate", mixinStandardHelpOptions = true,
    description = "Check a config file and print every problem (file:line:column: path: message).")
final class ValidateCommand implements Callable<Integer> {
  @Parameters(index = "0", paramLabel = "FILE", description = "The YAML config to check.")
  Path file;

  @Override
  public Integer call() {
    try {
      LoadedConfig loaded = new ConfigLoader(System::getenv).load(file);
      System.out.printf("%s: valid (%d backends, %d models, %d consumers)%n", file,
          loaded.config().backends().size(), loaded.config().models().size(),
          loaded.config().consumers().size());
      return 0;
    } catch (InvalidConfigException e) {
      for (ConfigProblem problem : e.problems()) {
        System.out.println(problem);
      }
      System.out.printf("%d problem(s)%n", e.problems().size());
      return 1;
    } catch (IOException e) {
      System.out.println(file + ": cannot read: " + e.getMessage());
      return 1;
    }
  }
}
