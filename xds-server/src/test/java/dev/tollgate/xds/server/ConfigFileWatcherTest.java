package dev.tollgate.xds.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tollgate.core.config.ConfigLoader;
import dev.tollgate.core.config.InvalidConfigException;
import dev.tollgate.core.policy.PolicyHolder;
import dev.tollgate.xds.translate.EnvoyResourceTranslator;
import dev.tollgate.xds.translate.FilterSet;
import io.envoyproxy.controlplane.cache.v3.SimpleCache;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Clock;
import java.time.Duration;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigFileWatcherTest {
  private static final Duration WAIT = Duration.ofSeconds(10);

  @TempDir
  Path dir;
  private Path file;
  private final PolicyHolder policy = new PolicyHolder();
  private SnapshotPublisher publisher;
  private ConfigFileWatcher watcher;

  @BeforeEach
  void setUp() {
    file = dir.resolve("tollgate.yaml");
    publisher = new SnapshotPublisher(new SimpleCache<>(node -> SnapshotPublisher.GROUP),
        new EnvoyResourceTranslator(FilterSet.ALL), policy);
    watcher = new ConfigFileWatcher(file, new ConfigLoader(n -> null), publisher, Clock.systemUTC());
  }

  @AfterEach
  void tearDown() {
    watcher.close();
  }

  /** Replaces the file by rename, as editors and ConfigMaps do: the poller never sees half a file. */
  private void write(String content) throws IOException {
    Path temp = Files.createTempFile(dir, "next", ".yaml");
    Files.writeString(temp, content);
    Files.move(temp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
  }

  private static void await(String what, BooleanSupplier condition) throws InterruptedException {
    long deadline = System.nanoTime() + WAIT.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out waiting for " + what);
      }
      Thread.sleep(20);
    }
  }

  @Test
  void loadInitialPublishesTheFile() throws Exception {
    write(TestConfigs.withModels("m1"));
    var loaded = watcher.loadInitial();
    assertThat(publisher.currentVersion()).startsWith("v1-" + loaded.digest().substring(0, 12));
    assertThat(policy.current().models()).containsExactly("m1");
    assertThat(watcher.lastError()).isNull();
  }

  @Test
  void badFileAtStartUpThrows() throws Exception {
    write("models:\n  - name: m1\n    targets: [ { backend: nowhere } ]\n");
    assertThatThrownBy(watcher::loadInitial).isInstanceOf(InvalidConfigException.class);
    assertThat(publisher.currentVersion()).isEmpty();
  }

  @Test
  void changesArePublishedAndBrokenChangesRejectedWithLocations() throws Exception {
    write(TestConfigs.withModels("m1"));
    watcher.loadInitial();
    String v1 = publisher.currentVersion();

    watcher.start(Duration.ofMillis(50));

    // A valid change is picked up.
    write(TestConfigs.withModels("m1", "m2"));
    await("the new version", () -> !publisher.currentVersion().equals(v1));
    String v2 = publisher.currentVersion();
    assertThat(v2).startsWith("v2-");
    assertThat(policy.current().models()).containsExactlyInAnyOrder("m1", "m2");
    assertThat(watcher.lastError()).isNull();

    // A broken change is reported with file:line and leaves v2 in force.
    String broken = """
        backends:
          - name: local
            kind: openai-compatible
            endpoints: [ { host: 127.0.0.1, port: 8000 } ]
        models:
          - name: m3
            targets:
              - backend: nowhere
        consumers:
          - name: app
            models: [ "*" ]
        """;
    write(broken);
    await("the reload error", () -> watcher.lastError() != null);
    ConfigFileWatcher.ReloadError error = watcher.lastError();
    assertThat(error.at()).isNotNull();
    assertThat(error.problems()).anySatisfy(problem -> assertThat(problem)
        .startsWith(file + ":8:")
        .contains("models[0].targets[0].backend")
        .contains("nowhere"));
    Thread.sleep(200); // several more polls
    assertThat(publisher.currentVersion()).isEqualTo(v2);
    assertThat(policy.current().version()).isEqualTo(v2);
    assertThat(policy.current().models()).containsExactlyInAnyOrder("m1", "m2");

    // A syntax error is located too.
    write("models:\n  - name: [unclosed\n");
    await("the syntax error", () -> watcher.lastError() != error);
    assertThat(watcher.lastError().problems()).anySatisfy(problem ->
        assertThat(problem).matches(java.util.regex.Pattern.quote(file.toString()) + ":\\d+(:\\d+)?: .*YAML syntax.*"));
    assertThat(publisher.currentVersion()).isEqualTo(v2);

    // Fixing the file clears the error and publishes.
    write(TestConfigs.withModels("m4"));
    await("the fixed version", () -> !publisher.currentVersion().equals(v2));
    assertThat(watcher.lastError()).isNull();
    assertThat(publisher.currentVersion()).startsWith("v3-");
    assertThat(policy.current().models()).containsExactly("m4");
  }

  @Test
  void rewritingTheSameContentKeepsTheVersion() throws Exception {
    write(TestConfigs.withModels("m1"));
    watcher.loadInitial();
    String v1 = publisher.currentVersion();
    write(TestConfigs.withModels("m1"));
    watcher.poll();
    assertThat(publisher.currentVersion()).isEqualTo(v1);
    assertThat(watcher.lastError()).isNull();
  }

  @Test
  void unreadableFileIsReportedAndTheVersionKept() throws Exception {
    write(TestConfigs.withModels("m1"));
    watcher.loadInitial();
    String v1 = publisher.currentVersion();
    Files.delete(file);
    watcher.poll();
    assertThat(watcher.lastError()).isNotNull();
    assertThat(watcher.lastError().problems()).singleElement().asString().contains(file.toString());
    assertThat(publisher.currentVersion()).isEqualTo(v1);
  }
}
