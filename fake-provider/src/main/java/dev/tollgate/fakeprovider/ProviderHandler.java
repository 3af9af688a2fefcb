package dev.tollgate.fakeprovider;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Every request goes through here: read it, record it, pick the reply, write it. Nothing may escape:
 * an exception thrown out of an {@link HttpHandler} leaves the client waiting, which would turn a bug
 * in the fake into a mysterious timeout in the test using it.
 */
final class ProviderHandler implements HttpHandler {

  private static final Logger LOG = LoggerFactory.getLogger(ProviderHandler.class);

  private final Map<String, Endpoint> endpoints;
  private final RequestJournal journal;
  private final ReplyWriter writer;
  private final ObjectMapper mapper;
  private final BehaviorHeader behaviors = new BehaviorHeader();

  ProviderHandler(FakeProviderSettings settings, RequestJournal journal, ObjectMapper mapper) {
    this(settings, journal, mapper, Map.of(
        "/v1/chat/completions", new ChatCompletionsEndpoint(settings),
        "/v1/completions", new CompletionsEndpoint(settings),
        "/v1/embeddings", new EmbeddingsEndpoint()));
  }

  /** With other endpoints by path; lets a test plant a failing one. */
  ProviderHandler(
      FakeProviderSettings settings, RequestJournal journal, ObjectMapper mapper, Map<String, Endpoint> endpoints) {
    this.endpoints = Map.copyOf(endpoints);
    this.journal = journal;
    this.writer = new ReplyWriter(settings, mapper);
    this.mapper = mapper;
  }

  @Override
  public void handle(HttpExchange exchange) {
    IncomingRequest request = null;
    try {
      request = IncomingRequest.read(exchange, mapper);
      journal.add(request.toReceived());
      var misbehavior = behaviors.misbehavior(request);
      if (misbehavior.isPresent() && misbehavior.get() instanceof BehaviorHeader.Misbehavior.Reset) {
        // Close without a status line: to the client this is a connection reset before headers.
        return;
      }
      if (misbehavior.isPresent() && misbehavior.get() instanceof BehaviorHeader.Misbehavior.StallFirstByte) {
        java.util.concurrent.TimeUnit.MILLISECONDS.sleep(BehaviorHeader.STALL.toMillis());
      }
      boolean stallMidStream = misbehavior.isPresent()
          && misbehavior.get() instanceof BehaviorHeader.Misbehavior.StallMidStream;
      BehaviorHeader.StreamFault fault = misbehavior.isPresent()
          && misbehavior.get() instanceof BehaviorHeader.Misbehavior.WireFault wire ? wire.fault() : null;
      writer.write(exchange, request, replyTo(request, misbehavior.orElse(null)), stallMidStream, fault);
    } catch (InterruptedException e) {
      // Only close() interrupts a handler; the client's connection is being torn down anyway.
      Thread.currentThread().interrupt();
    } catch (Exception e) {
      crashed(exchange, request, e);
    } finally {
      exchange.close();
    }
  }

  private Reply replyTo(IncomingRequest request, BehaviorHeader.Misbehavior misbehavior) {
    if (misbehavior instanceof BehaviorHeader.Misbehavior.Status forced) {
      return ApiError.simulated(forced.status()).toReply();
    }
    if (misbehavior instanceof BehaviorHeader.Misbehavior.OddErrorBody odd) {
      return odd.style().equals("html")
          ? new Reply.Raw(odd.status(), "text/html", "<html><head><title>" + odd.status()
              + "</title></head><body><h1>Upstream error</h1></body></html>")
          : new Reply.Raw(odd.status(), "application/json",
              "{\"detail\":\"simulated " + odd.status() + " from the fake provider\"}");
    }
    Endpoint endpoint = endpoints.get(request.path());
    if (endpoint == null) {
      return ApiError.notFound(request.method(), request.path()).toReply();
    }
    if (!"POST".equals(request.method())) {
      return ApiError.methodNotAllowed(request.method(), request.path()).toReply(Map.of("allow", "POST"));
    }
    if (request.json() == null || !request.json().isObject()) {
      return ApiError.malformedJson().toReply();
    }
    if (request.model() == null) {
      return ApiError.missingModel().toReply();
    }
    ObjectNode body = (ObjectNode) request.json();
    if (misbehavior instanceof BehaviorHeader.Misbehavior.IgnoreMaxTokens
        || misbehavior instanceof BehaviorHeader.Misbehavior.ToolCall toolCall && toolCall.ignoreMaxTokens()) {
      body = body.deepCopy();
      body.remove("max_tokens");
      body.remove("max_completion_tokens");
    }
    try {
      Reply reply = misbehavior instanceof BehaviorHeader.Misbehavior.ToolCall
          && endpoint instanceof ChatCompletionsEndpoint chat
          ? chat.toolCalls(body, request.model()) : endpoint.answer(body, request.model());
      return misbehavior instanceof BehaviorHeader.Misbehavior.NoUsage ? withoutUsage(reply) : reply;
    } catch (RequestRejected rejected) {
      return rejected.error().toReply();
    }
  }

  /** A plain JSON answer with its {@code usage} object removed; anything else as it is. */
  private static Reply withoutUsage(Reply reply) {
    if (reply instanceof Reply.Json json && json.body() instanceof ObjectNode root) {
      ObjectNode copy = root.deepCopy();
      copy.remove("usage");
      return new Reply.Json(json.status(), copy, json.headers());
    }
    return reply;
  }

  private void crashed(HttpExchange exchange, IncomingRequest request, Exception cause) {
    LOG.warn("fake provider failed on {} {}", exchange.getRequestMethod(), exchange.getRequestURI(), cause);
    // Once the status line is out (mid-stream) nothing better than closing is left to do.
    if (exchange.getResponseCode() != -1) {
      return;
    }
    try {
      writer.send(exchange, request, ApiError.internal(cause).toReply());
    } catch (Exception secondFailure) {
      LOG.warn("fake provider could not even answer 500", secondFailure);
    }
  }
}
