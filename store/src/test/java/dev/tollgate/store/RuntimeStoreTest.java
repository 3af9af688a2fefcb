package dev.tollgate.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tollgate.core.Sha256;
import dev.tollgate.core.config.StoreConfig;
import dev.tollgate.core.policy.ApiKeyFormat;
import dev.tollgate.core.policy.RuntimeState;
import dev.tollgate.store.StoreRecords.Decision;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The store against a real embedded H2 file database, as the control plane opens it. */
class RuntimeStoreTest {
  private static final Instant NOW = Instant.parse("2026-06-01T12:00:00Z");
  @TempDir Path dir;
  private Path configFile;
  private RuntimeStore store;

  @BeforeEach
  void open() throws Exception {
    configFile = dir.resolve("tollgate.yaml");
    Files.writeString(configFile, "");
    store = openStore();
  }

  private RuntimeStore openStore() throws Exception {
    return RuntimeStore.open(StoreConfig.defaults(), configFile, n -> null, Clock.fixed(NOW, ZoneOffset.UTC));
  }

  @AfterEach
  void close() {
    store.close();
  }

  @Test
  void defaultDatabaseFileIsNextToTheConfig() {
    assertThat(store.description()).isEqualTo("h2 " + dir.resolve("tollgate-state/tollgate") + ".mv.db");
    assertThat(dir.resolve("tollgate-state/tollgate.mv.db")).exists();
  }

  @Test
  void keyIsStoredAsPrefixAndDigestOnlyAndSurvivesReopening() throws Exception {
    var created = store.createKey("app", NOW.plusSeconds(3600), "alice");
    assertThat(ApiKeyFormat.prefixOf(created.key())).contains(created.record().prefix());
    assertThat(created.toString()).doesNotContain(created.key());
    store.close();
    store = openStore();
    RuntimeState state = store.load();
    assertThat(state.keys()).containsExactly(new RuntimeState.RuntimeKey("app", created.record().prefix(),
        Sha256.hex(created.key()), NOW.plusSeconds(3600).getEpochSecond()));
    assertThat(store.listKeys(null)).singleElement().satisfies(k -> {
      assertThat(k.consumer()).isEqualTo("app");
      assertThat(k.createdBy()).isEqualTo("alice");
      assertThat(k.statusAt(NOW)).isEqualTo("active");
      assertThat(k.statusAt(NOW.plusSeconds(3600))).isEqualTo("expired");
    });
    // The key itself is nowhere in the database file.
    assertThat(Files.readString(dir.resolve("tollgate-state/tollgate.mv.db"), java.nio.charset.StandardCharsets.ISO_8859_1))
        .doesNotContain(created.key().substring(16));
  }

  @Test
  void revokedKeysLeaveTheStateAndCannotBeRevokedTwice() throws Exception {
    var created = store.createKey("app", null, "alice");
    store.revokeKey(created.record().prefix(), "bob");
    assertThat(store.load().keys()).isEmpty();
    assertThat(store.listKeys("app").get(0).revokedBy()).isEqualTo("bob");
    assertThatThrownBy(() -> store.revokeKey(created.record().prefix(), "bob"))
        .isInstanceOfSatisfying(StoreException.class, e -> assertThat(e.reason()).isEqualTo(StoreException.Reason.CONFLICT));
    assertThatThrownBy(() -> store.revokeKey("000000000000", "bob"))
        .isInstanceOfSatisfying(StoreException.class, e -> assertThat(e.reason()).isEqualTo(StoreException.Reason.NOT_FOUND));
  }

  @Test
  void subscriptionsFollowTheirStatesAndEveryChangeIsLoggedAndCounted() throws Exception {
    long before = store.changeCounter();
    store.requestSubscription("app", "gpt-4o", "app-owner");
    assertThatThrownBy(() -> store.requestSubscription("app", "gpt-4o", "app-owner"))
        .isInstanceOfSatisfying(StoreException.class, e -> assertThat(e.reason()).isEqualTo(StoreException.Reason.CONFLICT));
    assertThatThrownBy(() -> store.decide("app", "gpt-4o", Decision.REVOKE, "admin"))
        .isInstanceOfSatisfying(StoreException.class, e -> assertThat(e.reason()).isEqualTo(StoreException.Reason.CONFLICT));
    assertThatThrownBy(() -> store.decide("app", "other", Decision.APPROVE, "admin"))
        .isInstanceOfSatisfying(StoreException.class, e -> assertThat(e.reason()).isEqualTo(StoreException.Reason.NOT_FOUND));
    var approved = store.decide("app", "gpt-4o", Decision.APPROVE, "carol");
    assertThat(approved.status()).isEqualTo(RuntimeState.Status.APPROVED);
    assertThat(approved.decidedBy()).isEqualTo("carol");
    assertThat(store.load().subscriptions())
        .containsExactly(new RuntimeState.Subscription("app", "gpt-4o", RuntimeState.Status.APPROVED));
    store.decide("app", "gpt-4o", Decision.REVOKE, "carol");
    // After a revocation the consumer may ask again.
    store.requestSubscription("app", "gpt-4o", "app-owner");
    assertThat(store.listSubscriptions("app", RuntimeState.Status.PENDING)).hasSize(1);
    assertThat(store.changeCounter()).isEqualTo(before + 4);
    assertThat(store.load().version()).isEqualTo(before + 4);
    assertThat(store.audit(10)).extracting(StoreRecords.AuditRecord::action).containsExactly(
        "subscription.request", "subscription.revoke", "subscription.approve", "subscription.request");
    assertThat(store.audit(10).get(2).actor()).isEqualTo("carol");
  }
}
