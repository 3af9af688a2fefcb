package dev.tollgate.core;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;

/**
 * JSON messages for Tollgate's own gRPC methods (the policy stream, the usage report), so neither
 * side needs generated code. Unknown fields are ignored: a newer peer may add some.
 *
 * @param type the message's class
 * @param unreadable the status a message that cannot be read fails the call with (its description
 *     says which message)
 */
public record JsonMarshaller<T>(Class<T> type, Status unreadable) implements MethodDescriptor.Marshaller<T> {
  private static final ObjectMapper JSON = new ObjectMapper()
      .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

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
      throw unreadable.withCause(e).asRuntimeException();
    }
  }
}
