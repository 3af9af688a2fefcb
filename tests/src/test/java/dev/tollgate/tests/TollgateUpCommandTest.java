package dev.tollgate.tests;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The packaged command as a user runs it: {@code java -jar tollgate up} with no config starts the
 * quickstart, the printed curl example works, and stopping the process (SIGTERM, as Ctrl-C's
 * SIGINT) leaves no Envoy behind. Uses the quickstart's fixed ports 10000, 18000 and 18001.
 */
class TollgateUpCommandTest {

  @Test
  void quickstartServesTheDemoKeyAndStopsWithoutOrphans() throws Exception {
    Path jar = TollgateProcess.jar();
    Process up = new ProcessBuilder("java", "-jar", jar.toString(), "up").redirectErrorStream(true).start();
    StringBuilder output = new StringBuilder();
    CompletableFuture<Void> ready = new CompletableFuture<>();
    Thread reader = new Thread(() -> {
      try (BufferedReader lines = new BufferedReader(new InputStreamReader(up.getInputStream(), StandardCharsets.UTF_8))) {
        for (String line; (line = lines.readLine()) != null; ) {
          synchronized (output) {
            output.append(line).append('\n');
          }
          if (line.startsWith("Press Ctrl-C")) {
            ready.complete(null);
          }
        }
      } catch (Exception e) {
        // the process ended
      }
      ready.complete(null);
    });
    reader.start();
    try {
      ready.get(60, TimeUnit.SECONDS);
      String printed;
      synchronized (output) {
        printed = output.toString();
      }
      assertThat(printed).contains("Tollgate is up").contains("http://127.0.0.1:10000/v1")
          .contains("Bearer tg-demo-key-not-a-secret").contains("FAKE provider");
      List<ProcessHandle> children = up.descendants().toList();
      assertThat(children).as("Envoy runs as a child process").isNotEmpty();

      // The curl example from the welcome text, sent as written.
      HttpResponse<String> response = java.net.http.HttpClient.newHttpClient().send(
          HttpRequest.newBuilder(URI.create("http://127.0.0.1:10000/v1/chat/completions"))
              .header("Authorization", "Bearer tg-demo-key-not-a-secret")
              .header("Content-Type", "application/json")
              .POST(HttpRequest.BodyPublishers.ofString(
                  "{\"model\":\"gpt-4o-mini\",\"messages\":[{\"role\":\"user\",\"content\":\"Hello!\"}]}"))
              .timeout(Duration.ofSeconds(10)).build(),
          HttpResponse.BodyHandlers.ofString());
      assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
      assertThat(response.body()).contains("chat.completion").contains("You said: Hello!");

      up.destroy();
      assertThat(up.waitFor(20, TimeUnit.SECONDS)).isTrue();
      for (ProcessHandle child : children) {
        child.onExit().get(10, TimeUnit.SECONDS);
        assertThat(child.isAlive()).as("child " + child.pid() + " after stop").isFalse();
      }
    } finally {
      up.descendants().forEach(ProcessHandle::destroyForcibly);
      up.destroyForcibly();
    }
  }

  @Test
  void aTakenListenerPortIsReportedAndNothingIsLeftRunning() throws Exception {
    try (java.net.ServerSocket taken = new java.net.ServerSocket(10000, 1, java.net.InetAddress.getLoopbackAddress())) {
      Process up = new ProcessBuilder("java", "-jar", TollgateProcess.jar().toString(), "up")
          .redirectErrorStream(true).start();
      try {
        String output = new String(up.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(up.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(up.exitValue()).as(output).isEqualTo(1);
        assertThat(output).contains("did not open the listener on 127.0.0.1:10000")
            .contains("Address already in use").doesNotContain("Tollgate is up");
        // An orphaned Envoy would be re-parented, so look for it by its bootstrap's folder.
        assertThat(ProcessHandle.allProcesses().filter(ProcessHandle::isAlive)
            .filter(p -> p.info().commandLine().map(c -> c.contains("tollgate-up-")).orElse(false)).count())
            .as("Envoy processes left from tollgate up").isZero();
      } finally {
        up.descendants().forEach(ProcessHandle::destroyForcibly);
        up.destroyForcibly();
      }
    }
  }
}
