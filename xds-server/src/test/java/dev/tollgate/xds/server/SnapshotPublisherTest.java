package dev.tollgate.xds.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.core.config.ConfigLoader;
import dev.tollgate.core.config.LoadedConfig;
import dev.tollgate.core.policy.PolicyHolder;
import dev.tollgate.xds.translate.EnvoyResourceTranslator;
import dev.tollgate.xds.translate.FilterSet;
import dev.tollgate.xds.translate.ResourceNames;
import io.envoyproxy.controlplane.cache.v3.SimpleCache;
import io.envoyproxy.controlplane.cache.v3.Snapshot;
import org.junit.jupiter.api.Test;

class SnapshotPublisherTest {
  private final ConfigLoader loader = new ConfigLoader(n -> null);
  private final SimpleCache<String> cache = new SimpleCache<>(node -> SnapshotPublisher.GROUP);
  private final PolicyHolder policy = new PolicyHolder();
  private final SnapshotPublisher publisher = new SnapshotPublisher(cache, new EnvoyResourceTranslator(FilterSet.ALL), policy);

  @Test
  void firstPublishSetsCacheAndPolicyUnderOneVersion() throws Exception {
    LoadedConfig loaded = loader.parse(TestConfigs.withModels("m1"), "a.yaml");

    assertThat(publisher.currentVersion()).isEmpty();
    assertThat(publisher.publish(loaded)).isTrue();

    String version = publisher.currentVersion();
    assertThat(version).isEqualTo("v1-" + loaded.digest().substring(0, 12));
    Snapshot snapshot = cache.getSnapshot(SnapshotPublisher.GROUP);
    assertThat(snapshot).isNotNull();
    assertThat(snapshot.clusters().version()).isEqualTo(version);
    assertThat(snapshot.listeners().version()).isEqualTo(version);
    assertThat(snapshot.routes().version()).isEqualTo(version);
    assertThat(snapshot.secrets().version()).isEqualTo(version);
    assertThat(snapshot.clusters().resources()).containsKeys(ResourceNames.EXT_SERVICES_CLUSTER, "backend_local");
    assertThat(snapshot.listeners().resources()).containsOnlyKeys(ResourceNames.LISTENER);
    assertThat(snapshot.routes().resources()).containsOnlyKeys(ResourceNames.ROUTE_CONFIG);
    assertThat(policy.current().version()).isEqualTo(version);
    assertThat(policy.current().models()).containsExactly("m1");
  }

  @Test
  void sameDigestTwiceIsNotPublishedAgain() throws Exception {
    LoadedConfig loaded = loader.parse(TestConfigs.withModels("m1"), "a.yaml");
    assertThat(publisher.publish(loaded)).isTrue();
    String version = publisher.currentVersion();
    Snapshot snapshot = cache.getSnapshot(SnapshotPublisher.GROUP);
    var policyBefore = policy.current();

    // The same text loaded again (a touched file) is a new object with the same digest.
    LoadedConfig again = loader.parse(TestConfigs.withModels("m1"), "a.yaml");
    assertThat(again.digest()).isEqualTo(loaded.digest());
    assertThat(publisher.publish(again)).isFalse();
    assertThat(publisher.publish(loaded)).isFalse();

    assertThat(publisher.currentVersion()).isEqualTo(version);
    assertThat(cache.getSnapshot(SnapshotPublisher.GROUP)).isSameAs(snapshot);
    assertThat(policy.current()).isSameAs(policyBefore);
  }

  @Test
  void newDigestPublishesANewVersionEverywhere() throws Exception {
    LoadedConfig first = loader.parse(TestConfigs.withModels("m1"), "a.yaml");
    LoadedConfig second = loader.parse(TestConfigs.withModels("m1", "m2"), "a.yaml");
    assertThat(second.digest()).isNotEqualTo(first.digest());

    publisher.publish(first);
    String v1 = publisher.currentVersion();
    assertThat(publisher.publish(second)).isTrue();
    String v2 = publisher.currentVersion();

    assertThat(v2).isNotEqualTo(v1).isEqualTo("v2-" + second.digest().substring(0, 12));
    assertThat(cache.getSnapshot(SnapshotPublisher.GROUP).clusters().version()).isEqualTo(v2);
    assertThat(policy.current().version()).isEqualTo(v2);
    assertThat(policy.current().models()).containsExactlyInAnyOrder("m1", "m2");

    // Going back to the first content is a change too, with a version not seen before.
    assertThat(publisher.publish(first)).isTrue();
    assertThat(publisher.currentVersion()).startsWith("v3-").isNotIn(v1, v2);
    assertThat(policy.current().models()).containsExactly("m1");
  }
}
