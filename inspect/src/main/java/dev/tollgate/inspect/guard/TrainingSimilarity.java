package dev.tollgate.inspect.guard;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * How close a text is to the nearest prompt of the training part: the leakage check of
 * {@link GuardEvaluation}. The split is by exact text, so a jailbreak variant that differs by a
 * word or a name can sit on both sides, and the held-out figures then partly measure memory.
 *
 * <p>Similarity is the Jaccard index of the two texts' sets of word 5-gram shingles (lower case,
 * words split on anything but letters and digits; a text of 1 to 4 words is one shingle, a text
 * without words has none and is similar to nothing). Exact, not MinHash: an inverted index from
 * shingle to training prompts makes the maximum over all of them cheap at this corpus size.
 * Evaluation only: the detector never uses it.
 */
final class TrainingSimilarity {
  static final int SHINGLE_WORDS = 5;
  private static final Pattern NON_WORD = Pattern.compile("[^\\p{L}\\p{N}]+");
  private static final int[] NONE = new int[0];

  /** Shingle hash to the indexes of the training prompts that contain it. */
  private final Map<Long, int[]> postings;
  /** Number of distinct shingles of each training prompt. */
  private final int[] sizes;

  private TrainingSimilarity(Map<Long, int[]> postings, int[] sizes) {
    this.postings = postings;
    this.sizes = sizes;
  }

  static TrainingSimilarity of(List<String> training) {
    Map<Long, List<Integer>> lists = new HashMap<>();
    int[] sizes = new int[training.size()];
    for (int i = 0; i < training.size(); i++) {
      long[] shingles = shingles(training.get(i));
      sizes[i] = shingles.length;
      for (long shingle : shingles) {
        lists.computeIfAbsent(shingle, s -> new ArrayList<>()).add(i);
      }
    }
    Map<Long, int[]> postings = new HashMap<>(lists.size() * 2);
    lists.forEach((shingle, ids) -> postings.put(shingle, ids.stream().mapToInt(Integer::intValue).toArray()));
    return new TrainingSimilarity(postings, sizes);
  }

  /** The highest Jaccard similarity of {@code text} to any training prompt, 0 when none shares a shingle. */
  double max(String text) {
    long[] shingles = shingles(text);
    int[] shared = new int[sizes.length];
    for (long shingle : shingles) {
      for (int id : postings.getOrDefault(shingle, NONE)) {
        shared[id]++;
      }
    }
    double best = 0;
    for (int id = 0; id < sizes.length; id++) {
      if (shared[id] > 0) {
        best = Math.max(best, (double) shared[id] / (shingles.length + sizes[id] - shared[id]));
      }
    }
    return best;
  }

  /** Jaccard similarity of two texts' shingle sets; 0 when either has none. */
  static double jaccard(String a, String b) {
    return of(List.of(b)).max(a);
  }

  /** The distinct word 5-gram shingles of a text, as 64-bit hashes, sorted. */
  static long[] shingles(String text) {
    String[] words = Arrays.stream(NON_WORD.split(text.toLowerCase(Locale.ROOT)))
        .filter(w -> !w.isEmpty()).toArray(String[]::new);
    if (words.length == 0) {
      return new long[0];
    }
    long[] wordHashes = Arrays.stream(words).mapToLong(TrainingSimilarity::fnv64).toArray();
    int count = Math.max(1, words.length - SHINGLE_WORDS + 1);
    long[] shingles = new long[count];
    for (int start = 0; start < count; start++) {
      long h = 0xCBF29CE484222325L;
      for (int w = start; w < Math.min(words.length, start + SHINGLE_WORDS); w++) {
        h = (h ^ wordHashes[w]) * 0x100000001B3L;
      }
      shingles[start] = h;
    }
    return Arrays.stream(shingles).distinct().sorted().toArray();
  }

  private static long fnv64(String word) {
    long h = 0xCBF29CE484222325L;
    for (int i = 0; i < word.length(); i++) {
      h = (h ^ word.charAt(i)) * 0x100000001B3L;
    }
    return h;
  }
}
