package dev.tollgate.tests;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The subscription workflow with the default store: an embedded H2 file next to the config. */
class SubscriptionsEmbeddedStoreThroughEnvoyTest extends SubscriptionsThroughEnvoyTestBase {
  @Override
  String storeSection() {
    return "";
  }

  @Test
  void theDefaultStoreIsAFileNextToTheConfig() {
    assertThat(dir.resolve("tollgate-state/tollgate.mv.db")).exists();
    assertThat(gateway.controlPlane().runtimeState().storeDescription()).startsWith("h2 ");
  }
}
