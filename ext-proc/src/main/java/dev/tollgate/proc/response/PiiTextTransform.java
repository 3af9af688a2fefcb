package dev.tollgate.proc.response;

import dev.tollgate.inspect.pii.PiiEngine;
import dev.tollgate.inspect.pii.Pseudonyms;
import dev.tollgate.inspect.pii.StreamTransformer;

/** The PII engine of a request's policy, with that request's pseudonyms, on model output. */
final class PiiTextTransform implements ResponseTextTransform {
  private final PiiEngine engine;
  private final Pseudonyms pseudonyms;

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
  public String transform(String text) {
    return engine.transformResponse(text, pseudonyms);
  }

  @Override
  public ChoiceStream openChoice() {
    StreamTransformer stream = engine.streamTransformer(pseudonyms);
    return new ChoiceStream() {
      @Override
      public String accept(String delta) {
        return stream.accept(delta);
      }

      @Override
      public String finish() {
        return stream.finish();
      }
    };
  }
}
