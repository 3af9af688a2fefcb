package dev.tollgate.proc.inspect;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tollgate.core.config.AuditPolicyConfig;
import dev.tollgate.core.config.InspectionPolicyConfig;
import dev.tollgate.core.config.PiiConfig;
import dev.tollgate.core.identity.CallerIdentity;
import dev.tollgate.core.policy.PolicyDocument;
import dev.tollgate.core.policy.PolicySnapshot;
import dev.tollgate.core.policy.RequestLimitsPolicy;
import dev.tollgate.core.policy.RuntimeState;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** audit.include_prompt never puts a PII value into the audit record, whatever the pii section says. */
class AuditPromptMaskingTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String PROMPT = "{\"model\":\"gpt-4o\",\"messages\":[{\"role\":\"user\",\"content\":"
      + "\"mail jane.doe@example.com or call (650) 253-0000\"},{\"role\":\"assistant\",\"tool_calls\":[{\"id\":\"c\","
      + "\"type\":\"function\",\"function\":{\"name\":\"send\",\"arguments\":\"{\\\"to\\\":\\\"bob@corp.example\\\"}\"}}]}]}";

  private static List<AuditRecord.PromptEntry> auditedPrompt(PiiConfig pii) throws Exception {
    InspectionPolicyConfig policy = new InspectionPolicyConfig("p", null, null, pii, null, new AuditPolicyConfig(true));
    PolicySnapshot snapshot = PolicySnapshot.of(new PolicyDocument("v1", List.of(), List.of(), 1 << 20,
        RuntimeState.empty(), RequestLimitsPolicy.NONE, null, List.of(policy), null, null));
    RequestInspector inspector = new RequestInspector(GatewayMetrics.inMemory(), AuditLog.toLogger());
    RequestInspector.Outcome outcome = inspector.inspect(new RequestInspector.Request("req_1", "/v1/chat/completions",
        snapshot, new CallerIdentity("alice", "", List.of(), "", "api_key", ""), "gpt-4o", false,
        (ObjectNode) JSON.readTree(PROMPT), System.nanoTime(), Instant.now()));
    assertThat(outcome).isInstanceOf(RequestInspector.Proceed.class);
    return ((RequestInspector.Proceed) outcome).inspection().auditPrompt();
  }

  @Test
  void withoutAPiiSectionEveryDetectedValueIsMaskedInTheRecordOnly() throws Exception {
    List<AuditRecord.PromptEntry> prompt = auditedPrompt(null);
    assertThat(prompt).extracting(AuditRecord.PromptEntry::text)
        .containsExactly("mail [EMAIL] or call [PHONE]", "{\"to\":\"[EMAIL]\"}");
  }

  @Test
  void typesThePolicyLeavesAloneAreMaskedAndPlaceholdersStay() throws Exception {
    // Only e-mail addresses are pseudonymised for the provider; the phone number goes as it is.
    List<AuditRecord.PromptEntry> prompt = auditedPrompt(new PiiConfig(null, null,
        Map.of("EMAIL", "pseudonymize"), null, null));
    assertThat(prompt).extracting(AuditRecord.PromptEntry::text)
        .containsExactly("mail <EMAIL_1> or call [PHONE]", "{\"to\":\"<EMAIL_2>\"}");
  }
}
