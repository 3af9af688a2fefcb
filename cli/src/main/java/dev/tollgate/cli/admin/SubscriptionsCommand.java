package dev.tollgate.cli.admin;

import com.fasterxml.jackson.databind.node.ObjectNode;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code tollgate subscriptions request|approve|reject|revoke|list}: access to models that need approval. */
@Command(name = "subscriptions", mixinStandardHelpOptions = true,
    description = "Request, approve, reject, revoke and list model subscriptions through the admin API.",
    subcommands = {SubscriptionsCommand.Request.class, SubscriptionsCommand.Approve.class,
        SubscriptionsCommand.Reject.class, SubscriptionsCommand.Revoke.class, SubscriptionsCommand.ListSubscriptions.class})
public final class SubscriptionsCommand {

  /** One subscription change: POST {consumer, model} to a path. */
  abstract static class Change extends AdminCommand {

    @Option(names = "--consumer", required = true, paramLabel = "NAME")
    String consumer;

    @Option(names = "--model", required = true, paramLabel = "MODEL", description = "A public model name.")
    String model;

    abstract String path();

    @Override
    int run() throws java.io.IOException {
      ObjectNode body = AdminClient.JSON.createObjectNode().put("consumer", consumer).put("model", model);
      AdminClient.Answer answer = admin.client().post(path(), body);
      if (!answer.ok()) {
        return Output.fail(spec, answer);
      }
      spec.commandLine().getOut().println("Subscription of " + consumer + " to " + model + ": "
          + answer.body().path("status").asText() + ".");
      spec.commandLine().getOut().flush();
      return 0;
    }
  }

  @Command(name = "request", mixinStandardHelpOptions = true, description = "Ask for a model (status pending).")
  static final class Request extends Change {
    @Override
    String path() {
      return "admin/subscriptions";
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
    int run() throws java.io.IOException {
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
