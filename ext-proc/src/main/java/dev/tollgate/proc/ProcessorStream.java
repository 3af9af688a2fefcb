package dev.tollgate.proc;

import io.envoyproxy.envoy.service.ext_proc.v3.ProcessingRequest;
import io.envoyproxy.envoy.service.ext_proc.v3.ProcessingResponse;
import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One ext_proc gRPC stream, which is one HTTP request in Envoy. Subclasses answer each message;
 * this base turns a bug in a subclass into a closed stream (Envoy then fails the request closed)
 * instead of a hung one, and calls {@link #finish()} exactly once however the stream ends.
 */
abstract class ProcessorStream implements StreamObserver<ProcessingRequest> {
  private static final Logger LOG = LoggerFactory.getLogger(ProcessorStream.class);

  private final StreamObserver<ProcessingResponse> responses;
  private boolean finished;

  ProcessorStream(StreamObserver<ProcessingResponse> responses) {
    this.responses = responses;
  }

  /** @return the answer to this message; never null */
  abstract ProcessingResponse answer(ProcessingRequest request);

  /** Releases whatever the stream holds. */
  abstract void finish();

  @Override
  public final void onNext(ProcessingRequest request) {
    ProcessingResponse response;
    try {
      response = answer(request);
    } catch (RuntimeException e) {
      LOG.error("ext_proc stream failed on {}", request.getRequestCase(), e);
      end();
      responses.onError(Status.INTERNAL.withDescription("tollgate ext_proc failure").asRuntimeException());
      return;
    }
    responses.onNext(response);
  }

  @Override
  public final void onError(Throwable t) {
    // Envoy resets the stream when the client goes away or the request finishes early.
    end();
  }

  @Override
  public final void onCompleted() {
    end();
    responses.onCompleted();
  }

  private void end() {
    if (!finished) {
      finished = true;
      finish();
    }
  }
}
