package dev.tollgate.tests;

/** The usage ledger with the default store: embedded H2 next to the config. */
class LedgerEmbeddedStoreThroughEnvoyTest extends LedgerThroughEnvoyTestBase {
  @Override
  String storeSection() {
    return "";
  }
}
