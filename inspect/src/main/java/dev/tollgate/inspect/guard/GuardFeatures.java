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

  /** Per-thread work arrays: counts per bucket (all zero between calls) and the buckets seen. */
  private static final class Scratch {
    final int[] counts = new int[BUCKETS];
    final int[] touched = new int[BUCKETS];
  }

  private static final ThreadLocal<Scratch> SCRATCH = ThreadLocal.withInitial(Scratch::new);

  private GuardFeatures() {}

  static String featureName(int bucket) {
    return "h" + bucket;
  }

  static Vector of(String normalized) {
    String linkless = withoutLinks(normalized);
    String text = linkless.length() <= HEAD_CHARS + TAIL_CHARS ? linkless
        : linkless.substring(0, HEAD_CHARS) + " " + linkless.substring(linkless.length() - TAIL_CHARS);
    int n = text.length();
    // Counting in a dense array indexed by bucket is cheaper than sorting the hashes; the arrays
    // are kept per thread and cleared by bucket after use, not allocated and zeroed per prompt.
    Scratch scratch = SCRATCH.get();
    int[] counts = scratch.counts;
    int[] touched = scratch.touched;
    int distinct = 0;
    // Character 4-grams, spaces included so word boundaries count.
    for (int i = 0; i + 4 <= n; i++) {
      int h = 0x811C9DC5 ^ 0x4;
      h = (h ^ text.charAt(i)) * 0x01000193;
      h = (h ^ text.charAt(i + 1)) * 0x01000193;
      h = (h ^ text.charAt(i + 2)) * 0x01000193;
      h = (h ^ text.charAt(i + 3)) * 0x01000193;
      int b = bucket(h);
      if (counts[b]++ == 0) {
        touched[distinct++] = b;
      }
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
        int b = bucket(h);
        if (counts[b]++ == 0) {
          touched[distinct++] = b;
        }
        if (hasPrevious) {
          b = bucket((previous * 0x9E3779B1) ^ (h + 0x42));
          if (counts[b]++ == 0) {
            touched[distinct++] = b;
          }
        }
        previous = h;
        hasPrevious = true;
        start = -1;
      }
    }
    int[] index = Arrays.copyOf(touched, distinct);
    Arrays.sort(index);
    double[] value = new double[distinct];
    double norm = 0;
    for (int i = 0; i < distinct; i++) {
      double v = 1.0 + Math.log(counts[index[i]]);
      counts[index[i]] = 0;
      value[i] = v;
      norm += v * v;
    }
    double scale = norm == 0 ? 0 : 1.0 / Math.sqrt(norm);
    for (int i = 0; i < distinct; i++) {
      value[i] *= scale;
    }
    return new Vector(index, value);
  }

  /**
   * Links are left to the rules: in the training data they occur almost only in jailbreaks (image
   * markdown tricks), so the classifier would otherwise learn that any URL is an attack.
   */
  static String withoutLinks(String text) {
    int at = nextLink(text, 0);
    if (at < 0) {
      return text;
    }
    StringBuilder out = new StringBuilder(text.length());
    int from = 0;
    while (at >= 0) {
      out.append(text, from, at).append(' ');
      int end = at;
      while (end < text.length() && text.charAt(end) != ' ') {
        end++;
      }
      from = end;
      at = nextLink(text, end);
    }
    return out.append(text, from, text.length()).toString();
  }

  private static int nextLink(String text, int from) {
    int http = text.indexOf("http", from);
    while (http >= 0 && !(text.startsWith("://", http + 4) || text.startsWith("s://", http + 4))) {
      http = text.indexOf("http", http + 4);
    }
    int www = text.indexOf("www.", from);
    if (http < 0) {
      return www;
    }
    return www < 0 ? http : Math.min(http, www);
  }

  private static int bucket(int hash) {
    hash ^= hash >>> 16;
    hash *= 0x85EBCA6B;
    hash ^= hash >>> 13;
    return hash & (BUCKETS - 1);
  }
}
