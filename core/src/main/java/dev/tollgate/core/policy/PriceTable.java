package dev.tollgate.core.policy;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.tollgate.core.config.PriceConfig;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Prices by model, optionally narrowed by backend and upstream model, each from a date on. The most
 * specific entry wins (backend and upstream model both given beats one beats none), then the latest
 * date that has begun. Immutable.
 */
public final class PriceTable {
  public static final PriceTable EMPTY = new PriceTable(List.of());
  private static final List<PriceConfig> DEFAULTS = loadDefaults();

  private record Entry(PriceConfig config, Price price, LocalDate from) {}

  private final List<Entry> entries;

  private PriceTable(List<PriceConfig> configs) {
    List<Entry> list = new ArrayList<>();
    for (PriceConfig config : configs) {
      PriceConfig full = config.withDefaults();
      list.add(new Entry(full, Price.of(full), LocalDate.parse(full.from())));
    }
    this.entries = List.copyOf(list);
  }

  /**
   * The shipped defaults with the configured entries on top: a model priced in the config is
   * priced by the config's entries only, so an older configured date never loses to a default.
   */
  public static List<PriceConfig> merged(List<PriceConfig> configured) {
    Map<List<Object>, PriceConfig> byKey = new LinkedHashMap<>();
    java.util.Set<String> configuredModels = new java.util.HashSet<>();
    configured.forEach(price -> configuredModels.add(price.model()));
    for (PriceConfig price : DEFAULTS) {
      if (!configuredModels.contains(price.model())) {
        byKey.put(key(price.withDefaults()), price.withDefaults());
      }
    }
    for (PriceConfig price : configured) {
      byKey.put(key(price.withDefaults()), price.withDefaults());
    }
    return List.copyOf(byKey.values());
  }

  public static List<PriceConfig> defaults() {
    return DEFAULTS;
  }

  private static List<Object> key(PriceConfig price) {
    return java.util.Arrays.asList(price.model(), price.backend(), price.upstreamModel(), price.from());
  }

  public static PriceTable of(List<PriceConfig> prices) {
    return new PriceTable(prices);
  }

  /**
   * The price of one request on a day.
   *
   * @param backend the backend that answered, or null when not known yet
   * @param upstreamModel the provider's model name, or null when not known yet
   */
  public Optional<Price> lookup(String publicModel, String backend, String upstreamModel, LocalDate day) {
    Optional<Price> direct = best(publicModel, backend, upstreamModel, day);
    return direct.isPresent() || upstreamModel == null ? direct : best(upstreamModel, backend, upstreamModel, day);
  }

  /**
   * The dearest price any backend or upstream model of this public model could be charged at, for
   * a reservation made before the route is known: the public model's own entries, or when it has
   * none, those of its targets' provider model names (a public alias of a priced provider model).
   */
  public Optional<Price> worstCase(String publicModel, List<String> upstreamModels, LocalDate day) {
    Optional<Price> own = dearest(List.of(publicModel), day);
    return own.isPresent() ? own : dearest(upstreamModels, day);
  }

  /** Per (model, backend, upstream model) the entry in force on the day; the dearest of them all. */
  private Optional<Price> dearest(List<String> models, LocalDate day) {
    Map<List<Object>, Entry> inForce = new LinkedHashMap<>();
    for (Entry entry : entries) {
      if (models.contains(entry.config.model()) && !entry.from.isAfter(day)) {
        inForce.merge(java.util.Arrays.asList(entry.config.model(), entry.config.backend(), entry.config.upstreamModel()),
            entry, (a, b) -> a.from.isAfter(b.from) ? a : b);
      }
    }
    return inForce.values().stream().map(Entry::price).reduce(PriceTable::max);
  }

  private static Price max(Price a, Price b) {
    return new Price(Math.max(a.inputNanosPerMillion(), b.inputNanosPerMillion()),
        Math.max(a.cachedInputNanosPerMillion(), b.cachedInputNanosPerMillion()),
        Math.max(a.outputNanosPerMillion(), b.outputNanosPerMillion()),
        Math.max(a.reasoningNanosPerMillion(), b.reasoningNanosPerMillion()));
  }

  private Optional<Price> best(String model, String backend, String upstreamModel, LocalDate day) {
    return entries.stream()
        .filter(e -> e.config.model().equals(model) && !e.from.isAfter(day)
            && (e.config.backend() == null || e.config.backend().equals(backend))
            && (e.config.upstreamModel() == null || e.config.upstreamModel().equals(upstreamModel)))
        .max(Comparator.<Entry>comparingInt(e -> (e.config.backend() == null ? 0 : 1)
                + (e.config.upstreamModel() == null ? 0 : 1))
            .thenComparing(Entry::from))
        .map(Entry::price);
  }

  private static List<PriceConfig> loadDefaults() {
    try (InputStream in = PriceTable.class.getResourceAsStream("default-prices.yaml")) {
      return List.copyOf(new ObjectMapper(new YAMLFactory()).readValue(in, new TypeReference<List<PriceConfig>>() {}));
    } catch (IOException e) {
      throw new UncheckedIOException("the shipped default-prices.yaml is unreadable", e);
    }
  }
}
