package dev.tollgate.core.usage;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.tollgate.core.JsonMarshaller;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
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

  private static final Status UNREADABLE = Status.INVALID_ARGUMENT.withDescription("unreadable usage message");

  public static final MethodDescriptor<Batch, Ack> REPORT = MethodDescriptor.<Batch, Ack>newBuilder()
      .setType(MethodDescriptor.MethodType.UNARY)
      .setFullMethodName(MethodDescriptor.generateFullMethodName(SERVICE, "Report"))
      .setRequestMarshaller(new JsonMarshaller<>(Batch.class, UNREADABLE))
      .setResponseMarshaller(new JsonMarshaller<>(Ack.class, UNREADABLE))
      .build();
}
