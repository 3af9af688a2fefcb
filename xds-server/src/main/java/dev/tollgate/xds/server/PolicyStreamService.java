package dev.tollgate.xds.server;

import dev.tollgate.core.policy.PolicyDocument;
import dev.tollgate.core.policy.PolicyHolder;
import dev.tollgate.core.policy.stream.PolicyStreamProtocol;
import io.grpc.BindableService;
import io.grpc.ServerServiceDefinition;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.ServerCalls;
import io.grpc.stub.StreamObserver;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Serves the policy stream: each watcher gets the policy in force at once, then every new
 * version as the control plane publishes it. A watcher that goes away is forgotten.
 */
public final class PolicyStreamService implements BindableService {
  private static final Logger LOG = LoggerFactory.getLogger(PolicyStreamService.class);
  private final PolicyHolder policy;

  public PolicyStreamService(PolicyHolder policy) {
    this.policy = policy;
  }

  @Override
  public ServerServiceDefinition bindService() {
    return ServerServiceDefinition.builder(PolicyStreamProtocol.SERVICE)
        .addMethod(PolicyStreamProtocol.WATCH, ServerCalls.asyncServerStreamingCall(this::watch))
        .build();
  }

  private void watch(PolicyStreamProtocol.WatchRequest request, StreamObserver<PolicyDocument> responses) {
    ServerCallStreamObserver<PolicyDocument> call = (ServerCallStreamObserver<PolicyDocument>) responses;
    LOG.info("ext services '{}' watch the policy", request.node());
    Consumer<PolicyDocument> send = document -> {
      // gRPC observers are not thread-safe; publishes and the first send may race.
      synchronized (call) {
        if (!call.isCancelled()) {
          call.onNext(document);
        }
      }
    };
    call.setOnCancelHandler(() -> {
      policy.removeListener(send);
      LOG.info("ext services '{}' stopped watching", request.node());
    });
    policy.addListener(send);
    send.accept(policy.document());
  }
}
