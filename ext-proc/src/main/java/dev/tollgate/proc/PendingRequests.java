package dev.tollgate.proc;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import java.time.Duration;

/**
 * Parsed bodies by gateway request id, from the router stage to the upstream stage. An entry is
 * removed when the router-level stream ends; the expiry is only a backstop for streams Envoy
 * never closed, so a lost stream cannot keep a body in memory forever.
 */
final class PendingRequests {
  private final Cache<String, ParsedRequest> byId;

  PendingRequests(Duration backstop) {
    byId = Caffeine.newBuilder().expireAfterWrite(backstop).build();
  }

  void put(String requestId, ParsedRequest request) {
    byId.put(requestId, request);
  }

  ParsedRequest get(String requestId) {
    return byId.getIfPresent(requestId);
  }

  void remove(String requestId) {
    byId.invalidate(requestId);
  }

  long size() {
    byId.cleanUp();
    return byId.estimatedSize();
  }
}
