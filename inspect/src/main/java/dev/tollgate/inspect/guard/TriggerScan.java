package dev.tollgate.inspect.guard;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Finds which rules' trigger pieces occur in a text in one pass (Aho-Corasick), instead of one
 * {@code String.contains} per trigger: a 4 KB prompt is read once, not some 150 times. Triggers
 * are ASCII; any other character simply leads back to the root.
 */
final class TriggerScan {
  private static final int ALPHABET = 128;

  private final int[][] next;
  /** For each state, the rules (as a bit mask) whose trigger ends here or at a suffix of here. */
  private final long[] output;

  private TriggerScan(int[][] next, long[] output) {
    this.next = next;
    this.output = output;
  }

  /** @param triggers per rule (at most 64 rules), the pieces of which one must occur */
  static TriggerScan of(List<List<String>> triggers) {
    if (triggers.size() > 64) {
      throw new IllegalArgumentException("at most 64 rules");
    }
    List<int[]> goTo = new ArrayList<>();
    List<Long> out = new ArrayList<>();
    goTo.add(filled());
    out.add(0L);
    for (int rule = 0; rule < triggers.size(); rule++) {
      for (String trigger : triggers.get(rule)) {
        int state = 0;
        for (int i = 0; i < trigger.length(); i++) {
          char c = trigger.charAt(i);
          if (c >= ALPHABET) {
            throw new IllegalArgumentException("triggers must be ASCII");
          }
          if (goTo.get(state)[c] < 0) {
            goTo.add(filled());
            out.add(0L);
            goTo.get(state)[c] = goTo.size() - 1;
          }
          state = goTo.get(state)[c];
        }
        out.set(state, out.get(state) | (1L << rule));
      }
    }
    // Breadth-first: failure links, folded into a complete transition table.
    int states = goTo.size();
    int[] fail = new int[states];
    int[][] next = new int[states][];
    long[] output = new long[states];
    for (int s = 0; s < states; s++) {
      next[s] = goTo.get(s).clone();
      output[s] = out.get(s);
    }
    int[] queue = new int[states];
    int head = 0;
    int tail = 0;
    for (int c = 0; c < ALPHABET; c++) {
      if (next[0][c] < 0) {
        next[0][c] = 0;
      } else {
        fail[next[0][c]] = 0;
        queue[tail++] = next[0][c];
      }
    }
    while (head < tail) {
      int s = queue[head++];
      output[s] |= output[fail[s]];
      for (int c = 0; c < ALPHABET; c++) {
        int t = next[s][c];
        if (t < 0) {
          next[s][c] = next[fail[s]][c];
        } else {
          fail[t] = next[fail[s]][c];
          queue[tail++] = t;
        }
      }
    }
    return new TriggerScan(next, output);
  }

  private static int[] filled() {
    int[] row = new int[ALPHABET];
    Arrays.fill(row, -1);
    return row;
  }

  /** Bit i set when a trigger of rule i occurs in the text. */
  long scan(String text) {
    int state = 0;
    long found = 0;
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      state = c < ALPHABET ? next[state][c] : 0;
      found |= output[state];
    }
    return found;
  }
}
