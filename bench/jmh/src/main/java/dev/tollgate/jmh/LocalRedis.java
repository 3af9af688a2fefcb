package dev.tollgate.jmh;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;

/**
 * The Redis a benchmark talks to: {@code -Dtollgate.bench.redis=redis://HOST:PORT} when given (a
 * server the caller runs), else a {@code redis-server} of the Debian package started here on a
 * free loopback port, without persistence, and stopped by {@link #close()}. Loopback either way,
 * so a Redis-backed operation measures one local round trip per command, not a network.
 */
public final class LocalRedis implements AutoCloseable {
  private final String url;
  private final Process process;
  private final Path dir;

  private LocalRedis(String url, Process process, Path dir) {
    this.url = url;
    this.process = process;
    this.dir = dir;
  }

  public static LocalRedis start() {
    String given = System.getProperty("tollgate.bench.redis");
    if (given != null) {
      return new LocalRedis(given, null, null);
    }
    String binary = List.of("/usr/bin/redis-server", "/usr/local/bin/redis-server").stream()
        .filter(candidate -> Files.isExecutable(Path.of(candidate))).findFirst()
        .orElseThrow(() -> new IllegalStateException("needs redis-server (apt-get install redis-server) or "
            + "-jvmArgsAppend -Dtollgate.bench.redis=redis://HOST:PORT"));
    try {
      int port;
      try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
        port = socket.getLocalPort();
      }
      Path dir = Files.createTempDirectory("tollgate-bench-redis-");
      Process process = new ProcessBuilder(binary, "--port", Integer.toString(port), "--bind", "127.0.0.1",
          "--save", "", "--appendonly", "no", "--dir", dir.toString(), "--daemonize", "no", "--loglevel", "warning")
          .redirectErrorStream(true).redirectOutput(dir.resolve("redis.log").toFile()).start();
      return new LocalRedis("redis://127.0.0.1:" + port, process, dir);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public String url() {
    return url;
  }

  @Override
  public void close() {
    if (process == null) {
      return; // the caller's server: not ours to stop
    }
    process.destroy();
    try {
      process.waitFor();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    try (var files = Files.walk(dir)) {
      files.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
