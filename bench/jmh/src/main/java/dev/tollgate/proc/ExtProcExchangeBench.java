package dev.tollgate.proc;

import com.google.protobuf.ByteString;
import com.google.protobuf.Struct;
import com.google.protobuf.Value;
import dev.tollgate.core.TollgateHeaders;
import dev.tollgate.core.policy.PolicySnapshot;
import dev.tollgate.jmh.Fixtures;
import dev.tollgate.jmh.InProcess;
import io.envoyproxy.envoy.config.core.v3.HeaderMap;
import io.envoyproxy.envoy.config.core.v3.HeaderValue;
import io.envoyproxy.envoy.config.core.v3.Metadata;
import io.envoyproxy.envoy.service.ext_proc.v3.CommonResponse;
import io.envoyproxy.envoy.service.ext_proc.v3.ExternalProcessorGrpc;
import io.envoyproxy.envoy.service.ext_proc.v3.HttpBody;
import io.envoyproxy.envoy.service.ext_proc.v3.HttpHeaders;
import io.envoyproxy.envoy.service.ext_proc.v3.ProcessingRequest;
import io.envoyproxy.envoy.service.ext_proc.v3.ProcessingResponse;
import io.envoyproxy.envoy.service.ext_proc.v3.ProcessingResponse.ResponseCase;
import io.grpc.Channel;
import io.grpc.ClientInterceptors;
import io.grpc.stub.MetadataUtils;
import io.grpc.stub.StreamObserver;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * ext_proc over in-process gRPC, driven as Envoy drives it (cf. ext-proc's ProcStream tests).
 *
 * <ul>
 *   <li>{@link #routerExchange}: one router-stage stream: request headers with the ext_authz
 *       metadata, the 4 KB buffered body (parse, resolve, authorise, store), JSON response headers,
 *       half-close, server close.
 *   <li>{@link #upstreamAttempt}: one upstream-stage stream for a request that a live router
 *       stream has parsed, to a target whose model differs: the rewrite answer
 *       (CONTINUE_AND_REPLACE with the new body).
 * </ul>
 * Both include the client side's own work (building nothing: messages are prebuilt; reading
 * answers), which is small next to the service's.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class ExtProcExchangeBench {
  private static final String LIVE_REQUEST_ID = "req_live0000000000000000000000000000";

  @Param({"direct", "pooled"})
  public String executor;

  private InProcess grpc;
  private Channel upstreamChannel;
  private Client liveRouter;
  private ProcessingRequest requestHeaders;
  private ProcessingRequest requestBody;
  private ProcessingRequest responseHeaders;
  private ProcessingRequest upstreamHeaders;

  @Setup(Level.Trial)
  public void setup() {
    PolicySnapshot policy = Fixtures.policyWithConsumers(Fixtures.CONSUMERS);
    ExternalProcessorService service = new ExternalProcessorService(() -> policy, Duration.ofMinutes(15));
    grpc = new InProcess(service.definition(), executor);
    io.grpc.Metadata stage = new io.grpc.Metadata();
    stage.put(io.grpc.Metadata.Key.of(TollgateHeaders.STAGE_METADATA, io.grpc.Metadata.ASCII_STRING_MARSHALLER),
        TollgateHeaders.STAGE_UPSTREAM);
    upstreamChannel = ClientInterceptors.intercept(grpc.channel, MetadataUtils.newAttachHeadersInterceptor(stage));

    byte[] body = Fixtures.CHAT_4K.getBytes(StandardCharsets.UTF_8);
    requestHeaders = routerHeaders(Fixtures.REQUEST_ID, body.length);
    requestBody = ProcessingRequest.newBuilder()
        .setRequestBody(HttpBody.newBuilder().setBody(ByteString.copyFrom(body)).setEndOfStream(true))
        .build();
    Map<String, String> back = new LinkedHashMap<>();
    back.put(":status", "200");
    back.put("content-type", "application/json");
    back.put("content-length", "812");
    back.put("date", "Thu, 03 Dec 2026 16:50:55 GMT");
    back.put("x-envoy-upstream-service-time", "3");
    responseHeaders = ProcessingRequest.newBuilder()
        .setResponseHeaders(HttpHeaders.newBuilder().setHeaders(headerMap(back)))
        .build();

    Map<String, String> upstream = envoyRequestHeaders(LIVE_REQUEST_ID, body.length);
    upstream.put(":authority", "api.example.com");
    upstream.put(TollgateHeaders.MODEL, Fixtures.MODEL);
    upstream.put(TollgateHeaders.UPSTREAM_MODEL, Fixtures.UPSTREAM_MODEL);
    upstreamHeaders = ProcessingRequest.newBuilder()
        .setRequestHeaders(HttpHeaders.newBuilder().setHeaders(headerMap(upstream)))
        .build();

    // A request in flight: its router stream stays open so its parsed body stays stored.
    liveRouter = new Client(grpc.channel);
    liveRouter.send(routerHeaders(LIVE_REQUEST_ID, body.length), ResponseCase.REQUEST_HEADERS);
    liveRouter.send(requestBody, ResponseCase.REQUEST_BODY);
    if (upstreamAttempt().getRequestHeaders().getResponse().getStatus()
        != CommonResponse.ResponseStatus.CONTINUE_AND_REPLACE) {
      throw new IllegalStateException("upstream stage must rewrite the body for a different target model");
    }
  }

  @TearDown(Level.Trial)
  public void tearDown() throws InterruptedException {
    liveRouter.complete();
    grpc.close();
  }

  @Benchmark
  public ProcessingResponse routerExchange() {
    Client stream = new Client(grpc.channel);
    stream.send(requestHeaders, ResponseCase.REQUEST_HEADERS);
    stream.send(requestBody, ResponseCase.REQUEST_BODY);
    ProcessingResponse last = stream.send(responseHeaders, ResponseCase.RESPONSE_HEADERS);
    stream.complete();
    return last;
  }

  @Benchmark
  public ProcessingResponse upstreamAttempt() {
    Client stream = new Client(upstreamChannel);
    ProcessingResponse answer = stream.send(upstreamHeaders, ResponseCase.REQUEST_HEADERS);
    stream.complete();
    return answer;
  }

  // ------------------------------------------------------------------ messages as Envoy sends them

  private static Map<String, String> envoyRequestHeaders(String requestId, int contentLength) {
    Map<String, String> headers = Fixtures.chatRequestHeaders(contentLength);
    headers.put(TollgateHeaders.REQUEST_ID, requestId);
    return headers;
  }

  /** Request headers of the router stage, with the consumer ext_authz named in dynamic metadata. */
  private static ProcessingRequest routerHeaders(String requestId, int contentLength) {
    return ProcessingRequest.newBuilder()
        .setRequestHeaders(HttpHeaders.newBuilder().setHeaders(headerMap(envoyRequestHeaders(requestId, contentLength))))
        .setMetadataContext(Metadata.newBuilder().putFilterMetadata(TollgateHeaders.AUTHZ_NAMESPACE,
            Struct.newBuilder()
                .putFields(TollgateHeaders.CONSUMER_KEY,
                    Value.newBuilder().setStringValue(Fixtures.consumerName(Fixtures.PRESENTED_CONSUMER)).build())
                .putFields("credential", Value.newBuilder().setStringValue("api_key").build())
                .build()))
        .build();
  }

  private static HeaderMap headerMap(Map<String, String> headers) {
    HeaderMap.Builder map = HeaderMap.newBuilder();
    // Envoy sends values as raw bytes, leaving `value` empty.
    headers.forEach((k, v) -> map.addHeaders(HeaderValue.newBuilder()
        .setKey(k).setRawValue(ByteString.copyFrom(v, StandardCharsets.UTF_8))));
    return map.build();
  }

  /** One ext_proc stream from the client side: send a message, take its one answer. */
  private static final class Client implements StreamObserver<ProcessingResponse> {
    private final BlockingQueue<ProcessingResponse> answers = new LinkedBlockingQueue<>();
    private final CompletableFuture<Throwable> closed = new CompletableFuture<>();
    private final StreamObserver<ProcessingRequest> requests;

    Client(Channel channel) {
      requests = ExternalProcessorGrpc.newStub(channel).process(this);
    }

    ProcessingResponse send(ProcessingRequest request, ResponseCase expected) {
      requests.onNext(request);
      ProcessingResponse answer;
      try {
        answer = answers.poll(5, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException(e);
      }
      if (answer == null || answer.getResponseCase() != expected) {
        throw new IllegalStateException("expected " + expected + ", got " + (answer == null ? "nothing" : answer));
      }
      return answer;
    }

    void complete() {
      requests.onCompleted();
      try {
        Throwable error = closed.get(5, TimeUnit.SECONDS);
        if (error != null) {
          throw new IllegalStateException("stream failed", error);
        }
      } catch (Exception e) {
        throw new IllegalStateException("stream did not close cleanly", e);
      }
    }

    @Override
    public void onNext(ProcessingResponse value) {
      answers.add(value);
    }

    @Override
    public void onError(Throwable t) {
      closed.complete(t);
    }

    @Override
    public void onCompleted() {
      closed.complete(null);
    }
  }
}
