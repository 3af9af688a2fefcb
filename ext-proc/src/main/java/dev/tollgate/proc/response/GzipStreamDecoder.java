package dev.tollgate.proc.response;

import com.google.protobuf.ByteString;
import java.io.ByteArrayOutputStream;
import java.util.zip.DataFormatException;
import java.util.zip.Inflater;

/**
 * Decodes a gzip body (RFC 1952) chunk by chunk, as Envoy hands a stream over, so a provider that
 * compresses its event stream despite {@code accept-encoding: identity} can still be inspected.
 * One member only (what HTTP servers send); the trailer is skipped, not checked. Output per call is
 * capped, so a small chunk cannot expand into an unbounded buffer.
 */
public final class GzipStreamDecoder {
  /** Stays under gRPC's default 4 MiB message limit once wrapped in an ext_proc answer. */
  public static final int DEFAULT_MAX_OUTPUT_BYTES = 3 << 20;
  private static final int FHCRC = 2;
  private static final int FEXTRA = 4;
  private static final int FNAME = 8;
  private static final int FCOMMENT = 16;

  /** The body is not gzip, is corrupt, or expands beyond the limit. */
  public static final class GzipException extends Exception {
    private static final long serialVersionUID = 1L;

    GzipException(String message) {
      super(message, null, false, false);
    }
  }

  private final int maxOutputBytes;
  private final Inflater inflater = new Inflater(true);
  private final ByteArrayOutputStream header = new ByteArrayOutputStream(32);
  private boolean inBody;
  private final byte[] buffer = new byte[16 * 1024];

  public GzipStreamDecoder() {
    this(DEFAULT_MAX_OUTPUT_BYTES);
  }

  public GzipStreamDecoder(int maxOutputBytes) {
    this.maxOutputBytes = maxOutputBytes;
  }

  /** @return the bytes these compressed bytes decode to (maybe none yet) */
  public ByteString decode(ByteString compressed) throws GzipException {
    byte[] input = compressed.toByteArray();
    int offset = 0;
    if (!inBody) {
      header.write(input, 0, input.length);
      byte[] all = header.toByteArray();
      int bodyStart = headerLength(all);
      if (bodyStart < 0) {
        return ByteString.EMPTY;
      }
      inBody = true;
      input = all;
      offset = bodyStart;
      header.reset();
    }
    if (inflater.finished()) {
      return ByteString.EMPTY; // trailer bytes
    }
    inflater.setInput(input, offset, input.length - offset);
    ByteArrayOutputStream out = new ByteArrayOutputStream(Math.max(256, (input.length - offset) * 4));
    try {
      // needsInput() only says the input is used up; output may still be pending, so go on
      // until inflate makes no progress.
      while (!inflater.finished()) {
        int n = inflater.inflate(buffer);
        if (n == 0) {
          break;
        }
        out.write(buffer, 0, n);
        if (out.size() > maxOutputBytes) {
          throw new GzipException("gzip body expands beyond " + maxOutputBytes + " bytes");
        }
      }
    } catch (DataFormatException e) {
      throw new GzipException("corrupt gzip data");
    }
    return ByteString.copyFrom(out.toByteArray());
  }

  /** The body ended: @throws GzipException when it ended before the compressed data did */
  public void finish() throws GzipException {
    boolean complete = inflater.finished();
    inflater.end();
    if (!complete) {
      throw new GzipException("gzip body ended early");
    }
  }

  /** Releases the inflater's native memory when the stream ends without {@link #finish()}. */
  public void close() {
    inflater.end();
  }

  /** Decodes a whole gzip body at once (plain responses). */
  public static ByteString decodeAll(ByteString body, int maxOutputBytes) throws GzipException {
    GzipStreamDecoder decoder = new GzipStreamDecoder(maxOutputBytes);
    try {
      ByteString out = decoder.decode(body);
      decoder.finish();
      return out;
    } finally {
      decoder.close();
    }
  }

  /** @return where the deflate data starts, or -1 when the header is not complete yet */
  private static int headerLength(byte[] b) throws GzipException {
    if (b.length >= 1 && (b[0] & 0xff) != 0x1f || b.length >= 2 && (b[1] & 0xff) != 0x8b
        || b.length >= 3 && b[2] != 8) {
      throw new GzipException("not a gzip body");
    }
    if (b.length < 10) {
      return -1;
    }
    int flags = b[3] & 0xff;
    int at = 10;
    if ((flags & FEXTRA) != 0) {
      if (b.length < at + 2) {
        return -1;
      }
      at += 2 + ((b[at] & 0xff) | (b[at + 1] & 0xff) << 8);
    }
    if ((flags & FNAME) != 0) {
      at = afterZero(b, at);
    }
    if (at >= 0 && (flags & FCOMMENT) != 0) {
      at = afterZero(b, at);
    }
    if (at >= 0 && (flags & FHCRC) != 0) {
      at += 2;
    }
    return at < 0 || at > b.length ? -1 : at;
  }

  private static int afterZero(byte[] b, int from) {
    for (int i = from; i < b.length; i++) {
      if (b[i] == 0) {
        return i + 1;
      }
    }
    return -1;
  }
}
