package dev.tollgate.tests;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A real PostgreSQL server from the Debian package, for one test class: initdb into a temporary
 * folder, started on a free loopback port with password authentication, stopped and deleted by
 * {@link #close()}. initdb and postgres refuse to run as root, so as root they run as the
 * package's {@code postgres} user (setpriv, which execs in place so signals reach the server).
 */
final class PostgresServer implements AutoCloseable {
  static final String USER = "postgres";
  static final String DATABASE = "tollgate";

  private final Path dir;
  private final Path bin;
  private final boolean root;
  private Process process;
  private final int port;
  private final String password;

  private PostgresServer(Path dir, Path bin, boolean root, Process process, int port, String password) {
    this.dir = dir;
    this.bin = bin;
    this.root = root;
    this.process = process;
    this.port = port;
    this.password = password;
  }

  static PostgresServer start() throws IOException, InterruptedException, SQLException {
    Path bin = binDirectory();
    Path dir = Files.createTempDirectory("tollgate-pg-");
    String password = "pg-" + UUID.randomUUID();
    Path passwordFile = dir.resolve("pwfile");
    Files.writeString(passwordFile, password + "\n");
    boolean root = "root".equals(System.getProperty("user.name"));
    if (root) {
      run(List.of("chown", "-R", "postgres:postgres", dir.toString()), dir.resolve("chown.log"));
    }
    Path data = dir.resolve("data");
    run(asPostgres(root, bin.resolve("initdb").toString(), "-D", data.toString(), "-U", USER, "-E", "UTF8",
        "--no-sync", "--auth-host=scram-sha-256", "--auth-local=trust", "--pwfile=" + passwordFile),
        dir.resolve("initdb.log"));
    int port = TestGateway.freePort();
    PostgresServer server = new PostgresServer(dir, bin, root, launch(bin, root, dir, port), port, password);
    try {
      server.awaitReady();
      try (Connection connection = server.connect("postgres"); Statement statement = connection.createStatement()) {
        statement.execute("CREATE DATABASE " + DATABASE);
      }
      return server;
    } catch (IOException | SQLException | RuntimeException | Error e) {
      server.close();
      throw e;
    }
  }

  private static Process launch(Path bin, boolean root, Path dir, int port) throws IOException {
    return new ProcessBuilder(asPostgres(root, bin.resolve("postgres").toString(), "-D", dir.resolve("data").toString(),
        "-p", Integer.toString(port), "-c", "listen_addresses=127.0.0.1", "-c", "unix_socket_directories=" + dir,
        "-c", "fsync=off", "-c", "synchronous_commit=off", "-c", "full_page_writes=off"))
        .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("postgres.log").toFile()))
        .start();
  }

  /** Stops the server, keeping its data: the database is unreachable until {@link #resume()}. */
  void pause() throws InterruptedException {
    stopProcess();
  }

  /** Starts the server again on the same port and data. */
  void resume() throws IOException, InterruptedException {
    process = launch(bin, root, dir, port);
    awaitReady();
  }

  /** /usr/lib/postgresql/VERSION/bin of the newest installed version. */
  private static Path binDirectory() throws IOException {
    Path root = Path.of("/usr/lib/postgresql");
    if (!Files.isDirectory(root)) {
      throw new IOException("PostgreSQL is not installed (no /usr/lib/postgresql): apt-get install postgresql");
    }
    try (Stream<Path> versions = Files.list(root)) {
      return versions.filter(v -> Files.isExecutable(v.resolve("bin/postgres")))
          .max(Comparator.comparingInt(v -> Integer.parseInt(v.getFileName().toString().replaceAll("\\D.*", "0"))))
          .map(v -> v.resolve("bin"))
          .orElseThrow(() -> new IOException("no PostgreSQL server binaries under " + root));
    }
  }

  private static List<String> asPostgres(boolean root, String... command) {
    List<String> full = new ArrayList<>();
    if (root) {
      full.addAll(List.of("setpriv", "--reuid=postgres", "--regid=postgres", "--init-groups", "--"));
    }
    full.addAll(List.of(command));
    return full;
  }

  private static void run(List<String> command, Path log) throws IOException, InterruptedException {
    Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    if (!process.waitFor(60, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      throw new IOException(command.get(0) + " did not finish in 60 s");
    }
    if (process.exitValue() != 0) {
      throw new IOException(String.join(" ", command) + " failed:\n" + Files.readString(log, StandardCharsets.UTF_8));
    }
  }

  private void awaitReady() throws IOException, InterruptedException {
    Instant deadline = Instant.now().plus(Duration.ofSeconds(30));
    SQLException last = null;
    while (Instant.now().isBefore(deadline)) {
      if (!process.isAlive()) {
        throw new IOException("postgres exited:\n" + log());
      }
      try (Connection connection = connect("postgres")) {
        return;
      } catch (SQLException e) {
        last = e;
        Thread.sleep(100);
      }
    }
    throw new IOException("postgres not ready in 30 s: " + last + "\n" + log());
  }

  Connection connect(String database) throws SQLException {
    return DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + port + "/" + database, USER, password);
  }

  String jdbcUrl() {
    return "jdbc:postgresql://127.0.0.1:" + port + "/" + DATABASE;
  }

  int port() {
    return port;
  }

  /** A file holding the password, for a config's {@code store.password: file:...}. */
  Path writePasswordFile(Path target) throws IOException {
    Files.writeString(target, password + "\n");
    return target;
  }

  /**
   * A {@code store:} section for a fresh database: drops {@code tables} (what the previous test
   * left), writes the password to {@code passwordFile} and names it as a file: reference.
   */
  String freshStoreSection(String tables, Path passwordFile) throws SQLException, IOException {
    try (Connection connection = connect(DATABASE); Statement statement = connection.createStatement()) {
      statement.execute("DROP TABLE IF EXISTS " + tables);
    }
    writePasswordFile(passwordFile);
    return "store: { kind: postgresql, url: \"" + jdbcUrl() + "\", user: " + USER
        + ", password: \"file:" + passwordFile + "\", poll_interval_ms: 500 }";
  }

  String password() {
    return password;
  }

  private void stopProcess() throws InterruptedException {
    if (!process.isAlive()) {
      return;
    }
    try {
      new ProcessBuilder("kill", "-INT", Long.toString(process.pid())).start().waitFor(5, TimeUnit.SECONDS);
    } catch (IOException e) {
      process.destroyForcibly();
    }
    if (!process.waitFor(15, TimeUnit.SECONDS)) {
      process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
    }
  }

  String log() {
    try {
      return Files.readString(dir.resolve("postgres.log"), StandardCharsets.UTF_8);
    } catch (IOException e) {
      return "";
    }
  }

  /** Stops the server (SIGINT: PostgreSQL's fast shutdown) and deletes its files. */
  @Override
  public void close() {
    try {
      stopProcess();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      process.destroyForcibly();
    }
    try (Stream<Path> files = Files.walk(dir)) {
      files.sorted(Comparator.reverseOrder()).forEach(file -> file.toFile().delete());
    } catch (IOException e) {
      // already gone
    }
  }
}
