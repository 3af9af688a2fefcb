package dev.tollgate.fakeprovider;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.http.HttpResponse;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class ReceivedRequestsTest {

  private FakeOpenAiProvider provider;

  @BeforeEach
  void start() throws IOException {
    provider = FakeOpenAiProvider.start(FakeProviderSettings.defaults().withName("upstream-a"));
  }

  @AfterEach
  void stop() {
    provider.close();
  }

  @Test
  void recordsWhatArrivedWithModelAndAuthorization() {
    String body = FakeClient.chatBody("gpt-rewritten", "hello");

    FakeClient.post(provider, "/v1/chat/completions?api-version=1", body,
        "Authorization", "Bearer sk-fake-123", "X-Custom-Header", "v1");

    List<ReceivedRequest> received = provider.receivedRequests();
    assertThat(received).hasSize(1);
    ReceivedRequest request = received.get(0);
    assertThat(request.method()).isEqualTo("POST");
    assertThat(request.path()).isEqualTo("/v1/chat/completions");
    assertThat(request.body()).isEqualTo(body);
    assertThat(request.model()).isEqualTo("gpt-rewritten");
    assertThat(request.authorization()).isEqualTo("Bearer sk-fake-123");
    assertThat(request.headers()).containsEntry("x-custom-header", List.of("v1"))
        .containsEntry("authorization", List.of("Bearer sk-fake-123"))
        .containsKey("content-type");
    assertThat(request.headers().keySet()).allMatch(name -> name.equals(name.toLowerCase()));
  }

  @Test
  void recordsRequestsThatFailToo() {
    FakeClient.post(provider, "/v1/chat/completions", "{broken");
    FakeClient.post(provider, "/v1/unknown", "{\"model\":\"m\"}");

    List<ReceivedRequest> received = provider.receivedRequests();
    assertThat(received).extracting(ReceivedRequest::path).containsExactly("/v1/chat/completions", "/v1/unknown");
    assertThat(received.get(0).model()).isNull();
    assertThat(received.get(0).authorization()).isNull();
    assertThat(received.get(1).model()).isEqualTo("m");
  }

  @Test
  void snapshotIsAnUnmodifiableCopyOldestFirstAndClearEmptiesIt() {
    FakeClient.post(provider, "/v1/chat/completions", FakeClient.chatBody("first", "x"));
    List<ReceivedRequest> snapshot = provider.receivedRequests();
    FakeClient.post(provider, "/v1/chat/completions", FakeClient.chatBody("second", "x"));

    assertThat(snapshot).hasSize(1);
    assertThat(provider.receivedRequests()).extracting(ReceivedRequest::model).containsExactly("first", "second");
    assertThatThrownBy(() -> snapshot.add(snapshot.get(0))).isInstanceOf(UnsupportedOperationException.class);
    assertThatThrownBy(() -> snapshot.get(0).headers().put("x", List.of()))
        .isInstanceOf(UnsupportedOperationException.class);

    provider.clearReceivedRequests();
    assertThat(provider.receivedRequests()).isEmpty();
  }

  @Test
  void everyResponseReportsWhatTheProviderReceived() {
    HttpResponse<String> withKey = FakeClient.post(provider, "/v1/chat/completions",
        FakeClient.chatBody("gpt-x", "hi"), "authorization", "Bearer sk-fake-456");
    HttpResponse<String> withoutKey = FakeClient.post(provider, "/v1/embeddings",
        "{\"model\":\"emb\",\"input\":\"hi\"}");

    assertThat(withKey.headers().firstValue("x-fake-provider-name")).hasValue("upstream-a");
    assertThat(withKey.headers().firstValue("x-fake-provider-received-model")).hasValue("gpt-x");
    assertThat(withKey.headers().firstValue("x-fake-provider-received-authorization"))
        .hasValue("Bearer sk-fake-456");
    assertThat(withoutKey.headers().firstValue("x-fake-provider-received-model")).hasValue("emb");
    assertThat(withoutKey.headers().firstValue("x-fake-provider-received-authorization")).hasValue("");
    assertThat(FakeClient.json(withKey.body()).at("/choices/0/message/content").asText())
        .startsWith("Hello from upstream-a.");
  }

  @Test
  void journalKeepsOnlyTheNewestEntries() {
    RequestJournal journal = new RequestJournal(3);
    for (int i = 1; i <= 5; i++) {
      journal.add(new ReceivedRequest("POST", "/" + i, java.util.Map.of(), "", null, null));
    }

    assertThat(journal.snapshot()).extracting(ReceivedRequest::path).containsExactly("/3", "/4", "/5");
    assertThat(journal.total()).as("the count goes on past the capacity").isEqualTo(5);
    journal.clear();
    assertThat(journal.total()).isZero();
    assertThat(RequestJournal.DEFAULT_CAPACITY).isEqualTo(10_000);
  }
}
