package dev.tollgate.inspect.pii;

import dev.tollgate.core.config.PiiConfig;
import dev.tollgate.core.config.PiiPatternConfig;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * The compiled {@code pii:} section of one policy: detectors and the action for each entity type,
 * on requests and on responses. Compiled once per policy version; immutable and thread-safe (the
 * per-call state lives in {@link Pseudonyms}, {@link SpanScanner} and the stream transformers).
 */
public final class PiiEngine {
  private static final Pattern PLACEHOLDER = Pattern.compile("<[A-Z][A-Z0-9_]{0,40}_[1-9][0-9]{0,6}>");
  private static final int PLACEHOLDER_MAX_LENGTH = 52;

  private final List<Detector> all;
  private final List<Detector> requestDetectors;
  private final List<Detector> responseDetectors;
  private final Map<String, PiiAction> requestActions;
  private final Map<String, PiiAction> responseActions;

  private PiiEngine(List<Detector> all, Map<String, PiiAction> requestActions,
      Map<String, PiiAction> responseActions) {
    this.all = List.copyOf(all);
    this.requestActions = Collections.unmodifiableMap(new LinkedHashMap<>(requestActions));
    this.responseActions = Collections.unmodifiableMap(new LinkedHashMap<>(responseActions));
    this.requestDetectors = all.stream().filter(d -> requestActions.containsKey(d.entityType())).toList();
    this.responseDetectors = all.stream().filter(d -> responseActions.containsKey(d.entityType())).toList();
  }

  /**
   * @param config a validated section ({@link dev.tollgate.core.config.PiiConfigValidator}); null
   *     means every default
   * @throws IllegalArgumentException if the section is not valid (unknown action, bad pattern)
   */
  public static PiiEngine compile(PiiConfig config) {
    PiiConfig c = config == null ? PiiConfig.defaults() : config;
    List<Detector> detectors = new ArrayList<>(BuiltInDetectors.all(c.defaultRegion(), c.phoneRegions()));
    int priority = 10;
    for (PiiPatternConfig custom : c.custom()) {
      detectors.add(new Detector(custom.entity(), Pattern.compile(custom.pattern()),
          custom.maxLength(), Detector.Check.ANY, priority++));
    }
    Set<String> types = new TreeSet<>();
    detectors.forEach(d -> types.add(d.entityType()));
    return new PiiEngine(detectors, actions(c.request(), types), actions(c.response(), types));
  }

  private static Map<String, PiiAction> actions(Map<String, String> config, Set<String> types) {
    Map<String, PiiAction> actions = new LinkedHashMap<>();
    config.forEach((type, action) -> {
      if (!types.contains(type)) {
        throw new IllegalArgumentException("unknown PII entity type '" + type + "'");
      }
      actions.put(type, PiiAction.fromConfig(action == null ? "" : action));
    });
    return actions;
  }

  /** Whether requests are scanned at all (some entity type has a request action). */
  public boolean inspectsRequests() {
    return !requestDetectors.isEmpty();
  }

  /**
   * Whether responses need rewriting for this request: response actions are configured, or the
   * request side issued placeholders to restore.
   */
  public boolean rewritesResponses(Pseudonyms pseudonyms) {
    return !responseDetectors.isEmpty() || (pseudonyms != null && !pseudonyms.isEmpty());
  }

  /**
   * Request side: applies the request actions to one text. Values of types whose action is block
   * are masked too, so the text is safe even if a caller forwards it by mistake.
   *
   * @param pseudonyms this request's placeholders; filled here. Null means a throwaway set (the
   *     placeholders then cannot be restored in the response).
   */
  public RequestRedaction redactRequest(String text, Pseudonyms pseudonyms) {
    if (requestDetectors.isEmpty() || text.isEmpty()) {
      return new RequestRedaction(text, List.of(), Map.of());
    }
    Pseudonyms into = pseudonyms == null ? new Pseudonyms() : pseudonyms;
    List<SpanScanner.Found> found = findAll(requestDetectors, text);
    if (found.isEmpty()) {
      return new RequestRedaction(text, List.of(), Map.of());
    }
    StringBuilder out = new StringBuilder(text.length());
    Set<String> blocked = new TreeSet<>();
    Map<String, Integer> counts = new TreeMap<>();
    int at = 0;
    for (SpanScanner.Found f : found) {
      String type = f.detector().entityType();
      out.append(text, at, f.start());
      counts.merge(type, 1, Integer::sum);
      PiiAction action = requestActions.get(type);
      switch (action) {
        case BLOCK -> {
          blocked.add(type);
          out.append(PiiAction.mask(type));
        }
        case MASK -> out.append(PiiAction.mask(type));
        case PSEUDONYMIZE -> out.append(into.placeholderFor(type, text.substring(f.start(), f.end())));
      }
      at = f.end();
    }
    out.append(text, at, text.length());
    return new RequestRedaction(out.toString(), new ArrayList<>(blocked), counts);
  }

  /** Plain response: restores this request's placeholders, then applies the response actions. */
  public String transformResponse(String text, Pseudonyms pseudonyms) {
    return transformResponse(text, pseudonyms, null);
  }

  /**
   * As {@link #transformResponse(String, Pseudonyms)}, adding the number of values masked per
   * entity type to {@code counts} (when not null), for metrics and the audit record.
   */
  public String transformResponse(String text, Pseudonyms pseudonyms, Map<String, Integer> counts) {
    if (!rewritesResponses(pseudonyms) || text.isEmpty()) {
      return text;
    }
    ResponseRewriter rewriter = new ResponseRewriter(pseudonyms);
    SpanScanner scanner = new SpanScanner(responseDetectors(pseudonyms));
    int end = scanner.scan(text, true);
    List<SpanScanner.Found> chosen = new ArrayList<>();
    scanner.take(0, end, chosen);
    String out = rewriter.rewrite(text, 0, text.length(), chosen);
    if (counts != null) {
      rewriter.counts().forEach((type, n) -> counts.merge(type, n, Integer::sum));
    }
    return out;
  }

  /** One per streamed choice; see {@link StreamTransformer}. */
  public StreamTransformer streamTransformer(Pseudonyms pseudonyms) {
    if (!rewritesResponses(pseudonyms)) {
      return PassThrough.INSTANCE;
    }
    return new PiiStream(new SpanScanner(responseDetectors(pseudonyms)), new ResponseRewriter(pseudonyms));
  }

  /**
   * Every value any detector finds, whatever the actions say: for the evaluation command and for
   * tests. Positions only, never the values.
   */
  public List<PiiMatch> scan(String text) {
    List<PiiMatch> matches = new ArrayList<>();
    for (SpanScanner.Found f : findAll(all, text)) {
      matches.add(new PiiMatch(f.detector().entityType(), f.start(), f.end()));
    }
    return matches;
  }

  private static List<SpanScanner.Found> findAll(List<Detector> detectors, String text) {
    SpanScanner scanner = new SpanScanner(detectors);
    int end = scanner.scan(text, true);
    List<SpanScanner.Found> chosen = new ArrayList<>();
    scanner.take(0, end, chosen);
    return chosen;
  }

  private List<Detector> responseDetectors(Pseudonyms pseudonyms) {
    if (pseudonyms == null || pseudonyms.isEmpty()) {
      return responseDetectors;
    }
    List<Detector> list = new ArrayList<>(responseDetectors.size() + 1);
    // Placeholders first: a placeholder is never also a value, and must win any tie.
    list.add(new Detector(PiiMatch.PLACEHOLDER, PLACEHOLDER, PLACEHOLDER_MAX_LENGTH,
        (t, s, e) -> pseudonyms.originalOf(t.subSequence(s, e).toString()) != null ? e : -1, -1,
        Trigger.chars(0, "<")));
    list.addAll(responseDetectors);
    return list;
  }

  /** Response-side replacement of chosen spans. */
  private final class ResponseRewriter implements PiiStream.Rewriter {
    private final Pseudonyms pseudonyms;
    private final Map<String, Integer> counts = new TreeMap<>();

    ResponseRewriter(Pseudonyms pseudonyms) {
      this.pseudonyms = pseudonyms;
    }

    @Override
    public Map<String, Integer> counts() {
      return Collections.unmodifiableMap(counts);
    }

    @Override
    public String rewrite(CharSequence text, int from, int to, List<SpanScanner.Found> chosen) {
      if (chosen.isEmpty()) {
        return text.subSequence(from, to).toString();
      }
      StringBuilder out = new StringBuilder(to - from + 16);
      int at = from;
      for (SpanScanner.Found f : chosen) {
        out.append(text, at, f.start());
        String value = text.subSequence(f.start(), f.end()).toString();
        String type = f.detector().entityType();
        if (type.equals(PiiMatch.PLACEHOLDER)) {
          out.append(pseudonyms.originalOf(value));
        } else if (pseudonyms != null && pseudonyms.isOriginal(value)) {
          out.append(value); // the client's own value, echoed back: not a leak
        } else {
          out.append(PiiAction.mask(type)); // block on a response masks too: see PiiConfig
          counts.merge(type, 1, Integer::sum);
        }
        at = f.end();
      }
      out.append(text, at, to);
      return out.toString();
    }
  }

  /** No detectors and nothing to restore: the stream goes through untouched and unbuffered. */
  private enum PassThrough implements StreamTransformer {
    INSTANCE;

    @Override
    public String accept(String delta) {
      return delta == null ? "" : delta;
    }

    @Override
    public String finish() {
      return "";
    }
  }
}
