package dev.tollgate.cli.runtime;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * Finds the Envoy binary: {@code ENVOY_BIN} if set, else whatever the project's install script
 * prints (it installs the pinned version on first use). One way to get Envoy, for the run
 * command, the tests and CI alike.
 */
public final class EnvoyBinary {
  private EnvoyBinary() {}

  public static Path locate() throws IOException {
    String fromEnv = System.getenv("ENVOY_BIN");
    if (fromEnv != null && !fromEnv.isBlank()) {
      Path bin = Path.of(fromEnv);
      if (!Files.isExecutable(bin)) {
        throw new IOException("ENVOY_BIN=" + fromEnv + " is not an executable file");
      }
      return bin;
    }
    Path script = findInstallScript();
    Process install = new ProcessBuilder("bash", script.toString())
        .redirectError(ProcessBuilder.Redirect.INHERIT)
        .start();
    try {
      String out = new String(install.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
      if (!install.waitFor(10, TimeUnit.MINUTES) || install.exitValue() != 0) {
        throw new IOException(script + " failed; run it by hand to see why");
      }
      return Path.of(out);
    } catch (InterruptedException e) {
      install.destroyForcibly();
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while installing Envoy", e);
    }
  }

  /** Walks up from the working directory to the checkout that holds envoy/install.sh. */
  private static Path findInstallScript() throws IOException {
    for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
      Path script = dir.resolve("envoy").resolve("install.sh");
      if (Files.isRegularFile(script)) {
        return script;
      }
    }
    throw new IOException("Envoy not found: set ENVOY_BIN, or run from a Tollgate checkout (envoy/install.sh)");
  }
}
