package dev.tollgate.store.admin;

import com.sun.net.httpserver.HttpExchange;
import dev.tollgate.core.openai.OpenAiError;
import java.io.IOException;
import java.io.OutputStream;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * What every admin endpoint ({@link AdminApi}, {@link UsageApi}) does the same way: the admin-token
 * check (which admin is calling), the bearer credential, query-string parsing, the store-unavailable error and sending a JSON answer. One copy, so
 * the endpoints cannot drift apart on who is let in or how an error looks.
 */
final class AdminHttp {
  static final String INVALID_QUERY = "The query string is not valid URL encoding.";

  private AdminHttp() {}

  /**
   * The name of the admin whose token the call presents; refused with 403 while no admin token is
   * configured, 401 without {@code Authorization: Bearer <token>} or with a token no admin has.
   * Nothing the caller says about itself (such as a header naming a person) is trusted.
   */
  static String admin(AdminTokens admins, HttpExchange exchange) throws JsonEndpoint.Refused {
    if (admins.isEmpty()) {
      throw new JsonEndpoint.Refused(new OpenAiError(403, "The admin API is disabled: set control_plane.admin_token "
          + "or control_plane.admins (env:VAR or file:PATH) in the config.", "permission_error", null,
          "admin_api_disabled"));
    }
    Optional<String> presented = bearer(exchange);
    if (presented.isEmpty()) {
      throw new JsonEndpoint.Refused(new OpenAiError(401, "The admin API needs 'Authorization: Bearer <admin token>'.",
          "invalid_request_error", null, "admin_token_required"));
    }
    return admins.admin(presented.get()).orElseThrow(() -> new JsonEndpoint.Refused(new OpenAiError(401,
        "Incorrect admin token.", "invalid_request_error", null, "invalid_admin_token")));
  }

  /** The credential of {@code Authorization: Bearer <credential>}, or empty when there is none. */
  static Optional<String> bearer(HttpExchange exchange) {
    String authorization = exchange.getRequestHeaders().getFirst("authorization");
    if (authorization == null || authorization.length() <= 7 || !authorization.regionMatches(true, 0, "bearer ", 0, 7)) {
      return Optional.empty();
    }
    String credential = authorization.substring(7).strip();
    return credential.isEmpty() ? Optional.empty() : Optional.of(credential);
  }

  /** The decoded query parameters, or empty when the query is not valid URL encoding ({@link #INVALID_QUERY}). */
  static Optional<Map<String, String>> query(String raw) {
    Map<String, String> params = new HashMap<>();
    if (raw == null || raw.isEmpty()) {
      return Optional.of(params);
    }
    for (String pair : raw.split("&")) {
      int eq = pair.indexOf('=');
      try {
        String name = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
        String value = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
        params.put(name, value);
      } catch (IllegalArgumentException e) {
        return Optional.empty();
      }
    }
    return Optional.of(params);
  }

  /** The store failed: the cause goes to the log by the caller, the client gets a clean 503. */
  static OpenAiError storeUnavailable() {
    return new OpenAiError(503, "The control plane's store is not available; try again.", "api_error", null,
        "store_unavailable");
  }

  static void send(HttpExchange exchange, int status, String body) throws IOException {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    exchange.getResponseHeaders().set("content-type", "application/json");
    exchange.getResponseHeaders().set("cache-control", "no-store");
    exchange.sendResponseHeaders(status, bytes.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(bytes);
    }
  }
}
