package dev.tollgate.core.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigLoaderTest {
  private static final String FILE = "tollgate.yaml";
  private static final String OPENAI_SECRET = "sk-test-openai-secret-0123456789";
  private static final ConfigLoader LOADER =
      new ConfigLoader(name -> Map.of("OPENAI_API_KEY", OPENAI_SECRET).get(name));
  private static final String KEY_HASH = "sha256:" + sha256Hex("tg-example-key-1");

  // ---------------------------------------------------------------- valid documents

  @Test
  void fullDocumentLoadsWithDefaultsApplied() throws Exception {
    String yaml = """
        backends:
          - name: openai
            kind: openai
            credential: env:OPENAI_API_KEY
            endpoints:
              - host: api.openai.com
                port: 443
          - name: vllm
            kind: openai-compatible
            endpoints:
              - { host: vllm.internal, port: 8000 }
        models:
          - name: gpt-4o
            targets:
              - backend: openai
          - name: gpt-4o-mini
            timeout_ms: 5000
            targets:
              - { backend: openai, model: gpt-4o-mini-2024-07-18, weight: 90 }
              - { backend: vllm, model: small, weight: 10 }
        consumers:
          - name: app
            api_keys: [ "%s" ]
            models: [ "gpt-4o*" ]
        """.formatted(KEY_HASH);

    LoadedConfig loaded = LOADER.parse(yaml, FILE);
    GatewayConfig config = loaded.config();

    assertThat(config.listener()).isEqualTo(new ListenerConfig("127.0.0.1", 10000));
    assertThat(config.controlPlane()).isEqualTo(new ControlPlaneConfig("127.0.0.1", 18000, 18001));
    assertThat(config.extServices()).isEqualTo(new ExtServicesConfig("127.0.0.1", 18000, 1000));
    assertThat(config.limits().maxRequestBodyBytes()).isEqualTo(1024 * 1024);

    BackendConfig openai = config.backends().get(0);
    assertThat(openai.kind()).isEqualTo(BackendKind.OPENAI);
    assertThat(openai.endpoints()).containsExactly(new EndpointConfig("api.openai.com", 443, true, 1));
    BackendConfig vllm = config.backends().get(1);
    assertThat(vllm.kind()).isEqualTo(BackendKind.OPENAI_COMPATIBLE);
    assertThat(vllm.credential()).isNull();
    assertThat(vllm.endpoints()).containsExactly(new EndpointConfig("vllm.internal", 8000, false, 1));

    ModelConfig gpt4o = config.models().get(0);
    assertThat(gpt4o.timeoutMs()).isEqualTo(300_000);
    assertThat(gpt4o.targets()).containsExactly(new TargetConfig("openai", "gpt-4o", 1));
    ModelConfig mini = config.models().get(1);
    assertThat(mini.timeoutMs()).isEqualTo(5000);
    assertThat(mini.targets()).containsExactly(
        new TargetConfig("openai", "gpt-4o-mini-2024-07-18", 90), new TargetConfig("vllm", "small", 10));

    assertThat(config.consumers()).containsExactly(
        new ConsumerConfig("app", List.of(KEY_HASH), List.of("gpt-4o*")));

    assertThat(loaded.backendCredentials()).containsOnlyKeys("openai");
    assertThat(loaded.backendCredentials().get("openai").reveal()).isEqualTo(OPENAI_SECRET);
    assertThat(loaded.digest()).matches("[0-9a-f]{64}");
  }

  @Test
  void aRotatedCredentialChangesTheDigestButNotTheDigestOfTheSameKey(@TempDir Path dir) throws Exception {
    Path key = dir.resolve("key");
    Files.writeString(key, "sk-first");
    String yaml = """
        backends:
          - name: p
            kind: openai
            endpoints: [ { host: 127.0.0.1, port: 8000 } ]
            credential: file:%s
        """.formatted(key);
    ConfigLoader loader = new ConfigLoader(name -> null);
    String first = loader.parse(yaml, "t.yaml").digest();
    assertThat(loader.parse(yaml, "t.yaml").digest()).isEqualTo(first);
    Files.writeString(key, "sk-second");
    String second = loader.parse(yaml, "t.yaml").digest();
    assertThat(second).isNotEqualTo(first).doesNotContain("sk-second");
    assertThat(loader.parse(yaml, "t.yaml").credentialFiles()).containsExactly(key);
  }

  @Test
  void explicitValuesWinAndExtServicesFollowTheControlPlane() throws Exception {
    String yaml = """
        listener: { address: 0.0.0.0, port: 8080 }
        control_plane: { address: 10.0.0.5, grpc_port: 19000, admin_port: 19001 }
        limits: { max_request_body_bytes: 2048 }
        backends:
          - name: local
            kind: openai-compatible
            endpoints:
              - { host: a.internal, port: 443, tls: false, weight: 3 }
              - { host: b.internal, port: 8443, tls: true }
        """;

    GatewayConfig config = LOADER.parse(yaml, FILE).config();

    assertThat(config.listener()).isEqualTo(new ListenerConfig("0.0.0.0", 8080));
    assertThat(config.controlPlane()).isEqualTo(new ControlPlaneConfig("10.0.0.5", 19000, 19001));
    assertThat(config.extServices()).isEqualTo(new ExtServicesConfig("10.0.0.5", 19000, 1000));
    assertThat(config.limits().maxRequestBodyBytes()).isEqualTo(2048);
    assertThat(config.backends().get(0).endpoints()).containsExactly(
        new EndpointConfig("a.internal", 443, false, 3), new EndpointConfig("b.internal", 8443, true, 1));
    assertThat(config.models()).isEmpty();
    assertThat(config.consumers()).isEmpty();
  }

  @Test
  void extServicesCanBeSetSeparately() throws Exception {
    GatewayConfig config = LOADER.parse(
        "ext_services: { address: authz.internal, port: 9000, timeout_ms: 250 }\n", FILE).config();

    assertThat(config.extServices()).isEqualTo(new ExtServicesConfig("authz.internal", 9000, 250));
    assertThat(config.controlPlane()).isEqualTo(new ControlPlaneConfig("127.0.0.1", 18000, 18001));
  }

  @Test
  void loadReadsAFileAndNamesItInProblems(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("gw.yaml");
    Files.writeString(file, "listener: { port: 10001 }\n");
    assertThat(LOADER.load(file).config().listener().port()).isEqualTo(10001);

    Files.writeString(file, "listener: { port: 0 }\n");
    InvalidConfigException e = catchThrowableOfType(InvalidConfigException.class, () -> LOADER.load(file));
    assertThat(e.problems()).singleElement().satisfies(p -> {
      assertThat(p.file()).isEqualTo(file.toString());
      assertThat(p.line()).isEqualTo(1);
      assertThat(p.path()).isEqualTo("listener.port");
      assertThat(p.message()).contains("between 1 and 65535");
    });
  }

  @Test
  void theShippedExampleIsValidAndItsKeyHashesMatchTheDocumentedKeys() throws Exception {
    Path example = Path.of("..", "examples", "tollgate.yaml");
    LoadedConfig loaded = LOADER.load(example);

    assertThat(loaded.config().backends()).extracting(BackendConfig::name).containsExactly("openai", "vllm");
    assertThat(loaded.config().models()).extracting(ModelConfig::name)
        .containsExactly("gpt-4o", "gpt-4o-mini", "llama-3.1-8b");
    assertThat(loaded.config().models().get(1).targets()).extracting(TargetConfig::weight).containsExactly(90, 10);
    assertThat(loaded.config().consumers()).extracting(ConsumerConfig::apiKeys).containsExactly(
        List.of("sha256:" + sha256Hex("tg-example-webapp-key")),
        List.of("sha256:" + sha256Hex("tg-example-research-key")));
  }

  // ---------------------------------------------------------------- unknown keys

  @Test
  void unknownTopLevelKeyIsAnErrorWithLineAndPath() {
    InvalidConfigException e = invalid("""
        listener:
          port: 10000
        listner:
          port: 10001
        """);

    ConfigProblem problem = single(e);
    assertThat(problem.line()).isEqualTo(3);
    assertThat(problem.column()).isEqualTo(1);
    assertThat(problem.path()).isEqualTo("listner");
    assertThat(problem.message()).contains("unknown key 'listner'").contains("listener");
    assertThat(problem.toString()).isEqualTo("tollgate.yaml:3:1: listner: " + problem.message());
  }

  @Test
  void unknownNestedKeyAfterTheKnownOnesHasLineAndPath() {
    InvalidConfigException e = invalid("""
        backends:
          - name: b
            kind: openai-compatible
            endpoints: [ { host: h, port: 80 } ]
        models:
          - name: m
            targets:
              - backend: b
                model: x
                weight: 1
                wieght: 2
        """);

    ConfigProblem problem = single(e);
    assertThat(problem.path()).isEqualTo("models[0].targets[0].wieght");
    assertThat(problem.line()).isEqualTo(11);
    assertThat(problem.message()).contains("unknown key 'wieght'").contains("weight");
  }

  @Test
  void unknownNestedKeyBeforeTheKnownOnesHasLineAndPath() {
    // Jackson buffers unknown keys that come before all creator properties of a record are
    // seen; the reported position must still be the key's own.
    InvalidConfigException e = invalid("""
        backends:
          - name: b
            kind: openai-compatible
            endpoints: [ { host: h, port: 80 } ]
        models:
          - name: m
            targets:
              - wieght: 2
                backend: b
        """);

    ConfigProblem problem = single(e);
    assertThat(problem.path()).isEqualTo("models[0].targets[0].wieght");
    assertThat(problem.line()).isEqualTo(8);
    assertThat(problem.column()).isEqualTo(9);
  }

  @Test
  void unknownKeyWithABlockValueIsReportedAtTheKey() {
    InvalidConfigException e = invalid("""
        listener:
          port: 10000
          proxy:
            host: x
            port: 8080
        """);

    ConfigProblem problem = single(e);
    assertThat(problem.path()).isEqualTo("listener.proxy");
    assertThat(problem.line()).isEqualTo(3);
    assertThat(problem.column()).isEqualTo(3);
  }

  @Test
  void unknownKeysAnywhereInAMappingAreLocated() {
    // Covers both ways Jackson reports unknown keys of records: at once, and replayed from a
    // buffer once the record is built (with block and flow values).
    InvalidConfigException e = invalid("""
        backends:
          - name: b
            kind: openai-compatible
            endpoints: [ { host: h, port: 80 } ]
        models:
          - name: m
            targets:
              - { wieght: 2, backend: b, model: x, weight: 1, extra: 3 }
              - { backend: b, bogus: { a: 1 } }
              - backend: b
                notes:
                  - one
        control_plane:
          grpc: [ 1, 2 ]
          admin_port: 18001
        """);

    assertThat(e.problems()).extracting(ConfigProblem::path, ConfigProblem::line, ConfigProblem::column)
        .containsExactlyInAnyOrder(
            org.assertj.core.groups.Tuple.tuple("models[0].targets[0].wieght", 8, 11),
            org.assertj.core.groups.Tuple.tuple("models[0].targets[0].extra", 8, 55),
            org.assertj.core.groups.Tuple.tuple("models[0].targets[1].bogus", 9, 23),
            org.assertj.core.groups.Tuple.tuple("models[0].targets[2].notes", 11, 9),
            org.assertj.core.groups.Tuple.tuple("control_plane.grpc", 14, 3));
  }

  @Test
  void everyUnknownKeyIsReportedInOneException() {
    InvalidConfigException e = invalid("""
        listener: { port: 10000, adress: 0.0.0.0 }
        backends:
          - name: b
            kind: openai-compatible
            endpoints: [ { host: h, port: 80, tsl: true } ]
        consumers:
          - name: c
            models: [ "*" ]
            api_key: x
        colour: blue
        """);

    assertThat(e.problems()).extracting(ConfigProblem::path).containsExactlyInAnyOrder(
        "listener.adress", "backends[0].endpoints[0].tsl", "consumers[0].api_key", "colour");
    assertThat(e.problems()).extracting(ConfigProblem::line).containsExactlyInAnyOrder(1, 5, 9, 10);
    assertThat(e.getMessage()).startsWith("4 problem(s)");
  }

  // ---------------------------------------------------------------- syntax and types

  @Test
  void yamlSyntaxErrorReportsTheLine() {
    InvalidConfigException e = invalid("""
        listener:
          port: 10000
            address: x
        """);

    ConfigProblem problem = single(e);
    assertThat(problem.line()).isEqualTo(3);
    assertThat(problem.column()).isPositive();
    assertThat(problem.message()).startsWith("YAML syntax:");
  }

  @Test
  void unclosedFlowSequenceIsASyntaxError() {
    ConfigProblem problem = single(invalid("models: [ { name: a }\nconsumers: []\n"));
    assertThat(problem.line()).isPositive();
    assertThat(problem.message()).startsWith("YAML syntax:");
  }

  @Test
  void duplicateKeyIsAnError() {
    InvalidConfigException e = invalid("""
        listener:
          port: 10000
          port: 10001
        """);

    assertThat(e.problems()).isNotEmpty();
    assertThat(e.problems().get(0).line()).isEqualTo(3);
    assertThat(e.problems().get(0).message()).containsIgnoringCase("duplicate");
  }

  @Test
  void wrongTypeIsReportedWithPathAndLine() {
    ConfigProblem problem = single(invalid("""
        listener:
          address: 127.0.0.1
          port: tenthousand
        """));

    assertThat(problem.path()).isEqualTo("listener.port");
    assertThat(problem.line()).isEqualTo(3);
    assertThat(problem.message()).contains("expected a whole number").doesNotContain("tenthousand");
  }

  @Test
  void fractionalPortIsNotTruncated() {
    ConfigProblem problem = single(invalid("listener: { port: 10000.5 }\n"));
    assertThat(problem.path()).isEqualTo("listener.port");
    assertThat(problem.message()).contains("whole number");
  }

  @Test
  void keyPastedAsAScalarWhereAListBelongsIsNotEchoed() {
    String plainKey = "sk-pasted-where-a-list-belongs-42";
    InvalidConfigException e = invalid("""
        consumers:
          - name: c
            models: [ "*" ]
            api_keys: %s
        """.formatted(plainKey));

    ConfigProblem problem = single(e);
    assertThat(problem.path()).isEqualTo("consumers[0].api_keys");
    assertThat(problem.line()).isEqualTo(4);
    assertThat(problem.message()).contains("expected a list");
    assertThat(e.getMessage()).doesNotContain(plainKey);
  }

  @Test
  void listWhereAMappingBelongsIsReportedWithPath() {
    ConfigProblem problem = single(invalid("listener: [ 1, 2 ]\n"));
    assertThat(problem.path()).isEqualTo("listener");
    assertThat(problem.line()).isEqualTo(1);
  }

  @Test
  void unknownBackendKindNamesTheKnownOnes() {
    ConfigProblem problem = single(invalid("""
        backends:
          - name: b
            kind: anthropic
            endpoints: [ { host: h, port: 80 } ]
        """));

    assertThat(problem.path()).isEqualTo("backends[0].kind");
    assertThat(problem.line()).isEqualTo(3);
    assertThat(problem.message()).contains("openai-compatible");
  }

  @Test
  void emptyDocumentIsAnError() {
    assertThat(single(invalid("")).message()).isEqualTo("the document is empty");
    assertThat(single(invalid("# only a comment\n")).message()).isEqualTo("the document is empty");
  }

  @Test
  void unknownKeysAndSemanticProblemsAreReportedTogether() {
    InvalidConfigException e = invalid("""
        listener: { port: 0 }
        listner: { port: 1 }
        """);
    assertThat(e.problems()).extracting(ConfigProblem::path, ConfigProblem::line)
        .containsExactlyInAnyOrder(
            org.assertj.core.groups.Tuple.tuple("listner", 2),
            org.assertj.core.groups.Tuple.tuple("listener.port", 1));
  }

  // ---------------------------------------------------------------- semantic errors

  @Test
  void duplicateBackendName() {
    InvalidConfigException e = invalid("""
        backends:
          - name: b
            kind: openai-compatible
            endpoints: [ { host: h, port: 80 } ]
          - name: b
            kind: openai-compatible
            endpoints: [ { host: h2, port: 80 } ]
        """);

    ConfigProblem problem = single(e);
    assertThat(problem.path()).isEqualTo("backends[1].name");
    assertThat(problem.line()).isEqualTo(5);
    assertThat(problem.column()).isEqualTo(11);
    assertThat(problem.message()).contains("duplicate backend name 'b'");
  }

  @Test
  void targetReferencingAMissingBackend() {
    ConfigProblem problem = single(invalid("""
        backends:
          - name: b
            kind: openai-compatible
            endpoints: [ { host: h, port: 80 } ]
        models:
          - name: m
            targets:
              - backend: b
              - backend: nope
        """));

    assertThat(problem.path()).isEqualTo("models[0].targets[1].backend");
    assertThat(problem.line()).isEqualTo(9);
    assertThat(problem.message()).contains("no backend named 'nope'");
  }

  @Test
  void allTargetWeightsZero() {
    ConfigProblem problem = single(invalid("""
        backends:
          - name: b
            kind: openai-compatible
            endpoints: [ { host: h, port: 80 } ]
        models:
          - name: m
            targets:
              - { backend: b, model: x, weight: 0 }
              - { backend: b, model: y, weight: 0 }
        """));

    assertThat(problem.path()).isEqualTo("models[0].targets");
    assertThat(problem.line()).isEqualTo(8);
    assertThat(problem.message()).contains("add up to 0");
  }

  @Test
  void apiKeyNotInSha256FormIsRejectedWithoutEchoingIt() {
    String plainKey = "sk-plain-consumer-key-do-not-echo";
    InvalidConfigException e = invalid("""
        consumers:
          - name: c
            models: [ "*" ]
            api_keys:
              - "%s"
              - "%s"
        """.formatted(KEY_HASH, plainKey));

    ConfigProblem problem = single(e);
    assertThat(problem.path()).isEqualTo("consumers[0].api_keys[1]");
    assertThat(problem.line()).isEqualTo(6);
    assertThat(problem.message()).contains("sha256:").doesNotContain(plainKey);
    assertThat(e.getMessage()).doesNotContain(plainKey);
    assertThat(problem.toString()).doesNotContain(plainKey);
  }

  @Test
  void upperCaseHexOrShortHashIsRejected() {
    InvalidConfigException e = invalid("""
        consumers:
          - name: c
            models: [ "*" ]
            api_keys: [ "%s", "sha256:abc" ]
        """.formatted(KEY_HASH.toUpperCase().replace("SHA256:", "sha256:")));

    assertThat(e.problems()).extracting(ConfigProblem::path)
        .containsExactly("consumers[0].api_keys[0]", "consumers[0].api_keys[1]");
  }

  @Test
  void sameKeyHashTwiceIsRejected() {
    ConfigProblem problem = single(invalid("""
        consumers:
          - { name: a, models: [ "*" ], api_keys: [ "%1$s" ] }
          - { name: b, models: [ "*" ], api_keys: [ "%1$s" ] }
        """.formatted(KEY_HASH)));
    assertThat(problem.path()).isEqualTo("consumers[1].api_keys[0]");
    assertThat(problem.line()).isEqualTo(3);
  }

  @Test
  void inlineCredentialIsRejectedWithoutEchoingIt() {
    String inline = "sk-proj-INLINE-SECRET-abcdef0123456789";
    InvalidConfigException e = invalid("""
        backends:
          - name: openai
            kind: openai
            endpoints: [ { host: api.openai.com, port: 443 } ]
            credential: %s
        """.formatted(inline));

    ConfigProblem problem = single(e);
    assertThat(problem.path()).isEqualTo("backends[0].credential");
    assertThat(problem.line()).isEqualTo(5);
    assertThat(problem.message()).contains("env:VAR or file:PATH").doesNotContain(inline);
    assertThat(e.getMessage()).doesNotContain(inline).doesNotContain("INLINE-SECRET");
  }

  @Test
  void envCredentialWhoseVariableIsUnset() {
    ConfigLoader noEnvironment = new ConfigLoader(name -> null);
    InvalidConfigException e = catchThrowableOfType(InvalidConfigException.class, () -> noEnvironment.parse("""
        backends:
          - name: openai
            kind: openai
            credential: env:OPENAI_API_KEY
            endpoints: [ { host: api.openai.com, port: 443 } ]
        """, FILE));

    ConfigProblem problem = single(e);
    assertThat(problem.path()).isEqualTo("backends[0].credential");
    assertThat(problem.line()).isEqualTo(4);
    assertThat(problem.message()).contains("OPENAI_API_KEY").contains("not set");
  }

  @Test
  void blankEnvironmentVariableCountsAsUnset() {
    ConfigLoader blank = new ConfigLoader(name -> "  ");
    assertThatThrownBy(() -> blank.parse("""
        backends:
          - { name: o, kind: openai, credential: "env:KEY", endpoints: [ { host: h, port: 443 } ] }
        """, FILE)).isInstanceOf(InvalidConfigException.class).hasMessageContaining("KEY is not set");
  }

  @Test
  void fileCredentialIsReadAndTrimmed(@TempDir Path dir) throws Exception {
    Path keyFile = dir.resolve("openai.key");
    Files.writeString(keyFile, "  sk-from-file-0123\n\n", StandardCharsets.UTF_8);

    LoadedConfig loaded = new ConfigLoader(name -> null).parse("""
        backends:
          - name: openai
            kind: openai
            credential: "file:%s"
            endpoints: [ { host: api.openai.com, port: 443 } ]
        """.formatted(keyFile), FILE);

    assertThat(loaded.backendCredentials().get("openai").reveal()).isEqualTo("sk-from-file-0123");
  }

  @Test
  void missingOrEmptyCredentialFileIsAnError(@TempDir Path dir) throws Exception {
    Path empty = dir.resolve("empty.key");
    Files.writeString(empty, "\n  \n");
    InvalidConfigException e = invalid("""
        backends:
          - { name: a, kind: openai, credential: "file:%s", endpoints: [ { host: h, port: 443 } ] }
          - { name: b, kind: openai, credential: "file:%s", endpoints: [ { host: h, port: 443 } ] }
        """.formatted(dir.resolve("missing.key"), empty));

    assertThat(e.problems()).extracting(ConfigProblem::path)
        .containsExactly("backends[0].credential", "backends[1].credential");
    assertThat(e.problems()).extracting(ConfigProblem::line).containsExactly(2, 3);
    assertThat(e.problems().get(0).message()).contains("cannot read");
    assertThat(e.problems().get(1).message()).contains("empty");
  }

  @Test
  void openaiKindWithoutCredential() {
    ConfigProblem problem = single(invalid("""
        backends:
          - name: openai
            kind: openai
            endpoints: [ { host: api.openai.com, port: 443 } ]
        """));

    assertThat(problem.path()).isEqualTo("backends[0].credential");
    assertThat(problem.line()).isEqualTo(2);
    assertThat(problem.message()).contains("required for kind openai");
  }

  @Test
  void consumerWithoutModels() {
    ConfigProblem problem = single(invalid("""
        consumers:
          - name: c
            api_keys: [ "%s" ]
        """.formatted(KEY_HASH)));

    assertThat(problem.path()).isEqualTo("consumers[0].models");
    assertThat(problem.line()).isEqualTo(2);
    assertThat(problem.message()).contains("required");
  }

  @Test
  void consumerWithEmptyModelList() {
    ConfigProblem problem = single(invalid("""
        consumers:
          - name: c
            models: []
        """));
    assertThat(problem.path()).isEqualTo("consumers[0].models");
    assertThat(problem.line()).isEqualTo(3);
  }

  @Test
  void nullListItemsAreReportedNotACrash() {
    InvalidConfigException e = invalid("""
        backends: [ ~ ]
        models:
          -
          - name: m
            targets:
              -
        consumers:
          - ~
          - name: c
            models: [ ~ ]
            api_keys: [ ~ ]
        """);

    assertThat(e.problems()).extracting(ConfigProblem::path).containsExactlyInAnyOrder(
        "backends[0]", "models[0]", "models[1].targets[0]", "models[1].targets",
        "consumers[0]", "consumers[1].models[0]", "consumers[1].api_keys[0]");
    assertThat(e.problems()).allSatisfy(p -> assertThat(p.line()).isPositive());
    assertThat(problemAt(e, "backends[0]").line()).isEqualTo(1);
    assertThat(problemAt(e, "consumers[0]").line()).isEqualTo(8);
    assertThat(problemAt(e, "consumers[1].api_keys[0]").line()).isEqualTo(11);
  }

  @Test
  void nullEndpointIsReported() {
    ConfigProblem problem = single(invalid("""
        backends:
          - name: b
            kind: openai-compatible
            endpoints: [ ~ ]
        """));
    assertThat(problem.path()).isEqualTo("backends[0].endpoints[0]");
    assertThat(problem.line()).isEqualTo(4);
  }

  @Test
  void rangesAndNamesAreChecked() {
    InvalidConfigException e = invalid("""
        listener: { port: 70000 }
        ext_services: { timeout_ms: 5 }
        limits: { max_request_body_bytes: 100 }
        backends:
          - name: Bad_Name
            kind: openai-compatible
            endpoints: [ { host: "", weight: 0 } ]
        models:
          - name: "-bad"
            timeout_ms: 0
            targets: []
        """);

    assertThat(e.problems()).extracting(ConfigProblem::path).containsExactlyInAnyOrder(
        "listener.port", "ext_services.timeout_ms", "limits.max_request_body_bytes",
        "backends[0].name", "backends[0].endpoints[0].host", "backends[0].endpoints[0].port",
        "backends[0].endpoints[0].weight", "models[0].name", "models[0].timeout_ms", "models[0].targets");
    assertThat(problemAt(e, "listener.port").message()).contains("got 70000");
    assertThat(problemAt(e, "models[0].timeout_ms").line()).isEqualTo(10);
  }

  @Test
  void severalSemanticProblemsAreAllReported() {
    InvalidConfigException e = invalid("""
        backends:
          - name: b
            kind: openai
            endpoints: []
        models:
          - name: m
            targets: [ { backend: x } ]
          - name: m
            targets: [ { backend: b } ]
        consumers:
          - name: c
        """);

    assertThat(e.problems()).extracting(ConfigProblem::path).containsExactlyInAnyOrder(
        "backends[0].endpoints", "backends[0].credential", "models[0].targets[0].backend",
        "models[1].name", "consumers[0].models");
    assertThat(e.problems()).allSatisfy(p -> assertThat(p.line()).isPositive());
  }

  // ---------------------------------------------------------------- digest and secrecy

  @Test
  void digestChangesWithContentAndOnlyThen() throws Exception {
    String yaml = "listener: { port: 10000 }\n";
    String sameAgain = new String(yaml.toCharArray());
    String changed = "listener: { port: 10000 }  # a comment\n";

    String first = LOADER.parse(yaml, FILE).digest();
    assertThat(new ConfigLoader(name -> null).parse(sameAgain, "other.yaml").digest()).isEqualTo(first);
    assertThat(LOADER.parse(changed, FILE).digest()).isNotEqualTo(first);
    assertThat(LOADER.parse("listener: { port: 10001 }\n", FILE).digest()).isNotEqualTo(first);
  }

  @Test
  void loadedConfigAndSecretValueNeverShowTheSecret() throws Exception {
    LoadedConfig loaded = LOADER.parse("""
        backends:
          - { name: openai, kind: openai, credential: "env:OPENAI_API_KEY",
              endpoints: [ { host: api.openai.com, port: 443 } ] }
        """, FILE);

    SecretValue secret = loaded.backendCredentials().get("openai");
    assertThat(secret.reveal()).isEqualTo(OPENAI_SECRET);
    assertThat(secret.toString()).doesNotContain(OPENAI_SECRET).doesNotContain("sk-");
    assertThat(loaded.toString()).doesNotContain(OPENAI_SECRET).contains("env:OPENAI_API_KEY");
    assertThat(loaded.backendCredentials().toString()).doesNotContain(OPENAI_SECRET);
    assertThat(String.valueOf(loaded.config())).doesNotContain(OPENAI_SECRET);
  }

  @Test
  void credentialRefParsesBothFormsOnly() {
    assertThat(CredentialRef.parse("env:X")).contains(new CredentialRef(CredentialRef.Source.ENV, "X"));
    assertThat(CredentialRef.parse("file:/k")).contains(new CredentialRef(CredentialRef.Source.FILE, "/k"));
    assertThat(CredentialRef.parse("env:")).isEmpty();
    assertThat(CredentialRef.parse("file:")).isEmpty();
    assertThat(CredentialRef.parse("sk-123")).isEmpty();
    assertThat(CredentialRef.parse(null)).isEmpty();
  }

  // ---------------------------------------------------------------- helpers

  private static InvalidConfigException invalid(String yaml) {
    InvalidConfigException e =
        catchThrowableOfType(InvalidConfigException.class, () -> LOADER.parse(yaml, FILE));
    assertThat(e).as("expected the document to be rejected:%n%s", yaml).isNotNull();
    assertThat(e.problems()).allSatisfy(p -> assertThat(p.file()).isEqualTo(FILE));
    return e;
  }

  private static ConfigProblem single(InvalidConfigException e) {
    assertThat(e).isNotNull();
    assertThat(e.problems()).as("problems: %s", e.problems()).hasSize(1);
    return e.problems().get(0);
  }

  private static ConfigProblem problemAt(InvalidConfigException e, String path) {
    return e.problems().stream().filter(p -> p.path().equals(path)).findFirst()
        .orElseThrow(() -> new AssertionError("no problem at " + path + " in " + e.problems()));
  }

  static String sha256Hex(String text) {
    try {
      return HexFormat.of().formatHex(
          MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }
}
