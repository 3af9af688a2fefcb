package dev.tollgate.cli.runtime;

import dev.tollgate.core.config.ConfigLoader;
import dev.tollgate.core.config.InvalidConfigException;
import dev.tollgate.core.config.LoadedConfig;
import dev.tollgate.core.policy.PolicyHolder;
import dev.tollgate.proc.ExternalProcessorService;
import dev.tollgate.proc.usage.UsageQueue;
import dev.tollgate.xds.admin.AdminServer;
import dev.tollgate.xds.server.ConfigFileWatcher;
import dev.tollgate.xds.server.NodeStatusTracker;
import dev.tollgate.xds.server.PolicyStreamService;
import dev.tollgate.xds.server.SnapshotPublisher;
import dev.tollgate.xds.translate.EnvoyResourceTranslator;
import dev.tollgate.xds.translate.FilterSet;
import io.envoyproxy.controlplane.cache.v3.SimpleCache;
import io.envoyproxy.controlplane.server.V3DiscoveryServer;
import io.grpc.Server;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * The Tollgate JVM part: the control plane (ADS, policy stream, config watcher, admin API), with
 * both ext services on the same gRPC server (all in one) or without them (control plane alone).
 * Envoy is not part of it; see {@link EnvoyProcess}.
 */
public final class GatewayRuntime implements AutoCloseable {
  private static final Duration RELOAD_POLL = Duration.ofMillis(250);

  private final Server grpc;
  private final AdminServer admin;
  private final ConfigFileWatcher watcher;
  private final SnapshotPublisher publisher;
  private final LoadedConfig initial;
  private final ExternalProcessorService processor;

  private final NodeStatusTracker nodes;
  private final RuntimeStateService runtimeState;
  /** The process's metrics registry (served on the admin server's /metrics) and audit log. */
  private final Observability observability;
  /** The usage ledger (table, report method, API) and, all in one, the in-process ext_proc's queue to it. */
  private final UsageLedgerService usage;
  private final UsageQueue usageQueue;

  private GatewayRuntime(NodeStatusTracker nodes, Server grpc, AdminServer admin, ConfigFileWatcher watcher,
      SnapshotPublisher publisher, LoadedConfig initial, ExternalProcessorService processor,
      RuntimeStateService runtimeState, Observability observability, UsageLedgerService usage, UsageQueue usageQueue) {
    this.usage = usage;
    this.usageQueue = usageQueue;
    this.observability = observability;
    this.runtimeState = runtimeState;
    this.nodes = nodes;
    this.grpc = grpc;
    this.admin = admin;
    this.watcher = watcher;
    this.publisher = publisher;
    this.initial = initial;
    this.processor = processor;
  }

  /**
   * Loads the config (a bad one is fatal here, unlike on reload), starts serving, and watches the
   * file for changes. All in one: control plane and both ext services on one gRPC server.
   *
   * @param filters {@link FilterSet#ALL} to serve; the others only for benchmarks
   */
  public static GatewayRuntime start(Path configFile, FilterSet filters)
      throws IOException, InvalidConfigException {
    return start(configFile, filters, true);
  }

  /**
   * The control plane alone (ADS, policy stream, admin API, config watcher); the ext services run
   * in their own processes and watch the policy stream. See {@link ExtServices}.
   */
  public static GatewayRuntime startControlPlane(Path configFile) throws IOException, InvalidConfigException {
    return start(configFile, FilterSet.ALL, false);
  }

  private static GatewayRuntime start(Path configFile, FilterSet filters, boolean withExtServices)
      throws IOException, InvalidConfigException {
    Clock clock = Clock.systemUTC();
    PolicyHolder policy = new PolicyHolder();
    SimpleCache<String> cache = new SimpleCache<>(node -> SnapshotPublisher.GROUP);
    SnapshotPublisher publisher = new SnapshotPublisher(cache, new EnvoyResourceTranslator(filters), policy);
    ConfigFileWatcher watcher = new ConfigFileWatcher(configFile, new ConfigLoader(System::getenv), publisher, clock);
    LoadedConfig initial = watcher.loadInitial();
    // Before any server starts: the first policy anyone receives already holds the store's state.
    RuntimeStateService runtimeState = RuntimeStateService.start(initial, configFile, publisher, withExtServices, clock);
    UsageLedgerService usage;
    try {
      usage = UsageLedgerService.start(runtimeState, clock);
    } catch (IOException e) {
      runtimeState.close();
      throw e;
    }

    NodeStatusTracker nodes = new NodeStatusTracker(clock);
    var controlPlane = initial.config().controlPlane();
    NettyServerBuilder builder = ExtServices.serverBuilder(controlPlane.address(), controlPlane.grpcPort())
        .addService(new V3DiscoveryServer(nodes, cache).getAggregatedDiscoveryServiceImpl())
        .addService(new PolicyStreamService(policy))
        .addService(usage.reportService());
    // Audit log from the config at start; like the ports, a reload does not move it.
    Observability observability = Observability.create(initial.config().auditLog().path());
    // All in one: the in-process ext_proc's usage records go to the ledger through their own queue.
    UsageQueue usageQueue = withExtServices ? new UsageQueue(usage.localTarget(), UsageQueue.DEFAULT_CAPACITY,
        observability.registry()).start() : null;
    ExternalProcessorService processor = withExtServices
        ? ExtServices.addTo(builder, policy, observability, usageQueue) : null;
    Server grpc;
    AdminServer admin;
    try {
      grpc = builder.build().start();
    } catch (IOException | RuntimeException e) {
      closeUsage(usageQueue, usage);
      runtimeState.close();
      observability.close();
      throw e;
    }
    try {
      admin = AdminServer.start(controlPlane.address(), controlPlane.adminPort(), publisher, nodes,
          watcher::lastError);
    } catch (IOException e) {
      grpc.shutdownNow();
      closeUsage(usageQueue, usage);
      runtimeState.close();
      observability.close();
      throw e;
    }
    runtimeState.mountOn(admin, publisher, policy);
    usage.mountOn(admin, runtimeState, () -> publisher.currentConfig().config());
    watcher.start(RELOAD_POLL);
    admin.mount("/metrics", observability.metricsHandler());
    return new GatewayRuntime(nodes, grpc, admin, watcher, publisher, initial, processor, runtimeState,
        observability, usage, usageQueue);
  }

  /** The config as loaded at start; later reloads do not change the ports. */
  public LoadedConfig initialConfig() {
    return initial;
  }

  /** The detail of every NACK an Envoy node has outstanding, as "type: detail". */
  public java.util.List<String> outstandingNacks() {
    return nodes.nodes().stream()
        .flatMap(node -> node.nacks().values().stream())
        .map(nack -> nack.type() + ": " + nack.detail())
        .toList();
  }

  /** The store, its sync and the admin API over it. */
  public RuntimeStateService runtimeState() {
    return runtimeState;
  }

  /** Publishes config and runtime state; tests use it to set a runtime state directly. */
  public SnapshotPublisher publisher() {
    return publisher;
  }

  public int grpcPort() {
    return grpc.getPort();
  }

  public int adminPort() {
    return admin.port();
  }

  public String currentVersion() {
    return publisher.currentVersion();
  }

  /** Parsed bodies held by the in-process ext_proc; 0 for a control plane alone. */
  public long pendingRequests() {
    return processor == null ? 0 : processor.pendingRequests();
  }

  @Override
  public void close() {
    watcher.close();
    admin.close();
    grpc.shutdownNow();
    try {
      grpc.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    if (processor != null) {
      processor.close();
    }
    if (usageQueue != null) {
      usageQueue.close(); // delivers what is queued while the store is still open
    }
    usage.close();
    runtimeState.close();
    observability.close();
  }

  private static void closeUsage(UsageQueue queue, UsageLedgerService usage) {
    if (queue != null) {
      queue.close();
    }
    usage.close();
  }

  /** The usage ledger; tests read it directly. */
  public UsageLedgerService usageLedger() {
    return usage;
  }
}
