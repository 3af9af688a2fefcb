package dev.tollgate.cli;

import dev.tollgate.cli.runtime.ExtServices;
import dev.tollgate.cli.runtime.Observability;
import dev.tollgate.core.policy.stream.RemotePolicySource;
import dev.tollgate.core.usage.RemoteUsageTarget;
import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code tollgate ext-services}: ext_authz and ext_proc for the Envoy beside it, deciding by the
 * policy it watches from the control plane. It keeps the last policy it had when the control
 * plane is away, and refuses everything until it has had one.
 */
@Command(name = "ext-services", mixinStandardHelpOptions = true,
    description = "Run ext_authz and ext_proc alone, with the policy watched from a control plane.")
final class ExtServicesCommand implements Callable<Integer> {
  @Option(names = "--control-plane", paramLabel = "HOST:PORT", required = true,
      description = "The control plane's gRPC address (its control_plane.grpc_port): the policy comes from it and"
          + " the usage records go to it.")
  String controlPlane;

  @Option(names = "--address", defaultValue = "127.0.0.1", description = "Address to bind. Default: ${DEFAULT-VALUE}.")
  String address;

  @Option(names = "--port", required = true, description = "Port to bind: the config's ext_services.port.")
  int port;

  @Option(names = "--node", defaultValue = "ext-services", description = "Name in the control plane's log. Default: ${DEFAULT-VALUE}.")
  String node;

  @Option(names = "--metrics-port", description = "Serve GET /metrics (Prometheus text) on this port, at --address."
      + " Default: none (no metrics endpoint).")
  Integer metricsPort;

  @Option(names = "--audit-log", paramLabel = "FILE", description = "Append audit records (JSON lines) to FILE."
      + " Default: none (records go to the logger tollgate.audit, on stderr).")
  String auditLog;

  @Override
  public Integer call() throws Exception {
    int colon = controlPlane.lastIndexOf(':');
    if (colon <= 0) {
      System.err.println("--control-plane must be HOST:PORT, got " + controlPlane);
      return 2;
    }
    ManagedChannel channel = NettyChannelBuilder
        .forAddress(controlPlane.substring(0, colon), Integer.parseInt(controlPlane.substring(colon + 1)))
        .usePlaintext()
        .build();
    RemotePolicySource policy = new RemotePolicySource(channel, node).start();
    Observability observability = Observability.create(auditLog);
    if (metricsPort != null) {
      int bound = observability.serveMetrics(address, metricsPort);
      System.out.println("metrics on http://" + address + ":" + bound + "/metrics");
    }
    // Usage records go to the control plane's ledger over the same channel as the policy.
    ExtServices services = ExtServices.start(address, port, policy, observability,
        new RemoteUsageTarget(channel, node));
    System.out.println("ext services up on " + address + ":" + services.port() + ", policy from " + controlPlane);
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      services.close();
      policy.close();
      channel.shutdownNow();
      stopped.countDown();
    }, "tollgate-shutdown"));
    stopped.await();
    channel.awaitTermination(1, TimeUnit.SECONDS);
    return 0;
  }
}
