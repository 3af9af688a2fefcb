package dev.tollgate.xds.server;

import dev.tollgate.core.config.ConfigLoader;
import dev.tollgate.core.config.ConfigProblem;
import dev.tollgate.core.config.InvalidConfigException;
import dev.tollgate.core.config.LoadedConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Polls the config file and publishes each valid change. Polling (not inotify) because editors
 * and Kubernetes ConfigMaps replace files by rename and symlink swaps, which directory watches
 * miss or double-report; a stat every {@code interval} is cheap and always right. An invalid
 * change is logged with every problem and leaves the last good snapshot in force.
 */
public final class ConfigFileWatcher implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(ConfigFileWatcher.class);

  private final Path file;
  private final ConfigLoader loader;
  private final SnapshotPublisher publisher;
  private final Clock clock;
  private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
    Thread thread = new Thread(r, "tollgate-config-watcher");
    thread.setDaemon(true);
    return thread;
  });
  private volatile Stamp lastSeen;
  private volatile ReloadError lastError;

  /** The rejected change: when, and every problem, as printed by {@code tollgate validate}. */
  public record ReloadError(Instant at, List<String> problems) {}

  private record Stamp(FileTime modified, long size, Object fileKey) {}

  public ConfigFileWatcher(Path file, ConfigLoader loader, SnapshotPublisher publisher, Clock clock) {
    this.file = file;
    this.loader = loader;
    this.publisher = publisher;
    this.clock = clock;
  }

  /** Loads and publishes the file once; a bad file at start-up is fatal, so it throws. */
  public LoadedConfig loadInitial() throws IOException, InvalidConfigException {
    lastSeen = stamp();
    LoadedConfig loaded = loader.load(file);
    publisher.publish(loaded);
    return loaded;
  }

  public void start(Duration interval) {
    scheduler.scheduleWithFixedDelay(this::poll, interval.toMillis(), interval.toMillis(), TimeUnit.MILLISECONDS);
  }

  public ReloadError lastError() {
    return lastError;
  }

  void poll() {
    try {
      Stamp now = stamp();
      if (Objects.equals(now, lastSeen)) {
        return;
      }
      lastSeen = now;
      LoadedConfig loaded = loader.load(file);
      lastError = null;
      publisher.publish(loaded);
    } catch (InvalidConfigException e) {
      List<String> problems = e.problems().stream().map(ConfigProblem::toString).toList();
      lastError = new ReloadError(clock.instant(), problems);
      LOG.error("config change rejected, version {} stays in force:\n  {}", publisher.currentVersion(),
          String.join("\n  ", problems));
    } catch (IOException | RuntimeException e) {
      lastError = new ReloadError(clock.instant(), List.of(file + ": cannot read: " + e.getMessage()));
      LOG.error("cannot read config {}; version {} stays in force: {}", file, publisher.currentVersion(), e.toString());
    }
  }

  private Stamp stamp() throws IOException {
    var attributes = Files.readAttributes(file, java.nio.file.attribute.BasicFileAttributes.class);
    return new Stamp(attributes.lastModifiedTime(), attributes.size(), attributes.fileKey());
  }

  @Override
  public void close() {
    scheduler.shutdownNow();
  }
}
