package dev.tollgate.cli.admin;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code tollgate usage [budgets]}: who spent what, from the control plane's usage ledger. */
@Command(name = "usage", mixinStandardHelpOptions = true,
    description = "Usage totals or a time series from the usage ledger, through the control plane's admin API.",
    subcommands = {UsageCommand.Budgets.class})
public final class UsageCommand extends AdminCommand {

  @Option(names = "--from", paramLabel = "TIME", description = "Start (inclusive): 2026-12-03T19:00:00Z or "
      + "2026-12-03. Default: 24 hours before --to.")
  String from;

  @Option(names = "--to", paramLabel = "TIME", description = "End (exclusive). Default: now.")
  String to;

  @Option(names = "--by", paramLabel = "DIMENSION", description = "Group by team, consumer, model or backend. "
      + "Default: no grouping.")
  String groupBy;

  @Option(names = "--bucket", paramLabel = "SIZE", description = "A time series in minute, hour or day buckets (UTC)."
      + " Default: totals over the range.")
  String bucket;

  @Option(names = "--team", paramLabel = "NAME", description = "Only this team.")
  String team;

  @Option(names = "--consumer", paramLabel = "NAME", description = "Only this consumer.")
  String consumer;

  @Option(names = "--model", paramLabel = "NAME", description = "Only this public model.")
  String model;

  @Option(names = "--backend", paramLabel = "NAME", description = "Only this backend.")
  String backend;

  @Option(names = "--json", description = "Print the admin API's JSON.")
  boolean json;

  @Override
  int run() throws IOException {
    AdminClient.Answer answer = admin.client().get("admin/usage" + AdminClient.query("from", from, "to", to,
        "group_by", groupBy, "bucket", bucket, "team", team, "consumer", consumer, "model", model,
        "backend", backend));
    if (!answer.ok()) {
      return Output.fail(spec, answer);
    }
    if (json) {
      return Output.json(spec, answer);
    }
    JsonNode body = answer.body();
    List<String> headers = new ArrayList<>();
    List<String> fields = new ArrayList<>();
    if (groupBy != null) {
      headers.add(groupBy.toUpperCase(java.util.Locale.ROOT));
      fields.add(groupBy);
    }
    if (bucket != null) {
      headers.add("BUCKET");
      fields.add("bucket_start");
    }
    headers.addAll(List.of("REQUESTS", "ERRORS", "PROMPT", "COMPLETION", "CACHED", "REASONING", "TOTAL", "COST_USD"));
    fields.addAll(List.of("requests", "errors", "prompt_tokens", "completion_tokens", "cached_tokens",
        "reasoning_tokens", "total_tokens", "cost_usd"));
    ArrayNode rows = ((ArrayNode) body.path("data")).deepCopy();
    ObjectNode totals = ((ObjectNode) body.path("totals")).deepCopy();
    if (!fields.get(0).equals("requests")) {
      totals.put(fields.get(0), "TOTAL");
    }
    rows.add(totals);
    spec.commandLine().getOut().println("usage " + body.path("from").asText() + " .. " + body.path("to").asText());
    Output.table(spec, rows, headers.toArray(String[]::new), fields.toArray(String[]::new));
    return 0;
  }

  @Command(name = "budgets", mixinStandardHelpOptions = true,
      description = "Each budget of the config: spent in its current window (from the ledger) and what is left.")
  static final class Budgets extends AdminCommand {

    @Option(names = "--name", paramLabel = "BUDGET", description = "Only this budget.")
    String name;

    @Option(names = "--json", description = "Print the admin API's JSON.")
    boolean json;

    @Override
    int run() throws IOException {
      AdminClient.Answer answer = admin.client().get("admin/usage/budgets" + AdminClient.query("name", name));
      if (!answer.ok()) {
        return Output.fail(spec, answer);
      }
      if (json) {
        return Output.json(spec, answer);
      }
      Output.table(spec, answer.body().path("data"),
          new String[] {"BUDGET", "CONSUMER", "TEAM", "MODEL", "WINDOW", "SPENT_TOKENS", "LEFT_TOKENS", "SPENT_USD",
              "LEFT_USD", "RESETS"},
          new String[] {"name", "consumer", "team", "model", "window", "spent_tokens", "remaining_tokens", "spent_usd",
              "remaining_usd", "resets_at"});
      return 0;
    }
  }
}
