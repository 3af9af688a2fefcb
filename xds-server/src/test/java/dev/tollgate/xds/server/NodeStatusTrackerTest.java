package dev.tollgate.xds.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.envoyproxy.envoy.config.core.v3.Node;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryRequest;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;

class NodeStatusTrackerTest {
  private static final String CLUSTER_URL = "type.googleapis.com/envoy.config.cluster.v3.Cluster";
  private static final String LISTENER_URL = "type.googleapis.com/envoy.config.listener.v3.Listener";
  private static final String CLUSTER = "envoy.config.cluster.v3.Cluster";
  private static final String LISTENER = "envoy.config.listener.v3.Listener";

  private final MutableClock clock = new MutableClock(Instant.parse("2025-01-01T00:00:00Z"));
  private final NodeStatusTracker tracker = new NodeStatusTracker(clock);

  private static DiscoveryRequest request(String node, String typeUrl, String version) {
    DiscoveryRequest.Builder request = DiscoveryRequest.newBuilder().setTypeUrl(typeUrl).setVersionInfo(version);
    if (node != null) {
      request.setNode(Node.newBuilder().setId(node).setCluster("tollgate"));
    }
    return request.build();
  }

  private static DiscoveryRequest nack(String typeUrl, String keptVersion, String detail) {
    return request(null, typeUrl, keptVersion).toBuilder()
        .setErrorDetail(com.google.rpc.Status.newBuilder().setCode(3).setMessage(detail))
        .build();
  }

  private NodeStatusTracker.NodeState node(String id) {
    return tracker.nodes().stream().filter(n -> n.id().equals(id)).findFirst()
        .orElseThrow(() -> new AssertionError("no node " + id + " in " + tracker.nodes()));
  }

  @Test
  void acksAreRecordedPerNodeAndTypeAndLaterRequestsAreAttributedByStream() {
    // Stream 1: node named only on its first request, as with set_node_on_first_message_only.
    tracker.onV3StreamRequest(1, request("envoy-a", CLUSTER_URL, ""));
    tracker.onV3StreamRequest(1, request(null, CLUSTER_URL, "v1-abc"));
    tracker.onV3StreamRequest(1, request(null, LISTENER_URL, "v1-abc"));
    // Another node on another stream.
    tracker.onV3StreamRequest(2, request("envoy-b", CLUSTER_URL, "v0-old"));

    assertThat(tracker.nodes()).extracting(NodeStatusTracker.NodeState::id).containsExactly("envoy-a", "envoy-b");
    NodeStatusTracker.NodeState a = node("envoy-a");
    assertThat(a.appliedByType()).containsExactlyInAnyOrderEntriesOf(
        java.util.Map.of(CLUSTER, "v1-abc", LISTENER, "v1-abc"));
    assertThat(a.appliedVersion()).isEqualTo("v1-abc");
    assertThat(a.nacks()).isEmpty();
    assertThat(node("envoy-b").appliedByType()).containsExactly(java.util.Map.entry(CLUSTER, "v0-old"));
    assertThat(tracker.nackCount()).isZero();
  }

  @Test
  void typesThatDisagreeHaveNoSingleAppliedVersion() {
    tracker.onV3StreamRequest(1, request("envoy-a", CLUSTER_URL, "v2"));
    tracker.onV3StreamRequest(1, request(null, LISTENER_URL, "v1"));
    assertThat(node("envoy-a").appliedVersion()).isEmpty();
  }

  @Test
  void initialRequestWithEmptyVersionRecordsNoVersion() {
    tracker.onV3StreamRequest(7, request("envoy-a", CLUSTER_URL, ""));
    assertThat(node("envoy-a").appliedByType()).isEmpty();
    assertThat(node("envoy-a").lastSeen()).isEqualTo(clock.instant());
  }

  @Test
  void nackIsRecordedWithDetailAndKeptVersionUntilANewerVersionIsAcked() {
    tracker.onV3StreamRequest(1, request("envoy-a", LISTENER_URL, "v1"));
    clock.advance(Duration.ofSeconds(5));
    Instant nackAt = clock.instant();
    tracker.onV3StreamRequest(1, nack(LISTENER_URL, "v1", "Proto constraint validation failed: bad listener"));

    NodeStatusTracker.NodeState a = node("envoy-a");
    assertThat(tracker.nackCount()).isEqualTo(1);
    assertThat(a.nacks()).containsOnlyKeys(LISTENER);
    NodeStatusTracker.Nack nack = a.nacks().get(LISTENER);
    assertThat(nack.type()).isEqualTo(LISTENER);
    assertThat(nack.keptVersion()).isEqualTo("v1");
    assertThat(nack.detail()).isEqualTo("Proto constraint validation failed: bad listener");
    assertThat(nack.at()).isEqualTo(nackAt);
    // A NACK does not change what is applied.
    assertThat(a.appliedByType()).containsEntry(LISTENER, "v1");

    // Re-requesting the kept version (e.g. after a reconnect) does not clear it: v2 is still refused.
    tracker.onV3StreamRequest(1, request(null, LISTENER_URL, "v1"));
    assertThat(node("envoy-a").nacks()).containsOnlyKeys(LISTENER);

    // An ACK of another type does not clear it either.
    tracker.onV3StreamRequest(1, request(null, CLUSTER_URL, "v3"));
    assertThat(node("envoy-a").nacks()).containsOnlyKeys(LISTENER);

    tracker.onV3StreamRequest(1, request(null, LISTENER_URL, "v3"));
    assertThat(node("envoy-a").nacks()).isEmpty();
    assertThat(node("envoy-a").appliedVersion()).isEqualTo("v3");
    assertThat(tracker.nackCount()).as("the total counts history").isEqualTo(1);
  }

  @Test
  void nackCountCountsEveryNackAcrossNodes() {
    tracker.onV3StreamRequest(1, request("envoy-a", LISTENER_URL, "v1"));
    tracker.onV3StreamRequest(2, request("envoy-b", LISTENER_URL, "v1"));
    tracker.onV3StreamRequest(1, nack(LISTENER_URL, "v1", "a says no"));
    tracker.onV3StreamRequest(2, nack(CLUSTER_URL, "", "b says no"));
    tracker.onV3StreamRequest(2, nack(LISTENER_URL, "v1", "b says no again"));

    assertThat(tracker.nackCount()).isEqualTo(3);
    assertThat(node("envoy-a").nacks()).containsOnlyKeys(LISTENER);
    assertThat(node("envoy-b").nacks()).containsOnlyKeys(CLUSTER, LISTENER);
    assertThat(node("envoy-b").nacks().get(CLUSTER).keptVersion()).isEmpty();
    assertThat(node("envoy-b").nacks().get(CLUSTER).detail()).isEqualTo("b says no");
  }

  @Test
  void closedStreamForgetsItsNode() {
    tracker.onV3StreamRequest(1, request("envoy-a", CLUSTER_URL, "v1"));
    tracker.onStreamClose(1, CLUSTER_URL);
    // The id is never reused in practice; a nameless request on it is not pinned on envoy-a.
    tracker.onV3StreamRequest(1, request(null, CLUSTER_URL, "v9"));
    assertThat(node("envoy-a").appliedByType()).containsEntry(CLUSTER, "v1");
    assertThat(node("stream-1").appliedByType()).containsEntry(CLUSTER, "v9");
  }

  @Test
  void reconnectingNodeKeepsItsHistory() {
    tracker.onV3StreamRequest(1, request("envoy-a", CLUSTER_URL, "v1"));
    tracker.onStreamCloseWithError(1, CLUSTER_URL, new RuntimeException("reset"));
    tracker.onV3StreamRequest(2, request("envoy-a", CLUSTER_URL, "v1"));
    tracker.onV3StreamRequest(2, request(null, CLUSTER_URL, "v2"));
    assertThat(tracker.nodes()).singleElement().satisfies(n -> {
      assertThat(n.id()).isEqualTo("envoy-a");
      assertThat(n.appliedByType()).containsEntry(CLUSTER, "v2");
    });
  }

  static final class MutableClock extends Clock {
    private Instant now;

    MutableClock(Instant now) {
      this.now = now;
    }

    void advance(Duration duration) {
      now = now.plus(duration);
    }

    @Override
    public ZoneId getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
      return this;
    }

    @Override
    public Instant instant() {
      return now;
    }
  }
}
