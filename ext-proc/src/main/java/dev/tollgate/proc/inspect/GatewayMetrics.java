package dev.tollgate.proc.inspect;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.Map;

/**
 * Every metric the request and response paths record, under OpenTelemetry's GenAI semantic
 * convention names where one exists ({@code gen_ai.*}) and {@code tollgate.*} for the gateway's
 * own decisions. Prometheus shows dots as underscores and adds unit suffixes, e.g.
 * {@code gen_ai_client_operation_duration_seconds}.
 *
 * <p>Tags never carry prompt text, PII values or keys: model names, consumer and team names,
 * backend names, policy names, reason codes and entity types only.
 */
public final class GatewayMetrics {
  public static final String TOKEN_USAGE = "gen_ai.client.token.usage";
  public static final String OPERATION_DURATION = "gen_ai.client.operation.duration";
  public static final String TIME_TO_FIRST_TOKEN = "gen_ai.server.time_to_first_token";
  public static final String TIME_PER_OUTPUT_TOKEN = "gen_ai.server.time_per_output_token";
  public static final String GUARD_VERDICTS = "tollgate.guard.verdicts";
  public static final String PII_ENTITIES = "tollgate.pii.entities";
  public static final String REQUESTS_BLOCKED = "tollgate.requests.blocked";
  public static final String INSPECTION_DURATION = "tollgate.inspection.duration";

  /**
   * Who and what a measurement is about.
   *
   * @param operation {@code chat}, {@code text_completion} or {@code embeddings} (GenAI names)
   * @param model the public model name the client asked for
   * @param backend the backend that answered, or "" when unknown (refused before routing)
   */
  public record Labels(String operation, String model, String consumer, String team, String backend) {
    public Labels {
      operation = orEmpty(operation);
      model = orEmpty(model);
      consumer = orEmpty(consumer);
      team = orEmpty(team);
      backend = orEmpty(backend);
    }

    Tags tags() {
      return Tags.of("gen_ai.operation.name", operation, "gen_ai.request.model", model,
          "consumer", consumer, "team", team, "backend", backend);
    }
  }

  private final MeterRegistry registry;

  public GatewayMetrics(MeterRegistry registry) {
    this.registry = registry;
  }

  /** Metrics that go nowhere but can be read back: for tests and tools without a scrape endpoint. */
  public static GatewayMetrics inMemory() {
    return new GatewayMetrics(new SimpleMeterRegistry());
  }

  public MeterRegistry registry() {
    return registry;
  }

  /** Input and output tokens of one request; a type with no count (null) is not recorded. */
  public void recordTokens(Labels labels, Integer inputTokens, Integer outputTokens) {
    if (inputTokens != null) {
      tokenSummary(labels, "input").record(inputTokens);
    }
    if (outputTokens != null) {
      tokenSummary(labels, "output").record(outputTokens);
    }
  }

  /** Whole request, gateway in to last byte out; errorType "" for success, else e.g. the status code. */
  public void recordOperationDuration(Labels labels, Duration duration, String errorType) {
    Timer.builder(OPERATION_DURATION)
        .description("GenAI operation duration as the gateway saw it")
        .tags(labels.tags()).tag("error.type", orEmpty(errorType))
        .publishPercentileHistogram()
        .register(registry).record(duration);
  }

  /** Streamed responses: from the request to the first content chunk. */
  public void recordTimeToFirstToken(Labels labels, Duration duration) {
    Timer.builder(TIME_TO_FIRST_TOKEN).description("Time to the first streamed token")
        .tags(labels.tags()).publishPercentileHistogram().register(registry).record(duration);
  }

  /** Streamed responses: (last chunk - first chunk) / (output tokens - 1). */
  public void recordTimePerOutputToken(Labels labels, Duration duration) {
    Timer.builder(TIME_PER_OUTPUT_TOKEN).description("Time per output token after the first")
        .tags(labels.tags()).publishPercentileHistogram().register(registry).record(duration);
  }

  /** One guard verdict other than ALLOW (ALLOW is counted too, as action "allow"). */
  public void recordGuardVerdict(String policy, String action, String reasonCode) {
    Counter.builder(GUARD_VERDICTS).description("Prompt guard verdicts")
        .tags("policy", orEmpty(policy), "action", orEmpty(action), "reason", orEmpty(reasonCode))
        .register(registry).increment();
  }

  /** PII values found, by entity type; direction "request" or "response". */
  public void recordPiiEntities(String policy, String direction, Map<String, Integer> countsByEntityType) {
    countsByEntityType.forEach((type, count) -> {
      if (count != null && count > 0) {
        Counter.builder(PII_ENTITIES).description("PII values found")
            .tags("policy", orEmpty(policy), "direction", orEmpty(direction), "entity_type", type)
            .register(registry).increment(count);
      }
    });
  }

  /** A request the gateway refused after reading it (guard, PII, unreadable content). */
  public void recordBlocked(String policy, String reasonCode) {
    Counter.builder(REQUESTS_BLOCKED).description("Requests refused by inspection")
        .tags("policy", orEmpty(policy), "reason", orEmpty(reasonCode))
        .register(registry).increment();
  }

  /** Time the request-side inspection took (extraction, count, guard, PII). */
  public void recordInspection(String policy, Duration duration) {
    Timer.builder(INSPECTION_DURATION).description("Request inspection time in the gateway")
        .tags("policy", orEmpty(policy)).publishPercentileHistogram().register(registry).record(duration);
  }

  private DistributionSummary tokenSummary(Labels labels, String type) {
    return DistributionSummary.builder(TOKEN_USAGE).description("Tokens used per request")
        .tags(labels.tags()).tag("gen_ai.token.type", type)
        .serviceLevelObjectives(1, 4, 16, 64, 256, 1024, 4096, 16384, 65536, 262144, 1048576)
        .register(registry);
  }

  private static String orEmpty(String value) {
    return value == null ? "" : value;
  }
}
