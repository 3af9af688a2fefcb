package dev.tollgate.core.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.tollgate.core.policy.BudgetPolicy;
import dev.tollgate.core.policy.Price;
import dev.tollgate.core.policy.PriceTable;
import java.math.BigDecimal;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The {@code prices} and {@code budgets} sections, the price table and exact cost arithmetic. */
class BudgetConfigTest {
  private static final ConfigLoader LOADER = new ConfigLoader(Map.of("KEY", "sk-test")::get);
  private static final String BASE = """
      backends: [ { name: p, kind: openai, credential: "env:KEY", endpoints: [ { host: 127.0.0.1, port: 1 } ] } ]
      models: [ { name: gpt-4o, targets: [ { backend: p } ] }, { name: chat, targets: [ { backend: p, model: gpt-4o-mini } ] } ]
      consumers: [ { name: alice, api_keys: [ "sha256:%s" ], models: [ "*" ] } ]
      teams: [ { name: red } ]
      """.formatted("ab".repeat(32));

  @Test
  void withoutTheSectionsThereAreNoBudgetsAndTheShippedPrices() throws Exception {
    GatewayConfig config = LOADER.parse(BASE, "tollgate.yaml").config();
    assertThat(config.budgets().limits()).isEmpty();
    assertThat(config.budgets().defaultMaxTokens()).isEqualTo(4096);
    assertThat(config.budgets().leaseSeconds()).isEqualTo(600);
    BudgetPolicy policy = BudgetPolicy.from(config);
    Price gpt4o = policy.priceTable().lookup("gpt-4o", null, null, LocalDate.of(2026, 1, 1)).orElseThrow();
    assertThat(gpt4o).isEqualTo(new Price(2_500_000_000L, 1_250_000_000L, 10_000_000_000L, 10_000_000_000L));
    // A public alias is priced by its target's provider model.
    assertThat(policy.priceTable().worstCase("chat", List.of("gpt-4o-mini"), LocalDate.of(2026, 1, 1)))
        .hasValue(new Price(150_000_000L, 75_000_000L, 600_000_000L, 600_000_000L));
    // Before a price's date it does not apply.
    assertThat(policy.priceTable().lookup("gpt-4o", null, null, LocalDate.of(2020, 1, 1))).isEmpty();
  }

  @Test
  void configuredPricesReplaceTheDefaultsOfTheirModelAndTheMostSpecificDatedEntryWins() throws Exception {
    GatewayConfig config = LOADER.parse(BASE + """
        prices:
          - { model: gpt-4o, from: "2020-01-01", input: 1, output: 2 }
          - { model: gpt-4o, from: "2026-06-01", input: 3, output: 4, cached_input: 0.5, reasoning: 8 }
          - { model: gpt-4o, backend: p, from: "2020-01-01", input: 9, output: 9 }
        """, "tollgate.yaml").config();
    PriceTable table = BudgetPolicy.from(config).priceTable();
    assertThat(table.lookup("gpt-4o", null, null, LocalDate.of(2026, 1, 1))).hasValue(
        new Price(1_000_000_000L, 1_000_000_000L, 2_000_000_000L, 2_000_000_000L));
    assertThat(table.lookup("gpt-4o", null, null, LocalDate.of(2026, 7, 1))).hasValue(
        new Price(3_000_000_000L, 500_000_000L, 4_000_000_000L, 8_000_000_000L));
    assertThat(table.lookup("gpt-4o", "p", null, LocalDate.of(2026, 7, 1)).orElseThrow().inputNanosPerMillion())
        .isEqualTo(9_000_000_000L);
    // Before the route is known the dearest candidate is reserved.
    assertThat(table.worstCase("gpt-4o", List.of(), LocalDate.of(2026, 7, 1)).orElseThrow().inputNanosPerMillion())
        .isEqualTo(9_000_000_000L);
  }

  @Test
  void theBudgetPolicyTravelsThePolicyStreamAsJsonUnchanged() throws Exception {
    GatewayConfig config = LOADER.parse(BASE + """
        prices: [ { model: gpt-4o, from: "2026-01-01", input: 2.5, output: 10, cached_input: 1.25 } ]
        budgets:
          default_max_tokens: 100
          limits: [ { name: a, consumer: "*", model: gpt-4o, window: hour, rolling: true, tokens: 5, usd: 0.000000001 } ]
        """, "tollgate.yaml").config();
    BudgetPolicy policy = BudgetPolicy.from(config);
    var json = new com.fasterxml.jackson.databind.ObjectMapper()
        .disable(com.fasterxml.jackson.databind.DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);
    BudgetPolicy back = json.readValue(json.writeValueAsString(policy), BudgetPolicy.class);
    assertThat(back.budgets()).isEqualTo(policy.budgets());
    assertThat(back.defaultMaxTokens()).isEqualTo(100);
    LocalDate day = LocalDate.of(2026, 6, 1);
    assertThat(back.priceTable().lookup("gpt-4o", null, null, day))
        .isEqualTo(policy.priceTable().lookup("gpt-4o", null, null, day));
    assertThat(back.priceTable().lookup("o3", null, null, day)).isPresent();
  }

  @Test
  void costIsExactInNanoUsdAndRoundedUpOncePerRequest() {
    Price price = Price.of(new PriceConfig("m", null, null, null, new BigDecimal("0.15"), new BigDecimal("0.60"),
        new BigDecimal("0.075"), new BigDecimal("2.4")));
    // 1000 prompt of which 400 cached, 300 completion of which 100 reasoning:
    // Uncached prompt, cached prompt, plain completion and reasoning, each at its own price.
    long expected = (600L * 150_000_000 + 400L * 75_000_000 + 200L * 600_000_000 + 100L * 2_400_000_000L) / 1_000_000;
    assertThat(price.cost(1000, 400, 300, 100)).isEqualTo(expected);
    // One token at 0.075 USD/M is 75 nano-USD exactly; at 0.0000001 USD/M it rounds up to 1.
    assertThat(Price.of(new PriceConfig("m", null, null, null, new BigDecimal("0.0000001"), BigDecimal.ZERO, null, null))
        .cost(1, 0, 0, 0)).isEqualTo(1);
    assertThat(price.cost(0, 0, 0, 0)).isZero();
    assertThat(price.worstCase(10, 10)).isEqualTo((10L * 150_000_000 + 10L * 2_400_000_000L) / 1_000_000);
  }

  @Test
  void everyMistakeIsReportedWithItsYamlPath() {
    InvalidConfigException e = catchThrowableOfType(InvalidConfigException.class, () -> LOADER.parse(BASE + """
        prices:
          - { model: gpt-4o, from: "yesterday", input: -1 }
          - { model: gpt-4o, input: 0.0000000001, output: 1 }
        budgets:
          default_max_tokens: 0
          limits:
            - { name: a, consumer: alice, team: red, window: week, tokens: 10 }
            - { name: a, consumer: nobody, window: day }
            - { name: b, team: blue, model: nope, window: hour, usd: 0 }
        """, "tollgate.yaml"));
    assertThat(e).isNotNull();
    List<String> problems = e.problems().stream().map(ConfigProblem::toString).toList();
    assertThat(problems).anySatisfy(p -> assertThat(p).contains("prices[0].from: must be a date"))
        .anySatisfy(p -> assertThat(p).contains("prices[0].input: must not be negative"))
        .anySatisfy(p -> assertThat(p).contains("prices[0].output: required"))
        .anySatisfy(p -> assertThat(p).contains("prices[1].input: at most 9 decimals"))
        .anySatisfy(p -> assertThat(p).contains("budgets.default_max_tokens: must be between 1 and"))
        .anySatisfy(p -> assertThat(p).contains("budgets.limits[0]: give exactly one of consumer or team"))
        .anySatisfy(p -> assertThat(p).contains("budgets.limits[0].window: must be minute, hour, day or month"))
        .anySatisfy(p -> assertThat(p).contains("budgets.limits[1].name: duplicate budget name 'a'"))
        .anySatisfy(p -> assertThat(p).contains("budgets.limits[1].consumer: no consumer named 'nobody'"))
        .anySatisfy(p -> assertThat(p).contains("budgets.limits[1]: give tokens, usd or both"))
        .anySatisfy(p -> assertThat(p).contains("budgets.limits[2].team: no team named 'blue'"))
        .anySatisfy(p -> assertThat(p).contains("budgets.limits[2].model: no model named 'nope'"))
        .anySatisfy(p -> assertThat(p).contains("budgets.limits[2].usd: must be more than 0"));
    assertThat(problems).allSatisfy(p -> assertThat(p).startsWith("tollgate.yaml:"));
  }
}
