package dev.tollgate.tests;

import dev.tollgate.cli.runtime.WorkDir;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A real {@code redis-server} (the Debian package; ./run-tests.sh installs it) for one test class,
 * on a free 127.0.0.1 port, in its own temp folder, without persistence. {@link #stop()} and
 * {@link #kill()} are the outages tests provoke; {@link #close()} always cleans up.
 */
final class RedisServer implements AutoCloseable {
  private final WorkDir dir;
  private final int port;
  private Process process;

  private RedisServer(WorkDir dir, int port) {
    this.dir = dir;
    this.port = port;
  }

  static RedisServer start() throws Exception {
    String binary = binary();
    WorkDir dir = WorkDir.create("tollgate-redis-");
    RedisServer server = new RedisServer(dir, TestGateway.freePort());
    try {
      server.launch(binary);
      return server;
    } catch (Exception | AssertionError e) {
      server.close();
      throw e;
    }
  }

  private static String binary() {
    for (String candidate : List.of("/usr/bin/redis-server", "/usr/local/bin/redis-server")) {
      if (Files.isExecutable(Path.of(candidate))) {
        return candidate;
      }
    }
    throw new AssertionError("redis-server not found: install the Debian package redis-server "
        + "(./run-tests.sh does: apt-get install -y --no-install-recommends redis-server)");
  }

  private void launch(String binary) throws IOException {
    process = new ProcessBuilder(binary, "--port", Integer.toString(port), "--bind", "127.0.0.1",
        "--save", "", "--appendonly", "no", "--dir", dir.path().toString(), "--daemonize", "no",
        "--protected-mode", "yes", "--loglevel", "warning",
        // DEBUG SLEEP from loopback only: how tests make Redis slow without stopping it.
        "--enable-debug-command", "local")
        .redirectErrorStream(true)
        .redirectOutput(dir.path().resolve("redis.log").toFile())
        .start();
    TestGateway.waitFor(Duration.ofSeconds(10), this::answersPing, "redis-server on port " + port);
  }

  String url() {
    return "redis://127.0.0.1:" + port;
  }

  int port() {
    return port;
  }

  boolean answersPing() {
    try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), port)) {
      socket.setSoTimeout(1000);
      OutputStream out = socket.getOutputStream();
      out.write("PING\r\n".getBytes(StandardCharsets.US_ASCII));
      out.flush();
      InputStream in = socket.getInputStream();
      byte[] reply = new byte[7];
      int n = in.read(reply);
      return n > 0 && new String(reply, 0, n, StandardCharsets.US_ASCII).startsWith("+PONG");
    } catch (IOException e) {
      return false;
    }
  }

  /**
   * Makes Redis unresponsive for {@code seconds} (DEBUG SLEEP blocks its one command thread) while
   * it stays up and keeps its connections: a slow Redis, not a gone one. Returns at once.
   */
  void freeze(int seconds) throws IOException {
    Socket socket = new Socket(InetAddress.getLoopbackAddress(), port);
    socket.getOutputStream().write(("DEBUG SLEEP " + seconds + "\r\n").getBytes(StandardCharsets.US_ASCII));
    socket.getOutputStream().flush();
    Thread closer = new Thread(() -> {
      try (socket) {
        socket.setSoTimeout((seconds + 10) * 1000);
        socket.getInputStream().read(); // "+OK" once the sleep is over
      } catch (IOException e) {
        // Closed either way.
      }
    }, "redis-freeze");
    closer.setDaemon(true);
    closer.start();
  }

  /** A clean shutdown (SIGTERM), as an operator's restart would begin. */
  void stop() throws InterruptedException {
    if (process != null && process.isAlive()) {
      process.destroy();
      if (!process.waitFor(10, TimeUnit.SECONDS)) {
        process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      }
    }
  }

  /** Starts again on the same port after {@link #stop()} or {@link #kill()}, empty (no persistence). */
  void restart() throws IOException {
    launch(binary());
  }

  /** SIGKILL: Redis gone without a goodbye. */
  void kill() throws InterruptedException {
    if (process != null && process.isAlive()) {
      process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
    }
  }

  @Override
  public void close() {
    try {
      kill();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    dir.close();
  }
}
