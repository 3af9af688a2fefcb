package dev.tollgate.cli.admin;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.cli.TollgateMain;
import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** {@code tollgate subscriptions request} without a server: where the consumer's key comes from. */
class SubscriptionsCommandTest {
  private record Run(int code, String err) {}

  private static Run run(String... args) {
    StringWriter err = new StringWriter();
    int code = new CommandLine(new TollgateMain()).setOut(new PrintWriter(new StringWriter(), true))
        .setErr(new PrintWriter(err, true)).execute(args);
    return new Run(code, err.toString());
  }

  @Test
  void theConsumerFormNamesTheVariableItFoundEmpty() {
    Run run = run("subscriptions", "request", "--model", "gpt-4o", "--api-key-env", "TOLLGATE_TEST_UNSET_KEY_VAR",
        "--admin-url", "http://127.0.0.1:9");
    assertThat(run.code()).isEqualTo(1);
    assertThat(run.err()).contains("no API key: set TOLLGATE_TEST_UNSET_KEY_VAR");
  }

  @Test
  void theModelIsRequired() {
    assertThat(run("subscriptions", "request").code()).isEqualTo(2);
    assertThat(run("subscriptions", "approve", "--model", "gpt-4o").code()).as("admins name the consumer").isEqualTo(2);
  }
}
