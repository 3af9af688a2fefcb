package dev.tollgate.inspect.pii;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tollgate.core.config.PiiConfig;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** block, mask and pseudonymize on requests; restore and mask on responses. */
class PiiActionsTest {
  private static PiiEngine engine(Map<String, String> request, Map<String, String> response) {
    return PiiEngine.compile(new PiiConfig(null, null, request, response, null));
  }

  private static Map<String, String> map(String... kv) {
    Map<String, String> m = new LinkedHashMap<>();
    for (int i = 0; i < kv.length; i += 2) {
      m.put(kv[i], kv[i + 1]);
    }
    return m;
  }

  @Test
  void maskReplacesTheValueByItsType() {
    RequestRedaction r = engine(map("EMAIL", "mask", "PHONE", "mask"), null)
        .redactRequest("mail jane@example.com or call (650) 253-0000", new Pseudonyms());
    assertThat(r.text()).isEqualTo("mail [EMAIL] or call [PHONE]");
    assertThat(r.blockedEntityTypes()).isEmpty();
    assertThat(r.countsByEntityType()).isEqualTo(Map.of("EMAIL", 1, "PHONE", 1));
  }

  @Test
  void blockNamesTheTypesNeverTheValues() {
    RequestRedaction r = engine(map("SECRET", "block", "CREDIT_CARD", "block", "EMAIL", "mask"), null)
        .redactRequest("key AKIAIOSFODNN7EXAMPLE card 4111111111111111 and 5555555555554444 a@b.io",
            new Pseudonyms());
    assertThat(r.blocked()).isTrue();
    assertThat(r.blockedEntityTypes()).containsExactly("CREDIT_CARD", "SECRET");
    assertThat(r.countsByEntityType()).isEqualTo(Map.of("SECRET", 1, "CREDIT_CARD", 2, "EMAIL", 1));
    assertThat(r.text()).doesNotContain("AKIA", "4111", "5555", "a@b.io");
  }

  @Test
  void pseudonymizeGivesTheSameValueTheSamePlaceholderWithinARequest() {
    PiiEngine engine = engine(map("EMAIL", "pseudonymize", "PHONE", "pseudonymize"), null);
    Pseudonyms pseudonyms = new Pseudonyms();
    RequestRedaction first = engine.redactRequest(
        "jane@example.com wrote to bob@example.com; jane@example.com again", pseudonyms);
    RequestRedaction second = engine.redactRequest("reply to bob@example.com, (650) 253-0000", pseudonyms);
    assertThat(first.text()).isEqualTo("<EMAIL_1> wrote to <EMAIL_2>; <EMAIL_1> again");
    assertThat(second.text()).isEqualTo("reply to <EMAIL_2>, <PHONE_1>");
    assertThat(pseudonyms.size()).isEqualTo(3);
    assertThat(pseudonyms.toString()).doesNotContain("example");
  }

  @Test
  void placeholdersComeBackAsTheOriginalsInTheResponse() {
    PiiEngine engine = engine(map("EMAIL", "pseudonymize"), map("EMAIL", "mask"));
    Pseudonyms pseudonyms = new Pseudonyms();
    engine.redactRequest("write to jane@example.com", pseudonyms);
    assertThat(engine.transformResponse("Sure, I wrote to <EMAIL_1>. <EMAIL_2> is unknown.", pseudonyms))
        .isEqualTo("Sure, I wrote to jane@example.com. <EMAIL_2> is unknown.");
  }

  @Test
  void anotherRequestsPlaceholdersAreNotRestored() {
    PiiEngine engine = engine(map("EMAIL", "pseudonymize"), null);
    Pseudonyms mine = new Pseudonyms();
    engine.redactRequest("jane@example.com", mine);
    assertThat(engine.transformResponse("<EMAIL_1>", new Pseudonyms())).isEqualTo("<EMAIL_1>");
    assertThat(engine.transformResponse("<EMAIL_1>", null)).isEqualTo("<EMAIL_1>");
  }

  @Test
  void responseMaskHidesNewValuesButNotTheClientsOwn() {
    PiiEngine engine = engine(map("EMAIL", "pseudonymize"), map("EMAIL", "mask", "SECRET", "block"));
    Pseudonyms pseudonyms = new Pseudonyms();
    engine.redactRequest("I am jane@example.com", pseudonyms);
    assertThat(engine.transformResponse(
        "Hi jane@example.com (<EMAIL_1>), ask admin@corp.example or use AKIAIOSFODNN7EXAMPLE", pseudonyms))
        .isEqualTo("Hi jane@example.com (jane@example.com), ask [EMAIL] or use [SECRET]");
  }

  @Test
  void responseCountsNameTypesNotValues() {
    PiiEngine engine = engine(map("EMAIL", "pseudonymize"), map("EMAIL", "mask", "SECRET", "block"));
    Pseudonyms pseudonyms = new Pseudonyms();
    engine.redactRequest("I am jane@example.com", pseudonyms);
    String answer = "<EMAIL_1>, a@corp.example, b@corp.example, AKIAIOSFODNN7EXAMPLE";
    Map<String, Integer> counts = new java.util.HashMap<>();
    engine.transformResponse(answer, pseudonyms, counts);
    assertThat(counts).isEqualTo(Map.of("EMAIL", 2, "SECRET", 1));
    StreamTransformer stream = engine.streamTransformer(pseudonyms);
    stream.accept(answer.substring(0, 20));
    stream.accept(answer.substring(20));
    stream.finish();
    assertThat(stream.countsByEntityType()).isEqualTo(Map.of("EMAIL", 2, "SECRET", 1));
  }

  @Test
  void nothingConfiguredMeansNothingChanges() {
    PiiEngine engine = engine(map(), map());
    assertThat(engine.inspectsRequests()).isFalse();
    assertThat(engine.rewritesResponses(new Pseudonyms())).isFalse();
    RequestRedaction r = engine.redactRequest("jane@example.com", new Pseudonyms());
    assertThat(r.text()).isEqualTo("jane@example.com");
    StreamTransformer stream = engine.streamTransformer(new Pseudonyms());
    assertThat(stream.accept("jane@exa")).isEqualTo("jane@exa");
    assertThat(stream.finish()).isEmpty();
  }

  @Test
  void defaultsPseudonymizePiiAndBlockSecrets() {
    PiiEngine engine = PiiEngine.compile(null);
    Pseudonyms pseudonyms = new Pseudonyms();
    RequestRedaction r = engine.redactRequest(
        "jane@example.com 4111111111111111 460-89-9847 10.1.2.3 GB82WEST12345698765432 (650) 253-0000",
        pseudonyms);
    assertThat(r.text()).isEqualTo("<EMAIL_1> <CREDIT_CARD_1> <US_SSN_1> <IP_ADDRESS_1> <IBAN_1> <PHONE_1>");
    assertThat(r.blocked()).isFalse();
    assertThat(engine.redactRequest("sk-proj-abcDEF1234567890abcdef1234567890", pseudonyms)
        .blockedEntityTypes()).containsExactly("SECRET");
  }

  @Test
  void compileRefusesWhatTheValidatorWouldRefuse() {
    assertThatThrownBy(() -> engine(map("NAME", "mask"), null))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> engine(map("EMAIL", "shred"), null))
        .isInstanceOf(IllegalArgumentException.class);
    assertThat(List.of()).isEmpty();
  }
}
