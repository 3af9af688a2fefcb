package dev.tollgate.proc;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tollgate.proc.inspect.RequestInspection;

/**
 * A request body parsed once by the router stage and kept for the upstream stage of each attempt.
 * The tree is never mutated after it is stored: the upstream stage writes a changed copy.
 *
 * @param bodyChanged the router stage changed the tree before storing it (PII redaction, forced
 *     stream options), so the upstream stage must send the tree, not the client's bytes
 * @param inspection what the request side decided, for the response side; null until stored
 */
record ParsedRequest(ObjectNode body, String model, boolean stream, boolean bodyChanged,
    RequestInspection inspection) {

  ParsedRequest(ObjectNode body, String model, boolean stream) {
    this(body, model, stream, false, null);
  }

  /** This request with the request side's decisions, ready to be stored. */
  ParsedRequest inspected(RequestInspection decided, boolean changed) {
    return new ParsedRequest(body, model, stream, bodyChanged || changed, decided);
  }
}
