package dev.tollgate.fakeprovider;

import java.time.Duration;
import java.util.Objects;

/**
 * Settings of a {@link FakeOpenAiProvider}, which is test and demo equipment, not a model server.
 *
 * @param host            address to bind; default {@code 127.0.0.1} so a test never exposes the fake
 *                        beyond the machine
 * @param port            port to bind; {@code 0} (the default) takes a free port, read it back with
 *                        {@link FakeOpenAiProvider#port()}
 * @param delay           wait before the first byte of every response; default zero
 * @param interChunkDelay wait between two server-sent events of a stream; default zero
 * @param streamChunks    content chunks in a streamed reply; default 8
 * @param name            identifies this instance in replies and in {@code x-fake-provider-name}, so a
 *                        test with several fakes behind one gateway can tell which one answered;
 *                        default {@code "fake"}
 */
public record FakeProviderSettings(
    String host, int port, Duration delay, Duration interChunkDelay, int streamChunks, String name) {

  public FakeProviderSettings {
    Objects.requireNonNull(host, "host");
    Objects.requireNonNull(delay, "delay");
    Objects.requireNonNull(interChunkDelay, "interChunkDelay");
    Objects.requireNonNull(name, "name");
    if (host.isBlank()) {
      throw new IllegalArgumentException("host must not be blank");
    }
    if (port < 0 || port > 65_535) {
      throw new IllegalArgumentException("port must be within 0..65535, was " + port);
    }
    if (delay.isNegative() || interChunkDelay.isNegative()) {
      throw new IllegalArgumentException("delays must not be negative");
    }
    if (streamChunks < 1) {
      throw new IllegalArgumentException("streamChunks must be at least 1, was " + streamChunks);
    }
    // The name travels in a response header, where only visible ASCII survives unchanged.
    if (name.isBlank() || !name.chars().allMatch(c -> c >= 0x20 && c < 0x7f)) {
      throw new IllegalArgumentException("name must be non-blank printable ASCII, was '" + name + "'");
    }
  }

  public static FakeProviderSettings defaults() {
    return new FakeProviderSettings("127.0.0.1", 0, Duration.ZERO, Duration.ZERO, 8, "fake");
  }

  public FakeProviderSettings withHost(String newHost) {
    return new FakeProviderSettings(newHost, port, delay, interChunkDelay, streamChunks, name);
  }

  public FakeProviderSettings withPort(int newPort) {
    return new FakeProviderSettings(host, newPort, delay, interChunkDelay, streamChunks, name);
  }

  public FakeProviderSettings withDelay(Duration newDelay) {
    return new FakeProviderSettings(host, port, newDelay, interChunkDelay, streamChunks, name);
  }

  public FakeProviderSettings withInterChunkDelay(Duration newInterChunkDelay) {
    return new FakeProviderSettings(host, port, delay, newInterChunkDelay, streamChunks, name);
  }

  public FakeProviderSettings withStreamChunks(int newStreamChunks) {
    return new FakeProviderSettings(host, port, delay, interChunkDelay, newStreamChunks, name);
  }

  public FakeProviderSettings withName(String newName) {
    return new FakeProviderSettings(host, port, delay, interChunkDelay, streamChunks, newName);
  }
}
