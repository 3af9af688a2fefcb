package dev.tollgate.jmh;

import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.ServerServiceDefinition;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.concurrent.TimeUnit;

/**
 * One service on an in-process gRPC server plus a channel to it. {@code direct}: every callback
 * runs on the caller's thread, so an op measures the CPU work alone; {@code pooled}: gRPC's
 * default executors, so an op also pays the thread hand-offs a real server has.
 */
public final class InProcess implements AutoCloseable {
  public final Server server;
  public final ManagedChannel channel;

  public InProcess(ServerServiceDefinition service, String executor) {
    boolean direct = switch (executor) {
      case "direct" -> true;
      case "pooled" -> false;
      default -> throw new IllegalArgumentException("executor must be direct or pooled: " + executor);
    };
    String name = InProcessServerBuilder.generateName();
    InProcessServerBuilder serverBuilder = InProcessServerBuilder.forName(name).addService(service);
    InProcessChannelBuilder channelBuilder = InProcessChannelBuilder.forName(name);
    if (direct) {
      serverBuilder.directExecutor();
      channelBuilder.directExecutor();
    }
    try {
      server = serverBuilder.build().start();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    channel = channelBuilder.build();
  }

  @Override
  public void close() throws InterruptedException {
    channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
  }
}
