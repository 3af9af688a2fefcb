package dev.tollgate.core.config;

import java.util.function.BiConsumer;
import java.util.function.UnaryOperator;

/** Checks the {@code store} section; findings carry YAML paths. */
final class StoreConfigValidator {
  private StoreConfigValidator() {}

  static void validate(GatewayConfig config, UnaryOperator<String> environment, BiConsumer<String, String> add) {
    StoreConfig store = config.store();
    if (!StoreConfig.H2.equals(store.kind()) && !StoreConfig.POSTGRESQL.equals(store.kind())) {
      add.accept("store.kind", "must be h2 or postgresql");
    } else if (store.isPostgresql()) {
      if (store.url() == null || !store.url().startsWith("jdbc:postgresql://")) {
        add.accept("store.url", "required for kind postgresql: jdbc:postgresql://HOST:PORT/DATABASE");
      } else if (store.url().toLowerCase(java.util.Locale.ROOT).contains("password=")) {
        // The URL is logged and shown; the password belongs in store.password, by reference.
        add.accept("store.url", "must not hold the password: use store.password (env:VAR or file:PATH)");
      }
      if (store.path() != null) {
        add.accept("store.path", "only for kind h2");
      }
    } else {
      if (store.path() == null || store.path().isBlank()) {
        add.accept("store.path", "must not be empty");
      } else {
        try {
          java.nio.file.Path.of(store.path());
        } catch (java.nio.file.InvalidPathException e) {
          add.accept("store.path", "not a valid file path");
        }
      }
      for (String field : new String[] {"url", "user", "password"}) {
        boolean set = switch (field) {
          case "url" -> store.url() != null;
          case "user" -> store.user() != null;
          default -> store.password() != null;
        };
        if (set) {
          add.accept("store." + field, "only for kind postgresql");
        }
      }
    }
    reference("store.password", store.password(), environment, add);
    Integer poll = store.pollIntervalMs();
    if (poll == null || poll < 100 || poll > 60_000) {
      add.accept("store.poll_interval_ms", "must be between 100 and 60000" + (poll == null ? "" : ", got " + poll));
    }
  }

  /**
   * A reference must resolve now, so the operator learns of a missing variable before start.
   *
   * @return the secret, or empty when unset or reported as a problem
   */
  static java.util.Optional<SecretValue> reference(String path, String value, UnaryOperator<String> environment,
      BiConsumer<String, String> add) {
    if (value == null) {
      return java.util.Optional.empty();
    }
    var ref = CredentialRef.parse(value);
    if (ref.isEmpty()) {
      // Never echo the value: it may be the secret itself.
      add.accept(path, "must be a reference, env:VAR or file:PATH (inline secrets are not accepted)");
      return java.util.Optional.empty();
    }
    try {
      return java.util.Optional.of(ref.get().resolve(environment));
    } catch (CredentialRef.CredentialException e) {
      add.accept(path, e.getMessage());
      return java.util.Optional.empty();
    }
  }
}
