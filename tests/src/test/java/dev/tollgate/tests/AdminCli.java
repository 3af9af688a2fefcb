package dev.tollgate.tests;

import dev.tollgate.cli.TollgateMain;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine;

/** Runs {@code tollgate keys ...} / {@code tollgate subscriptions ...} in this JVM, as an operator types them. */
final class AdminCli {
  record Result(int exitCode, String out, String err) {}

  private final int adminPort;
  private final Path tokenFile;

  AdminCli(int adminPort, Path tokenFile) {
    this.adminPort = adminPort;
    this.tokenFile = tokenFile;
  }

  Result run(String... args) {
    List<String> full = new ArrayList<>(List.of(args));
    full.addAll(List.of("--admin-url", "http://127.0.0.1:" + adminPort, "--admin-token-file", tokenFile.toString()));
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code = new CommandLine(new TollgateMain()).setOut(new PrintWriter(out, true)).setErr(new PrintWriter(err, true))
        .execute(full.toArray(String[]::new));
    return new Result(code, out.toString(), err.toString());
  }
}
