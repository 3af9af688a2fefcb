package dev.tollgate.core.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.tollgate.core.policy.PolicyDocument;
import dev.tollgate.core.policy.RequestLimitsPolicy;
import dev.tollgate.core.policy.stream.PolicyStreamProtocol;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The limit fields of consumers and teams and the redis section: defaults, errors with lines, the policy form. */
class RequestLimitsConfigTest {
  private static final ConfigLoader LOADER = new ConfigLoader(name -> null);
  private static final String HEAD = """
      backends:
        - { name: local, kind: openai-compatible, endpoints: [ { host: 127.0.0.1, port: 8000 } ] }
      models:
        - { name: gpt-4o, timeout_ms: 20000, targets: [ { backend: local } ] }
        - { name: gpt-4o-mini, targets: [ { backend: local } ] }
      """;

  @Test
  void limitsReachThePolicyWithDefaultsFilledIn() throws Exception {
    LoadedConfig loaded = LOADER.parse(HEAD + """
        teams:
          - { name: red, max_concurrent_requests: 5 }
        consumers:
          - name: app
            team: red
            models: [ "*" ]
            rate_limit: { requests_per_minute: 60 }
            model_limits:
              - { model: "gpt-4o*", max_concurrent_requests: 2 }
          - { name: free, models: [ "*" ] }
        redis: { url: "redis://127.0.0.1:6379/2" }
        """, "tollgate.yaml");
    RequestLimitsPolicy limits = PolicyDocument.from(loaded.config(), "v1").requestLimits();
    assertThat(limits.consumers()).containsOnlyKeys("app");
    RequestLimitsPolicy.LimitRule app = limits.consumers().get("app");
    assertThat(app.rate()).isEqualTo(new RequestLimitsPolicy.Rate(60, 60)); // burst defaults to the rate
    assertThat(app.maxConcurrent()).isZero();
    assertThat(app.models()).containsExactly(new RequestLimitsPolicy.ModelRule("gpt-4o*", null, 2));
    assertThat(limits.teams().get("red").maxConcurrent()).isEqualTo(5);
    assertThat(limits.modelTimeoutsMs()).containsEntry("gpt-4o", 20000L);
    assertThat(limits.redis()).isEqualTo(new RedisConfig("redis://127.0.0.1:6379/2", 50, "fail_open", "tollgate:"));
  }

  @Test
  void withoutLimitsThePolicyHasNone() throws Exception {
    LoadedConfig loaded = LOADER.parse(HEAD + "consumers: [ { name: app, models: [ \"*\" ] } ]\n", "tollgate.yaml");
    assertThat(loaded.config().redis()).isNull();
    RequestLimitsPolicy limits = PolicyDocument.from(loaded.config(), "v1").requestLimits();
    assertThat(limits.consumers()).isEmpty();
    assertThat(limits.redis()).isNull();
  }

  @Test
  void thePolicyStreamCarriesTheLimits() throws Exception {
    LoadedConfig loaded = LOADER.parse(HEAD + """
        consumers:
          - { name: app, models: [ "*" ], rate_limit: { requests_per_minute: 6, burst: 2 } }
        redis: { url: "redis://10.0.0.7:6379", on_error: fail_closed }
        """, "tollgate.yaml");
    PolicyDocument document = PolicyDocument.from(loaded.config(), "v1");
    var marshaller = PolicyStreamProtocol.WATCH.getResponseMarshaller();
    PolicyDocument copy = marshaller.parse(marshaller.stream(document));
    assertThat(copy.requestLimits()).isEqualTo(document.requestLimits());
  }

  @Test
  void everyBadLimitIsReportedAtItsLine() {
    InvalidConfigException e = catchThrowableOfType(InvalidConfigException.class, () -> LOADER.parse(HEAD + """
        consumers:
          - name: app
            models: [ "*" ]
            rate_limit: { burst: 0 }
            max_concurrent_requests: 0
            model_limits:
              - { model: gpt-5 }
        redis: { url: "redis://user:hunter2@10.0.0.7:6379", timeout_ms: 0, on_error: ignore }
        """, "tollgate.yaml"));
    assertThat(e).isNotNull();
    List<String> problems = e.problems().stream().map(ConfigProblem::toString).toList();
    assertThat(problems).anySatisfy(p -> assertThat(p).startsWith("tollgate.yaml:9:17: consumers[0].rate_limit.requests_per_minute: required"));
    assertThat(problems).anySatisfy(p -> assertThat(p).contains("consumers[0].rate_limit.burst: must be between 1 and 1000000, got 0"));
    assertThat(problems).anySatisfy(p -> assertThat(p).contains("consumers[0].max_concurrent_requests: must be between 1 and 100000, got 0"));
    assertThat(problems).anySatisfy(p -> assertThat(p).contains("consumers[0].model_limits[0].model: matches no model in models: 'gpt-5'"));
    assertThat(problems).anySatisfy(p -> assertThat(p).contains("consumers[0].model_limits[0]: give rate_limit, max_concurrent_requests or both"));
    assertThat(problems).anySatisfy(p -> assertThat(p).contains("redis.url: must not contain a user or password"));
    assertThat(problems).anySatisfy(p -> assertThat(p).contains("redis.timeout_ms: must be between 1 and 5000, got 0"));
    assertThat(problems).anySatisfy(p -> assertThat(p).contains("redis.on_error: must be fail_open or fail_closed, got 'ignore'"));
    // The password is never repeated.
    assertThat(String.join("\n", problems)).doesNotContain("hunter2");
  }
}
