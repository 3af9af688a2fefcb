package dev.tollgate.tests;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.cli.runtime.EnvoyBinary;
import dev.tollgate.core.config.ConfigLoader;
import dev.tollgate.core.config.LoadedConfig;
import dev.tollgate.xds.translate.EnvoyResourceTranslator;
import dev.tollgate.xds.translate.FilterSet;
import dev.tollgate.xds.translate.StaticBootstrap;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every config we generate is accepted by the real Envoy binary ({@code envoy --mode validate}),
 * with and without the ext filters: the test configs, the shipped example and the quickstart.
 */
class GeneratedConfigValidatesTest {
  @TempDir
  static Path dir;

  static Stream<Arguments> configs() throws IOException {
    Path credential = Files.createTempFile("tollgate-validate-", ".key");
    credential.toFile().deleteOnExit();
    Files.writeString(credential, "sk-validate");
    Map<String, String> values = Map.of("LISTENER_PORT", "10000", "GRPC_PORT", "18000", "ADMIN_PORT", "18001",
        "FAKE_PORT", "18080", "DEAD_PORT", "18081", "CREDENTIAL_FILE", credential.toString(),
        "ALICE_HASH", TestGateway.sha256(TestGateway.ALICE_KEY), "BOB_HASH", TestGateway.sha256(TestGateway.BOB_KEY));
    return Stream.of(
        Arguments.of("standard test config", TestGateway.fill(TestGateway.STANDARD_CONFIG, values), FilterSet.ALL),
        Arguments.of("standard test config, authz only", TestGateway.fill(TestGateway.STANDARD_CONFIG, values), FilterSet.AUTHZ_ONLY),
        Arguments.of("standard test config, ext filters off", TestGateway.fill(TestGateway.STANDARD_CONFIG, values), FilterSet.NONE),
        Arguments.of("examples/tollgate.yaml", Files.readString(Path.of("examples/tollgate.yaml")), FilterSet.ALL),
        // Envoy's file logger, given a file it can open wherever the test runs.
        Arguments.of("access log to a file", "listener: { access_log: { path: /dev/null } }\nconsumers: []\n", FilterSet.ALL),
        Arguments.of("access log to stderr", "listener: { access_log: { path: /dev/stderr } }\nconsumers: []\n", FilterSet.ALL),
        Arguments.of("access log off", "listener: { access_log: { enabled: false } }\nconsumers: []\n", FilterSet.ALL),
        Arguments.of("TLS backend with two weighted endpoints", """
            backends:
              - name: tls
                kind: openai
                endpoints: [ { host: api.example.com, port: 443 }, { host: 203.0.113.7, port: 8443, tls: true, weight: 3 } ]
                credential: env:OPENAI_API_KEY
            models:
              - name: m
                targets: [ { backend: tls, weight: 0 }, { backend: tls, model: m2 } ]
            consumers: []
            """, FilterSet.ALL));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("configs")
  void envoyAcceptsTheGeneratedConfig(String name, String yaml, FilterSet filters) throws Exception {
    LoadedConfig loaded = new ConfigLoader(var -> "sk-from-env").parse(yaml, name);
    String bootstrap = StaticBootstrap.json(new EnvoyResourceTranslator(filters).translate(loaded), "127.0.0.1", 18000);
    assertThat(bootstrap).doesNotContain("sk-validate").doesNotContain("sk-from-env");
    Path file = dir.resolve(name.replaceAll("[^a-z0-9]+", "-") + ".json");
    Files.writeString(file, bootstrap);

    assertEnvoyAccepts(file);
  }

  @ParameterizedTest(name = "{0}")
  @org.junit.jupiter.params.provider.ValueSource(strings = {"edge-bootstrap.yaml", "sidecar-bootstrap.yaml"})
  void envoyAcceptsTheBootstrapTemplates(String template) throws Exception {
    Path file = dir.resolve(template);
    Files.writeString(file, dev.tollgate.cli.runtime.EnvoyBootstrap.render(template, Map.of(
        "NODE_ID", "validate", "ENVOY_ADMIN_PORT", "0", "XDS_ADDRESS", "127.0.0.1", "XDS_PORT", "18000")));
    assertEnvoyAccepts(file);
  }

  private static void assertEnvoyAccepts(Path file) throws Exception {
    Process envoy = new ProcessBuilder(EnvoyBinary.locate().toString(), "--mode", "validate", "-c", file.toString(),
        "--disable-hot-restart", "--log-level", "error").redirectErrorStream(true).start();
    String output = new String(envoy.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(envoy.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(envoy.exitValue()).as(output).isZero();
  }
}
