package dev.tollgate.cli.admin;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code tollgate subscriptions request|approve|reject|revoke|list}: access to models that need approval. */
@Command(name = "subscriptions", mixinStandardHelpOptions = true,
    description = "Request, approve, reject, revoke and list model subscriptions through the admin API.",
    subcommands = {SubscriptionsCommand.Request.class, SubscriptionsCommand.Approve.class,
        SubscriptionsCommand.Reject.class, SubscriptionsCommand.Revoke.class, SubscriptionsCommand.ListSubscriptions.class})
public final class SubscriptionsCommand {

  /** A command about one model's subscription; prints the record the server answers. */
  abstract static class ForModel extends AdminCommand {
    @Option(names = "--model", required = true, paramLabel = "MODEL", description = "A public model name.")
    String model;

    int printed(AdminClient.Answer answer) {
      if (!answer.ok()) {
        return Output.fail(spec, answer);
      }
      spec.commandLine().getOut().println("Subscription of " + answer.body().path("consumer").asText() + " to "
          + answer.body().path("model").asText() + ": " + answer.body().path("status").asText() + ".");
      spec.commandLine().getOut().flush();
      return 0;
    }

    int post(String path, String consumer) throws IOException {
      ObjectNode body = AdminClient.JSON.createObjectNode().put("consumer", consumer).put("model", model);
      return printed(admin.client().post(path, body));
    }
  }

  /** An admin's decision: POST {consumer, model} to a path with the admin token. */
  abstract static class Change extends ForModel {
    @Option(names = "--consumer", required = true, paramLabel = "NAME")
    String consumer;

    abstract String path();

    @Override
    int run() throws IOException {
      return post(path(), consumer);
    }
  }

  /**
   * Asks for a model. With {@code --consumer}, an admin asks for that consumer (admin token);
   * without it, the consumer asks for itself with its own API key, read from an environment
   * variable or a file so that it is not in the shell's history or the process list.
   */
  @Command(name = "request", mixinStandardHelpOptions = true, description = "Ask for a model (status pending): "
      + "as a consumer with your own API key, or as an admin with --consumer.")
  static final class Request extends ForModel {
    static final String KEY_ENV = "TOLLGATE_API_KEY";

    @Option(names = "--consumer", paramLabel = "NAME",
        description = "Ask for this consumer, as an admin. Without it: ask for yourself with your API key.")
    String consumer;

    @Option(names = "--api-key-env", paramLabel = "VAR", defaultValue = KEY_ENV,
        description = "Environment variable holding your API key (default: ${DEFAULT-VALUE}).")
    String apiKeyEnv;

    @Option(names = "--api-key-file", paramLabel = "FILE",
        description = "File holding your API key, instead of the environment variable.")
    Path apiKeyFile;

    @Override
    int run() throws IOException {
      if (consumer != null) {
        return post("admin/subscriptions", consumer);
      }
      String key = apiKeyFile != null ? Files.readString(apiKeyFile, StandardCharsets.UTF_8) : System.getenv(apiKeyEnv);
      if (key == null || key.isBlank()) {
        throw new IOException("no API key: set " + apiKeyEnv + " or pass --api-key-file FILE "
            + "(or, as an admin, --consumer NAME)");
      }
      ObjectNode body = AdminClient.JSON.createObjectNode().put("model", model);
      return printed(admin.withBearer(key.strip()).post("v1/subscriptions", body));
    }
  }

  @Command(name = "approve", mixinStandardHelpOptions = true, description = "Approve a pending (or rejected) request.")
  static final class Approve extends Change {
    @Override
    String path() {
      return "admin/subscriptions/approve";
    }
  }

  @Command(name = "reject", mixinStandardHelpOptions = true, description = "Reject a pending request.")
  static final class Reject extends Change {
    @Override
    String path() {
      return "admin/subscriptions/reject";
    }
  }

  @Command(name = "revoke", mixinStandardHelpOptions = true, description = "Revoke an approved subscription.")
  static final class Revoke extends Change {
    @Override
    String path() {
      return "admin/subscriptions/revoke";
    }
  }

  @Command(name = "list", mixinStandardHelpOptions = true, description = "List subscriptions.")
  static final class ListSubscriptions extends AdminCommand {

    @Option(names = "--consumer", paramLabel = "NAME")
    String consumer;

    @Option(names = "--status", paramLabel = "STATUS", description = "pending, approved, rejected or revoked.")
    String status;

    @Option(names = "--json", description = "Print the admin API's JSON.")
    boolean json;

    @Override
    int run() throws IOException {
      AdminClient.Answer answer = admin.client().get("admin/subscriptions"
          + AdminClient.query("consumer", consumer, "status", status));
      if (!answer.ok()) {
        return Output.fail(spec, answer);
      }
      if (json) {
        return Output.json(spec, answer);
      }
      Output.table(spec, answer.body().path("data"),
          new String[] {"CONSUMER", "MODEL", "STATUS", "REQUESTED", "DECIDED BY", "DECIDED"},
          new String[] {"consumer", "model", "status", "requested_at", "decided_by", "decided_at"});
      return 0;
    }
  }
}
