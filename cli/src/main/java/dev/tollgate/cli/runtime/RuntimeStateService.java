package dev.tollgate.cli.runtime;

import dev.tollgate.core.config.CredentialRef;
import dev.tollgate.core.config.ControlPlaneConfig;
import dev.tollgate.core.config.LoadedConfig;
import dev.tollgate.core.config.SecretValue;
import dev.tollgate.core.policy.PolicySource;
import dev.tollgate.store.RuntimeStateSync;
import dev.tollgate.store.RuntimeStore;
import dev.tollgate.store.admin.AdminApi;
import dev.tollgate.store.admin.AdminToken;
import dev.tollgate.store.admin.AdminTokens;
import dev.tollgate.store.admin.ConsumerSubscriptionsApi;
import dev.tollgate.xds.admin.AdminServer;
import dev.tollgate.xds.server.SnapshotPublisher;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The control plane's runtime state: the store, its sync into the policy, and the admin API over
 * it. The state is in the policy before any gRPC client can connect, so an ext-services process
 * that reconnects after a control-plane restart never sees a policy without the runtime keys.
 */
public final class RuntimeStateService implements AutoCloseable {
  /** Where an all-in-one gateway without control_plane.admin_token keeps its generated token. */
  public static final String GENERATED_TOKEN_FILE = "tollgate-state/admin-token";
  private static final Logger LOG = LoggerFactory.getLogger(RuntimeStateService.class);

  private final RuntimeStore store;
  private final RuntimeStateSync sync;
  private final AdminTokens admins;
  private final Path generatedTokenFile;
  private final Clock clock;

  private RuntimeStateService(RuntimeStore store, RuntimeStateSync sync, AdminTokens admins,
      Path generatedTokenFile, Clock clock) {
    this.store = store;
    this.sync = sync;
    this.admins = admins;
    this.generatedTokenFile = generatedTokenFile;
    this.clock = clock;
  }

  /**
   * Opens the store, publishes its state and starts following changes.
   *
   * @param generateToken without a configured admin token or admins: true to generate one (for the
   *     admin named "admin") into {@link #GENERATED_TOKEN_FILE} next to the config (all in one),
   *     false to refuse admin calls
   */
  static RuntimeStateService start(LoadedConfig initial, Path configFile, SnapshotPublisher publisher,
      boolean generateToken, Clock clock) throws IOException {
    var config = initial.config();
    RuntimeStore store;
    try {
      store = RuntimeStore.open(config.store(), configFile, System::getenv, clock);
    } catch (SQLException | CredentialRef.CredentialException e) {
      throw new IOException("cannot open the runtime state store: " + e.getMessage(), e);
    }
    try {
      AdminTokens admins;
      Path generated = null;
      if (config.controlPlane().hasAdmins()) {
        admins = AdminTokens.from(config.controlPlane(), System::getenv);
        LOG.info("admin API admins: {}", admins.names());
      } else if (generateToken) {
        generated = configFile.toAbsolutePath().getParent().resolve(GENERATED_TOKEN_FILE);
        admins = new AdminTokens(List.of(new AdminToken(ControlPlaneConfig.ADMIN_TOKEN_NAME, generatedToken(generated))));
        LOG.info("admin API token (generated, no control_plane.admin_token configured) is in {}", generated);
      } else {
        admins = AdminTokens.none();
        LOG.warn("no control_plane.admin_token or admins configured: the admin API's /admin/ calls are refused");
      }
      RuntimeStateSync sync = new RuntimeStateSync(store, publisher::publishRuntime);
      sync.start(Duration.ofMillis(config.store().pollIntervalMs()));
      return new RuntimeStateService(store, sync, admins, generated, clock);
    } catch (SQLException | CredentialRef.CredentialException | IOException | RuntimeException e) {
      store.close();
      throw e instanceof IOException io ? io : new IOException("cannot start the runtime state: " + e.getMessage(), e);
    }
  }

  /** The existing token file, or a new random token written readable by this user only. */
  private static SecretValue generatedToken(Path file) throws IOException {
    if (Files.isRegularFile(file)) {
      String existing = Files.readString(file, StandardCharsets.UTF_8).strip();
      if (!existing.isEmpty()) {
        return new SecretValue(existing);
      }
    }
    Files.createDirectories(file.getParent());
    byte[] random = new byte[32];
    new SecureRandom().nextBytes(random);
    String token = "tgadm_" + HexFormat.of().formatHex(random);
    Path staging = file.resolveSibling(file.getFileName() + ".new");
    Files.deleteIfExists(staging);
    try {
      Files.createFile(staging, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
    } catch (UnsupportedOperationException e) {
      Files.createFile(staging);
    }
    Files.writeString(staging, token + "\n", StandardCharsets.UTF_8);
    Files.move(staging, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING,
        java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    return new SecretValue(token);
  }

  /**
   * Serves the admin API under /admin/ and consumers' own subscription requests under
   * /v1/subscriptions on the control plane's admin server.
   *
   * @param policy the policy in force with the runtime state, to know consumers by their keys
   */
  void mountOn(AdminServer admin, SnapshotPublisher publisher, PolicySource policy) {
    admin.mount(AdminApi.PATH,
        new AdminApi(store, () -> publisher.currentConfig().config(), admins, sync::changed, clock));
    admin.mount(ConsumerSubscriptionsApi.PATH, new ConsumerSubscriptionsApi(store, policy, sync::changed, clock));
  }

  /** Where the generated admin token is; empty when the config names one (or none). */
  public Optional<Path> generatedTokenFile() {
    return Optional.ofNullable(generatedTokenFile);
  }

  /** The store, for the usage ledger's table in the same database. */
  public RuntimeStore store() {
    return store;
  }

  /** The admins' tokens; none when admin calls are refused. */
  public AdminTokens admins() {
    return admins;
  }

  public String storeDescription() {
    return store.description();
  }

  @Override
  public void close() {
    sync.close();
    store.close();
  }
}
