package dev.tollgate.authz;

import dev.tollgate.core.policy.PolicySnapshot;
import dev.tollgate.jmh.Fixtures;
import dev.tollgate.jmh.InProcess;
import io.envoyproxy.envoy.service.auth.v3.AttributeContext;
import io.envoyproxy.envoy.service.auth.v3.AuthorizationGrpc;
import io.envoyproxy.envoy.service.auth.v3.CheckRequest;
import io.envoyproxy.envoy.service.auth.v3.CheckResponse;
import java.util.List;
import java.util.Map;
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
 * One ext_authz Check over in-process gRPC with a valid key, against {@value Fixtures#CONSUMERS}
 * consumers: request id, key check, header strip list, dynamic metadata, and the gRPC unary call.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class AuthzCheckBench {
  @Param({"direct", "pooled"})
  public String executor;

  private InProcess grpc;
  private AuthorizationGrpc.AuthorizationBlockingStub stub;
  private CheckRequest request;

  @Setup(Level.Trial)
  public void setup() {
    PolicySnapshot policy = Fixtures.policyWithConsumers(Fixtures.CONSUMERS);
    grpc = new InProcess(new AuthorizationService(() -> policy, List.of(new ApiKeyVerifier())).bindService(), executor);
    stub = AuthorizationGrpc.newBlockingStub(grpc.channel);
    Map<String, String> headers = Fixtures.chatRequestHeaders(4096);
    headers.put("authorization", "Bearer " + Fixtures.apiKey(Fixtures.PRESENTED_CONSUMER));
    request = CheckRequest.newBuilder()
        .setAttributes(AttributeContext.newBuilder()
            .setRequest(AttributeContext.Request.newBuilder()
                .setHttp(AttributeContext.HttpRequest.newBuilder()
                    .setId("3f1c2b9e-8d4a-4c55-9a7e-2b1f0e6d5c4a")
                    .setMethod("POST")
                    .setPath("/v1/chat/completions")
                    .setHost("127.0.0.1:10000")
                    .setScheme("http")
                    .setProtocol("HTTP/1.1")
                    .putAllHeaders(headers))))
        .build();
    if (!check().hasOkResponse()) {
      throw new IllegalStateException("fixture key must be accepted");
    }
  }

  @TearDown(Level.Trial)
  public void tearDown() throws InterruptedException {
    grpc.close();
  }

  @Benchmark
  public CheckResponse check() {
    return stub.check(request);
  }
}
