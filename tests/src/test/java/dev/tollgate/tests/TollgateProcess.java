package dev.tollgate.tests;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * The packaged {@code tollgate} command as its own process, as an operator runs it. Output goes to
 * a file so a test can wait for a line and show it when something fails.
 */
final class TollgateProcess implements AutoCloseable {
  private final Process process;
  private final Path log;

  private TollgateProcess(Process process, Path log) {
    this.process = process;
    this.log = log;
  }

  /** The shaded jar the cli module builds in its package phase, before this module's tests run. */
  static Path jar() throws IOException {
    try (Stream<Path> files = Files.list(Path.of("cli/target"))) {
      return files.filter(p -> p.getFileName().toString().matches("tollgate-cli-.*-all\\.jar")).findFirst()
          .orElseThrow(() -> new AssertionError("cli/target has no shaded jar; build with mvn package first"));
    }
  }

  static TollgateProcess start(Path log, String... args) throws IOException {
    List<String> command = new ArrayList<>(List.of("java", "-Dorg.slf4j.simpleLogger.showDateTime=true", "-jar",
        jar().toString()));
    command.addAll(List.of(args));
    Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    return new TollgateProcess(process, log);
  }

  /** Waits until the output holds {@code text}; fails with the output if the process dies first. */
  TollgateProcess awaitOutput(String text, Duration timeout) {
    TestGateway.waitFor(timeout, () -> {
      if (!process.isAlive()) {
        throw new AssertionError("tollgate exited with " + process.exitValue() + ":\n" + output());
      }
      return output().contains(text);
    }, "'" + text + "' in the output of " + log);
    return this;
  }

  String output() {
    try {
      return Files.exists(log) ? Files.readString(log, StandardCharsets.UTF_8) : "";
    } catch (IOException e) {
      return "";
    }
  }

  Process process() {
    return process;
  }

  /** SIGKILL: no shutdown hook, no goodbye, as a crash or an OOM kill. */
  void kill() throws InterruptedException {
    process.destroyForcibly();
    process.waitFor();
  }

  @Override
  public void close() throws InterruptedException {
    process.destroy();
    if (!process.waitFor(10, java.util.concurrent.TimeUnit.SECONDS)) {
      kill();
    }
  }
}
