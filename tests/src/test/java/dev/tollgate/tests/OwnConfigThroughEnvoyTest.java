package dev.tollgate.tests;

import dev.tollgate.fakeprovider.FakeProviderSettings;
import dev.tollgate.xds.translate.FilterSet;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.TestInstance;

/**
 * Base of the end-to-end test classes that need a config of their own: one gateway (fake provider,
 * Tollgate with every filter, real Envoy) per test class started from {@link #config()}, and a clean
 * provider journal before each test. One instance per class, so the start can ask the subclass.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class OwnConfigThroughEnvoyTest {
  static TestGateway gateway;

  /** The class's gateway config (see {@link TestGateway#STANDARD_CONFIG} for what it can name). */
  abstract String config();

  @BeforeAll
  void startGateway() throws Exception {
    gateway = TestGateway.start(config(), FakeProviderSettings.defaults(), FilterSet.ALL);
  }

  @AfterAll
  void stopGateway() {
    gateway.close();
  }

  @BeforeEach
  void clearProviderJournal() {
    gateway.provider().clearReceivedRequests();
  }
}
