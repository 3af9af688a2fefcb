package dev.tollgate.fakeprovider;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * An 8-float unit vector derived from SHA-256 of the text: the same text always gets the same
 * vector, on any JVM, and different texts get different ones. Unit length like OpenAI's embeddings,
 * so cosine similarity code downstream behaves.
 */
final class DeterministicVector {

  static final int DIMENSIONS = 8;

  private DeterministicVector() {
  }

  static float[] of(String text) {
    // 32 digest bytes are exactly 8 ints, one per dimension.
    ByteBuffer digest = ByteBuffer.wrap(sha256(text.getBytes(StandardCharsets.UTF_8)));
    double[] raw = new double[DIMENSIONS];
    double sumOfSquares = 0;
    for (int i = 0; i < DIMENSIONS; i++) {
      raw[i] = digest.getInt() / (double) Integer.MAX_VALUE;
      sumOfSquares += raw[i] * raw[i];
    }
    double norm = Math.sqrt(sumOfSquares);
    float[] vector = new float[DIMENSIONS];
    for (int i = 0; i < DIMENSIONS; i++) {
      vector[i] = (float) (raw[i] / norm);
    }
    return vector;
  }

  private static byte[] sha256(byte[] input) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(input);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JVM must provide SHA-256", e);
    }
  }
}
