package dev.tollgate.proc.response;

import java.util.Map;
import java.util.TreeMap;

/**
 * What one streamed choice holds back: its text's PII stream and one arguments stream per tool
 * call (by tool-call index, the legacy {@code function_call} under {@link ToolCalls#LEGACY}), each
 * opened when its first piece arrives. Not thread-safe: one per choice of one response.
 */
final class OpenChoice {
  /** Held-back output of one choice, handed over when the choice ends. */
  record Tails(String text, Map<Integer, String> arguments) {
    boolean isEmpty() {
      return text.isEmpty() && arguments.isEmpty();
    }
  }

  private final ResponseTextTransform transform;
  private ResponseTextTransform.ChoiceStream text;
  private final Map<Integer, ToolArgumentsStream> arguments = new TreeMap<>();

  OpenChoice(ResponseTextTransform transform) {
    this.transform = transform;
  }

  /** @return the part of this text delta that can be sent now */
  String text(String delta) {
    if (text == null) {
      text = transform.openChoice();
    }
    return text.accept(delta);
  }

  /** @return the part of this arguments fragment of call {@code key} that can be sent now */
  String arguments(int key, String fragment) {
    return arguments.computeIfAbsent(key, k -> new ToolArgumentsStream(transform)).accept(fragment);
  }

  /** The choice ended: everything still held back, the arguments' by call; empty ones left out. */
  Tails finish() {
    String tail = text == null ? "" : text.finish();
    Map<Integer, String> rest = new TreeMap<>();
    arguments.forEach((key, stream) -> {
      String out = stream.finish();
      if (!out.isEmpty()) {
        rest.put(key, out);
      }
    });
    return new Tails(tail, rest);
  }
}
