package dev.tollgate.core.config;

import java.util.regex.Pattern;

/** The shape of a SPIFFE ID: {@code spiffe://<trust domain>/<path>}. */
public final class SpiffeIds {
  private SpiffeIds() {}

  private static final Pattern ID = Pattern.compile("spiffe://[a-z0-9._-]+(/[A-Za-z0-9._~!$&'()*+,;=:@%-]+)+");

  public static boolean isValid(String id) {
    return id.length() <= 2048 && ID.matcher(id).matches();
  }
}
