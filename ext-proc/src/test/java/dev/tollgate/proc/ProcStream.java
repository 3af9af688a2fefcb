package dev.tollgate.proc;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import com.google.protobuf.Struct;
import com.google.protobuf.Value;
import io.envoyproxy.envoy.config.core.v3.HeaderMap;
import io.envoyproxy.envoy.config.core.v3.HeaderValue;
import io.envoyproxy.envoy.config.core.v3.HeaderValueOption;
import io.envoyproxy.envoy.config.core.v3.Metadata;
import io.envoyproxy.envoy.service.ext_proc.v3.ExternalProcessorGrpc;
import io.envoyproxy.envoy.service.ext_proc.v3.HttpBody;
import io.envoyproxy.envoy.service.ext_proc.v3.HttpHeaders;
import io.envoyproxy.envoy.service.ext_proc.v3.ProcessingRequest;
import io.envoyproxy.envoy.service.ext_proc.v3.ProcessingResponse;
import io.grpc.Channel;
import io.grpc.stub.StreamObserver;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/** One ext_proc stream driven like Envoy drives it: send a message, take the answer. */
final class ProcStream implements AutoCloseable {
  private final BlockingQueue<ProcessingResponse> responses = new LinkedBlockingQueue<>();
  private final CompletableFuture<Throwable> closed = new CompletableFuture<>();
  private final StreamObserver<ProcessingRequest> requests;
  private boolean halfClosed;

  ProcStream(Channel channel) {
    requests = ExternalProcessorGrpc.newStub(channel).process(new StreamObserver<>() {
      @Override
      public void onNext(ProcessingResponse value) {
        responses.add(value);
      }

      @Override
      public void onError(Throwable t) {
        closed.complete(t);
      }

      @Override
      public void onCompleted() {
        closed.complete(null);
      }
    });
  }

  /** Sends one message and returns the one answer to it. */
  ProcessingResponse send(ProcessingRequest request) {
    requests.onNext(request);
    try {
      ProcessingResponse response = responses.poll(10, TimeUnit.SECONDS);
      assertThat(response).as("answer to %s", request.getRequestCase()).isNotNull();
      return response;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  /** Cancels the call, as Envoy resets a stream when the client goes away. */
  void cancel() {
    ((io.grpc.stub.ClientCallStreamObserver<ProcessingRequest>) requests).cancel("client went away", null);
    awaitClose();
  }

  void sendWithoutAnswer(ProcessingRequest request) {
    requests.onNext(request);
  }

  /** Half-closes like Envoy at the end of a request and waits for the server to close too. */
  void complete() {
    halfClosed = true;
    requests.onCompleted();
    assertThat(awaitClose()).as("stream closed cleanly").isNull();
  }

  /** @return null when the server completed, the error when it failed the stream */
  Throwable awaitClose() {
    try {
      return closed.get(10, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new AssertionError("stream did not close", e);
    }
  }

  @Override
  public void close() {
    if (!halfClosed && !closed.isDone()) {
      requests.onCompleted();
    }
  }

  // ------------------------------------------------------------------ messages as Envoy sends them

  static HeaderMap headerMap(Map<String, String> headers) {
    HeaderMap.Builder map = HeaderMap.newBuilder();
    // Envoy sends values as raw bytes, leaving `value` empty.
    headers.forEach((k, v) -> map.addHeaders(HeaderValue.newBuilder()
        .setKey(k).setRawValue(ByteString.copyFrom(v, StandardCharsets.UTF_8))));
    return map.build();
  }

  static ProcessingRequest requestHeaders(Map<String, String> headers, String consumer, boolean endOfStream) {
    ProcessingRequest.Builder request = ProcessingRequest.newBuilder()
        .setRequestHeaders(HttpHeaders.newBuilder().setHeaders(headerMap(headers)).setEndOfStream(endOfStream));
    if (consumer != null) {
      request.setMetadataContext(Metadata.newBuilder().putFilterMetadata("envoy.filters.http.ext_authz",
          Struct.newBuilder()
              .putFields("consumer", Value.newBuilder().setStringValue(consumer).build())
              .putFields("credential", Value.newBuilder().setStringValue("api_key").build())
              .build()));
    }
    return request.build();
  }

  static ProcessingRequest requestBody(String body) {
    return ProcessingRequest.newBuilder()
        .setRequestBody(HttpBody.newBuilder().setBody(ByteString.copyFromUtf8(body)).setEndOfStream(true))
        .build();
  }

  static ProcessingRequest responseHeaders(Map<String, String> headers, boolean endOfStream) {
    return ProcessingRequest.newBuilder()
        .setResponseHeaders(HttpHeaders.newBuilder().setHeaders(headerMap(headers)).setEndOfStream(endOfStream))
        .build();
  }

  static ProcessingRequest responseBody(String body, boolean endOfStream) {
    return ProcessingRequest.newBuilder()
        .setResponseBody(HttpBody.newBuilder().setBody(ByteString.copyFromUtf8(body)).setEndOfStream(endOfStream))
        .build();
  }

  // ------------------------------------------------------------------ reading answers

  static String value(HeaderValue header) {
    return header.getRawValue().isEmpty() ? header.getValue() : header.getRawValue().toStringUtf8();
  }

  /** The value of a header set by a mutation, or null; fails when it is set more than once. */
  static String setHeader(List<HeaderValueOption> headers, String name) {
    List<String> values = headers.stream()
        .filter(h -> h.getHeader().getKey().equals(name))
        .map(h -> value(h.getHeader()))
        .toList();
    assertThat(values).as("header %s set at most once", name).hasSizeLessThanOrEqualTo(1);
    return values.isEmpty() ? null : values.get(0);
  }
}
