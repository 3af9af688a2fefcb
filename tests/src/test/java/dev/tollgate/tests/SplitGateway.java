package dev.tollgate.tests;

import dev.tollgate.cli.runtime.EnvoyBinary;
import dev.tollgate.cli.runtime.EnvoyProcess;
import dev.tollgate.cli.runtime.ExtServices;
import dev.tollgate.cli.runtime.GatewayRuntime;
import dev.tollgate.core.policy.stream.RemotePolicySource;
import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The split deployment in one test JVM: a control plane alone ({@code tollgate control-plane}),
 * ext services that get the policy over the control plane's policy stream
 * ({@code tollgate ext-services}), and a real Envoy fed by the control plane. The control plane
 * can be restarted while the ext services and Envoy keep running.
 */
final class SplitGateway implements AutoCloseable {
  private final Path configFile;
  private final Map<String, String> values;
  private GatewayRuntime controlPlane;
  private final ManagedChannel channel;
  private final RemotePolicySource policy;
  private final ExtServices extServices;
  private final EnvoyProcess envoy;

  private SplitGateway(Path configFile, Map<String, String> values, GatewayRuntime controlPlane,
      ManagedChannel channel, RemotePolicySource policy, ExtServices extServices, EnvoyProcess envoy) {
    this.configFile = configFile;
    this.values = values;
    this.controlPlane = controlPlane;
    this.channel = channel;
    this.policy = policy;
    this.extServices = extServices;
    this.envoy = envoy;
  }

  /** Free ports for a control plane and its ext services, and the listener. */
  static Map<String, String> ports() throws Exception {
    Map<String, String> values = new LinkedHashMap<>();
    for (String port : new String[] {"LISTENER_PORT", "GRPC_PORT", "ADMIN_PORT", "EXT_PORT"}) {
      values.put(port, Integer.toString(TestGateway.freePort()));
    }
    return values;
  }

  /** Writes the config (placeholders filled from {@code values}) into {@code dir} and starts everything. */
  static SplitGateway start(Path dir, String name, String template, Map<String, String> values) throws Exception {
    Path configFile = dir.resolve(name + ".yaml");
    Files.writeString(configFile, TestGateway.fill(template, values));
    GatewayRuntime controlPlane = GatewayRuntime.startControlPlane(configFile);
    ManagedChannel channel = NettyChannelBuilder.forAddress("127.0.0.1", Integer.parseInt(values.get("GRPC_PORT")))
        .usePlaintext().build();
    RemotePolicySource policy = new RemotePolicySource(channel, name + "-ext-services").start();
    // Usage records go to the control plane's ledger over the policy channel, as tollgate ext-services sends them.
    ExtServices extServices = ExtServices.start("127.0.0.1", Integer.parseInt(values.get("EXT_PORT")), policy,
        dev.tollgate.cli.runtime.Observability.create(null), new dev.tollgate.core.usage.RemoteUsageTarget(channel,
            name + "-ext-services"));
    EnvoyProcess envoy = EnvoyProcess.start(EnvoyBinary.locate(), "edge-bootstrap.yaml", name, "127.0.0.1",
        Integer.parseInt(values.get("GRPC_PORT")), dir, dir.resolve(name + "-envoy.log"), Duration.ofSeconds(30));
    return new SplitGateway(configFile, values, controlPlane, channel, policy, extServices, envoy);
  }

  /** Stops the control plane and starts it again on the same config (and so the same store). */
  void restartControlPlane() throws Exception {
    controlPlane.close();
    controlPlane = GatewayRuntime.startControlPlane(configFile);
  }

  void stopControlPlane() {
    controlPlane.close();
  }

  /** After {@link #stopControlPlane()}: the control plane again, on the same config and store. */
  void startControlPlaneAgain() throws Exception {
    controlPlane = GatewayRuntime.startControlPlane(configFile);
  }

  /** Usage records the ext services hold for the control plane's ledger, not yet delivered. */
  long extServicesPendingUsage() {
    return extServices.pendingUsageRecords();
  }

  GatewayRuntime controlPlane() {
    return controlPlane;
  }

  /** The policy version the ext services decide by right now. */
  String extServicesPolicyVersion() {
    return policy.current().version();
  }

  int adminPort() {
    return Integer.parseInt(values.get("ADMIN_PORT"));
  }

  String baseUrl() {
    return "http://127.0.0.1:" + values.get("LISTENER_PORT");
  }

  @Override
  public void close() throws Exception {
    envoy.close();
    extServices.close();
    policy.close();
    channel.shutdownNow().awaitTermination(2, TimeUnit.SECONDS);
    controlPlane.close();
  }
}
