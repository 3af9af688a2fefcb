package dev.tollgate.cli;

import dev.tollgate.cli.runtime.LocalGateway;
import dev.tollgate.cli.runtime.WorkDir;
import dev.tollgate.cli.runtime.EnvoyProcess;
import dev.tollgate.cli.runtime.GatewayRuntime;
import dev.tollgate.core.config.ConfigProblem;
import dev.tollgate.core.config.GatewayConfig;
import dev.tollgate.core.config.InvalidConfigException;
import dev.tollgate.fakeprovider.FakeOpenAiProvider;
import dev.tollgate.xds.translate.FilterSet;
import dev.tollgate.fakeprovider.FakeProviderSettings;
import java.io.IOException;
import java.net.BindException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code tollgate up}: control plane, ext services and a child Envoy on this machine. Runs until
 * Ctrl-C; the shutdown path stops Envoy first, so no orphan is left behind.
 */
@Command(name = "up", mixinStandardHelpOptions = true,
    description = "Run the whole gateway here: control plane, ext services and Envoy.")
final class UpCommand implements Callable<Integer> {
  @Option(names = "--config", paramLabel = "FILE",
      description = "Config file (watched for changes). Default: a quickstart wired to a built-in fake provider.")
  Path config;

  @Override
  public Integer call() throws Exception {
    WorkDir workDir = WorkDir.create("tollgate-up-");
    FakeOpenAiProvider fake = null;
    Path configFile = config;
    if (configFile == null) {
      fake = FakeOpenAiProvider.start(FakeProviderSettings.defaults().withName("quickstart-fake"));
      configFile = workDir.resolve("quickstart.yaml");
      Files.writeString(configFile, Quickstart.config(fake.port()));
    }
    LocalGateway gateway;
    try {
      gateway = LocalGateway.start(configFile, FilterSet.ALL, "tollgate-up", workDir.path(), null);
    } catch (InvalidConfigException e) {
      System.err.println("Cannot start: the config has problems:");
      for (ConfigProblem problem : e.problems()) {
        System.err.println("  " + problem);
      }
      close(fake);
      workDir.close();
      return 1;
    } catch (BindException e) {
      System.err.println("Cannot start: a control-plane port is in use (" + e.getMessage()
          + "). Is another tollgate running? Change control_plane ports in the config.");
      close(fake);
      workDir.close();
      return 1;
    } catch (IOException e) {
      System.err.println("Cannot start: " + e.getMessage());
      close(fake);
      workDir.close();
      return 1;
    }
    GatewayRuntime runtime = gateway.runtime();
    EnvoyProcess envoy = gateway.envoy();
    GatewayConfig loaded = runtime.initialConfig().config();
    printWelcome(loaded, runtime, envoy, config == null);

    FakeOpenAiProvider fakeToClose = fake;
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      System.err.println("\nstopping tollgate");
      gateway.close();
      close(fakeToClose);
      workDir.close();
    }, "tollgate-shutdown"));
    // Runs until Ctrl-C (the hook above cleans up) or until Envoy dies on its own.
    while (envoy.isAlive()) {
      Thread.sleep(500);
    }
    System.err.println("Envoy exited; stopping.");
    return 1;
  }

  private static void printWelcome(GatewayConfig config, GatewayRuntime runtime, EnvoyProcess envoy, boolean quickstart) {
    String base = "http://" + config.listener().address() + ":" + config.listener().port();
    String key = quickstart ? Quickstart.DEMO_KEY : "$YOUR_TOLLGATE_KEY";
    String model = config.models().isEmpty() ? "MODEL" : config.models().get(0).name();
    System.out.println();
    System.out.println("Tollgate is up (config version " + runtime.currentVersion() + ").");
    System.out.println("  OpenAI-compatible API: " + base + "/v1");
    System.out.println("  control-plane status:  http://" + config.controlPlane().address() + ":"
        + runtime.adminPort() + "/status");
    System.out.println("  admin API (keys, subscriptions): http://" + config.controlPlane().address() + ":"
        + runtime.adminPort() + "/admin/ (docs/ADMIN.md)" + runtime.runtimeState().generatedTokenFile()
            .map(file -> "; token in " + file + " (tollgate keys ... --admin-token-file " + file + ")").orElse(""));
    System.out.println("  runtime state store:   " + runtime.runtimeState().storeDescription());
    System.out.println("  Envoy admin:           http://127.0.0.1:" + envoy.adminPort());
    if (quickstart) {
      System.out.println("  (quickstart: models are served by a built-in FAKE provider; no real model answers)");
    }
    System.out.println();
    System.out.println("Try it:");
    System.out.println("  curl -s " + base + "/v1/chat/completions \\");
    System.out.println("    -H 'Authorization: Bearer " + key + "' -H 'Content-Type: application/json' \\");
    System.out.println("    -d '{\"model\":\"" + model + "\",\"messages\":[{\"role\":\"user\",\"content\":\"Hello!\"}]}'");
    System.out.println();
    System.out.println("Press Ctrl-C to stop.");
  }

  private static void close(FakeOpenAiProvider fake) {
    if (fake != null) {
      fake.close();
    }
  }
}
