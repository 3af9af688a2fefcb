package dev.tollgate.core.policy.stream;

import dev.tollgate.core.policy.PolicyDocument;
import dev.tollgate.core.policy.PolicySnapshot;
import dev.tollgate.core.policy.PolicySource;
import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.StreamObserver;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The policy as an ext-service process sees it: watched from the control plane's policy stream.
 * Until the first policy arrives everything is refused (fail closed). When the control plane is
 * unreachable the last good policy stays in force and the stream is re-opened with backoff, so a
 * control-plane restart costs the data path nothing.
 */
public final class RemotePolicySource implements PolicySource, AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(RemotePolicySource.class);
  private static final Duration MIN_BACKOFF = Duration.ofMillis(200);
  private static final Duration MAX_BACKOFF = Duration.ofSeconds(5);

  private final Channel channel;
  private final String node;
  private final ScheduledExecutorService reconnects = Executors.newSingleThreadScheduledExecutor(r -> {
    Thread thread = new Thread(r, "tollgate-policy-stream");
    thread.setDaemon(true);
    return thread;
  });
  private volatile PolicySnapshot current = PolicySnapshot.empty();
  private volatile boolean closed;
  private Duration backoff = MIN_BACKOFF;

  public RemotePolicySource(Channel channel, String node) {
    this.channel = channel;
    this.node = node;
  }

  public RemotePolicySource start() {
    watch();
    return this;
  }

  @Override
  public PolicySnapshot current() {
    return current;
  }

  private void watch() {
    if (closed) {
      return;
    }
    ClientCalls.asyncServerStreamingCall(channel.newCall(PolicyStreamProtocol.WATCH, CallOptions.DEFAULT),
        new PolicyStreamProtocol.WatchRequest(node), new StreamObserver<>() {
          @Override
          public void onNext(PolicyDocument document) {
            PolicySnapshot next = PolicySnapshot.of(document);
            if (!next.version().equals(current.version())) {
              LOG.info("policy version {} in force", next.version());
            }
            current = next;
            synchronized (RemotePolicySource.this) {
              backoff = MIN_BACKOFF;
            }
          }

          @Override
          public void onError(Throwable t) {
            retryLater("policy stream failed: " + t.getMessage());
          }

          @Override
          public void onCompleted() {
            retryLater("policy stream ended by the control plane");
          }
        });
  }

  private synchronized void retryLater(String why) {
    if (closed) {
      return;
    }
    LOG.warn("{}; keeping policy version '{}', retrying in {} ms", why, current.version(), backoff.toMillis());
    reconnects.schedule(this::watch, backoff.toMillis(), TimeUnit.MILLISECONDS);
    backoff = backoff.multipliedBy(2).compareTo(MAX_BACKOFF) > 0 ? MAX_BACKOFF : backoff.multipliedBy(2);
  }

  @Override
  public void close() {
    closed = true;
    reconnects.shutdownNow();
  }
}
