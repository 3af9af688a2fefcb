package dev.tollgate.store.admin;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tollgate.core.config.BudgetConfig;
import dev.tollgate.core.config.GatewayConfig;
import dev.tollgate.store.UsageLedger;
import java.math.BigDecimal;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.temporal.ChronoUnit;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * {@code GET /admin/usage/budgets}: for each budget of the config ({@code budgets.limits}), what the
 * ledger shows as spent in its current window and what is left. A budget for every consumer
 * ({@code consumer: "*"}) answers one line per consumer that spent something in the window.
 *
 * <p>The ledger holds settled requests only: requests still running hold reservations in the
 * gateways' budget store that are not here yet, so the enforcing gateway may see a little less
 * room than this answer. A rolling window is read here as exactly the last window length.
 */
public final class BudgetRemaining {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final BigDecimal NANOS_PER_USD = BigDecimal.valueOf(1_000_000_000L);

  private final UsageLedger ledger;
  private final Supplier<GatewayConfig> config;

  public BudgetRemaining(UsageLedger ledger, Supplier<GatewayConfig> config) {
    this.ledger = ledger;
    this.config = config;
  }

  /** A window's span: calendar-aligned (with when it resets) or the last window length (rolling). */
  record Window(Instant start, Instant end, Instant resetsAt) {}

  static Window window(String name, boolean rolling, Instant now) {
    ZonedDateTime utc = now.atZone(ZoneOffset.UTC);
    ZonedDateTime start = switch (name) {
      case "minute" -> utc.truncatedTo(ChronoUnit.MINUTES);
      case "hour" -> utc.truncatedTo(ChronoUnit.HOURS);
      case "day" -> utc.truncatedTo(ChronoUnit.DAYS);
      case "month" -> utc.truncatedTo(ChronoUnit.DAYS).withDayOfMonth(1);
      default -> throw new IllegalArgumentException("unknown window " + name);
    };
    ZonedDateTime next = switch (name) {
      case "minute" -> start.plusMinutes(1);
      case "hour" -> start.plusHours(1);
      case "day" -> start.plusDays(1);
      default -> start.plusMonths(1);
    };
    if (rolling) {
      Duration length = Duration.between(start, next);
      return new Window(now.minus(length), now.plusMillis(1), null);
    }
    return new Window(start.toInstant(), next.toInstant(), next.toInstant());
  }

  ObjectNode answer(Map<String, String> query, Instant now) throws UsageApi.Refused, SQLException {
    for (String name : query.keySet()) {
      if (!name.equals("name")) {
        throw UsageApi.Refused.badParam("Unknown query parameter '" + UsageApi.clip(name) + "'; allowed: name.",
            UsageApi.clip(name));
      }
    }
    String only = query.get("name");
    ObjectNode answer = JSON.createObjectNode();
    answer.put("object", "list");
    answer.put("at", now.toString());
    ArrayNode data = answer.putArray("data");
    List<BudgetConfig> budgets = config.get().budgets().limits();
    boolean found = false;
    for (BudgetConfig budget : budgets) {
      if (budget == null || (only != null && !only.equals(budget.name()))) {
        continue;
      }
      found = true;
      Window window = window(budget.window(), budget.isRolling(), now);
      Map<String, String> filters = new HashMap<>();
      boolean everyConsumer = BudgetConfig.EVERY_CONSUMER.equals(budget.consumer());
      if (budget.consumer() != null && !everyConsumer) {
        filters.put("consumer", budget.consumer());
      }
      if (budget.team() != null) {
        filters.put("team", budget.team());
      }
      if (budget.model() != null) {
        filters.put("model", budget.model());
      }
      List<UsageLedger.Row> rows = ledger.query(new UsageLedger.Query(window.start().toEpochMilli(),
          window.end().toEpochMilli(), everyConsumer ? "consumer" : null, 0, filters));
      if (everyConsumer) {
        for (UsageLedger.Row row : rows) {
          if (row.group() != null) {
            data.add(line(budget, row.group(), window, row));
          }
        }
      } else {
        data.add(line(budget, budget.consumer(), window, rows.isEmpty() ? null : rows.get(0)));
      }
    }
    if (only != null && !found) {
      throw new UsageApi.Refused(new dev.tollgate.core.openai.OpenAiError(404, "No budget named '"
          + UsageApi.clip(only) + "' in the config.", "invalid_request_error", "name", "budget_not_found"));
    }
    return answer;
  }

  private static ObjectNode line(BudgetConfig budget, String consumer, Window window, UsageLedger.Row spent) {
    ObjectNode line = JSON.createObjectNode();
    line.put("object", "budget_usage");
    line.put("name", budget.name());
    line.put("consumer", consumer);
    line.put("team", budget.team());
    line.put("model", budget.model());
    line.put("window", budget.window());
    line.put("rolling", budget.isRolling());
    line.put("window_start", window.start().toString());
    line.put("resets_at", window.resetsAt() == null ? null : window.resetsAt().toString());
    long tokens = spent == null ? 0 : spent.totalTokens();
    long nanos = spent == null ? 0 : spent.costNanos();
    line.put("requests", spent == null ? 0 : spent.requests());
    line.put("spent_tokens", tokens);
    line.put("spent_usd", UsageApi.usd(nanos));
    if (budget.tokens() != null) {
      line.put("limit_tokens", budget.tokens());
      line.put("remaining_tokens", Math.max(0, budget.tokens() - tokens));
    }
    if (budget.usd() != null) {
      long limitNanos = budget.usd().multiply(NANOS_PER_USD).longValue();
      line.put("limit_usd", UsageApi.usd(limitNanos));
      line.put("remaining_usd", UsageApi.usd(Math.max(0, limitNanos - nanos)));
    }
    return line;
  }
}
