package dev.tollgate.store.admin;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import dev.tollgate.core.openai.OpenAiError;
import dev.tollgate.store.UsageLedger;
import java.io.IOException;
import java.math.BigDecimal;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code GET /admin/usage}: who spent what, from the usage ledger. Totals, or a time series in
 * minute, hour or day buckets (UTC), by team, consumer, model or backend, over a time range, with
 * the same admin-token authentication and OpenAI-shaped errors as the rest of the admin API.
 * Budgets' remaining room is {@link BudgetRemaining}'s, under {@code /admin/usage/budgets}.
 */
public final class UsageApi implements HttpHandler {
  public static final String PATH = "/admin/usage";
  private static final Logger LOG = LoggerFactory.getLogger(UsageApi.class);
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Map<String, Long> BUCKETS = Map.of("minute", 60_000L, "hour", 3_600_000L, "day", 86_400_000L);
  /** A series longer than this is refused rather than computed: ask for a wider bucket. */
  static final long MAX_BUCKETS = 10_000;
  private static final Set<String> PARAMS = Set.of("from", "to", "group_by", "bucket", "team", "consumer", "model",
      "backend");

  private final UsageLedger ledger;
  private final AdminTokens admins;
  private final BudgetRemaining budgets;
  private final Clock clock;

  public UsageApi(UsageLedger ledger, AdminTokens admins, BudgetRemaining budgets, Clock clock) {
    this.ledger = ledger;
    this.admins = admins;
    this.budgets = budgets;
    this.clock = clock;
  }

  /** An answer that is not a success. */
  static final class Refused extends Exception {
    final OpenAiError error;

    Refused(OpenAiError error) {
      super(error.message());
      this.error = error;
    }

    static Refused badParam(String message, String param) {
      return new Refused(OpenAiError.invalidRequest(message, param));
    }
  }

  @Override
  public void handle(HttpExchange exchange) throws IOException {
    try (exchange) {
      int status = 200;
      String body;
      try {
        authenticate(exchange);
        String path = exchange.getRequestURI().getPath();
        if (!exchange.getRequestMethod().equals("GET")) {
          throw new Refused(new OpenAiError(405, "Use GET.", "invalid_request_error", null, "method_not_allowed"));
        }
        Map<String, String> query = query(exchange.getRequestURI().getRawQuery());
        ObjectNode answer;
        if (path.equals(PATH) || path.equals(PATH + "/")) {
          answer = usage(query);
        } else if (path.equals(PATH + "/budgets")) {
          answer = budgets.answer(query, Instant.ofEpochMilli(clock.millis()));
        } else {
          throw new Refused(new OpenAiError(404, "Unknown admin path. See docs/USAGE.md for /admin/usage and "
              + "/admin/usage/budgets.", "invalid_request_error", null, "unknown_url"));
        }
        body = JSON.writeValueAsString(answer);
      } catch (Refused e) {
        status = e.error.status();
        body = e.error.toJson();
      } catch (SQLException | RuntimeException e) {
        LOG.error("usage API {} failed: {}", exchange.getRequestURI().getPath(), e.toString());
        OpenAiError error = AdminHttp.storeUnavailable();
        status = error.status();
        body = error.toJson();
      }
      AdminHttp.send(exchange, status, body);
    }
  }

  private void authenticate(HttpExchange exchange) throws Refused {
    try {
      AdminHttp.admin(admins, exchange);
    } catch (JsonEndpoint.Refused e) {
      throw new Refused(e.error);
    }
  }

  private ObjectNode usage(Map<String, String> query) throws Refused, SQLException {
    for (String name : query.keySet()) {
      if (!PARAMS.contains(name)) {
        throw Refused.badParam("Unknown query parameter '" + clip(name) + "'; allowed: "
            + String.join(", ", PARAMS.stream().sorted().toList()) + ".", clip(name));
      }
    }
    Instant now = Instant.ofEpochMilli(clock.millis());
    Instant to = query.containsKey("to") ? time(query.get("to"), "to") : now;
    Instant from = query.containsKey("from") ? time(query.get("from"), "from") : to.minus(Duration.ofDays(1));
    if (!from.isBefore(to)) {
      throw Refused.badParam("'from' must be before 'to'.", "from");
    }
    String groupBy = query.get("group_by");
    if (groupBy != null && !UsageLedger.DIMENSIONS.containsKey(groupBy)) {
      throw Refused.badParam("group_by must be one of team, consumer, model, backend.", "group_by");
    }
    long bucketMs = 0;
    if (query.containsKey("bucket")) {
      Long width = BUCKETS.get(query.get("bucket"));
      if (width == null) {
        throw Refused.badParam("bucket must be one of minute, hour, day.", "bucket");
      }
      bucketMs = width;
      if ((to.toEpochMilli() - from.toEpochMilli()) / bucketMs > MAX_BUCKETS) {
        throw Refused.badParam("That range has more than " + MAX_BUCKETS + " " + query.get("bucket")
            + " buckets; use a wider bucket or a shorter range.", "bucket");
      }
    }
    Map<String, String> filters = new HashMap<>();
    for (String dimension : UsageLedger.DIMENSIONS.keySet()) {
      if (query.containsKey(dimension)) {
        filters.put(dimension, query.get(dimension));
      }
    }
    var rows = ledger.query(new UsageLedger.Query(from.toEpochMilli(), to.toEpochMilli(), groupBy, bucketMs, filters));
    ObjectNode answer = JSON.createObjectNode();
    answer.put("object", "usage");
    answer.put("from", from.toString());
    answer.put("to", to.toString());
    answer.put("group_by", groupBy);
    answer.put("bucket", query.get("bucket"));
    ArrayNode data = answer.putArray("data");
    long[] sums = new long[7];
    for (UsageLedger.Row row : rows) {
      ObjectNode line = data.addObject();
      if (groupBy != null) {
        line.put(groupBy, row.group());
      }
      if (bucketMs > 0) {
        line.put("bucket_start", Instant.ofEpochMilli(row.bucketStartMs()).toString());
      }
      counts(line, row.requests(), row.errors(), row.promptTokens(), row.completionTokens(), row.cachedTokens(),
          row.reasoningTokens(), row.costNanos());
      long[] values = {row.requests(), row.errors(), row.promptTokens(), row.completionTokens(), row.cachedTokens(),
          row.reasoningTokens(), row.costNanos()};
      for (int i = 0; i < sums.length; i++) {
        sums[i] += values[i];
      }
    }
    counts(answer.putObject("totals"), sums[0], sums[1], sums[2], sums[3], sums[4], sums[5], sums[6]);
    return answer;
  }

  private static void counts(ObjectNode json, long requests, long errors, long prompt, long completion, long cached,
      long reasoning, long costNanos) {
    json.put("requests", requests);
    json.put("errors", errors);
    json.put("prompt_tokens", prompt);
    json.put("completion_tokens", completion);
    json.put("cached_tokens", cached);
    json.put("reasoning_tokens", reasoning);
    json.put("total_tokens", prompt + completion);
    json.put("cost_nanos", costNanos);
    json.put("cost_usd", usd(costNanos));
  }

  /** Exact decimal text: money is never a binary float. */
  static String usd(long nanos) {
    return BigDecimal.valueOf(nanos, 9).stripTrailingZeros().toPlainString();
  }

  /** An ISO-8601 instant (2026-12-03T19:00:00Z) or a date (2026-12-03, midnight UTC). */
  static Instant time(String text, String param) throws Refused {
    try {
      if (text.length() == 10) {
        return LocalDate.parse(text).atStartOfDay(ZoneOffset.UTC).toInstant();
      }
      return Instant.parse(text);
    } catch (DateTimeParseException e) {
      throw Refused.badParam("'" + param + "' must be an ISO-8601 time like 2026-12-03T19:00:00Z or a date like "
          + "2026-12-03.", param);
    }
  }

  static Map<String, String> query(String raw) throws Refused {
    Optional<Map<String, String>> params = AdminHttp.query(raw);
    if (params.isEmpty()) {
      throw Refused.badParam(AdminHttp.INVALID_QUERY, null);
    }
    return params.get();
  }

  static String clip(String text) {
    return text.length() > 64 || text.startsWith("tg_") ? "(not shown)" : text;
  }
}
