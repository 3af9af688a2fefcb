package dev.tollgate.inspect.guard;

import java.util.Arrays;

/**
 * Turns a normalised text into the classifier's input: hashed word unigrams, word bigrams and
 * character 4-grams, weighted 1 + ln(count) and scaled to unit length. Hashing keeps the model a
 * fixed size whatever the vocabulary; a collision costs a little accuracy, never correctness.
 * The same code makes the features for training and at run time, so they cannot drift apart.
 */
final class GuardFeatures {
  static final int BITS = 14;
  static final int BUCKETS = 1 << BITS;
  /** Long texts are read at the head and the tail; the rules still read all of it. */
  static final int HEAD_CHARS = 6000;
  static final int TAIL_CHARS = 2000;

  /** A sparse vector: bucket indices in increasing order and their values. */
  record Vector(int[] index, double[] value) {}

  private GuardFeatures() {}

  static String featureName(int bucket) {
    return "h" + bucket;
  }

  static Vector of(String normalized) {
    String text = normalized.length() <= HEAD_CHARS + TAIL_CHARS ? normalized
        : normalized.substring(0, HEAD_CHARS) + " " + normalized.substring(normalized.length() - TAIL_CHARS);
    int n = text.length();
    int[] hashes = new int[Math.max(16, 2 * n + 8)];
    int count = 0;
    // Character 4-grams, spaces included so word boundaries count.
    for (int i = 0; i + 4 <= n; i++) {
      int h = 0x811C9DC5 ^ 0x4;
      for (int k = i; k < i + 4; k++) {
        h = (h ^ text.charAt(k)) * 0x01000193;
      }
      hashes[count++] = bucket(h);
    }
    // Words (letters and digits) and pairs of neighbouring words.
    int previous = 0;
    boolean hasPrevious = false;
    int start = -1;
    for (int i = 0; i <= n; i++) {
      boolean wordChar = i < n && Character.isLetterOrDigit(text.charAt(i));
      if (wordChar && start < 0) {
        start = i;
      } else if (!wordChar && start >= 0) {
        int h = 0x811C9DC5 ^ 0x57;
        for (int k = start; k < i; k++) {
          h = (h ^ text.charAt(k)) * 0x01000193;
        }
        if (count + 2 > hashes.length) {
          hashes = Arrays.copyOf(hashes, hashes.length * 2);
        }
        hashes[count++] = bucket(h);
        if (hasPrevious) {
          hashes[count++] = bucket((previous * 0x9E3779B1) ^ (h + 0x42));
        }
        previous = h;
        hasPrevious = true;
        start = -1;
      }
    }
    Arrays.sort(hashes, 0, count);
    int[] index = new int[count];
    double[] value = new double[count];
    int distinct = 0;
    double norm = 0;
    for (int i = 0; i < count; ) {
      int j = i;
      while (j < count && hashes[j] == hashes[i]) {
        j++;
      }
      double v = 1.0 + Math.log(j - i);
      index[distinct] = hashes[i];
      value[distinct] = v;
      norm += v * v;
      distinct++;
      i = j;
    }
    double scale = norm == 0 ? 0 : 1.0 / Math.sqrt(norm);
    for (int i = 0; i < distinct; i++) {
      value[i] *= scale;
    }
    return new Vector(Arrays.copyOf(index, distinct), Arrays.copyOf(value, distinct));
  }

  private static int bucket(int hash) {
    hash ^= hash >>> 16;
    hash *= 0x85EBCA6B;
    hash ^= hash >>> 13;
    return hash & (BUCKETS - 1);
  }
}
