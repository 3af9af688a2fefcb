package dev.tollgate.proc;

import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * A request body parsed once by the router stage and kept for the upstream stage of each attempt.
 * The tree is never mutated after it is stored: the upstream stage writes a changed copy.
 */
record ParsedRequest(ObjectNode body, String model, boolean stream) {}
