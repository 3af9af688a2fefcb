package dev.tollgate.store.admin;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import org.junit.jupiter.api.Test;

/** The budget windows the usage API reads the ledger over. */
class BudgetRemainingTest {
  private static final Instant NOW = Instant.parse("2026-12-31T23:59:30.250Z");

  @Test
  void calendarWindowsStartAtTheUtcBoundaryAndResetAtTheNext() {
    assertThat(BudgetRemaining.window("minute", false, NOW)).isEqualTo(new BudgetRemaining.Window(
        Instant.parse("2026-12-31T23:59:00Z"), Instant.parse("2027-01-01T00:00:00Z"), Instant.parse("2027-01-01T00:00:00Z")));
    assertThat(BudgetRemaining.window("hour", false, NOW).start()).isEqualTo(Instant.parse("2026-12-31T23:00:00Z"));
    assertThat(BudgetRemaining.window("day", false, NOW).start()).isEqualTo(Instant.parse("2026-12-31T00:00:00Z"));
    BudgetRemaining.Window month = BudgetRemaining.window("month", false, NOW);
    assertThat(month.start()).isEqualTo(Instant.parse("2026-12-01T00:00:00Z"));
    assertThat(month.resetsAt()).isEqualTo(Instant.parse("2027-01-01T00:00:00Z"));
  }

  @Test
  void rollingWindowsAreTheLastWindowLengthAndNeverReset() {
    BudgetRemaining.Window hour = BudgetRemaining.window("hour", true, NOW);
    assertThat(hour.start()).isEqualTo(NOW.minusSeconds(3600));
    assertThat(hour.end()).isAfter(NOW);
    assertThat(hour.resetsAt()).isNull();
    // A rolling month is as long as the calendar month now in progress.
    assertThat(BudgetRemaining.window("month", true, NOW).start()).isEqualTo(NOW.minusSeconds(31L * 86_400));
  }

  @Test
  void moneyIsShownAsExactDecimalText() {
    assertThat(UsageApi.usd(0)).isEqualTo("0");
    assertThat(UsageApi.usd(1)).isEqualTo("0.000000001");
    assertThat(UsageApi.usd(120_000_000)).isEqualTo("0.12");
    assertThat(UsageApi.usd(5_000_000_000L)).isEqualTo("5");
  }
}
