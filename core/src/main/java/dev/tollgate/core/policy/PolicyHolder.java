package dev.tollgate.core.policy;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/**
 * The policy in force, replaced whole on each valid config so readers never see a half update.
 * Listeners (the policy stream to remote ext services) hear of each new document.
 */
public final class PolicyHolder implements PolicySource {
  private volatile PolicyDocument document = PolicyDocument.empty();
  private volatile PolicySnapshot current = PolicySnapshot.empty();
  private final List<Consumer<PolicyDocument>> listeners = new CopyOnWriteArrayList<>();

  @Override
  public PolicySnapshot current() {
    return current;
  }

  public PolicyDocument document() {
    return document;
  }

  public synchronized void publish(PolicyDocument next) {
    current = PolicySnapshot.of(next);
    document = next;
    for (Consumer<PolicyDocument> listener : listeners) {
      listener.accept(next);
    }
  }

  public void addListener(Consumer<PolicyDocument> listener) {
    listeners.add(listener);
  }

  public void removeListener(Consumer<PolicyDocument> listener) {
    listeners.remove(listener);
  }
}
