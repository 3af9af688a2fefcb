package dev.tollgate.tests;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;

/**
 * Base of the end-to-end test classes: one gateway (fake provider, Tollgate, real Envoy) per test
 * class with the standard config, and a clean provider journal before each test.
 */
abstract class ThroughEnvoyTest {
  static TestGateway gateway;

  @BeforeAll
  static void startGateway() throws Exception {
    gateway = TestGateway.start();
  }

  @AfterAll
  static void stopGateway() {
    gateway.close();
  }

  @BeforeEach
  void clearProviderJournal() {
    gateway.provider().clearReceivedRequests();
  }
}
