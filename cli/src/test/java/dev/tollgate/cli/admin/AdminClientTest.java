package dev.tollgate.cli.admin;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The query string every admin command builds for GET calls. */
class AdminClientTest {
  @Test
  void leavesOutNullsAndEncodesValues() {
    assertThat(AdminClient.query("consumer", null, "status", null)).isEmpty();
    assertThat(AdminClient.query("consumer", "alice")).isEqualTo("?consumer=alice");
    assertThat(AdminClient.query("consumer", null, "status", "pending", "model", "gpt 4o/mini&x"))
        .isEqualTo("?status=pending&model=gpt+4o%2Fmini%26x");
  }
}
