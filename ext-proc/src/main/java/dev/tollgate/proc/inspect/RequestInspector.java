package dev.tollgate.proc.inspect;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tollgate.core.identity.CallerIdentity;
import dev.tollgate.core.openai.OpenAiError;
import dev.tollgate.core.policy.PolicySnapshot;
import dev.tollgate.inspect.PromptText;
import dev.tollgate.inspect.guard.GuardAction;
import dev.tollgate.inspect.guard.GuardVerdict;
import dev.tollgate.inspect.guard.PromptView;
import dev.tollgate.inspect.pii.PiiEngine;
import dev.tollgate.inspect.pii.PiiMatch;
import dev.tollgate.inspect.pii.Pseudonyms;
import dev.tollgate.inspect.pii.RequestRedaction;
import dev.tollgate.inspect.tokens.TokenCounter;
import dev.tollgate.inspect.tokens.TokenEncoding;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import dev.tollgate.core.policy.PolicySource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The request side of inspection for one accepted request: picks the policy, finds the texts,
 * counts the prompt's tokens, runs the guard, redacts PII in the tree that goes upstream, and
 * refuses what the policy blocks (writing that request's audit record, since no response will).
 * Thread-safe; one per ext_proc service.
 */
public final class RequestInspector implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(RequestInspector.class);
  public static final String PROMPT_BLOCKED = "prompt_blocked";
  public static final String PII_BLOCKED = "pii_blocked";
  public static final String UNREADABLE_CONTENT = "unreadable_content";

  private static final com.fasterxml.jackson.databind.ObjectMapper ERRORS = new com.fasterxml.jackson.databind.ObjectMapper();
  /**
   * The built-in detectors (default regions), for prompt texts put into audit records under a
   * policy without a {@code pii} section. Built on first use: only audit.include_prompt needs it.
   */
  private static final class AuditDetectors {
    static final PiiEngine ENGINE = PiiEngine.compile(null);
  }
  private final InspectionPolicies policies = new InspectionPolicies();
  private final TokenCounter tokens = TokenCounter.shared();
  private final GatewayMetrics metrics;
  private final AuditLog audit;
  private ScheduledExecutorService precompiler;

  public RequestInspector(GatewayMetrics metrics, AuditLog audit) {
    this.metrics = metrics;
    this.audit = audit;
  }

  /**
   * Loads the tokenizer tables and the guard's classifier, then keeps the policies of the source's
   * current version compiled, off the request path: the first request after start or after a
   * policy change would otherwise pay for it (about a second cold), past Envoy's ext_proc deadline.
   */
  public void precompile(PolicySource source) {
    if (precompiler != null) {
      return;
    }
    precompiler = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread thread = new Thread(r, "tollgate-inspection-precompile");
      thread.setDaemon(true);
      return thread;
    });
    precompiler.execute(() -> {
      tokens.warmUp();
      CompiledPolicy.warmUp();
    });
    precompiler.scheduleWithFixedDelay(() -> {
      // Never let an exception escape: it would cancel the schedule for good.
      PolicySnapshot snapshot = null;
      try {
        snapshot = source.current();
        policies.of(snapshot);
      } catch (RuntimeException e) {
        // A policy that does not compile was validated wrongly; the request path reports it too.
        LOG.warn("inspection policies of version {} do not compile: {}",
            snapshot == null ? "?" : snapshot.version(), e.toString());
      }
    }, 0, 200, TimeUnit.MILLISECONDS);
  }

  @Override
  public void close() {
    if (precompiler != null) {
      precompiler.shutdownNow();
    }
  }

  public GatewayMetrics metrics() {
    return metrics;
  }

  public AuditLog audit() {
    return audit;
  }

  /** One accepted request, as the router stage knows it after the model access check. */
  public record Request(String requestId, String endpoint, PolicySnapshot snapshot, CallerIdentity caller,
      String model, boolean stream, ObjectNode body, long startNanos, Instant startTime) {}

  public sealed interface Outcome {}

  /**
   * Send it upstream.
   *
   * @param bodyChanged the tree differs from the client's bytes (redacted), so it must be re-serialised
   */
  public record Proceed(RequestInspection inspection, boolean bodyChanged) implements Outcome {}

  /** Refuse it with this error; the audit record is written (and claimed in the inspection) already. */
  public record Refuse(OpenAiError error, RequestInspection inspection) implements Outcome {}

  public Outcome inspect(Request request) {
    boolean askedUsage = clientAskedUsage(request.body());
    CallerIdentity caller = request.caller();
    CompiledPolicy policy = policies.select(request.snapshot(), new CompiledPolicy.Subject(request.model(),
        caller.consumer(), caller.team(), request.endpoint())).orElse(null);
    if (policy == null) {
      return new Proceed(inspection(request, askedUsage, null, null, null, null, Map.of(), null), false);
    }
    long inspectStart = System.nanoTime();
    PromptExtractor.Outcome extracted = PromptExtractor.extract(request.endpoint(), request.body());
    if (extracted instanceof PromptExtractor.Refused refused) {
      RequestInspection inspection = inspection(request, askedUsage, policy, null, null, null, Map.of(), null);
      return refuse(inspection, UNREADABLE_CONTENT, refused.error(), null);
    }
    ExtractedPrompt prompt = ((PromptExtractor.Extracted) extracted).prompt();
    int promptTokens = prompt.promptTokens(tokens, tokenizerModel(request.snapshot(), request.model()));

    GuardVerdict verdict = null;
    if (policy.guard() != null) {
      List<PromptText> texts = prompt.texts();
      int messages = prompt.chat() ? prompt.messageCount() : 1;
      verdict = policy.guard().inspect(new PromptView(texts, messages, promptTokens, prompt.chars()));
      metrics.recordGuardVerdict(policy.name(), verdict.action().name().toLowerCase(Locale.ROOT),
          verdict.reasonCode());
      if (verdict.action() == GuardAction.BLOCK) {
        RequestInspection inspection =
            inspection(request, askedUsage, policy, promptTokens, verdict, null, Map.of(), null);
        // The prompt is never echoed: only the reason code, which names a rule, not the text.
        return refuse(inspection, PROMPT_BLOCKED, new OpenAiError(400,
            "Your request was blocked by the gateway's prompt policy (" + verdict.reasonCode() + ").",
            "invalid_request_error", verdict.reasonCode(), PROMPT_BLOCKED), null);
      }
    }

    Pseudonyms pseudonyms = null;
    Map<String, Integer> piiCounts = new TreeMap<>();
    boolean changed = false;
    if (policy.pii() != null) {
      pseudonyms = new Pseudonyms();
      TreeSet<String> blocked = new TreeSet<>();
      List<String> redacted = new ArrayList<>(prompt.slots().size());
      for (PromptSlot slot : prompt.slots()) {
        RequestRedaction redaction = policy.pii().redactRequest(slot.text().text(), pseudonyms);
        blocked.addAll(redaction.blockedEntityTypes());
        redaction.countsByEntityType().forEach((type, count) -> piiCounts.merge(type, count, Integer::sum));
        redacted.add(redaction.text());
      }
      metrics.recordPiiEntities(policy.name(), "request", piiCounts);
      if (!blocked.isEmpty()) {
        RequestInspection inspection =
            inspection(request, askedUsage, policy, promptTokens, verdict, null, piiCounts, null);
        return refuse(inspection, PII_BLOCKED, new OpenAiError(400,
            "Your request contains data the gateway's policy does not allow to be sent: "
                + String.join(", ", blocked) + ".", "invalid_request_error", null, PII_BLOCKED),
            List.copyOf(blocked));
      }
      for (int i = 0; i < redacted.size(); i++) {
        PromptSlot slot = prompt.slots().get(i);
        if (!redacted.get(i).equals(slot.text().text())) {
          slot.write(redacted.get(i));
          changed = true;
        }
      }
    }

    List<AuditRecord.PromptEntry> auditPrompt = null;
    if (policy.includePrompt()) {
      auditPrompt = new ArrayList<>();
      PiiEngine detectors = policy.pii() != null ? policy.pii() : AuditDetectors.ENGINE;
      for (PromptSlot slot : prompt.slots()) {
        // Read back from the tree: what the provider sees, redacted; then masked for the log.
        auditPrompt.add(new AuditRecord.PromptEntry(slot.text().path(), slot.text().role(),
            maskAll(detectors, current(slot))));
      }
    }
    metrics.recordInspection(policy.name(), Duration.ofNanos(System.nanoTime() - inspectStart));
    return new Proceed(inspection(request, askedUsage, policy, promptTokens, verdict, pseudonyms, piiCounts,
        auditPrompt), changed);
  }

  private Refuse refuse(RequestInspection inspection, String reasonCode, OpenAiError error, List<String> blockedTypes) {
    metrics.recordBlocked(inspection.policyName(), reasonCode);
    if (inspection.claimAudit()) {
      audit.write(inspection.record(AuditRecord.BLOCKED, reasonCode, error.status(), null, null,
          inspection.promptTokens() == null ? null
              : new AuditRecord.Tokens(inspection.promptTokens(), null, null, null, null, null),
          blockedTypes, null));
    }
    return new Refuse(error, inspection);
  }

  /**
   * The audit record of a request the router stage refused before inspection (400 unparsable,
   * 403, 404, 405, 413, 429...): every request the gateway reads leaves one record. ext_authz's 401s
   * are decided in another service and are not recorded here.
   *
   * @param model the model asked for, or null when the body was not read that far
   * @param errorBody the OpenAI error body the client got, for its code
   */
  public void auditRefusal(Request request, int status, String errorBody) {
    RequestInspection inspection = inspection(request, false, null, null, null, null, Map.of(), null);
    if (inspection.claimAudit()) {
      audit.write(inspection.record(AuditRecord.BLOCKED, errorCode(errorBody), status, null, null, null, null, null));
    }
  }

  private static String errorCode(String body) {
    try {
      JsonNode error = ERRORS.readTree(body).path("error");
      String code = error.path("code").asText("");
      return code.isEmpty() ? error.path("type").asText("refused") : code;
    } catch (java.io.IOException | RuntimeException e) {
      return "refused";
    }
  }

  private static RequestInspection inspection(Request request, boolean askedUsage, CompiledPolicy policy,
      Integer promptTokens, GuardVerdict verdict, Pseudonyms pseudonyms, Map<String, Integer> piiCounts,
      List<AuditRecord.PromptEntry> auditPrompt) {
    return new RequestInspection(policy == null ? null : policy.name(), request.snapshot().version(),
        promptTokens, pseudonyms, verdict, request.stream(), askedUsage, request.caller(), request.model(),
        request.startNanos(), request.requestId(), request.endpoint(), request.startTime(),
        policy == null ? null : policy.pii(), policy == null ? null : policy.response(), piiCounts, auditPrompt,
        null);
  }

  /**
   * The name whose tokenizer counts this request: the upstream target's when every target of the
   * public model uses the same encoding (Envoy picks the target after this stage), else the public
   * name's.
   */
  static String tokenizerModel(PolicySnapshot snapshot, String model) {
    List<String> targets = snapshot.upstreamModels().getOrDefault(model, List.of());
    if (targets.isEmpty()) {
      return model;
    }
    TokenEncoding first = TokenEncoding.of(targets.get(0));
    for (String target : targets) {
      if (TokenEncoding.of(target) != first) {
        return model;
      }
    }
    return targets.get(0);
  }

  /**
   * The text with every value any detector finds replaced by {@code [TYPE]}, whatever the policy's
   * actions say (none, or only some types): the policy decides what the provider may see, but the
   * audit log never holds a PII value. Placeholders ({@code <EMAIL_1>}) stay; they hold none.
   */
  static String maskAll(PiiEngine detectors, String text) {
    List<PiiMatch> matches = detectors.scan(text);
    if (matches.isEmpty()) {
      return text;
    }
    StringBuilder out = new StringBuilder(text.length());
    int at = 0;
    for (PiiMatch match : matches) {
      out.append(text, at, match.start()).append('[').append(match.entityType()).append(']');
      at = match.end();
    }
    return out.append(text, at, text.length()).toString();
  }

  private static String current(PromptSlot slot) {
    JsonNode node = slot.object() != null ? slot.object().get(slot.field()) : slot.array().get(slot.index());
    return node == null ? "" : node.asText();
  }

  private static boolean clientAskedUsage(ObjectNode body) {
    JsonNode options = body.get("stream_options");
    return options != null && options.path("include_usage").asBoolean(false);
  }
}
