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
  /** The current request's wire fault; handlers run one request per thread. */
  private final ThreadLocal<BehaviorHeader.StreamFault> fault = new ThreadLocal<>();

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
    write(exchange, request, reply, stallMidStream, null);
  }

  /** @param fault how to deviate from the plain wire format; null for none */
  void write(HttpExchange exchange, IncomingRequest request, Reply reply, boolean stallMidStream,
      BehaviorHeader.StreamFault fault) throws IOException, InterruptedException {
    pause(settings.delay());
    this.fault.set(fault);
    try {
      send(exchange, request, reply, stallMidStream);
    } finally {
      this.fault.remove();
    }
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
    } else if (reply instanceof Reply.Raw raw) {
      byte[] body = raw.body().getBytes(StandardCharsets.UTF_8);
      exchange.getResponseHeaders().set("content-type", raw.contentType());
      exchange.sendResponseHeaders(raw.status(), body.length);
      try (OutputStream out = exchange.getResponseBody()) {
        out.write(body);
      }
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
    if (fault.get() == BehaviorHeader.StreamFault.GZIP) {
      java.io.ByteArrayOutputStream compressed = new java.io.ByteArrayOutputStream();
      try (java.util.zip.GZIPOutputStream gzip = new java.util.zip.GZIPOutputStream(compressed)) {
        gzip.write(body);
      }
      body = compressed.toByteArray();
      exchange.getResponseHeaders().set("content-encoding", "gzip");
    }
    exchange.sendResponseHeaders(json.status(), body.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(body);
    }
  }

  private void sendStream(HttpExchange exchange, Reply.EventStream stream, boolean stallMidStream)
      throws IOException, InterruptedException {
    exchange.getResponseHeaders().set("content-type", "text/event-stream; charset=utf-8");
    exchange.getResponseHeaders().set("cache-control", "no-cache");
    BehaviorHeader.StreamFault fault = this.fault.get();
    if (fault == BehaviorHeader.StreamFault.GZIP) {
      exchange.getResponseHeaders().set("content-encoding", "gzip");
    }
    exchange.sendResponseHeaders(200, 0); // length 0 means chunked transfer encoding
    java.util.List<JsonNode> chunks = fault == BehaviorHeader.StreamFault.SSE_PER_CHAR
        ? perCodePoint(stream.chunks()) : stream.chunks();
    try (OutputStream out = fault == BehaviorHeader.StreamFault.GZIP
        ? new java.util.zip.GZIPOutputStream(exchange.getResponseBody(), true) : exchange.getResponseBody()) {
      int sent = 0;
      for (JsonNode chunk : chunks) {
        if (sent > 0) {
          pause(settings.interChunkDelay());
        }
        if (stallMidStream && sent == 2) {
          pause(BehaviorHeader.STALL);
        }
        if (fault == BehaviorHeader.StreamFault.SSE_ERROR && sent == 2) {
          out.write(("data: {\"error\":{\"message\":\"The server had an error while processing your request.\","
              + "\"type\":\"server_error\",\"param\":null,\"code\":null}}\n\n").getBytes(StandardCharsets.UTF_8));
          out.flush();
          return;
        }
        byte[] event = ("data: " + mapper.writeValueAsString(chunk) + "\n\n").getBytes(StandardCharsets.UTF_8);
        if (fault == BehaviorHeader.StreamFault.SSE_TRUNCATED && sent == chunks.size() - 1) {
          out.write(event, 0, event.length / 2);
          out.flush();
          return;
        }
        sent++;
        if (fault == BehaviorHeader.StreamFault.SSE_SPLIT) {
          writeSplit(out, ("data: " + mapper.writeValueAsString(chunk) + "\r\n\r\n").getBytes(StandardCharsets.UTF_8));
        } else {
          out.write(event);
          out.flush();
        }
        if (fault == BehaviorHeader.StreamFault.SSE_BROKEN && sent == 1) {
          out.write("data: {\"id\": not json at all\n\n".getBytes(StandardCharsets.UTF_8));
          out.flush();
        }
      }
      pause(settings.interChunkDelay());
      out.write(DONE);
      out.flush();
    }
  }

  /** Two flushed writes cut inside the JSON, after a keep-alive comment: chunk boundaries anywhere. */
  private static void writeSplit(OutputStream out, byte[] event) throws IOException, InterruptedException {
    out.write(": keep-alive\r\n\r\n".getBytes(StandardCharsets.UTF_8));
    int half = event.length / 2;
    out.write(event, 0, half);
    out.flush();
    pause(Duration.ofMillis(2));
    out.write(event, half, event.length - half);
    out.flush();
  }

  /** Each chunk with text becomes one chunk per code point, everything else unchanged. */
  private static java.util.List<JsonNode> perCodePoint(java.util.List<JsonNode> chunks) {
    java.util.List<JsonNode> out = new java.util.ArrayList<>();
    for (JsonNode chunk : chunks) {
      JsonNode content = chunk.path("choices").path(0).path("delta").path("content");
      String text = content.isTextual() ? content.textValue() : "";
      if (text.codePointCount(0, text.length()) < 2) {
        out.add(chunk);
        continue;
      }
      text.codePoints().forEach(codePoint -> {
        com.fasterxml.jackson.databind.node.ObjectNode copy = chunk.deepCopy();
        ((com.fasterxml.jackson.databind.node.ObjectNode) copy.path("choices").path(0).path("delta"))
            .put("content", new String(Character.toChars(codePoint)));
        out.add(copy);
      });
    }
    return out;
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
