package dev.tollgate.fakeprovider;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * One HTTP request as the fake provider received it, kept so a test can assert on what the gateway
 * really sent upstream (rewritten model, injected credential, mutated body).
 *
 * @param method        HTTP method
 * @param path          request path without the query string
 * @param headers       header names lower-cased, values in arrival order
 * @param body          the body decoded as UTF-8; empty when there was none
 * @param model         the {@code "model"} string of the JSON body, or null when absent or not JSON
 * @param authorization the {@code Authorization} header value, or null when absent
 */
public record ReceivedRequest(
    String method,
    String path,
    Map<String, List<String>> headers,
    String body,
    String model,
    String authorization) {

  public ReceivedRequest {
    Objects.requireNonNull(method, "method");
    Objects.requireNonNull(path, "path");
    Objects.requireNonNull(body, "body");
    // Snapshots handed to tests must not change under them, nor let them change the journal.
    Map<String, List<String>> copy = new LinkedHashMap<>();
    headers.forEach((headerName, values) -> copy.put(headerName, List.copyOf(values)));
    headers = java.util.Collections.unmodifiableMap(copy);
  }
}
