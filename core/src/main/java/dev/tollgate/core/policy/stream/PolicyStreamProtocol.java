package dev.tollgate.core.policy.stream;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tollgate.core.policy.PolicyDocument;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;

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

  private static final ObjectMapper JSON = new ObjectMapper()
      .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES); // newer control planes may add fields

  public static final MethodDescriptor<WatchRequest, PolicyDocument> WATCH =
      MethodDescriptor.<WatchRequest, PolicyDocument>newBuilder()
          .setType(MethodDescriptor.MethodType.SERVER_STREAMING)
          .setFullMethodName(MethodDescriptor.generateFullMethodName(SERVICE, "Watch"))
          .setRequestMarshaller(new JsonMarshaller<>(WatchRequest.class))
          .setResponseMarshaller(new JsonMarshaller<>(PolicyDocument.class))
          .build();

  private record JsonMarshaller<T>(Class<T> type) implements MethodDescriptor.Marshaller<T> {
    @Override
    public InputStream stream(T value) {
      try {
        return new ByteArrayInputStream(JSON.writeValueAsBytes(value));
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }

    @Override
    public T parse(InputStream stream) {
      try (stream) {
        return JSON.readValue(stream, type);
      } catch (IOException e) {
        throw Status.INTERNAL.withDescription("unreadable policy message").withCause(e).asRuntimeException();
      }
    }
  }
}
