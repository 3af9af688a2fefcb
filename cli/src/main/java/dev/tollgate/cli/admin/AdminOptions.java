package dev.tollgate.cli.admin;

import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** Where the admin API is and how to authenticate; shared by the keys, subscriptions and usage commands. */
final class AdminOptions {
  static final String TOKEN_ENV = "TOLLGATE_ADMIN_TOKEN";

  @Option(names = "--admin-url", paramLabel = "URL", defaultValue = "${env:TOLLGATE_ADMIN_URL:-http://127.0.0.1:18001}",
      description = "The control plane's admin API (default: $TOLLGATE_ADMIN_URL or ${DEFAULT-VALUE}).")
  URI adminUrl;

  @Option(names = "--admin-token-file", paramLabel = "FILE",
      description = "File holding the admin token (default: $" + TOKEN_ENV + "; `tollgate up` without a "
          + "configured token writes one to tollgate-state/admin-token next to its config).")
  Path tokenFile;

  /**
   * Accepted so that older scripts keep running, but ignored: the decision log records the admin
   * whose token made the change (control_plane.admins), never a name the caller gives.
   */
  @Option(names = "--actor", paramLabel = "NAME", hidden = true)
  String actor;

  AdminClient client() throws IOException {
    String token;
    if (tokenFile != null) {
      token = Files.readString(tokenFile, StandardCharsets.UTF_8).strip();
    } else {
      token = System.getenv(TOKEN_ENV);
    }
    if (token == null || token.isBlank()) {
      throw new IOException("no admin token: pass --admin-token-file FILE or set " + TOKEN_ENV);
    }
    return withBearer(token);
  }

  /** A client of the same server that presents another credential (a consumer's API key). */
  AdminClient withBearer(String credential) {
    String base = adminUrl.toString();
    return new AdminClient(URI.create(base.endsWith("/") ? base : base + "/"), credential);
  }
}
