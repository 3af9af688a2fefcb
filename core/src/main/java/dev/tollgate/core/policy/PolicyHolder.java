package dev.tollgate.core.policy;

/** The current policy, replaced whole on each valid config: readers never see a half update. */
public final class PolicyHolder implements PolicySource {
  private volatile PolicySnapshot current = PolicySnapshot.empty();

  @Override
  public PolicySnapshot current() {
    return current;
  }

  public void publish(PolicySnapshot snapshot) {
    current = snapshot;
  }
}
