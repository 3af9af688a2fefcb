package dev.tollgate.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code tollgate validate}: every problem, one per line, and an exit code scripts can use. */
class ValidateCommandTest {
  @TempDir
  Path dir;

  private record Run(int exitCode, String out) {}

  private Run validate(String yaml) throws Exception {
    Path file = dir.resolve("config.yaml");
    Files.writeString(file, yaml);
    return validate(file);
  }

  private static Run validate(Path file) {
    PrintStream original = System.out;
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
    try {
      int code = new CommandLine(new TollgateMain()).execute("validate", file.toString());
      return new Run(code, captured.toString(StandardCharsets.UTF_8));
    } finally {
      System.setOut(original);
    }
  }

  @Test
  void aValidConfigExitsZeroAndSaysWhatItHolds() throws Exception {
    Run run = validate(Quickstart.config(8080));
    assertThat(run.exitCode()).isZero();
    assertThat(run.out()).contains("valid (1 backends, 2 models, 1 consumers)");
  }

  @Test
  void everyProblemIsPrintedWithFileLineAndPathAndTheExitCodeIsOne() throws Exception {
    Run run = validate("""
        listener: { port: 99999, colour: blue }
        backends:
          - name: p
            kind: openai
            endpoints: [ { host: h, port: 1 } ]
            credential: sk-live-abcdef
        models:
          - name: m
            targets: [ { backend: nope } ]
        """);
    assertThat(run.exitCode()).isEqualTo(1);
    assertThat(run.out()).contains("config.yaml:1:").contains("listener.colour: unknown key 'colour'")
        .contains("listener.port: must be between 1 and 65535")
        .contains("config.yaml:6:").contains("backends[0].credential: must be a reference")
        .contains("config.yaml:9:").contains("models[0].targets[0].backend: no backend named 'nope'")
        .contains("4 problem(s)");
    // A key pasted inline is reported without being repeated.
    assertThat(run.out()).doesNotContain("sk-live-abcdef");
  }

  @Test
  void aMissingFileIsAClearErrorNotAStackTrace() {
    Run run = validate(dir.resolve("absent.yaml"));
    assertThat(run.exitCode()).isEqualTo(1);
    assertThat(run.out()).contains("absent.yaml: cannot read");
  }
}
