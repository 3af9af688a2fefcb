package dev.tollgate.proc;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * A real redis-server (Debian package) on a free loopback port, without persistence, for the
 * unit tests of the Redis stores; its files live in a temporary directory removed by {@link #close()}.
 */
public final class RedisTestServer implements AutoCloseable {
  private final Process process;
  private final Path dir;
  private final int port;

  private RedisTestServer(Process process, Path dir, int port) {
    this.process = process;
    this.dir = dir;
    this.port = port;
  }

  public static RedisTestServer start(String dirPrefix) throws IOException {
    String binary = List.of("/usr/bin/redis-server", "/usr/local/bin/redis-server").stream()
        .filter(candidate -> Files.isExecutable(Path.of(candidate))).findFirst()
        .orElseThrow(() -> new AssertionError("redis-server not found: install the Debian package redis-server"));
    int port;
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      port = socket.getLocalPort();
    }
    Path dir = Files.createTempDirectory(dirPrefix);
    Process process = new ProcessBuilder(binary, "--port", Integer.toString(port), "--bind", "127.0.0.1", "--save", "",
        "--appendonly", "no", "--dir", dir.toString(), "--daemonize", "no", "--loglevel", "warning")
        .redirectErrorStream(true).redirectOutput(dir.resolve("redis.log").toFile()).start();
    return new RedisTestServer(process, dir, port);
  }

  public String url() {
    return "redis://127.0.0.1:" + port;
  }

  public int port() {
    return port;
  }

  @Override
  public void close() throws IOException {
    process.destroy();
    try {
      process.waitFor();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    try (var files = Files.walk(dir)) {
      files.sorted(java.util.Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
    }
  }
}
