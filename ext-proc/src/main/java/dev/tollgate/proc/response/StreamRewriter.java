package dev.tollgate.proc.response;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.google.protobuf.ByteString;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.Iterator;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * Rewrites an OpenAI event stream chunk by chunk as Envoy hands it over: reads the provider's
 * usage, drops the usage-only chunk when the gateway (not the client) asked for it, writes the
 * public model name, applies field rewrites, and runs each choice's text and each of its tool
 * calls' arguments through their own PII streams ({@link OpenChoice}), flushing what those held
 * back before the choice's final chunk (or before {@code [DONE]}, or at the end of a truncated
 * stream). Text and arguments alike are offered to the budget's {@link CompletionCap}. Events
 * nobody changes go out as the exact bytes that came in. Not thread-safe: one per response.
 */
final class StreamRewriter {
  private final ResponsePlan plan;
  private final ObjectMapper json;
  private final BodyRewrites rewrites;
  private final SseDecoder decoder = new SseDecoder();
  private final Map<Integer, OpenChoice> choices = new TreeMap<>();
  private ObjectNode template;
  private Optional<TokenUsage> usage = Optional.empty();
  private long firstTokenNanos = -1;
  private int brokenEvents;
  private boolean sawDone;
  private final boolean fastPath;
  /** {@code "model":"<public name>"} as compact JSON; a chunk without it needs the rewrite. */
  private final String modelNeedle;
  private boolean ended;
  /** The budget's bound on delivered text and arguments; once it refuses, the stream is over for the client. */
  private CompletionCap cap = CompletionCap.NONE;
  private boolean capRefused;
  private boolean cut;
  private final java.util.Set<Integer> choiceIndexes = new java.util.TreeSet<>();

  StreamRewriter(ResponsePlan plan, ObjectMapper json) {
    this.plan = plan;
    this.json = json;
    this.rewrites = new BodyRewrites(plan.rewrite(), plan.publicModel());
    this.fastPath = plan.text() == null && plan.rewrite().keepsAllFields();
    this.modelNeedle = plan.rewrite().publicModelName()
        ? "\"model\":" + json.valueToTree(plan.publicModel()).toString() : null;
  }

  void cap(CompletionCap cap) {
    this.cap = cap;
  }

  /** @return what the client gets for these bytes (maybe nothing yet) */
  ByteString accept(ByteString bytes, boolean endOfStream) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(bytes.size() + 64);
    for (SseEvent event : decoder.feed(bytes)) {
      event(event, out);
    }
    if (endOfStream) {
      for (SseEvent rest : decoder.finish()) {
        if (rest.complete()) {
          event(rest, out); // ended on a bare CR, complete all the same
        } else {
          brokenEvents++; // cut off mid-event: what arrived cannot be trusted to be whole JSON
        }
      }
      if (!sawDone && !cut) {
        // Truncated: still deliver the text held back, but no [DONE] the provider never sent.
        flushChoices(out);
      }
      ended = true;
    }
    return ByteString.copyFrom(out.toByteArray());
  }

  private void event(SseEvent event, ByteArrayOutputStream out) {
    if (event.oversized()) {
      brokenEvents++;
      return;
    }
    if (cut) {
      usageAfterCut(event); // the client's stream has ended; only the provider's count is still read
      return;
    }
    if (event.data() == null) {
      out.writeBytes(event.raw()); // comments and keep-alives
      return;
    }
    if (event.isDone()) {
      flushChoices(out);
      sawDone = true;
      out.writeBytes(event.raw());
      return;
    }
    if (untouched(event.data())) {
      out.writeBytes(event.raw());
      return;
    }
    JsonNode tree;
    try {
      tree = json.readTree(event.data());
    } catch (IOException e) {
      tree = null;
    }
    if (!(tree instanceof ObjectNode chunk)) {
      // A client SDK fails on a data line that is not a JSON object; drop it and count it.
      brokenEvents++;
      return;
    }
    byte[] rewritten = chunk(chunk);
    if (capRefused) {
      out.writeBytes(cutOff());
      return;
    }
    if (rewritten != null) {
      out.writeBytes(rewritten.length == 0 ? event.raw() : rewritten);
    }
  }

  /**
   * The fast path for streams with nothing to rewrite (no PII work, no field rewrites, the model
   * name already the public one): a chunk without a usage object or an error passes as its bytes,
   * without a JSON parse. Only its shape is checked (one JSON object); compact JSON as providers
   * write it is recognised, anything else takes the full path.
   */
  private boolean untouched(String data) {
    if (!fastPath || cap != CompletionCap.NONE || cut || capRefused) {
      return false;
    }
    String trimmed = data.strip();
    if (!trimmed.startsWith("{") || !trimmed.endsWith("}") || trimmed.contains("\"usage\":{")
        || trimmed.contains("\"error\"") || (modelNeedle != null && !trimmed.contains(modelNeedle))) {
      return false;
    }
    if (firstTokenNanos < 0 && (hasText(trimmed, plan.completionsText() ? "\"text\":\"" : "\"content\":\"")
        || hasText(trimmed, "\"arguments\":\""))) {
      sawText("x");
    }
    return true;
  }

  /** The compact JSON has {@code key} (ending in its opening quote) followed by a non-empty string. */
  private static boolean hasText(String data, String key) {
    int value = data.indexOf(key);
    return value >= 0 && value + key.length() < data.length() && data.charAt(value + key.length()) != '"';
  }

  /** @return null to drop the chunk, an empty array to send it unchanged, or the new bytes */
  private byte[] chunk(ObjectNode chunk) {
    if (chunk.has("error")) {
      return new byte[0]; // a provider's in-stream error event: the client must see it as sent
    }
    JsonNode choicesNode = chunk.get("choices");
    TokenUsage.read(chunk.get("usage")).ifPresent(found -> usage = Optional.of(found));
    if (plan.usage().forced() && choicesNode != null && choicesNode.isArray() && choicesNode.isEmpty()
        && chunk.path("usage").isObject()) {
      return null; // the usage-only chunk only the gateway asked for
    }
    // The "usage": null that forcing adds to every other chunk stays: removing it would turn every
    // chunk into a body mutation, and under a slow reader Envoy stops reading the processor's
    // answers (side-stream flow control) until the 1 s message timeout cuts the stream.
    boolean changed = false;
    if (template == null && choicesNode != null && choicesNode.isArray() && !choicesNode.isEmpty()) {
      template = chunk.deepCopy();
      template.remove("choices");
      template.remove("usage");
    }
    if (choicesNode instanceof ArrayNode list) {
      for (JsonNode choice : list) {
        if (choice instanceof ObjectNode object) {
          changed |= choice(object);
        }
      }
    }
    changed |= rewrites.apply(chunk);
    if (!changed) {
      return new byte[0];
    }
    try {
      return SseEvent.encode(json.writeValueAsString(chunk));
    } catch (IOException e) {
      throw new IllegalStateException("a parsed tree always serialises", e);
    }
  }

  private boolean choice(ObjectNode choice) {
    ObjectNode holder = textHolder(choice);
    String field = plan.completionsText() ? "text" : "content";
    JsonNode text = holder == null ? null : holder.get(field);
    String textValue = text != null && text.isTextual() ? text.textValue() : null;
    int index = choice.path("index").asInt(0);
    choiceIndexes.add(index);
    // Completions have no tool calls; a chat delta may carry arguments beside (or instead of) text.
    Map<Integer, ObjectNode> functions = holder == null || plan.completionsText()
        ? Map.of() : ToolCalls.functions(holder);
    if (!capRefused && !admit(textValue, functions)) {
      capRefused = true;
    }
    if (plan.text() == null) {
      if (textValue != null) {
        sawText(textValue);
      }
      functions.values().forEach(function -> {
        String arguments = ToolCalls.arguments(function);
        if (arguments != null) {
          sawText(arguments);
        }
      });
      return false;
    }
    boolean changed = false;
    if (textValue != null) {
      String safe = open(index).text(textValue);
      sawText(safe);
      if (!safe.equals(textValue)) {
        holder.put(field, safe);
        changed = true;
      }
    }
    for (Map.Entry<Integer, ObjectNode> function : functions.entrySet()) {
      String arguments = ToolCalls.arguments(function.getValue());
      if (arguments == null) {
        continue;
      }
      String safe = open(index).arguments(function.getKey(), arguments);
      sawText(safe);
      if (!safe.equals(arguments)) {
        function.getValue().put("arguments", safe);
        changed = true;
      }
    }
    JsonNode finish = choice.get("finish_reason");
    if (finish != null && !finish.isNull()) {
      OpenChoice stream = choices.remove(index);
      OpenChoice.Tails tails = stream == null ? null : stream.finish();
      if (tails != null && !tails.isEmpty()) {
        ObjectNode target = holder != null ? holder : plan.completionsText() ? choice : choice.putObject("delta");
        addTails(target, field, tails);
        changed = true;
      }
    }
    return changed;
  }

  private OpenChoice open(int index) {
    return choices.computeIfAbsent(index, i -> new OpenChoice(plan.text()));
  }

  /**
   * Offers a choice's text and tool-call arguments of one chunk to the cap, as one piece: the
   * provider produced them together, so they are sent or cut together.
   */
  private boolean admit(String text, Map<Integer, ObjectNode> functions) {
    StringBuilder offered = text == null ? null : new StringBuilder(text);
    for (ObjectNode function : functions.values()) {
      String arguments = ToolCalls.arguments(function);
      if (arguments != null) {
        offered = offered == null ? new StringBuilder(arguments) : offered.append(arguments);
      }
    }
    return offered == null || cap.admit(offered.toString());
  }

  /** Puts held-back output into a chunk's text holder: text after its text, arguments after theirs. */
  private void addTails(ObjectNode target, String field, OpenChoice.Tails tails) {
    if (!tails.text().isEmpty()) {
      sawText(tails.text());
      JsonNode before = target.get(field);
      target.put(field, (before != null && before.isTextual() ? before.textValue() : "") + tails.text());
    }
    tails.arguments().forEach((key, tail) -> {
      sawText(tail);
      ToolCalls.appendArguments(target, key, tail);
    });
  }

  /** Time to first token as the client sees it: held-back text counts when it is sent. */
  private void sawText(String sent) {
    if (firstTokenNanos < 0 && !sent.isEmpty()) {
      firstTokenNanos = System.nanoTime() - plan.startNanos();
    }
  }

  /** Chat chunks carry text in {@code delta.content}, completions in the choice's {@code text}. */
  private ObjectNode textHolder(ObjectNode choice) {
    if (plan.completionsText()) {
      return choice;
    }
    return choice.get("delta") instanceof ObjectNode delta ? delta : null;
  }

  /** Sends what every still-open choice holds back, as one chunk per choice. */
  private void flushChoices(ByteArrayOutputStream out) {
    if (choices.isEmpty()) {
      return;
    }
    Iterator<Map.Entry<Integer, OpenChoice>> open = choices.entrySet().iterator();
    while (open.hasNext()) {
      Map.Entry<Integer, OpenChoice> entry = open.next();
      OpenChoice.Tails tails = entry.getValue().finish();
      open.remove();
      if (tails.isEmpty()) {
        continue;
      }
      ObjectNode chunk = template == null ? json.createObjectNode() : template.deepCopy();
      ObjectNode choice = chunk.putArray("choices").addObject();
      choice.put("index", entry.getKey());
      String field = plan.completionsText() ? "text" : "content";
      addTails(plan.completionsText() ? choice : choice.putObject("delta"), field, tails);
      choice.putNull("finish_reason");
      rewrites.apply(chunk);
      try {
        out.writeBytes(SseEvent.encode(json.writeValueAsString(chunk)));
      } catch (IOException e) {
        throw new IllegalStateException("a parsed tree always serialises", e);
      }
    }
  }

  /**
   * Ends the client's stream as OpenAI ends one at max_tokens: a last chunk per choice with
   * {@code finish_reason: "length"}, then {@code [DONE]}. What the provider sends after it is read
   * for its usage only.
   */
  private byte[] cutOff() {
    cut = true;
    sawDone = true;
    choices.clear(); // held-back text and arguments would run further past the cap
    ObjectNode last = template == null ? json.createObjectNode() : template.deepCopy();
    ArrayNode list = last.putArray("choices");
    for (int index : choiceIndexes.isEmpty() ? java.util.Set.of(0) : choiceIndexes) {
      ObjectNode choice = list.addObject();
      choice.put("index", index);
      if (plan.completionsText()) {
        choice.put("text", "");
      } else {
        choice.putObject("delta");
      }
      choice.put("finish_reason", "length");
    }
    rewrites.apply(last);
    try {
      ByteArrayOutputStream bytes = new ByteArrayOutputStream();
      bytes.writeBytes(SseEvent.encode(json.writeValueAsString(last)));
      bytes.writeBytes("data: [DONE]\n\n".getBytes(java.nio.charset.StandardCharsets.UTF_8));
      return bytes.toByteArray();
    } catch (IOException e) {
      throw new IllegalStateException("a parsed tree always serialises", e);
    }
  }

  private void usageAfterCut(SseEvent event) {
    if (event.oversized() || event.data() == null || event.isDone()) {
      return;
    }
    try {
      JsonNode tree = json.readTree(event.data());
      TokenUsage.read(tree == null ? null : tree.get("usage")).ifPresent(found -> usage = Optional.of(found));
    } catch (IOException e) {
      brokenEvents++;
    }
  }

  /** The gateway ended the stream at the budget's reservation. */
  boolean cut() {
    return cut;
  }

  String providerModel() {
    // On the fast path every chunk already named the public model.
    return rewrites.providerModel() != null ? rewrites.providerModel() : fastPath ? plan.publicModel() : null;
  }

  Optional<TokenUsage> usage() {
    return usage;
  }

  long firstTokenNanos() {
    return firstTokenNanos;
  }

  int brokenEvents() {
    return brokenEvents;
  }

  /** The body ended with [DONE]. */
  boolean sawDone() {
    return sawDone;
  }

  boolean ended() {
    return ended;
  }
}
