package dev.tollgate.core.config;

import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.BiConsumer;
import java.util.function.UnaryOperator;
import java.util.regex.Pattern;

/**
 * Checks {@code control_plane.admin_token} and {@code control_plane.admins}: every token a
 * reference that resolves, names unique, and no two admins sharing a token (the decision log could
 * not tell them apart). Messages name paths, never a token.
 */
final class AdminsValidator {
  /**
   * What the decision log's actor column holds: no spaces, nothing to escape, and no ':' so that
   * no admin can be mistaken for a consumer acting for itself ({@code consumer:<name>}).
   */
  static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._@+-]{0,63}");

  private AdminsValidator() {}

  static void validate(ControlPlaneConfig plane, UnaryOperator<String> environment, BiConsumer<String, String> add) {
    Set<String> names = new HashSet<>();
    // Token text → the path that holds it, only to spot a token given twice.
    Map<String, String> tokens = new HashMap<>();
    if (plane.adminToken() != null) {
      names.add(ControlPlaneConfig.ADMIN_TOKEN_NAME);
      StoreConfigValidator.reference("control_plane.admin_token", plane.adminToken(), environment, add)
          .ifPresent(token -> tokens.put(token.reveal(), "control_plane.admin_token"));
    }
    for (int i = 0; i < plane.admins().size(); i++) {
      String at = "control_plane.admins[" + i + "]";
      AdminConfig admin = plane.admins().get(i);
      if (admin == null) {
        add.accept(at, "empty admin entry");
        continue;
      }
      if (admin.name() == null || !NAME.matcher(admin.name()).matches()) {
        add.accept(at + ".name", "required: letters, digits, '.', '_', '@', '+' or '-' (at most 64), "
            + "starting with a letter or digit");
      } else if (!names.add(admin.name())) {
        add.accept(at + ".name", admin.name().equals(ControlPlaneConfig.ADMIN_TOKEN_NAME)
            ? "'admin' is the name of control_plane.admin_token's holder; choose another"
            : "duplicate admin name '" + admin.name() + "'");
      }
      if (admin.token() == null) {
        add.accept(at + ".token", "required: env:VAR or file:PATH");
        continue;
      }
      Optional<SecretValue> token = StoreConfigValidator.reference(at + ".token", admin.token(), environment, add);
      if (token.isPresent()) {
        String earlier = tokens.putIfAbsent(token.get().reveal(), at + ".token");
        if (earlier != null) {
          add.accept(at + ".token", "the same token as " + earlier + ": each admin needs an own token");
        }
      }
    }
  }
}
