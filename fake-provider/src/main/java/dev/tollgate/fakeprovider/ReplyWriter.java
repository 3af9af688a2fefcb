package dev.tollgate.fakeprovider;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.Headers;
import com.sun.net.httpserver.HttpExchange;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * Puts a {@link Reply} on the wire: the configured delay first, then the echo headers, then the
 * body. Streams are written one event at a time and flushed after each, so a client sees every
 * chunk arrive on its own, as from a real model.
 */
final class ReplyWriter {

  static final String NAME_HEADER = "x-fake-provider-name";
  static final String MODEL_HEADER = "x-fake-provider-received-model";
  static final String AUTHORIZATION_HEADER = "x-fake-provider-received-authorization";

  private static final byte[] DONE = "data: [DONE]\n\n".getBytes(StandardCharsets.UTF_8);

  private final FakeProviderSettings settings;
  private final ObjectMapper mapper;

  ReplyWriter(FakeProviderSettings settings, ObjectMapper mapper) {
    this.settings = settings;
    this.mapper = mapper;
  }

  /**
   * Waits the configured delay, then sends.
   *
   * @param stallMidStream for a stream: send two events, then wait {@link BehaviorHeader#STALL}
   */
  void write(HttpExchange exchange, IncomingRequest request, Reply reply, boolean stallMidStream)
      throws IOException, InterruptedException {
    pause(settings.delay());
    send(exchange, request, reply, stallMidStream);
  }

  void send(HttpExchange exchange, IncomingRequest request, Reply reply)
      throws IOException, InterruptedException {
    send(exchange, request, reply, false);
  }

  /**
   * Sends without the delay; for the crash path, where the delay may be what failed.
   *
   * @param request null when the request could not even be read
   */
  private void send(HttpExchange exchange, IncomingRequest request, Reply reply, boolean stallMidStream)
      throws IOException, InterruptedException {
    echoHeaders(exchange.getResponseHeaders(), request);
    if (reply instanceof Reply.Json json) {
      sendJson(exchange, json);
    } else if (reply instanceof Reply.EventStream stream) {
      sendStream(exchange, stream, stallMidStream);
    } else {
      throw new IllegalStateException("unknown reply " + reply);
    }
  }

  private void echoHeaders(Headers headers, IncomingRequest request) {
    String model = request == null ? null : request.model();
    String authorization = request == null ? null : request.header("authorization");
    headers.set(NAME_HEADER, settings.name());
    headers.set(MODEL_HEADER, headerSafe(model));
    headers.set(AUTHORIZATION_HEADER, headerSafe(authorization));
  }

  private void sendJson(HttpExchange exchange, Reply.Json json) throws IOException {
    byte[] body = mapper.writeValueAsBytes(json.body());
    json.headers().forEach(exchange.getResponseHeaders()::set);
    exchange.getResponseHeaders().set("content-type", "application/json");
    exchange.sendResponseHeaders(json.status(), body.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(body);
    }
  }

  private void sendStream(HttpExchange exchange, Reply.EventStream stream, boolean stallMidStream)
      throws IOException, InterruptedException {
    exchange.getResponseHeaders().set("content-type", "text/event-stream; charset=utf-8");
    exchange.getResponseHeaders().set("cache-control", "no-cache");
    exchange.sendResponseHeaders(200, 0); // length 0 means chunked transfer encoding
    try (OutputStream out = exchange.getResponseBody()) {
      int sent = 0;
      for (JsonNode chunk : stream.chunks()) {
        if (sent > 0) {
          pause(settings.interChunkDelay());
        }
        if (stallMidStream && sent == 2) {
          pause(BehaviorHeader.STALL);
        }
        sent++;
        out.write(("data: " + mapper.writeValueAsString(chunk) + "\n\n").getBytes(StandardCharsets.UTF_8));
        out.flush();
      }
      pause(settings.interChunkDelay());
      out.write(DONE);
      out.flush();
    }
  }

  private static void pause(Duration duration) throws InterruptedException {
    if (!duration.isZero()) {
      TimeUnit.NANOSECONDS.sleep(duration.toNanos());
    }
  }

  /**
   * The echoed value, or "" when absent. Characters a header cannot carry unchanged (controls,
   * non-ASCII) become '?', so a hostile model name can neither break nor inject a header.
   */
  private static String headerSafe(String value) {
    if (value == null) {
      return "";
    }
    StringBuilder safe = new StringBuilder(value.length());
    value.chars().forEach(c -> safe.append(c >= 0x20 && c < 0x7f ? (char) c : '?'));
    return safe.toString();
  }
}
