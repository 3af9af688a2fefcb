package dev.tollgate.proc.budget;

/**
 * One limit one request must fit in: a budget, for one subject, in one unit.
 *
 * @param budget the budget's configured name
 * @param subject whose spend it counts: "consumer:alice" or "team:red"
 * @param key the counter's identity in a store (budget, subject and unit)
 * @param unit tokens or nano-USD
 * @param limit most spend per window, in the unit
 */
record BudgetCheck(String budget, String subject, String key, Unit unit, long limit, BudgetWindow window,
    boolean rolling, String model) {

  enum Unit {
    TOKENS("tokens"), NANO_USD("usd");

    final String label;

    Unit(String label) {
      this.label = label;
    }
  }

  /** How the 429 names it: "budget 'alice-daily' (consumer 'alice', 1000 tokens per day)". */
  String description() {
    String who = subject.replaceFirst(":", " '") + "'";
    String amount = unit == Unit.TOKENS ? limit + " tokens" : Money.usd(limit) + " USD";
    return "budget '" + budget + "' (" + who + (model == null ? "" : ", model '" + model + "'") + ", " + amount
        + " per " + (rolling ? "rolling " : "") + window.label() + ")";
  }

  String amount(long value) {
    return unit == Unit.TOKENS ? value + " tokens" : Money.usd(value) + " USD";
  }
}
