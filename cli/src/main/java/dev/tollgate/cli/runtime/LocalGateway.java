package dev.tollgate.cli.runtime;

import dev.tollgate.core.config.InvalidConfigException;
import dev.tollgate.xds.translate.FilterSet;
import dev.tollgate.xds.translate.ResourceNames;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;

/**
 * The all-in-one gateway on this machine: the Tollgate JVM part plus a child Envoy fed by it.
 * Used by {@code tollgate up}, the end-to-end tests and the benchmarks, so all three run the
 * same thing.
 */
public final class LocalGateway implements AutoCloseable {
  private final GatewayRuntime runtime;
  private final EnvoyProcess envoy;

  private LocalGateway(GatewayRuntime runtime, EnvoyProcess envoy) {
    this.runtime = runtime;
    this.envoy = envoy;
  }

  /**
   * @param envoyLog where Envoy's output goes; null to inherit this process's stdout and stderr
   */
  public static LocalGateway start(Path configFile, FilterSet filters, String nodeId, Path workDir, Path envoyLog)
      throws IOException, InvalidConfigException {
    GatewayRuntime runtime = GatewayRuntime.start(configFile, filters);
    try {
      EnvoyProcess envoy = EnvoyProcess.start(EnvoyBinary.locate(), "edge-bootstrap.yaml", nodeId,
          runtime.initialConfig().config().controlPlane().address(), runtime.grpcPort(), workDir, envoyLog,
          Duration.ofSeconds(30));
      try {
        awaitListener(runtime, envoy);
      } catch (IOException e) {
        envoy.close();
        throw e;
      }
      return new LocalGateway(runtime, envoy);
    } catch (IOException | RuntimeException e) {
      runtime.close();
      throw e;
    }
  }

  /**
   * Envoy reports ready even when it refused the listener (a taken port is the usual cause): wait
   * for the listener itself, and say why when it does not come.
   */
  private static void awaitListener(GatewayRuntime runtime, EnvoyProcess envoy) throws IOException {
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    while (System.nanoTime() < deadline) {
      if (envoy.hasListener(ResourceNames.LISTENER)) {
        return;
      }
      if (!runtime.outstandingNacks().isEmpty()) {
        break;
      }
      try {
        Thread.sleep(50);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IOException("interrupted waiting for Envoy's listener", e);
      }
    }
    var listener = runtime.initialConfig().config().listener();
    throw new IOException("Envoy did not open the listener on " + listener.address() + ":" + listener.port()
        + " (is the port in use?). Envoy said: " + String.join("; ", runtime.outstandingNacks()));
  }

  public GatewayRuntime runtime() {
    return runtime;
  }

  public EnvoyProcess envoy() {
    return envoy;
  }

  /** Envoy first, so it stops taking traffic before the services it calls go away. */
  @Override
  public void close() {
    envoy.close();
    runtime.close();
  }
}
