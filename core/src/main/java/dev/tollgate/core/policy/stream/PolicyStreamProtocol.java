package dev.tollgate.core.policy.stream;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.tollgate.core.JsonMarshaller;
import dev.tollgate.core.policy.PolicyDocument;
import io.grpc.MethodDescriptor;
import io.grpc.Status;

/**
 * The policy stream: one server-streaming gRPC method from the control plane to each ext-service
 * process. The first message is the policy in force, then one per new version. Messages are JSON
 * (the document is small and changes rarely), so no generated code is needed on either side.
 */
public final class PolicyStreamProtocol {
  private PolicyStreamProtocol() {}

  public static final String SERVICE = "tollgate.policy.v1.PolicyDistribution";

  /** Who is asking, for the control plane's log. */
  public record WatchRequest(@JsonProperty("node") String node) {}

  private static final Status UNREADABLE = Status.INTERNAL.withDescription("unreadable policy message");

  public static final MethodDescriptor<WatchRequest, PolicyDocument> WATCH =
      MethodDescriptor.<WatchRequest, PolicyDocument>newBuilder()
          .setType(MethodDescriptor.MethodType.SERVER_STREAMING)
          .setFullMethodName(MethodDescriptor.generateFullMethodName(SERVICE, "Watch"))
          .setRequestMarshaller(new JsonMarshaller<>(WatchRequest.class, UNREADABLE))
          .setResponseMarshaller(new JsonMarshaller<>(PolicyDocument.class, UNREADABLE))
          .build();
}
