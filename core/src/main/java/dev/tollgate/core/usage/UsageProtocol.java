package dev.tollgate.core.usage;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.List;

/**
 * The usage report: one unary gRPC method from an ext-services process to the control plane,
 * beside the policy stream and in the same style (JSON messages, no generated code). Each call
 * carries a batch of records; the answer says how many were new (the rest were duplicates of
 * records the ledger already had). An error status means nothing was written and the sender
 * must send the batch again.
 */
public final class UsageProtocol {
  private UsageProtocol() {}

  public static final String SERVICE = "tollgate.usage.v1.UsageLedger";

  /** @param node the ext-services process's name, for the control plane's log */
  public record Batch(@JsonProperty("node") String node, @JsonProperty("records") List<UsageRecord> records) {
    public Batch {
      records = records == null ? List.of() : List.copyOf(records);
    }
  }

  /** @param inserted records that were new; the others were already in the ledger */
  public record Ack(@JsonProperty("inserted") int inserted) {}

  private static final ObjectMapper JSON = new ObjectMapper()
      .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES); // newer senders may add fields

  public static final MethodDescriptor<Batch, Ack> REPORT = MethodDescriptor.<Batch, Ack>newBuilder()
      .setType(MethodDescriptor.MethodType.UNARY)
      .setFullMethodName(MethodDescriptor.generateFullMethodName(SERVICE, "Report"))
      .setRequestMarshaller(new JsonMarshaller<>(Batch.class))
      .setResponseMarshaller(new JsonMarshaller<>(Ack.class))
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
        throw Status.INVALID_ARGUMENT.withDescription("unreadable usage message").withCause(e).asRuntimeException();
      }
    }
  }
}
