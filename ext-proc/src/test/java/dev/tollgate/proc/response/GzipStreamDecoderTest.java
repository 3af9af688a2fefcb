package dev.tollgate.proc.response;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;

class GzipStreamDecoderTest {
  private static final String TEXT = "data: {\"x\":\"" + "abc ".repeat(500) + "\"}\n\n";

  @Test
  void decodesWhereverTheCompressedBytesAreCut() throws Exception {
    byte[] gz = gzip(TEXT.getBytes(StandardCharsets.UTF_8));
    for (int cut = 0; cut <= gz.length; cut++) {
      GzipStreamDecoder decoder = new GzipStreamDecoder();
      ByteString out = decoder.decode(ByteString.copyFrom(gz, 0, cut))
          .concat(decoder.decode(ByteString.copyFrom(gz, cut, gz.length - cut)));
      decoder.finish();
      assertThat(out.toStringUtf8()).as("cut at %d", cut).isEqualTo(TEXT);
    }
  }

  @Test
  void refusesWhatIsNotGzipIsCutShortOrExpandsTooFar() throws Exception {
    assertThatThrownBy(() -> new GzipStreamDecoder().decode(ByteString.copyFromUtf8("{\"a\":1}")))
        .isInstanceOf(GzipStreamDecoder.GzipException.class);
    byte[] gz = gzip(TEXT.getBytes(StandardCharsets.UTF_8));
    GzipStreamDecoder cut = new GzipStreamDecoder();
    cut.decode(ByteString.copyFrom(gz, 0, gz.length / 2));
    assertThatThrownBy(cut::finish).isInstanceOf(GzipStreamDecoder.GzipException.class);
    byte[] bomb = gzip(new byte[1 << 20]);
    assertThatThrownBy(() -> GzipStreamDecoder.decodeAll(ByteString.copyFrom(bomb), 64 * 1024))
        .isInstanceOf(GzipStreamDecoder.GzipException.class);
  }

  static byte[] gzip(byte[] bytes) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
      gz.write(bytes);
    }
    return out.toByteArray();
  }
}
