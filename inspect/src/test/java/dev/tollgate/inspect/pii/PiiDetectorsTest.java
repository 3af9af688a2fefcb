package dev.tollgate.inspect.pii;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.core.config.PiiConfig;
import dev.tollgate.core.config.PiiPatternConfig;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

/** Each detector on values it must find (exactly, as the whole span) and on near misses. */
class PiiDetectorsTest {
  private static final PiiEngine ENGINE = PiiEngine.compile(
      new PiiConfig("US", List.of("GB", "DE"), null, null,
          List.of(new PiiPatternConfig("EMPLOYEE_ID", "EMP-[0-9]{6}", 16))));

  /** The one value found in {@code "before " + value + " after"}, as "TYPE:value". */
  private static String found(String value) {
    String text = "before " + value + " after";
    List<PiiMatch> matches = ENGINE.scan(text);
    return matches.stream()
        .map(m -> m.entityType() + ":" + text.substring(m.start(), m.end()))
        .reduce((a, b) -> a + " | " + b).orElse("none");
  }

  private static void assertFound(String type, String value) {
    assertThat(found(value)).isEqualTo(type + ":" + value);
  }

  private static void assertNone(String value) {
    assertThat(found(value)).isEqualTo("none");
  }

  @ParameterizedTest
  @ValueSource(strings = {"jane.doe@example.com", "UtaKortig@jourrapide.com", "a+tag@mail.co.uk",
      "x_y%z@sub.domain-name.org"})
  void emails(String value) {
    assertFound("EMAIL", value);
  }

  @ParameterizedTest
  @ValueSource(strings = {"jane@localhost", "@example.com", "jane..doe@example.com",
      ".jane@example.com", "jane@example.c"})
  void notEmails(String value) {
    assertThat(found(value)).doesNotContain("EMAIL");
  }

  @ParameterizedTest
  @ValueSource(strings = {"(650) 253-0000", "650-253-0000", "+1 650 253 0000", "+44 20 7946 0958",
      "+49 30 901820", "020 7946 0958", "+33 1 42 68 53 00", "930.167.3943", "345-899-3560x4587",
      "+447700677662"})
  void phones(String value) {
    assertFound("PHONE", value);
  }

  @ParameterizedTest
  @ValueSource(strings = {"123-4567", "2024-01-15", "12345", "+1 000 000 0000", "+1 123 456 7890", "15.03.2024"})
  void notPhones(String value) {
    assertThat(found(value)).doesNotContain("PHONE");
  }

  @Test
  void aPhoneFollowedByAnotherNumberIsStillFound() {
    String text = "call 650-253-0000 4 times";
    List<PiiMatch> m = ENGINE.scan(text);
    assertThat(m).containsExactly(new PiiMatch("PHONE", 5, 17));
  }

  @ParameterizedTest
  @ValueSource(strings = {"4111111111111111", "4111 1111 1111 1111", "4111-1111-1111-1111",
      "378282246310005", "5555555555554444", "6011111111111117", "4454794511390933"})
  void cards(String value) {
    assertFound("CREDIT_CARD", value);
  }

  @ParameterizedTest
  @ValueSource(strings = {"4111111111111112", "4111 1111 1111 1113", "5555555555554445",
      "1234567890123", "4111111111"})
  void luhnFailuresAreNotCards(String value) {
    assertThat(found(value)).doesNotContain("CREDIT_CARD");
  }

  @ParameterizedTest
  @ValueSource(strings = {"GB82WEST12345698765432", "GB82 WEST 1234 5698 7654 32",
      "DE89370400440532013000", "DE89 3704 0044 0532 0130 00", "FR1420041010050500013M02606",
      "NL91ABNA0417164300", "gb82west12345698765432"})
  void ibans(String value) {
    assertFound("IBAN", value);
  }

  @ParameterizedTest
  @ValueSource(strings = {"GB83WEST12345698765432", "DE89370400440532013001",
      "GB82WEST1234569876543", "XX82WEST12345698765432", "NL91ABNA04171643001"})
  void badChecksumsAndLengthsAreNotIbans(String value) {
    assertThat(found(value)).doesNotContain("IBAN");
  }

  @ParameterizedTest
  @ValueSource(strings = {"460-89-9847", "514 69 0360", "001-01-0001", "899-99-9999", "665-12-3456"})
  void ssns(String value) {
    assertFound("US_SSN", value);
  }

  @ParameterizedTest
  @ValueSource(strings = {"000-12-3456", "666-12-3456", "900-12-3456", "999-12-3456", "123-00-4567",
      "123-45-0000", "123-45 6789", "1234-56-789"})
  void excludedSsnRanges(String value) {
    assertThat(found(value)).doesNotContain("US_SSN");
  }

  @ParameterizedTest
  @ValueSource(strings = {"106.31.73.20", "0.0.0.0", "255.255.255.255", "2001:db8::1",
      "2001:0db8:85a3:0000:0000:8a2e:0370:7334", "fe80::1ff:fe23:4567:890a", "::ffff:192.0.2.128",
      "2001:db8:0:0:1:0:0:1"})
  void ipAddresses(String value) {
    assertFound("IP_ADDRESS", value);
  }

  @ParameterizedTest
  @ValueSource(strings = {"256.1.1.1", "1.2.3", "1.2.3.4.5", "01.2.3.4", "std::vector", "12:30:45",
      "2001:db8::1::2", "00:1a:2b:3c:4d:5e", "1:2:3:4:5:6:7:8:9"})
  void notIpAddresses(String value) {
    assertThat(found(value)).doesNotContain("IP_ADDRESS");
  }

  @ParameterizedTest
  @ValueSource(strings = {"AKIAIOSFODNN7EXAMPLE", "sk-proj-abcDEF1234567890abcdef1234567890",
      "sk-ant-api03-abcdefghijklmnop1234567890ABCDEFGHIJ-abcdefghij_0123456789",
      "AIzaSyA1234567890abcdefghijklmnopqrstuv", "ghp_0123456789abcdefghijABCDEFGHIJ0123456789",
      "github_pat_11ABCDEFG0123456789_abcdefghijklmnopqrstuvwxyz",
      "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U",
      "-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC7\n-----END PRIVATE KEY-----",
      "-----BEGIN RSA PRIVATE KEY-----\nMIIEpAIBAAKCAQEA0Z3VS5JJcds3xfn/ygWyF8PbnGy0AHB7MaG\n-----END RSA PRIVATE KEY-----"})
  void secrets(String value) {
    assertFound("SECRET", value);
  }

  @ParameterizedTest
  @ValueSource(strings = {"AKIA1234", "sk-this-is-not-a-key-at-all", "ghp_short",
      "-----BEGIN PUBLIC KEY-----", "eyJhbGciOiJIUzI1NiJ9"})
  void notSecrets(String value) {
    assertThat(found(value)).doesNotContain("SECRET");
  }

  @Test
  void anUnterminatedPrivateKeyIsStillASecret() {
    String text = "here: -----BEGIN EC PRIVATE KEY-----\nMHcCAQEEIBkg4LVWM9nuwNSk3yByxZpYRTBnVJk5oaUN";
    assertThat(ENGINE.scan(text)).containsExactly(new PiiMatch("SECRET", 6, text.length()));
  }

  @Test
  void customPatterns() {
    assertFound("EMPLOYEE_ID", "EMP-123456");
  }

  @Test
  void overlappingDetectorsTakeTheLeftmostLongestValue() {
    // An IPv4 address is also a plausible phone-number candidate: the IP detector wins the tie.
    assertThat(found("106.31.73.20")).isEqualTo("IP_ADDRESS:106.31.73.20");
    assertThat(ENGINE.scan("mail jane@example.com, card 4111111111111111, ip 10.0.0.1"))
        .extracting(PiiMatch::entityType).containsExactly("EMAIL", "CREDIT_CARD", "IP_ADDRESS");
  }

  @Test
  void onlyTypesWithAnActionAreLookedFor() {
    PiiEngine emailsOnly = PiiEngine.compile(
        new PiiConfig(null, null, Map.of("EMAIL", "mask"), null, null));
    RequestRedaction r = emailsOnly.redactRequest("jane@example.com 4111111111111111", new Pseudonyms());
    assertThat(r.text()).isEqualTo("[EMAIL] 4111111111111111");
  }
}
