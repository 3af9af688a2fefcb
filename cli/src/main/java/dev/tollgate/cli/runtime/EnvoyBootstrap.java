package dev.tollgate.cli.runtime;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Renders one of the bootstrap templates in envoy/ (packaged into this jar) for a child Envoy. */
public final class EnvoyBootstrap {
  private static final Pattern PLACEHOLDER = Pattern.compile("\\$\\{([A-Z_]+)}");

  private EnvoyBootstrap() {}

  /** @param template "edge-bootstrap.yaml" or "sidecar-bootstrap.yaml" */
  public static String render(String template, Map<String, String> values) throws IOException {
    String text;
    try (InputStream in = EnvoyBootstrap.class.getResourceAsStream("/envoy/" + template)) {
      if (in == null) {
        throw new IOException("bootstrap template " + template + " is missing from the jar");
      }
      text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
    Matcher matcher = PLACEHOLDER.matcher(text);
    StringBuilder out = new StringBuilder();
    while (matcher.find()) {
      String value = values.get(matcher.group(1));
      if (value == null) {
        throw new IllegalArgumentException("no value for ${" + matcher.group(1) + "} in " + template);
      }
      matcher.appendReplacement(out, Matcher.quoteReplacement(value));
    }
    matcher.appendTail(out);
    return out.toString();
  }
}
