package dev.tollgate.xds.server;

import io.envoyproxy.controlplane.server.DiscoveryServerCallbacks;
import io.envoyproxy.envoy.service.discovery.v3.DeltaDiscoveryRequest;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryRequest;
import java.time.Clock;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Watches the ADS request stream to learn what each Envoy node has applied. In state-of-the-world
 * xDS a request's {@code version_info} is the last version the node accepted for that type, and an
 * {@code error_detail} means it rejected the one it was sent (a NACK).
 */
public final class NodeStatusTracker implements DiscoveryServerCallbacks {
  private static final Logger LOG = LoggerFactory.getLogger(NodeStatusTracker.class);

  private final Map<String, NodeState> nodes = new ConcurrentHashMap<>();
  private final AtomicLong nackCount = new AtomicLong();
  private final Clock clock;

  public NodeStatusTracker(Clock clock) {
    this.clock = clock;
  }

  /** Envoy names its node on a stream's first request only (set_node_on_first_message_only). */
  private final Map<Long, String> nodeByStream = new ConcurrentHashMap<>();

  @Override
  public void onStreamClose(long streamId, String typeUrl) {
    nodeByStream.remove(streamId);
  }

  @Override
  public void onStreamCloseWithError(long streamId, String typeUrl, Throwable error) {
    nodeByStream.remove(streamId);
  }

  @Override
  public void onV3StreamRequest(long streamId, DiscoveryRequest request) {
    String named = request.getNode().getId();
    String node = named.isEmpty()
        ? nodeByStream.getOrDefault(streamId, "stream-" + streamId)
        : named;
    if (!named.isEmpty()) {
      nodeByStream.put(streamId, named);
    }
    String type = shortType(request.getTypeUrl());
    Instant now = clock.instant();
    if (request.hasErrorDetail()) {
      nackCount.incrementAndGet();
      String detail = request.getErrorDetail().getMessage();
      LOG.warn("xDS NACK from node {} for {} (still on version '{}'): {}", node, type,
          request.getVersionInfo(), detail);
      nodes.compute(node, (id, state) -> (state == null ? NodeState.empty(id) : state)
          .withNack(type, new Nack(type, request.getVersionInfo(), detail, now), now));
    } else {
      nodes.compute(node, (id, state) -> (state == null ? NodeState.empty(id) : state)
          .withApplied(type, request.getVersionInfo(), now));
    }
  }

  @Override
  public void onV3StreamDeltaRequest(long streamId, DeltaDiscoveryRequest request) {
    // Tollgate serves state-of-the-world ADS only; delta requests are not answered.
  }

  public long nackCount() {
    return nackCount.get();
  }

  public List<NodeState> nodes() {
    return nodes.values().stream().sorted(Comparator.comparing(NodeState::id)).toList();
  }

  private static String shortType(String typeUrl) {
    int slash = typeUrl.lastIndexOf('/');
    return slash < 0 ? typeUrl : typeUrl.substring(slash + 1);
  }

  /** A rejected push, kept until the node accepts a later version of that type. */
  public record Nack(String type, String keptVersion, String detail, Instant at) {}

  /** What one node has applied, per resource type, and its outstanding NACKs. */
  public record NodeState(String id, Map<String, String> appliedByType, Map<String, Nack> nacks, Instant lastSeen) {
    static NodeState empty(String id) {
      return new NodeState(id, Map.of(), Map.of(), Instant.EPOCH);
    }

    NodeState withApplied(String type, String version, Instant now) {
      Map<String, String> applied = new java.util.TreeMap<>(appliedByType);
      if (!version.isEmpty()) {
        applied.put(type, version);
      }
      Map<String, Nack> open = new java.util.TreeMap<>(nacks);
      // An ACK of a type clears its NACK only once it moved past the rejected push.
      Nack nack = open.get(type);
      if (nack != null && !version.equals(nack.keptVersion())) {
        open.remove(type);
      }
      return new NodeState(id, Map.copyOf(applied), Map.copyOf(open), now);
    }

    NodeState withNack(String type, Nack nack, Instant now) {
      Map<String, Nack> open = new java.util.TreeMap<>(nacks);
      open.put(type, nack);
      return new NodeState(id, appliedByType, Map.copyOf(open), now);
    }

    /** The version every type of this node is on, or "" while types disagree (mid-push or NACK). */
    public String appliedVersion() {
      var versions = appliedByType.values().stream().distinct().toList();
      return versions.size() == 1 ? versions.get(0) : "";
    }
  }
}
