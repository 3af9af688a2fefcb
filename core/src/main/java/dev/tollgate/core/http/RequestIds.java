package dev.tollgate.core.http;

import java.util.concurrent.ThreadLocalRandom;

/**
 * Gateway request ids, {@code req_} plus 32 hex digits. They need to be unique, not secret:
 * clients cannot choose one (ext_authz overwrites the header), so a fast non-cryptographic
 * source is enough and keeps SecureRandom off the request path.
 */
public final class RequestIds {
  private static final char[] HEX = "0123456789abcdef".toCharArray();

  private RequestIds() {}

  public static String next() {
    ThreadLocalRandom random = ThreadLocalRandom.current();
    char[] id = new char[36];
    id[0] = 'r';
    id[1] = 'e';
    id[2] = 'q';
    id[3] = '_';
    long high = random.nextLong();
    long low = random.nextLong();
    for (int i = 0; i < 16; i++) {
      id[4 + i] = HEX[(int) (high >>> (60 - 4 * i)) & 0xf];
      id[20 + i] = HEX[(int) (low >>> (60 - 4 * i)) & 0xf];
    }
    return new String(id);
  }
}
