package dev.tollgate.inspect.guard;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class NormalizedTextTest {
  @Test
  void plainAsciiIsLowerCasedWithSingleSpaces() {
    NormalizedText n = NormalizedText.of("  Hello\t\tWORLD \n again ");
    assertThat(n.text()).isEqualTo("hello world again");
    assertThat(n.hiddenChars()).isZero();
    assertThat(n.homoglyphs()).isZero();
  }

  @Test
  void invisibleCharactersAreRemovedAndCountedOnlyInsideWords() {
    NormalizedText n = NormalizedText.of("ig\u200Bnore \u200Bthis\u00AD\u2060one");
    assertThat(n.text()).isEqualTo("ignore thisone");
    assertThat(n.hiddenChars()).isEqualTo(3); // one in "ig.nore", two in "this..one"; the one after a space splits no word
  }

  @Test
  void tagCharactersAreTakenOutAndSpelledSeparately() {
    StringBuilder s = new StringBuilder("hi");
    "secret".codePoints().forEach(c -> s.appendCodePoint(0xE0000 + c));
    NormalizedText n = NormalizedText.of(s.toString());
    assertThat(n.text()).isEqualTo("hi");
    assertThat(n.tagPayload()).isEqualTo("secret");
  }

  @Test
  void lookAlikesAreFoldedAndCountedOnlyInMixedScriptWords() {
    NormalizedText mixed = NormalizedText.of("раssword");   // Cyrillic р, а
    assertThat(mixed.text()).isEqualTo("password");
    assertThat(mixed.homoglyphs()).isEqualTo(2);
    NormalizedText russian = NormalizedText.of("Москва");
    assertThat(russian.homoglyphs()).isZero();
  }

  @Test
  void nfkcAndAccentsFold() {
    assertThat(NormalizedText.of("Ｆｕｌｌ ﬁle café").text()).isEqualTo("full file cafe");
  }
}
