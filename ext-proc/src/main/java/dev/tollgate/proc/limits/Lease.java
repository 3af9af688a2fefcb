package dev.tollgate.proc.limits;

/** Concurrency slots held by one request; {@link #release()} gives them back, at most once. */
interface Lease {
  Lease NONE = () -> {};

  void release();
}
