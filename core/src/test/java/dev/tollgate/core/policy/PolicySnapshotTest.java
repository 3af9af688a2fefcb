package dev.tollgate.core.policy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.core.config.ConfigLoader;
import dev.tollgate.core.config.LoadedConfig;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

class PolicySnapshotTest {
  private static final String APP_KEY = "tg-app-example-key";
  private static final String ADMIN_KEY = "tg-admin-example-key";
  private static final String ADMIN_KEY_2 = "tg-admin-example-key-2";

  @Test
  void starMatchesAnyRunIncludingNothing() {
    ModelPattern pattern = ModelPattern.of("gpt-4o*");
    assertThat(pattern.matches("gpt-4o")).isTrue();
    assertThat(pattern.matches("gpt-4o-mini")).isTrue();
    assertThat(pattern.matches("gpt-4")).isFalse();
    assertThat(pattern.matches("my-gpt-4o")).isFalse();
    assertThat(ModelPattern.of("*").matches("")).isTrue();
    assertThat(ModelPattern.of("*").matches("anything/at:all")).isTrue();
    assertThat(ModelPattern.of("*-mini").matches("gpt-4o-mini")).isTrue();
    assertThat(ModelPattern.of("*-mini").matches("gpt-4o-mini-2")).isFalse();
  }

  @Test
  void questionMarkMatchesExactlyOneCharacter() {
    ModelPattern pattern = ModelPattern.of("gpt-?o");
    assertThat(pattern.matches("gpt-4o")).isTrue();
    assertThat(pattern.matches("gpt-5o")).isTrue();
    assertThat(pattern.matches("gpt-o")).isFalse();
    assertThat(pattern.matches("gpt-45o")).isFalse();
  }

  @Test
  void regexMetacharactersAreLiteral() {
    assertThat(ModelPattern.of("a.b").matches("a.b")).isTrue();
    assertThat(ModelPattern.of("a.b").matches("axb")).isFalse();
    assertThat(ModelPattern.of("llama-3.1-8b").matches("llama-321-8b")).isFalse();
    assertThat(ModelPattern.of("a+b").matches("aab")).isFalse();
    assertThat(ModelPattern.of("a+b").matches("a+b")).isTrue();
    assertThat(ModelPattern.of("m[1]").matches("m[1]")).isTrue();
    assertThat(ModelPattern.of("m[1]").matches("m1")).isFalse();
    assertThat(ModelPattern.of("(x|y)").matches("x")).isFalse();
    assertThat(ModelPattern.of("a\\Eb").matches("a\\Eb")).isTrue();
    assertThat(ModelPattern.of("^a$").matches("^a$")).isTrue();
    assertThat(ModelPattern.of("org/*@v1").matches("org/model@v1")).isTrue();
  }

  @Test
  void exactNameMatchesOnlyItself() {
    ModelPattern pattern = ModelPattern.of("gpt-4o");
    assertThat(pattern.matches("gpt-4o")).isTrue();
    assertThat(pattern.matches("gpt-4o-mini")).isFalse();
    assertThat(pattern.matches("GPT-4O")).isFalse();
  }

  @Test
  void consumersAreFoundByKeyHashAndName() throws Exception {
    LoadedConfig loaded = new ConfigLoader(name -> null).parse("""
        limits: { max_request_body_bytes: 4096 }
        backends:
          - { name: b, kind: openai-compatible, endpoints: [ { host: h, port: 80 } ] }
        models:
          - { name: gpt-4o, targets: [ { backend: b } ] }
          - { name: gpt-4o-mini, targets: [ { backend: b } ] }
          - { name: llama-3.1-8b, targets: [ { backend: b } ] }
        consumers:
          - name: app
            api_keys: [ "sha256:%s" ]
            models: [ "gpt-4o*" ]
          - name: admin
            api_keys: [ "sha256:%s", "sha256:%s" ]
            models: [ "*" ]
          - name: keyless
            models: [ "llama-?.?-8b" ]
        """.formatted(sha256Hex(APP_KEY), sha256Hex(ADMIN_KEY), sha256Hex(ADMIN_KEY_2)), "t.yaml");

    PolicySnapshot snapshot = PolicySnapshot.from(loaded.config(), loaded.digest());

    assertThat(snapshot.version()).isEqualTo(loaded.digest());
    assertThat(snapshot.maxRequestBodyBytes()).isEqualTo(4096);
    assertThat(snapshot.models()).containsExactlyInAnyOrder("gpt-4o", "gpt-4o-mini", "llama-3.1-8b");
    assertThat(snapshot.apiKeysByHash()).hasSize(3);

    ApiKeyEntry app = snapshot.apiKeysByHash().get(sha256Hex(APP_KEY));
    assertThat(app).isNotNull();
    assertThat(app.consumer().name()).isEqualTo("app");
    assertThat(app.sha256()).isEqualTo(sha256(APP_KEY));
    assertThat(app.consumer().mayUse("gpt-4o-mini")).isTrue();
    assertThat(app.consumer().mayUse("llama-3.1-8b")).isFalse();

    assertThat(snapshot.apiKeysByHash().get(sha256Hex(ADMIN_KEY)).consumer().name()).isEqualTo("admin");
    assertThat(snapshot.apiKeysByHash().get(sha256Hex(ADMIN_KEY_2)).consumer().name()).isEqualTo("admin");
    assertThat(snapshot.apiKeysByHash().get(sha256Hex(ADMIN_KEY)).consumer().mayUse("llama-3.1-8b")).isTrue();

    // Keyed by the hash of the key, never by the key itself.
    assertThat(snapshot.apiKeysByHash()).doesNotContainKey(APP_KEY);
    assertThat(snapshot.apiKeysByHash().get(sha256Hex("tg-unknown-key"))).isNull();

    assertThat(snapshot.consumer("keyless")).hasValueSatisfying(c -> {
      assertThat(c.mayUse("llama-3.1-8b")).isTrue();
      assertThat(c.mayUse("gpt-4o")).isFalse();
    });
    assertThat(snapshot.consumer("nobody")).isEmpty();
  }

  @Test
  void storedHashIsACopy() {
    byte[] hash = sha256(APP_KEY);
    ApiKeyEntry entry = new ApiKeyEntry(hash, new ConsumerPolicy("c", java.util.List.of()));
    hash[0] ^= 1;
    entry.sha256()[1] ^= 1;
    assertThat(entry.sha256()).isEqualTo(sha256(APP_KEY));
    assertThat(entry.matches(sha256(APP_KEY))).isTrue();
    assertThat(entry.matches(sha256(APP_KEY + "x"))).isFalse();
  }

  @Test
  void emptySnapshotAllowsNothing() {
    PolicySnapshot empty = PolicySnapshot.empty();
    assertThat(empty.apiKeysByHash()).isEmpty();
    assertThat(empty.models()).isEmpty();
    assertThat(empty.consumer("demo")).isEmpty();
    assertThat(empty.maxRequestBodyBytes()).isEqualTo(1024 * 1024);
  }

  @Test
  void holderPublishesWholeSnapshotsAndTellsListeners() {
    PolicyHolder holder = new PolicyHolder();
    assertThat(holder.current().version()).isEmpty();
    java.util.List<PolicyDocument> heard = new java.util.ArrayList<>();
    holder.addListener(heard::add);
    PolicyDocument next = new PolicyDocument("v2",
        java.util.List.of(new PolicyDocument.Consumer("c", java.util.List.of("ab".repeat(32)), java.util.List.of("m*"))),
        java.util.List.of("m"), 2048, null, null);
    holder.publish(next);
    assertThat(holder.current().version()).isEqualTo("v2");
    assertThat(holder.current().models()).containsExactly("m");
    assertThat(holder.current().maxRequestBodyBytes()).isEqualTo(2048);
    assertThat(holder.current().apiKeysByHash().get("ab".repeat(32)).consumer().mayUse("m1")).isTrue();
    assertThat(holder.document()).isSameAs(next);
    assertThat(heard).containsExactly(next);
  }

  private static byte[] sha256(String text) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  private static String sha256Hex(String text) {
    return HexFormat.of().formatHex(sha256(text));
  }
}
