package dev.tollgate.core.policy;

/**
 * Where an ext service reads the policy in force. All-in-one it is the control plane's holder in
 * the same JVM; a remote policy stream will implement the same interface.
 */
public interface PolicySource {
  PolicySnapshot current();
}
