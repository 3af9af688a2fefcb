package dev.tollgate.cli;

import dev.tollgate.cli.runtime.GatewayRuntime;
import dev.tollgate.core.config.ConfigProblem;
import dev.tollgate.core.config.InvalidConfigException;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code tollgate control-plane}: ADS for every Envoy, the policy stream for every ext-services
 * process, the admin API and the config watcher. Envoys and ext services run elsewhere.
 */
@Command(name = "control-plane", mixinStandardHelpOptions = true,
    description = "Run the control plane alone: xDS for Envoys, the policy stream for ext services, /status.")
final class ControlPlaneCommand implements Callable<Integer> {
  @Option(names = "--config", paramLabel = "FILE", required = true, description = "Config file (watched for changes).")
  Path config;

  @Override
  public Integer call() throws Exception {
    GatewayRuntime runtime;
    try {
      runtime = GatewayRuntime.startControlPlane(config);
    } catch (InvalidConfigException e) {
      System.err.println("Cannot start: the config has problems:");
      for (ConfigProblem problem : e.problems()) {
        System.err.println("  " + problem);
      }
      return 1;
    }
    var plane = runtime.initialConfig().config().controlPlane();
    System.out.println("control plane up: gRPC (ADS, policy stream) on " + plane.address() + ":" + runtime.grpcPort()
        + ", status on http://" + plane.address() + ":" + runtime.adminPort() + "/status");
    System.out.println("runtime state store: " + runtime.runtimeState().storeDescription()
        + (plane.hasAdmins() ? "" : "; admin API disabled (no control_plane.admin_token or admins)"));
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      runtime.close();
      stopped.countDown();
    }, "tollgate-shutdown"));
    stopped.await();
    return 0;
  }
}
