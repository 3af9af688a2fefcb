package dev.tollgate.proc.response;

/**
 * The response PII transform on a tool call's {@code arguments}: a JSON text that arrives whole
 * (plain answers) or in fragments (streams). Each JSON string literal is decoded, run through its
 * own {@link ResponseTextTransform.ChoiceStream} and encoded again, so a restored original that
 * holds a quote, a backslash or a line break still leaves valid JSON, and a value the provider
 * escaped (backslash-u0040 for the at sign) is still found. Text outside strings (keys' colons, numbers, literals)
 * passes as it came: masking a number would break the JSON. Held back is only what the string's
 * transform holds (plus an unfinished escape); a string is flushed whole at its closing quote.
 * Not thread-safe: one per tool call of one response.
 */
final class ToolArgumentsStream {
  private final ResponseTextTransform text;
  /** The open string's transform; null outside a string. */
  private ResponseTextTransform.ChoiceStream string;
  /** An escape sequence cut by a fragment boundary (a backslash, or one and u00); null when none. */
  private StringBuilder escape;
  private boolean finished;

  ToolArgumentsStream(ResponseTextTransform text) {
    this.text = text;
  }

  /** The whole arguments text of a plain answer, transformed. */
  static String transformWhole(ResponseTextTransform text, String arguments) {
    ToolArgumentsStream stream = new ToolArgumentsStream(text);
    return stream.accept(arguments) + stream.finish();
  }

  /** @return what can be sent now of this fragment and what was held back before it */
  String accept(String fragment) {
    if (finished) {
      throw new IllegalStateException("arguments already finished");
    }
    StringBuilder out = new StringBuilder(fragment.length() + 8);
    StringBuilder decoded = new StringBuilder();
    for (int i = 0; i < fragment.length(); i++) {
      char c = fragment.charAt(i);
      if (string == null) {
        out.append(c);
        if (c == '"') {
          string = text.openChoice();
        }
      } else if (escape != null) {
        escape.append(c);
        decodeEscape(decoded);
      } else if (c == '\\') {
        escape = new StringBuilder("\\");
      } else if (c == '"') {
        encode(string.accept(decoded.toString()), out);
        decoded.setLength(0);
        encode(string.finish(), out);
        out.append('"');
        string = null;
      } else {
        decoded.append(c);
      }
    }
    if (string != null && !decoded.isEmpty()) {
      encode(string.accept(decoded.toString()), out);
    }
    return out.toString();
  }

  /** The arguments ended (the choice finished, or the stream did): whatever is still held back. */
  String finish() {
    if (finished) {
      return "";
    }
    finished = true;
    if (string == null) {
      return "";
    }
    StringBuilder out = new StringBuilder();
    if (escape != null) {
      encode(string.accept(escape.toString()), out); // cut off mid-escape: kept as literal text
      escape = null;
    }
    encode(string.finish(), out);
    string = null; // no closing quote the provider never sent
    return out.toString();
  }

  /** Completes {@link #escape} into {@code decoded} once it is whole; keeps waiting otherwise. */
  private void decodeEscape(StringBuilder decoded) {
    char kind = escape.charAt(1);
    if (kind == 'u') {
      if (escape.length() < 6) {
        return;
      }
      try {
        decoded.append((char) Integer.parseInt(escape.substring(2, 6), 16));
      } catch (NumberFormatException e) {
        decoded.append(escape); // not JSON: kept as the text it is
      }
      escape = null;
      return;
    }
    switch (kind) {
      case '"', '\\', '/' -> decoded.append(kind);
      case 'b' -> decoded.append('\b');
      case 'f' -> decoded.append('\f');
      case 'n' -> decoded.append('\n');
      case 'r' -> decoded.append('\r');
      case 't' -> decoded.append('\t');
      default -> decoded.append(escape); // not JSON: kept as the text it is
    }
    escape = null;
  }

  /** Appends {@code value} as the inside of a JSON string literal. */
  static void encode(String value, StringBuilder out) {
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      switch (c) {
        case '"' -> out.append("\\\"");
        case '\\' -> out.append("\\\\");
        case '\n' -> out.append("\\n");
        case '\r' -> out.append("\\r");
        case '\t' -> out.append("\\t");
        case '\b' -> out.append("\\b");
        case '\f' -> out.append("\\f");
        default -> {
          if (c < 0x20) {
            out.append(String.format("\\u%04x", (int) c));
          } else {
            out.append(c);
          }
        }
      }
    }
  }
}
