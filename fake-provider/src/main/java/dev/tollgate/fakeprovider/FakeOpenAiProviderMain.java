package dev.tollgate.fakeprovider;

import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;

/**
 * Runs a {@link FakeOpenAiProvider} (test and demo equipment) until the process is killed, for
 * demos and for tests that start the fake as a separate process.
 *
 * <p>Prints the bound port alone on the first line of standard output, so a script or a parent
 * process can read it; the human-readable line goes to standard error.
 */
public final class FakeOpenAiProviderMain {

  static final String USAGE =
      "usage: FakeOpenAiProviderMain [--port N] [--delay-ms N] [--inter-chunk-delay-ms N] [--chunks N]";

  private FakeOpenAiProviderMain() {
  }

  public static void main(String[] args) throws IOException, InterruptedException {
    FakeProviderSettings settings;
    try {
      settings = parse(args);
    } catch (IllegalArgumentException e) {
      System.err.println(e.getMessage());
      System.err.println(USAGE);
      System.exit(2);
      return;
    }
    FakeOpenAiProvider provider = FakeOpenAiProvider.start(settings);
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      provider.close();
      stopped.countDown();
    }, "fake-provider-shutdown"));
    System.out.println(provider.port());
    System.out.flush();
    System.err.println("Fake OpenAI provider (test equipment) listening on http://"
        + settings.host() + ":" + provider.port());
    stopped.await();
  }

  /** Reads the four flags; anything else is an {@link IllegalArgumentException} with the reason. */
  static FakeProviderSettings parse(String[] args) {
    FakeProviderSettings settings = FakeProviderSettings.defaults();
    for (int i = 0; i < args.length; i += 2) {
      String flag = args[i];
      if (i + 1 >= args.length) {
        throw new IllegalArgumentException("missing value for " + flag);
      }
      int value = number(flag, args[i + 1]);
      switch (flag) {
        case "--port" -> settings = settings.withPort(value);
        case "--delay-ms" -> settings = settings.withDelay(Duration.ofMillis(value));
        case "--inter-chunk-delay-ms" -> settings = settings.withInterChunkDelay(Duration.ofMillis(value));
        case "--chunks" -> settings = settings.withStreamChunks(value);
        default -> throw new IllegalArgumentException("unknown flag " + flag);
      }
    }
    return settings;
  }

  private static int number(String flag, String text) {
    try {
      return Integer.parseInt(text);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(flag + " needs a whole number, got '" + text + "'");
    }
  }
}
