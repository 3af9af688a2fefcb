package dev.tollgate.fakeprovider;

import java.time.Instant;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The {@code id}, {@code created} and {@code model} every response and every chunk of one stream
 * share. The id is random so a test can tell two responses apart; it is not secret.
 */
record ResponseIdentity(String id, long created, String model) {

  private static final String ALPHABET =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
  private static final int RANDOM_CHARS = 29; // the length OpenAI's ids have after the prefix

  static ResponseIdentity mint(String idPrefix, String model) {
    StringBuilder id = new StringBuilder(idPrefix);
    ThreadLocalRandom random = ThreadLocalRandom.current();
    for (int i = 0; i < RANDOM_CHARS; i++) {
      id.append(ALPHABET.charAt(random.nextInt(ALPHABET.length())));
    }
    return new ResponseIdentity(id.toString(), Instant.now().getEpochSecond(), model);
  }
}
