package dev.tollgate.xds.server;

import dev.tollgate.core.config.LoadedConfig;
import dev.tollgate.core.policy.PolicyHolder;
import dev.tollgate.core.policy.PolicyDocument;
import dev.tollgate.core.policy.RuntimeState;
import dev.tollgate.xds.translate.EnvoyResourceTranslator;
import dev.tollgate.xds.translate.EnvoyResources;
import io.envoyproxy.controlplane.cache.v3.SimpleCache;
import io.envoyproxy.controlplane.cache.v3.Snapshot;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Makes a validated config current: Envoy resources into the xDS cache, policy to the ext
 * services, under one version string. The version changes only when the document's content does,
 * so re-reading an unchanged file pushes nothing.
 */
public final class SnapshotPublisher {
  /** Every Envoy node is served the same snapshot; per-node views come with sidecars. */
  public static final String GROUP = "tollgate";
  private static final Logger LOG = LoggerFactory.getLogger(SnapshotPublisher.class);

  private final SimpleCache<String> cache;
  private final EnvoyResourceTranslator translator;
  private final PolicyHolder policy;
  private long sequence;
  private volatile String currentDigest = "";
  private volatile String currentVersion = "";
  /** The policy of the config in force, before the store's state is merged in. */
  private PolicyDocument configPolicy;
  private RuntimeState runtime = RuntimeState.empty();
  private volatile LoadedConfig current;

  public SnapshotPublisher(SimpleCache<String> cache, EnvoyResourceTranslator translator, PolicyHolder policy) {
    this.cache = cache;
    this.translator = translator;
    this.policy = policy;
  }

  /** @return true when a new version was published, false when the content was unchanged */
  public synchronized boolean publish(LoadedConfig loaded) {
    if (loaded.digest().equals(currentDigest)) {
      return false;
    }
    String version = "v" + (++sequence) + "-" + loaded.digest().substring(0, 12);
    EnvoyResources resources = translator.translate(loaded);
    cache.setSnapshot(GROUP, Snapshot.create(resources.clusters(), List.of(), resources.listeners(),
        resources.routes(), resources.secrets(), version));
    // Envoy first, policy second: for a moment a new model may answer 404 from ext_proc, but a
    // removed model never routes after policy already forgot who may use it.
    configPolicy = PolicyDocument.from(loaded.config(), version);
    policy.publish(configPolicy.withRuntime(version, runtime));
    current = loaded;
    currentDigest = loaded.digest();
    currentVersion = version;
    LOG.info("published config version {} ({} models, {} backends, {} consumers)", version,
        loaded.config().models().size(), loaded.config().backends().size(), loaded.config().consumers().size());
    return true;
  }

  /**
   * The store's state (runtime keys, subscriptions) changed: a new policy version for the ext
   * services with the same config. Envoy's resources do not depend on it, so nothing goes to Envoy.
   */
  public synchronized void publishRuntime(RuntimeState state) {
    if (state.equals(runtime)) {
      return;
    }
    runtime = state;
    if (configPolicy != null) {
      PolicyDocument next = configPolicy.withRuntime(currentVersion, state);
      policy.publish(next);
      LOG.info("published policy version {} ({} runtime keys, {} subscriptions)", next.version(),
          state.keys().size(), state.subscriptions().size());
    }
  }

  /** The config in force; null before the first publish. */
  public LoadedConfig currentConfig() {
    return current;
  }

  public String currentVersion() {
    return currentVersion;
  }
}
