package dev.tollgate.proc.response;

import dev.tollgate.inspect.pii.PiiEngine;
import dev.tollgate.inspect.pii.Pseudonyms;
import dev.tollgate.inspect.pii.StreamTransformer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The PII engine of a request's policy, with that request's pseudonyms, on model output. One per
 * response: it also keeps that response's masked-value counts.
 */
final class PiiTextTransform implements ResponseTextTransform {
  private final PiiEngine engine;
  private final Pseudonyms pseudonyms;
  /** Counts of whole texts and of finished streams. */
  private final Map<String, Integer> counted = new TreeMap<>();
  /** Streams not finished yet (or never: a cut stream); their counts are read live. */
  private final List<StreamTransformer> open = new ArrayList<>();

  private PiiTextTransform(PiiEngine engine, Pseudonyms pseudonyms) {
    this.engine = engine;
    this.pseudonyms = pseudonyms;
  }

  /** @return null when the engine has nothing to do on this response (the fast path) */
  static ResponseTextTransform of(PiiEngine engine, Pseudonyms pseudonyms) {
    if (engine == null || !engine.rewritesResponses(pseudonyms)) {
      return null;
    }
    return new PiiTextTransform(engine, pseudonyms);
  }

  @Override
  public synchronized String transform(String text) {
    return engine.transformResponse(text, pseudonyms, counted);
  }

  @Override
  public synchronized ChoiceStream openChoice() {
    StreamTransformer stream = engine.streamTransformer(pseudonyms);
    open.add(stream);
    return new ChoiceStream() {
      @Override
      public String accept(String delta) {
        return stream.accept(delta);
      }

      @Override
      public String finish() {
        String tail = stream.finish();
        settle(stream);
        return tail;
      }
    };
  }

  /** A finished stream's counts move into {@link #counted}, so long answers keep few streams open. */
  private synchronized void settle(StreamTransformer stream) {
    if (open.remove(stream)) {
      stream.countsByEntityType().forEach((type, n) -> counted.merge(type, n, Integer::sum));
    }
  }

  @Override
  public synchronized Map<String, Integer> maskedCounts() {
    Map<String, Integer> all = new TreeMap<>(counted);
    for (StreamTransformer stream : open) {
      stream.countsByEntityType().forEach((type, n) -> all.merge(type, n, Integer::sum));
    }
    return all;
  }
}
