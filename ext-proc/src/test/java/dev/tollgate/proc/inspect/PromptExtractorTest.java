package dev.tollgate.proc.inspect;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tollgate.inspect.PromptText;
import java.util.List;
import org.junit.jupiter.api.Test;

class PromptExtractorTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  private static ObjectNode body(String json) throws Exception {
    return (ObjectNode) JSON.readTree(json);
  }

  private static ExtractedPrompt extracted(String endpoint, ObjectNode body) {
    PromptExtractor.Outcome outcome = PromptExtractor.extract(endpoint, body);
    assertThat(outcome).isInstanceOf(PromptExtractor.Extracted.class);
    return ((PromptExtractor.Extracted) outcome).prompt();
  }

  private static PromptExtractor.Refused refused(String endpoint, String json) throws Exception {
    PromptExtractor.Outcome outcome = PromptExtractor.extract(endpoint, body(json));
    assertThat(outcome).isInstanceOf(PromptExtractor.Refused.class);
    return (PromptExtractor.Refused) outcome;
  }

  @Test
  void chatFindsStringsPartsToolResultsAndToolArguments() throws Exception {
    ObjectNode body = body("""
        {"model":"gpt-4o","messages":[
          {"role":"system","content":"Be brief."},
          {"role":"user","content":[{"type":"text","text":"What is this?"},
                                    {"type":"image_url","image_url":{"url":"https://example.com/a.png"}}]},
          {"role":"assistant","content":null,"tool_calls":[{"id":"c1","type":"function",
             "function":{"name":"lookup","arguments":"{\\"q\\":\\"x\\"}"}}]},
          {"role":"tool","tool_call_id":"c1","content":"result text"}]}
        """);
    ExtractedPrompt prompt = extracted("/v1/chat/completions", body);
    assertThat(prompt.texts()).containsExactly(
        new PromptText("messages[0].content", "system", "Be brief."),
        new PromptText("messages[1].content[0].text", "user", "What is this?"),
        new PromptText("messages[2].tool_calls[0].function.arguments", "assistant", "{\"q\":\"x\"}"),
        new PromptText("messages[3].content", "tool", "result text"));
    assertThat(prompt.messageCount()).isEqualTo(4);
    assertThat(prompt.chat()).isTrue();
  }

  @Test
  void writingASlotChangesOnlyThatText() throws Exception {
    ObjectNode body = body("""
        {"model":"gpt-4o","messages":[{"role":"user","content":[{"type":"text","text":"mail a@b.c"}]},
          {"role":"user","content":"plain"}]}""");
    ExtractedPrompt prompt = extracted("/v1/chat/completions", body);
    prompt.slots().get(0).write("mail [EMAIL]");
    assertThat(body.toString()).isEqualTo(
        "{\"model\":\"gpt-4o\",\"messages\":[{\"role\":\"user\",\"content\":[{\"type\":\"text\",\"text\":\"mail [EMAIL]\"}]},"
            + "{\"role\":\"user\",\"content\":\"plain\"}]}");
  }

  @Test
  void completionsAndEmbeddingsReadStringsAndCountTokenIds() throws Exception {
    ObjectNode completions = body("{\"model\":\"babbage-002\",\"prompt\":[\"a\",\"b\",[1,2,3]],\"suffix\":\"z\"}");
    ExtractedPrompt prompt = extracted("/v1/completions", completions);
    assertThat(prompt.texts()).extracting(PromptText::path).containsExactly("prompt[0]", "prompt[1]", "suffix");
    assertThat(prompt.tokenIds()).isEqualTo(3);
    prompt.slots().get(1).write("B");
    assertThat(completions.get("prompt").get(1).textValue()).isEqualTo("B");

    ExtractedPrompt embeddings = extracted("/v1/embeddings", body("{\"model\":\"m\",\"input\":\"hello\"}"));
    assertThat(embeddings.texts()).containsExactly(new PromptText("input", "", "hello"));
    assertThat(extracted("/v1/embeddings", body("{\"model\":\"m\",\"input\":[5,6]}")).tokenIds()).isEqualTo(2);
  }

  @Test
  void unknownContentPartTypeIsRefusedNamingTheType() throws Exception {
    PromptExtractor.Refused refused = refused("/v1/chat/completions", """
        {"model":"gpt-4o","messages":[{"role":"user","content":[{"type":"hologram","data":"secret words"}]}]}""");
    assertThat(refused.error().status()).isEqualTo(400);
    assertThat(refused.error().param()).isEqualTo("messages[0].content[0].type");
    assertThat(refused.error().message()).contains("hologram").doesNotContain("secret words");
  }

  @Test
  void textShapesThatCannotBeInspectedAreRefused() throws Exception {
    assertThat(refused("/v1/chat/completions", "{\"model\":\"m\",\"messages\":{}}").error().param())
        .isEqualTo("messages");
    assertThat(refused("/v1/chat/completions", "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":42}]}")
        .error().param()).isEqualTo("messages[0].content");
    assertThat(refused("/v1/chat/completions",
        "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":[{\"type\":\"text\",\"text\":7}]}]}")
        .error().param()).isEqualTo("messages[0].content[0].text");
    assertThat(refused("/v1/embeddings", "{\"model\":\"m\",\"input\":{\"a\":1}}").error().param()).isEqualTo("input");
    assertThat(refused("/v1/completions", "{\"model\":\"m\",\"prompt\":[true]}").error().param()).isEqualTo("prompt[0]");
  }

  @Test
  void mediaPartsPassUninspected() throws Exception {
    ExtractedPrompt prompt = extracted("/v1/chat/completions", body("""
        {"model":"m","messages":[{"role":"user","content":[{"type":"input_audio","input_audio":{"data":"AAAA"}},
          {"type":"file","file":{"file_id":"f1"}}]}]}"""));
    assertThat(prompt.slots()).isEmpty();
    assertThat(List.of(prompt.messageCount())).containsExactly(1);
  }
}
