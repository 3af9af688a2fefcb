package dev.tollgate.fakeprovider;

import java.util.List;
import java.util.Map;

/**
 * Exact bytes for {@link FakeOpenAiProvider#answerRaw}: wire faults no canned reply can make, such
 * as invalid UTF-8 inside a JSON answer or a body labelled {@code content-encoding: br}.
 *
 * @param status  the HTTP status
 * @param headers response headers, set as given (content-type, content-encoding, ...)
 * @param chunks  the body: one part is sent with a content-length; several are chunked, each
 *                written and flushed on its own
 */
public record RawAnswer(int status, Map<String, String> headers, List<byte[]> chunks) {
  public RawAnswer {
    headers = Map.copyOf(headers);
    chunks = List.copyOf(chunks);
  }
}
