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
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Polls the config file, and the credential files it refers to, and publishes each valid change. Polling (not inotify) because editors
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
  /** The config file first, then the credential files the last loaded config refers to. */
  private volatile List<Stamp> lastSeen = List.of();
  private volatile List<Path> watched;
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
    List<Stamp> before = stamps(List.of(file));
    LoadedConfig loaded = loader.load(file);
    publisher.publish(loaded);
    remember(loaded, before);
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
      List<Stamp> now = stamps(watched);
      if (now.equals(lastSeen)) {
        return;
      }
      lastSeen = now;
      LoadedConfig loaded = loader.load(file);
      lastError = null;
      publisher.publish(loaded);
      remember(loaded, now.subList(0, 1));
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

  /** Starts watching the credential files this config refers to, from their current state. */
  private void remember(LoadedConfig loaded, List<Stamp> configStamp) throws IOException {
    List<Path> paths = new java.util.ArrayList<>();
    paths.add(file);
    paths.addAll(loaded.credentialFiles());
    List<Stamp> stamps = new java.util.ArrayList<>(configStamp);
    stamps.addAll(stamps(paths.subList(1, paths.size())));
    watched = List.copyOf(paths);
    lastSeen = List.copyOf(stamps);
  }

  /** A missing file gets a null-content stamp, so its reappearance counts as a change. */
  private static List<Stamp> stamps(List<Path> paths) throws IOException {
    List<Stamp> stamps = new java.util.ArrayList<>(paths.size());
    for (Path path : paths) {
      try {
        var attributes = Files.readAttributes(path, java.nio.file.attribute.BasicFileAttributes.class);
        stamps.add(new Stamp(attributes.lastModifiedTime(), attributes.size(), attributes.fileKey()));
      } catch (java.nio.file.NoSuchFileException e) {
        stamps.add(new Stamp(null, -1, null));
      }
    }
    return stamps;
  }

  @Override
  public void close() {
    scheduler.shutdownNow();
  }
}
