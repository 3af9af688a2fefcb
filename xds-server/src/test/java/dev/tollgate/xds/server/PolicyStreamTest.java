package dev.tollgate.xds.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.core.policy.PolicyDocument;
import dev.tollgate.core.policy.PolicyHolder;
import dev.tollgate.core.policy.stream.RemotePolicySource;
import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The policy stream between the control plane and a remote ext-services process. */
class PolicyStreamTest {
  private final String name = InProcessServerBuilder.generateName();
  private final PolicyHolder holder = new PolicyHolder();
  private final ManagedChannel channel = InProcessChannelBuilder.forName(name).directExecutor().build();
  private Server server;
  private RemotePolicySource remote;

  private static PolicyDocument document(String version, String consumer) {
    return new PolicyDocument(version,
        List.of(new PolicyDocument.Consumer(consumer, List.of("ab".repeat(32)), List.of("gpt-*"))),
        List.of("gpt-4o"), 4096, null, null);
  }

  private void startServer() throws Exception {
    server = InProcessServerBuilder.forName(name).directExecutor()
        .addService(new PolicyStreamService(holder)).build().start();
  }

  @AfterEach
  void stop() {
    if (remote != null) {
      remote.close();
    }
    channel.shutdownNow();
    if (server != null) {
      server.shutdownNow();
    }
  }

  @Test
  void refusesEverythingUntilTheFirstPolicyThenFollowsEveryVersion() throws Exception {
    holder.publish(document("v1", "alice"));
    remote = new RemotePolicySource(channel, "test");
    assertThat(remote.current().apiKeysByHash()).isEmpty();
    startServer();
    remote.start();
    await(() -> remote.current().version().equals("v1"));
    assertThat(remote.current().consumer("alice")).isPresent();
    assertThat(remote.current().maxRequestBodyBytes()).isEqualTo(4096);

    holder.publish(document("v2", "bob"));
    await(() -> remote.current().version().equals("v2"));
    assertThat(remote.current().consumer("alice")).isEmpty();
    assertThat(remote.current().consumer("bob")).isPresent();
  }

  @Test
  void keepsTheLastPolicyWhileTheControlPlaneIsAwayAndCatchesUpWhenItIsBack() throws Exception {
    holder.publish(document("v1", "alice"));
    startServer();
    remote = new RemotePolicySource(channel, "test").start();
    await(() -> remote.current().version().equals("v1"));

    server.shutdownNow();
    server.awaitTermination();
    holder.publish(document("v2", "bob"));
    Thread.sleep(300);
    assertThat(remote.current().version()).isEqualTo("v1");
    assertThat(remote.current().consumer("alice")).isPresent();

    startServer();
    await(() -> remote.current().version().equals("v2"));
  }

  private static void await(BooleanSupplier condition) throws InterruptedException {
    Instant deadline = Instant.now().plus(Duration.ofSeconds(10));
    while (!condition.getAsBoolean()) {
      assertThat(Instant.now()).as("condition within 10 s").isBefore(deadline);
      Thread.sleep(10);
    }
  }
}
