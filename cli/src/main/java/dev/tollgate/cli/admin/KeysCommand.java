package dev.tollgate.cli.admin;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.PrintWriter;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code tollgate keys create|list|revoke}: API keys kept by the control plane's store. */
@Command(name = "keys", mixinStandardHelpOptions = true,
    description = "Create, list and revoke API keys through the control plane's admin API.",
    subcommands = {KeysCommand.Create.class, KeysCommand.ListKeys.class, KeysCommand.Revoke.class})
public final class KeysCommand {

  @Command(name = "create", mixinStandardHelpOptions = true,
      description = "Create a key for a consumer of the config. The key goes to stdout, once; it is not stored.")
  static final class Create extends AdminCommand {

    @Option(names = "--consumer", required = true, paramLabel = "NAME", description = "A consumer named in the config.")
    String consumer;

    @ArgGroup(exclusive = true)
    ExpiryOptions expiry;

    static final class ExpiryOptions {
      @Option(names = "--expires-in", paramLabel = "DURATION", description = "e.g. 30d, 12h, 15m, 45s.")
      String expiresIn;

      @Option(names = "--expires-at", paramLabel = "INSTANT", description = "e.g. 2027-01-31T00:00:00Z.")
      String expiresAt;
    }

    @Override
    int run() throws java.io.IOException {
      ObjectNode body = AdminClient.JSON.createObjectNode().put("consumer", consumer);
      if (expiry != null && expiry.expiresIn != null) {
        body.put("expires_in", expiry.expiresIn);
      }
      if (expiry != null && expiry.expiresAt != null) {
        body.put("expires_at", expiry.expiresAt);
      }
      AdminClient.Answer answer = admin.client().post("admin/keys", body);
      if (!answer.ok()) {
        return Output.fail(spec, answer);
      }
      JsonNode key = answer.body();
      PrintWriter err = spec.commandLine().getErr();
      err.println("Created API key " + key.path("prefix").asText() + " for consumer " + key.path("consumer").asText()
          + (key.path("expires_at").isNull() ? " (never expires)" : " (expires " + key.path("expires_at").asText() + ")")
          + ". It is shown once, below; keep it now.");
      err.flush();
      PrintWriter out = spec.commandLine().getOut();
      out.println(key.path("key").asText());
      out.flush();
      return 0;
    }
  }

  @Command(name = "list", mixinStandardHelpOptions = true, description = "List keys (never the keys themselves).")
  static final class ListKeys extends AdminCommand {

    @Option(names = "--consumer", paramLabel = "NAME", description = "Only this consumer's keys.")
    String consumer;

    @Option(names = "--json", description = "Print the admin API's JSON.")
    boolean json;

    @Override
    int run() throws java.io.IOException {
      AdminClient.Answer answer = admin.client().get("admin/keys" + AdminClient.query("consumer", consumer));
      if (!answer.ok()) {
        return Output.fail(spec, answer);
      }
      if (json) {
        return Output.json(spec, answer);
      }
      Output.table(spec, answer.body().path("data"),
          new String[] {"PREFIX", "CONSUMER", "STATUS", "CREATED", "EXPIRES", "REVOKED"},
          new String[] {"prefix", "consumer", "status", "created_at", "expires_at", "revoked_at"});
      return 0;
    }
  }

  @Command(name = "revoke", mixinStandardHelpOptions = true,
      description = "Revoke a key by its prefix; every gateway refuses it within seconds.")
  static final class Revoke extends AdminCommand {

    @Parameters(paramLabel = "PREFIX", description = "The 12 hex digits after tg_ (see keys list).")
    String prefix;

    @Override
    int run() throws java.io.IOException {
      if (!prefix.matches("[0-9a-f]{12}")) {
        // Never echo what was typed: it may be a whole key.
        spec.commandLine().getErr().println("PREFIX must be the 12 hex digits after tg_ (see tollgate keys list).");
        return 2;
      }
      AdminClient.Answer answer = admin.client().post("admin/keys/" + prefix + "/revoke",
          AdminClient.JSON.createObjectNode());
      if (!answer.ok()) {
        return Output.fail(spec, answer);
      }
      spec.commandLine().getOut().println("Revoked API key " + prefix + " of consumer "
          + answer.body().path("consumer").asText() + ".");
      spec.commandLine().getOut().flush();
      return 0;
    }
  }
}
