package dev.tollgate.proc;

import io.envoyproxy.envoy.config.core.v3.HeaderMap;
import io.envoyproxy.envoy.config.core.v3.HeaderValue;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;

/** Reads Envoy's header list into a map; Envoy sends values as raw bytes in {@code raw_value}. */
final class HeaderMaps {
  private HeaderMaps() {}

  static Map<String, String> of(HeaderMap headers) {
    Map<String, String> map = new HashMap<>(headers.getHeadersCount() * 2);
    for (HeaderValue header : headers.getHeadersList()) {
      String value = header.getRawValue().isEmpty()
          ? header.getValue()
          : header.getRawValue().toString(StandardCharsets.UTF_8);
      map.putIfAbsent(header.getKey(), value);
    }
    return map;
  }
}
