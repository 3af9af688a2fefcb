package dev.tollgate.cli.runtime;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A child Envoy process fed by our control plane. Started with one worker, hot restart off (no
 * shared memory to collide with other Envoys on the machine) and its admin API on a free loopback
 * port, which it reports through a file. {@link #close()} stops it; a JVM shutdown hook does too,
 * so Ctrl-C leaves no orphaned Envoy.
 */
public final class EnvoyProcess implements AutoCloseable {
  private final Process process;
  private final int adminPort;
  private final Path logFile;
  private final Thread shutdownHook;

  private EnvoyProcess(Process process, int adminPort, Path logFile) {
    this.process = process;
    this.adminPort = adminPort;
    this.logFile = logFile;
    this.shutdownHook = new Thread(this::stop, "tollgate-envoy-stopper");
    Runtime.getRuntime().addShutdownHook(shutdownHook);
  }

  /**
   * @param template bootstrap template name in envoy/
   * @param logFile where Envoy's output goes; null to inherit this process's stdout and stderr
   */
  public static EnvoyProcess start(Path binary, String template, String nodeId, String xdsAddress,
      int xdsPort, Path workDir, Path logFile, Duration readyTimeout) throws IOException {
    Files.createDirectories(workDir);
    Path bootstrap = workDir.resolve("envoy-bootstrap.yaml");
    Path adminAddress = workDir.resolve("envoy-admin-address");
    Files.deleteIfExists(adminAddress);
    Files.writeString(bootstrap, EnvoyBootstrap.render(template, Map.of(
        "NODE_ID", nodeId, "ENVOY_ADMIN_PORT", "0", "XDS_ADDRESS", xdsAddress,
        "XDS_PORT", Integer.toString(xdsPort))));
    List<String> command = new ArrayList<>(List.of(binary.toString(),
        "-c", bootstrap.toString(),
        "--concurrency", "1",
        "--disable-hot-restart",
        "--admin-address-path", adminAddress.toString(),
        "--log-level", "warn",
        // Access-log lines reach their file or stdout within a second instead of Envoy's default 10 s.
        "--file-flush-interval-msec", "1000",
        "--drain-time-s", "1"));
    ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
    if (logFile == null) {
      builder.inheritIO();
    } else {
      builder.redirectOutput(logFile.toFile());
    }
    Process process = builder.start();
    try {
      int adminPort = awaitAdminPort(process, adminAddress, readyTimeout, logFile);
      EnvoyProcess envoy = new EnvoyProcess(process, adminPort, logFile);
      envoy.awaitReady(readyTimeout);
      return envoy;
    } catch (IOException | RuntimeException e) {
      process.destroyForcibly();
      throw e;
    }
  }

  private static int awaitAdminPort(Process process, Path file, Duration timeout, Path logFile) throws IOException {
    Instant deadline = Instant.now().plus(timeout);
    while (Instant.now().isBefore(deadline)) {
      if (!process.isAlive()) {
        throw new IOException("Envoy exited with " + process.exitValue() + tail(logFile));
      }
      if (Files.exists(file)) {
        String address = Files.readString(file, StandardCharsets.UTF_8).strip();
        int colon = address.lastIndexOf(':');
        if (colon > 0) {
          return Integer.parseInt(address.substring(colon + 1));
        }
      }
      sleep(20);
    }
    throw new IOException("Envoy did not open its admin API within " + timeout + tail(logFile));
  }

  /** Envoy's /ready turns LIVE once its first listeners and clusters from xDS are in place. */
  public void awaitReady(Duration timeout) throws IOException {
    HttpClient client = HttpClient.newHttpClient();
    Instant deadline = Instant.now().plus(timeout);
    String last = "";
    while (Instant.now().isBefore(deadline)) {
      if (!process.isAlive()) {
        throw new IOException("Envoy exited with " + process.exitValue() + tail(logFile));
      }
      try {
        HttpResponse<String> ready = client.send(
            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + adminPort + "/ready"))
                .timeout(Duration.ofSeconds(2)).build(),
            HttpResponse.BodyHandlers.ofString());
        if (ready.statusCode() == 200) {
          return;
        }
        last = ready.body().strip();
      } catch (IOException e) {
        last = e.toString();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IOException("interrupted waiting for Envoy", e);
      }
      sleep(50);
    }
    throw new IOException("Envoy not ready within " + timeout + " (last: " + last + ")" + tail(logFile));
  }

  public int adminPort() {
    return adminPort;
  }

  /** Whether Envoy has a listener of that name in place (its admin API's /listeners). */
  public boolean hasListener(String name) {
    try {
      HttpResponse<String> listeners = HttpClient.newHttpClient().send(
          HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + adminPort + "/listeners"))
              .timeout(Duration.ofSeconds(2)).build(),
          HttpResponse.BodyHandlers.ofString());
      return listeners.statusCode() == 200 && listeners.body().lines().anyMatch(line -> line.startsWith(name + "::"));
    } catch (IOException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  /** For tools that account for Envoy's CPU and memory, such as the benchmarks. */
  public long pid() {
    return process.pid();
  }

  public boolean isAlive() {
    return process.isAlive();
  }

  private void stop() {
    if (process.isAlive()) {
      process.destroy();
      try {
        if (!process.waitFor(5, TimeUnit.SECONDS)) {
          process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
        }
      } catch (InterruptedException e) {
        process.destroyForcibly();
        Thread.currentThread().interrupt();
      }
    }
  }

  @Override
  public void close() {
    stop();
    try {
      Runtime.getRuntime().removeShutdownHook(shutdownHook);
    } catch (IllegalStateException e) {
      // Already shutting down: the hook is running or has run.
    }
  }

  private static String tail(Path logFile) {
    if (logFile == null || !Files.exists(logFile)) {
      return "";
    }
    try {
      List<String> lines = Files.readAllLines(logFile, StandardCharsets.UTF_8);
      return "; Envoy's last output:\n  " + String.join("\n  ", lines.subList(Math.max(0, lines.size() - 15), lines.size()));
    } catch (IOException e) {
      return "";
    }
  }

  private static void sleep(long ms) throws IOException {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted", e);
    }
  }
}
