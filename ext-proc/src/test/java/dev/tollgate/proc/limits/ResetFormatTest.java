package dev.tollgate.proc.limits;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ResetFormatTest {
  @Test
  void writesDurationsAsOpenAiDoes() {
    assertThat(ResetFormat.of(0)).isEqualTo("0s");
    assertThat(ResetFormat.of(20)).isEqualTo("20ms");
    assertThat(ResetFormat.of(1000)).isEqualTo("1s");
    assertThat(ResetFormat.of(1500)).isEqualTo("1.5s");
    assertThat(ResetFormat.of(360_000)).isEqualTo("6m0s");
    assertThat(ResetFormat.of(3_723_250)).isEqualTo("1h2m3.25s");
  }
}
