package dev.tollgate.authz;

import dev.tollgate.core.config.ConfigLoader;
import dev.tollgate.core.config.InvalidConfigException;
import dev.tollgate.core.policy.PolicySnapshot;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/** Policies built the way production builds them: YAML through the real loader. */
final class TestPolicies {
  static final String APP_KEY = "tg-app-test-key-0001";
  static final String OPS_KEY = "tg-ops-test-key-0002";

  private TestPolicies() {}

  /** Consumers "app" (APP_KEY) and "ops" (OPS_KEY). */
  static PolicySnapshot twoConsumers(String version) {
    return policy("""
        consumers:
          - name: app
            api_keys: [ "sha256:%s" ]
            models: [ "gpt-4o*" ]
          - name: ops
            api_keys: [ "sha256:%s" ]
            models: [ "*" ]
        """.formatted(sha256Hex(APP_KEY), sha256Hex(OPS_KEY)), version);
  }

  /** Only "ops": APP_KEY is gone. */
  static PolicySnapshot opsOnly(String version) {
    return policy("""
        consumers:
          - name: ops
            api_keys: [ "sha256:%s" ]
            models: [ "*" ]
        """.formatted(sha256Hex(OPS_KEY)), version);
  }

  static PolicySnapshot policy(String yaml, String version) {
    try {
      return PolicySnapshot.from(new ConfigLoader(n -> null).parse(yaml, "test.yaml").config(), version);
    } catch (InvalidConfigException e) {
      throw new AssertionError(e.getMessage(), e);
    }
  }

  static String sha256Hex(String text) {
    try {
      return HexFormat.of().formatHex(
          MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new AssertionError(e);
    }
  }
}
