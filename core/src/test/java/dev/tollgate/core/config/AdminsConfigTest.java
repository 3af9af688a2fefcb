package dev.tollgate.core.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.util.Map;
import org.junit.jupiter.api.Test;

/** {@code control_plane.admins}: named admins beside admin_token, their checks, no token echoed. */
class AdminsConfigTest {
  private static final String ALICE = "alice-token-that-must-not-leak";
  private static final ConfigLoader LOADER = new ConfigLoader(
      Map.of("ALICE", ALICE, "BOB", "bob-token", "SAME", ALICE, "ADMIN", "admin-token")::get);

  @Test
  void defaultsToNoNamedAdmins() throws Exception {
    ControlPlaneConfig plane = LOADER.parse("listener: { port: 10000 }\n", "tollgate.yaml").config().controlPlane();
    assertThat(plane.admins()).isEmpty();
    assertThat(plane.hasAdmins()).isFalse();
  }

  @Test
  void namedAdminsBesideTheSingleToken() throws Exception {
    ControlPlaneConfig plane = LOADER.parse("""
        control_plane:
          admin_token: env:ADMIN
          admins:
            - { name: ops-alice, token: env:ALICE }
            - { name: bob@example.com, token: env:BOB }
        """, "tollgate.yaml").config().controlPlane();
    assertThat(plane.admins()).containsExactly(new AdminConfig("ops-alice", "env:ALICE"),
        new AdminConfig("bob@example.com", "env:BOB"));
    assertThat(plane.hasAdmins()).isTrue();
    assertThat(plane.toString()).doesNotContain(ALICE);
  }

  @Test
  void everyMistakeIsLocatedAndNoTokenIsEchoed() {
    InvalidConfigException e = catchThrowableOfType(InvalidConfigException.class, () -> LOADER.parse("""
        control_plane:
          admin_token: env:ADMIN
          admins:
            - { name: ops-alice, token: env:ALICE }
            - { name: ops-alice, token: env:BOB }
            - { name: admin, token: env:SAME }
            - { name: "has space", token: "%s" }
            - { name: carl }
            - { name: dora, token: env:NOT_SET }
            - { name: eve, token: env:ALICE, role: root }
        """.formatted(ALICE), "tollgate.yaml"));
    assertThat(e).isNotNull();
    assertThat(e.problems()).extracting(ConfigProblem::toString).containsExactlyInAnyOrder(
        "tollgate.yaml:5:15: control_plane.admins[1].name: duplicate admin name 'ops-alice'",
        "tollgate.yaml:6:15: control_plane.admins[2].name: 'admin' is the name of control_plane.admin_token's holder; "
            + "choose another",
        "tollgate.yaml:6:29: control_plane.admins[2].token: the same token as control_plane.admins[0].token: "
            + "each admin needs an own token",
        "tollgate.yaml:7:15: control_plane.admins[3].name: required: letters, digits, '.', '_', '@', '+' or '-' "
            + "(at most 64), starting with a letter or digit",
        "tollgate.yaml:7:35: control_plane.admins[3].token: must be a reference, env:VAR or file:PATH "
            + "(inline secrets are not accepted)",
        "tollgate.yaml:8:7: control_plane.admins[4].token: required: env:VAR or file:PATH",
        "tollgate.yaml:9:28: control_plane.admins[5].token: environment variable NOT_SET is not set",
        "tollgate.yaml:10:38: control_plane.admins[6].role: unknown key 'role' (known keys: name, token)",
        "tollgate.yaml:10:27: control_plane.admins[6].token: the same token as control_plane.admins[0].token: "
            + "each admin needs an own token");
    assertThat(e.getMessage()).doesNotContain(ALICE).doesNotContain("bob-token");
  }
}
