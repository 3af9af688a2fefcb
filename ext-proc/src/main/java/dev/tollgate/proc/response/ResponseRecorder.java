package dev.tollgate.proc.response;

/** Receives each response's summary when the response ends: metrics and the audit record. */
@FunctionalInterface
public interface ResponseRecorder {
  ResponseRecorder NONE = summary -> {};

  void record(ResponseSummary summary);
}
