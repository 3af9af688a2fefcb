package dev.tollgate.fakeprovider;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;

/**
 * The requests a provider received, oldest first. Bounded, so a long load test against the fake
 * cannot exhaust the heap: past the capacity the oldest entries are dropped.
 */
final class RequestJournal {

  static final int DEFAULT_CAPACITY = 10_000;

  private final int capacity;
  private final Deque<ReceivedRequest> entries = new ArrayDeque<>();
  /** Every request since the last clear, also those dropped from the bounded list. */
  private long total;

  RequestJournal(int capacity) {
    if (capacity < 1) {
      throw new IllegalArgumentException("capacity must be at least 1");
    }
    this.capacity = capacity;
  }

  synchronized void add(ReceivedRequest request) {
    if (entries.size() == capacity) {
      entries.removeFirst();
    }
    entries.addLast(request);
    total++;
  }

  synchronized long total() {
    return total;
  }

  synchronized List<ReceivedRequest> snapshot() {
    return List.copyOf(entries);
  }

  synchronized void clear() {
    entries.clear();
    total = 0;
  }
}
