package dev.tollgate.proc;

import dev.tollgate.core.TollgateHeaders;
import io.grpc.Context;
import io.grpc.Contexts;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;

/**
 * Tells the two ext_proc stages apart. Both call the same gRPC method; the upstream filter's
 * config adds a metadata entry to its stream, which this interceptor moves into the call context.
 */
public final class StageInterceptor implements ServerInterceptor {
  static final Context.Key<Boolean> UPSTREAM = Context.key("tollgate-upstream-stage");
  private static final Metadata.Key<String> STAGE =
      Metadata.Key.of(TollgateHeaders.STAGE_METADATA, Metadata.ASCII_STRING_MARSHALLER);

  @Override
  public <Q, R> ServerCall.Listener<Q> interceptCall(
      ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
    boolean upstream = TollgateHeaders.STAGE_UPSTREAM.equals(headers.get(STAGE));
    return Contexts.interceptCall(Context.current().withValue(UPSTREAM, upstream), call, headers, next);
  }
}
