package dev.tollgate.core.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The {@code store} section and {@code control_plane.admin_token}: defaults, checks, located messages. */
class StoreConfigTest {
  private static final String PASSWORD = "pg-password-that-must-not-leak";
  private static final ConfigLoader LOADER = new ConfigLoader(Map.of("PGPASS", PASSWORD, "ADMIN", "t0ken")::get);

  @Test
  void withoutAStoreSectionTheStoreIsAnH2FileNextToTheConfig() throws Exception {
    GatewayConfig config = LOADER.parse("listener: { port: 10000 }\n", "tollgate.yaml").config();
    assertThat(config.store()).isEqualTo(new StoreConfig("h2", "tollgate-state/tollgate", null, null, null, 1000));
    assertThat(config.store().h2File(Path.of("/etc/tollgate/tollgate.yaml")))
        .isEqualTo(Path.of("/etc/tollgate/tollgate-state/tollgate"));
    assertThat(config.controlPlane().adminToken()).isNull();
  }

  @Test
  void postgresqlWithAPasswordReference() throws Exception {
    GatewayConfig config = LOADER.parse("""
        control_plane: { admin_token: env:ADMIN }
        store: { kind: postgresql, url: "jdbc:postgresql://db:5432/tollgate", user: tg, password: env:PGPASS }
        """, "tollgate.yaml").config();
    assertThat(config.store().isPostgresql()).isTrue();
    assertThat(config.store().path()).isNull();
    assertThat(config.store().toString()).doesNotContain(PASSWORD).doesNotContain("PGPASS");
    assertThat(config.controlPlane().adminToken()).isEqualTo("env:ADMIN");
  }

  @Test
  void everyMistakeIsReportedWithItsLineAndNoSecretIsEchoed() {
    InvalidConfigException e = catchThrowableOfType(InvalidConfigException.class, () -> LOADER.parse("""
        control_plane: { admin_token: "plain-admin-token" }
        store:
          kind: postgresql
          url: "jdbc:postgresql://db/tollgate?password=oops"
          password: "%s"
          poll_interval_ms: 5
        """.formatted(PASSWORD), "tollgate.yaml"));
    assertThat(e).isNotNull();
    assertThat(e.problems()).extracting(ConfigProblem::toString).containsExactlyInAnyOrder(
        "tollgate.yaml:4:8: store.url: must not hold the password: use store.password (env:VAR or file:PATH)",
        "tollgate.yaml:5:13: store.password: must be a reference, env:VAR or file:PATH (inline secrets are not accepted)",
        "tollgate.yaml:6:21: store.poll_interval_ms: must be between 100 and 60000, got 5",
        "tollgate.yaml:1:31: control_plane.admin_token: must be a reference, env:VAR or file:PATH (inline secrets are not accepted)");
    assertThat(e.getMessage()).doesNotContain(PASSWORD).doesNotContain("plain-admin-token");
  }

  @Test
  void kindSpecificFieldsAndUnresolvableReferences() {
    InvalidConfigException e = catchThrowableOfType(InvalidConfigException.class, () -> LOADER.parse("""
        store: { kind: h2, url: "jdbc:postgresql://db/x", password: env:NOPE }
        """, "tollgate.yaml"));
    assertThat(e.problems()).extracting(ConfigProblem::toString).anySatisfy(p -> assertThat(p).contains("store.url: only for kind postgresql"))
        .anySatisfy(p -> assertThat(p).contains("store.password: only for kind postgresql"))
        .anySatisfy(p -> assertThat(p).contains("store.password: environment variable NOPE is not set"));
    InvalidConfigException missing = catchThrowableOfType(InvalidConfigException.class, () -> LOADER.parse("""
        store: { kind: mysql }
        """, "tollgate.yaml"));
    assertThat(missing.problems()).extracting(ConfigProblem::toString)
        .containsExactly("tollgate.yaml:1:16: store.kind: must be h2 or postgresql");
    InvalidConfigException badPath = catchThrowableOfType(InvalidConfigException.class, () -> LOADER.parse("""
        store: { path: "a\\u0000b" }
        """, "tollgate.yaml"));
    assertThat(badPath.problems()).extracting(ConfigProblem::toString)
        .containsExactly("tollgate.yaml:1:16: store.path: not a valid file path");
    InvalidConfigException noUrl = catchThrowableOfType(InvalidConfigException.class, () -> LOADER.parse("""
        store: { kind: postgresql }
        """, "tollgate.yaml"));
    assertThat(noUrl.problems()).extracting(ConfigProblem::toString).singleElement().asString()
        .contains("store.url: required for kind postgresql");
  }
}
