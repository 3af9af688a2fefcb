package dev.tollgate.core.config;

import dev.tollgate.core.policy.ModelPattern;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.List;
import java.util.function.BiConsumer;

/**
 * Checks the request-limit fields of consumers and teams and the {@code redis} section. Called by
 * {@link ConfigValidator}; every finding names its YAML path so it gets a line and column.
 */
final class RequestLimitsValidator {
  static final int MAX_REQUESTS_PER_MINUTE = 1_000_000;
  static final int MAX_CONCURRENT = 100_000;

  private final BiConsumer<String, String> findings;
  private final List<String> modelNames;

  private RequestLimitsValidator(BiConsumer<String, String> findings, List<String> modelNames) {
    this.findings = findings;
    this.modelNames = modelNames;
  }

  static void validate(GatewayConfig config, BiConsumer<String, String> findings) {
    List<String> models = config.models().stream().filter(m -> m != null && m.name() != null)
        .map(ModelConfig::name).toList();
    RequestLimitsValidator validator = new RequestLimitsValidator(findings, models);
    for (int i = 0; i < config.consumers().size(); i++) {
      ConsumerConfig consumer = config.consumers().get(i);
      if (consumer != null) {
        validator.limits("consumers[" + i + "]", consumer.rateLimit(), consumer.maxConcurrentRequests(),
            consumer.modelLimits());
      }
    }
    for (int i = 0; i < config.teams().size(); i++) {
      TeamConfig team = config.teams().get(i);
      if (team != null) {
        validator.limits("teams[" + i + "]", team.rateLimit(), team.maxConcurrentRequests(), team.modelLimits());
      }
    }
    if (config.redis() != null) {
      validator.redis(config.redis());
    }
  }

  private void limits(String at, RateLimitConfig rate, Integer maxConcurrent, List<ModelLimitConfig> modelLimits) {
    rate(at + ".rate_limit", rate);
    concurrency(at + ".max_concurrent_requests", maxConcurrent);
    for (int m = 0; m < modelLimits.size(); m++) {
      String entryAt = at + ".model_limits[" + m + "]";
      ModelLimitConfig entry = modelLimits.get(m);
      if (entry == null) {
        findings.accept(entryAt, "empty model limit entry");
        continue;
      }
      if (entry.model() == null || entry.model().isBlank()) {
        findings.accept(entryAt + ".model", "required: a model name or glob");
      } else {
        ModelPattern pattern = ModelPattern.of(entry.model());
        if (modelNames.stream().noneMatch(pattern::matches)) {
          // Most likely a typo: a limit that can never apply would leave the model unlimited.
          findings.accept(entryAt + ".model", "matches no model in models: '" + entry.model() + "'");
        }
      }
      if (entry.rateLimit() == null && entry.maxConcurrentRequests() == null) {
        findings.accept(entryAt, "give rate_limit, max_concurrent_requests or both");
      }
      rate(entryAt + ".rate_limit", entry.rateLimit());
      concurrency(entryAt + ".max_concurrent_requests", entry.maxConcurrentRequests());
    }
  }

  private void rate(String at, RateLimitConfig rate) {
    if (rate == null) {
      return;
    }
    if (rate.requestsPerMinute() == null) {
      findings.accept(at + ".requests_per_minute", "required when rate_limit is given");
    } else {
      range(at + ".requests_per_minute", rate.requestsPerMinute(), 1, MAX_REQUESTS_PER_MINUTE);
    }
    if (rate.burst() != null) {
      range(at + ".burst", rate.burst(), 1, MAX_REQUESTS_PER_MINUTE);
    }
  }

  private void concurrency(String at, Integer value) {
    if (value != null) {
      range(at, value, 1, MAX_CONCURRENT);
    }
  }

  private void redis(RedisConfig redis) {
    if (redis.url() == null || redis.url().isBlank()) {
      findings.accept("redis.url", "required: redis://HOST:PORT[/DB]");
    } else {
      redisUrl(redis.url());
    }
    range("redis.timeout_ms", redis.timeoutMs(), 1, 5000);
    if (!RedisConfig.FAIL_OPEN.equals(redis.onError()) && !RedisConfig.FAIL_CLOSED.equals(redis.onError())) {
      findings.accept("redis.on_error", "must be fail_open or fail_closed, got '" + redis.onError() + "'");
    }
    if (redis.keyPrefix().isBlank()) {
      findings.accept("redis.key_prefix", "must not be empty");
    }
  }

  private void redisUrl(String url) {
    URI uri;
    try {
      uri = new URI(url);
    } catch (URISyntaxException e) {
      findings.accept("redis.url", "not a URL; expected redis://HOST:PORT[/DB]");
      return;
    }
    if (uri.getRawUserInfo() != null) {
      // Never echoed: the config is shown, logged and sent over the policy stream.
      findings.accept("redis.url", "must not contain a user or password");
      return;
    }
    if (!"redis".equals(uri.getScheme()) || uri.getHost() == null || uri.getPort() < 1) {
      findings.accept("redis.url", "expected redis://HOST:PORT[/DB], got '" + url + "'");
      return;
    }
    String path = uri.getPath() == null ? "" : uri.getPath();
    if (!path.isEmpty() && !path.equals("/") && !path.substring(1).matches("\\d{1,2}")) {
      findings.accept("redis.url", "the database after the port must be a number, got '" + path.substring(1) + "'");
    }
    if (uri.getQuery() != null || uri.getFragment() != null) {
      findings.accept("redis.url", "no query or fragment allowed: redis://HOST:PORT[/DB]");
    }
  }

  private void range(String at, Integer value, int min, int max) {
    if (value == null || value < min || value > max) {
      findings.accept(at, "must be between " + min + " and " + max + (value == null ? "" : ", got " + value));
    }
  }
}
