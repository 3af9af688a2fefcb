package dev.tollgate.core.config;

import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.BiConsumer;
import java.util.regex.Pattern;

/**
 * Checks one {@code response:} section. Called by the inspection-policy validator with the
 * section's YAML path (e.g. {@code policies[0].response}), so problems get file:line:column.
 */
public final class ResponseRewriteConfigValidator {
  /** An HTTP token (RFC 9110), lower case as Envoy keeps header names. */
  private static final Pattern HEADER = Pattern.compile("[a-z0-9!#$%&'*+.^_`|~-]{1,128}");
  private static final Pattern FIELD_KEY = Pattern.compile("[^.\\s]{1,128}");
  /**
   * Headers the gateway itself must control: framing (a wrong length or encoding corrupts the
   * body), the content type clients parse by, and the request id every answer carries.
   */
  static final Set<String> PROTECTED_HEADERS = Set.of("content-length", "content-type", "content-encoding",
      "transfer-encoding", "connection", "x-tollgate-request-id");

  private ResponseRewriteConfigValidator() {}

  /**
   * @param at YAML path of the section
   * @param problem receives (path, message) for each problem found
   */
  public static void validate(String at, ResponseRewriteConfig config, BiConsumer<String, String> problem) {
    if (config == null) {
      return;
    }
    List<String> remove = config.removeFields();
    for (int i = 0; i < remove.size(); i++) {
      fieldPath(at + ".remove_fields[" + i + "]", remove.get(i), problem);
    }
    for (Map.Entry<String, String> rename : config.renameFields().entrySet()) {
      String path = at + ".rename_fields." + rename.getKey();
      fieldPath(path, rename.getKey(), problem);
      if (rename.getValue() == null || !FIELD_KEY.matcher(rename.getValue()).matches()) {
        problem.accept(path, "the new name must be one JSON key (no dots or spaces, 1..128 characters)");
      }
    }
    List<String> removeHeaders = config.removeHeaders();
    for (int i = 0; i < removeHeaders.size(); i++) {
      header(at + ".remove_headers[" + i + "]", removeHeaders.get(i), problem);
    }
    for (Map.Entry<String, String> rename : config.renameHeaders().entrySet()) {
      String path = at + ".rename_headers." + rename.getKey();
      header(path, rename.getKey(), problem);
      header(path, rename.getValue(), problem);
    }
  }

  private static void fieldPath(String at, String path, BiConsumer<String, String> problem) {
    if (path == null || path.isBlank()) {
      problem.accept(at, "must be a non-empty dot path such as system_fingerprint or choices.logprobs");
      return;
    }
    for (String key : path.split("\\.", -1)) {
      if (!FIELD_KEY.matcher(key).matches()) {
        problem.accept(at, "each part of a dot path must be a non-empty JSON key without spaces");
        return;
      }
    }
  }

  private static void header(String at, String name, BiConsumer<String, String> problem) {
    if (name == null || !HEADER.matcher(name.toLowerCase(Locale.ROOT)).matches()) {
      problem.accept(at, "must be an HTTP header name (letters, digits and !#$%&'*+.^_`|~-)");
      return;
    }
    String lower = name.toLowerCase(Locale.ROOT);
    if (PROTECTED_HEADERS.contains(lower)) {
      problem.accept(at, "'" + lower + "' is set by the gateway and cannot be removed or renamed");
    }
  }
}
