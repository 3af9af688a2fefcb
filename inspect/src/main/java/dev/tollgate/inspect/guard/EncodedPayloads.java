package dev.tollgate.inspect.guard;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Finds text hidden in base64, hex or URL encoding so the detector can read it too. Only
 * payloads that decode to readable UTF-8 text count: hashes, ids, keys and images decode to
 * binary and are left alone. Bounded in number and size, so a prompt full of base64 stays cheap.
 */
final class EncodedPayloads {
  static final String BASE64 = "encoded_base64";
  static final String HEX = "encoded_hex";
  static final String URL = "encoded_url";

  /** One decoded payload and the encoding it was found in. */
  record Payload(String encoding, String text) {}

  private static final int MAX_PAYLOADS = 8;
  private static final int MAX_ENCODED_CHARS = 64 * 1024;
  private static final Pattern ESCAPED_HEX_RUN = Pattern.compile("(?:\\\\x[0-9a-fA-F]{2}){6,}");

  private EncodedPayloads() {}

  static List<Payload> find(String raw) {
    List<Payload> found = new ArrayList<>(2);
    if (raw.length() < 20) {
      return found;
    }
    // One linear pass for base64 runs: a regex would retry at every letter of every word.
    int runStart = -1;
    for (int i = 0; i <= raw.length() && found.size() < MAX_PAYLOADS; i++) {
      boolean inRun = i < raw.length() && isBase64Char(raw.charAt(i));
      if (inRun && runStart < 0) {
        runStart = i;
      } else if (!inRun && runStart >= 0) {
        int end = i;
        while (end < raw.length() && end - i < 2 && raw.charAt(end) == '=') {
          end++;
        }
        int length = end - runStart;
        if (length >= 20 && length <= MAX_ENCODED_CHARS) {
          String run = raw.substring(runStart, end);
          if (looksLikeBase64(run)) {
            String text = readable(decodeBase64(run));
            if (text != null) {
              found.add(new Payload(BASE64, text));
            }
          }
        }
        runStart = -1;
      }
    }
    hexRuns(raw, found);
    if (raw.contains("\\x")) {
      Matcher escaped = ESCAPED_HEX_RUN.matcher(raw);
      while (found.size() < MAX_PAYLOADS && escaped.find()) {
        addHex(escaped.group(), found);
      }
    }
    if (found.size() < MAX_PAYLOADS && raw.length() <= MAX_ENCODED_CHARS) {
      int escapes = 0;
      for (int at = raw.indexOf('%'); at >= 0 && escapes < 3; at = raw.indexOf('%', at + 1)) {
        if (at + 2 < raw.length() && isHex(raw.charAt(at + 1)) && isHex(raw.charAt(at + 2))) {
          escapes++;
        }
      }
      if (escapes >= 3) {
        String text = readable(decodeUrl(raw));
        if (text != null) {
          found.add(new Payload(URL, text));
        }
      }
    }
    return found;
  }

  private static boolean isBase64Char(char c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')
        || c == '+' || c == '/' || c == '_' || c == '-';
  }

  /** Hex in one linear pass: "6967..." runs of 20 or more digits, or 10 or more "69 67"/"69:67" pairs. */
  private static void hexRuns(String raw, List<Payload> found) {
    int n = raw.length();
    int i = 0;
    while (i < n && found.size() < MAX_PAYLOADS) {
      if (!isHex(raw.charAt(i))) {
        i++;
        continue;
      }
      int j = i;
      while (j < n && isHex(raw.charAt(j))) {
        j++;
      }
      if (j - i >= 20) {
        addHex(raw.substring(i, j), found);
      } else if (j - i == 2 && (i == 0 || !Character.isLetterOrDigit(raw.charAt(i - 1)))) {
        int k = i;
        int pairs = 0;
        while (k + 1 < n && isHex(raw.charAt(k)) && isHex(raw.charAt(k + 1))
            && (k + 2 == n || !isHex(raw.charAt(k + 2)))) {
          pairs++;
          k += 2;
          if (k < n && (raw.charAt(k) == ' ' || raw.charAt(k) == ':')) {
            k++;
          } else {
            break;
          }
        }
        if (pairs >= 10) {
          addHex(raw.substring(i, k), found);
          j = Math.max(j, k);
        }
      }
      i = j;
    }
  }

  private static void addHex(String run, List<Payload> found) {
    if (run.length() <= MAX_ENCODED_CHARS) {
      String text = readable(decodeHex(run));
      if (text != null) {
        found.add(new Payload(HEX, text));
      }
    }
  }

  private static boolean isHex(char c) {
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
  }

  /** Plain words are not base64 worth decoding: a run needs a digit, '+', '/' or mixed case. */
  private static boolean looksLikeBase64(String run) {
    boolean upper = false;
    boolean lower = false;
    boolean other = false;
    for (int i = 0; i < run.length(); i++) {
      char c = run.charAt(i);
      if (c >= 'A' && c <= 'Z') {
        upper = true;
      } else if (c >= 'a' && c <= 'z') {
        lower = true;
      } else if (c != '=') {
        other = true;
      }
    }
    return (upper && lower) || other;
  }

  private static byte[] decodeBase64(String run) {
    String body = run.replace("=", "");
    boolean urlSafe = body.indexOf('-') >= 0 || body.indexOf('_') >= 0;
    if (urlSafe && (body.indexOf('+') >= 0 || body.indexOf('/') >= 0)) {
      return null;
    }
    if (body.length() % 4 == 1) {
      body = body.substring(0, body.length() - 1);
    }
    try {
      return (urlSafe ? Base64.getUrlDecoder() : Base64.getDecoder()).decode(body);
    } catch (IllegalArgumentException e) {
      return null;
    }
  }

  /** "\\x69\\x67", "69 67", "69:67" or "6967": the hex digit pairs, separators skipped. */
  private static byte[] decodeHex(String run) {
    String digits = run.replace("\\x", "").replace(" ", "").replace(":", "");
    if (digits.length() % 2 == 1) {
      digits = digits.substring(0, digits.length() - 1);
    }
    int length = digits.length() / 2;
    byte[] bytes = new byte[length];
    for (int i = 0; i < length; i++) {
      int high = Character.digit(digits.charAt(2 * i), 16);
      int low = Character.digit(digits.charAt(2 * i + 1), 16);
      if (high < 0 || low < 0) {
        return null;
      }
      bytes[i] = (byte) ((high << 4) | low);
    }
    return bytes;
  }

  private static byte[] decodeUrl(String raw) {
    byte[] out = new byte[raw.length() * 3];
    int n = 0;
    for (int i = 0; i < raw.length(); i++) {
      char c = raw.charAt(i);
      if (c == '%' && i + 2 < raw.length()
          && Character.digit(raw.charAt(i + 1), 16) >= 0 && Character.digit(raw.charAt(i + 2), 16) >= 0) {
        out[n++] = (byte) ((Character.digit(raw.charAt(i + 1), 16) << 4) | Character.digit(raw.charAt(i + 2), 16));
        i += 2;
      } else if (c == '+') {
        out[n++] = ' ';
      } else {
        byte[] encoded = String.valueOf(c).getBytes(StandardCharsets.UTF_8);
        for (byte b : encoded) {
          out[n++] = b;
        }
      }
    }
    byte[] trimmed = new byte[n];
    System.arraycopy(out, 0, trimmed, 0, n);
    return trimmed;
  }

  /** The bytes as text when they are valid UTF-8 and nearly all printable, else null. */
  private static String readable(byte[] bytes) {
    if (bytes == null || bytes.length < 8) {
      return null;
    }
    String text;
    try {
      text = StandardCharsets.UTF_8.newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(bytes)).toString();
    } catch (CharacterCodingException e) {
      return null;
    }
    int printable = 0;
    int letters = 0;
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (!Character.isISOControl(c) || c == '\n' || c == '\r' || c == '\t') {
        printable++;
      }
      if (Character.isLetter(c) || c == ' ') {
        letters++;
      }
    }
    return printable >= text.length() * 0.95 && letters >= text.length() * 0.6 ? text : null;
  }
}
