package dev.tollgate.fakeprovider;

import com.fasterxml.jackson.databind.node.ObjectNode;

/** One OpenAI route. Transport checks (path, method, JSON, model) are done before it is called. */
interface Endpoint {

  /**
   * @param body  the request body, a JSON object
   * @param model the request's model, already known to be a non-empty string
   */
  Reply answer(ObjectNode body, String model) throws RequestRejected;
}
