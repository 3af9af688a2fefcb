package dev.tollgate.jmh;

import dev.tollgate.core.config.ConfigLoader;
import dev.tollgate.core.config.InvalidConfigException;
import dev.tollgate.core.policy.PolicySnapshot;
import java.nio.charset.StandardCharsets;

/** Inputs shared by the benchmarks, built the way production builds them (YAML through the real loader). */
public final class Fixtures {
  /** The requested model of {@link #CHAT_4K}; the policy routes it. */
  public static final String MODEL = "gpt-4o-mini";
  /** What a canary target calls it upstream: a different name, so the upstream stage rewrites. */
  public static final String UPSTREAM_MODEL = "gpt-4o-mini-2024-07-18";
  public static final String REQUEST_ID = "req_0123456789abcdef0123456789abcdef";
  public static final int CONSUMERS = 1000;
  /** Consumer whose key the "valid key" benchmarks present: in the middle, nothing special. */
  public static final int PRESENTED_CONSUMER = 517;

  /**
   * A multi-turn chat completion request with one tool, as an SDK sends it: about 4 KB of JSON
   * (compact, UTF-8, a few non-ASCII characters and escapes, like real prompts).
   */
  public static final String CHAT_4K = chat4k();

  private Fixtures() {}

  public static String consumerName(int i) {
    return "consumer-%04d".formatted(i);
  }

  public static String apiKey(int i) {
    return "tg-bench-key-%04d-0123456789abcdef".formatted(i);
  }

  /** {@code consumers} consumers, one key each, glob model grants; one backend, two models. */
  public static PolicySnapshot policyWithConsumers(int consumers) {
    StringBuilder yaml = new StringBuilder("""
        backends:
          - name: local
            kind: openai-compatible
            endpoints: [ { host: 127.0.0.1, port: 8000 } ]
        models:
          - name: gpt-4o-mini
            targets: [ { backend: local, model: %s } ]
          - name: gpt-4o
            targets: [ { backend: local } ]
        consumers:
        """.formatted(UPSTREAM_MODEL));
    for (int i = 0; i < consumers; i++) {
      yaml.append("  - name: ").append(consumerName(i)).append('\n')
          .append("    api_keys: [ \"sha256:").append(sha256Hex(apiKey(i))).append("\" ]\n")
          .append("    models: [ \"gpt-4o*\" ]\n");
    }
    try {
      return PolicySnapshot.from(new ConfigLoader(n -> null).parse(yaml.toString(), "bench.yaml").config(), "bench");
    } catch (InvalidConfigException e) {
      throw new IllegalStateException(e.getMessage(), e);
    }
  }

  public static String sha256Hex(String text) {
    return dev.tollgate.core.Sha256.hex(text);
  }

  private static String chat4k() {
    String[] user = {
        "I am planning a three-day trip to Zürich in late October. What should I pack, given the weather?",
        "Can you also suggest a day trip that works by train, and tell me roughly how long it takes?",
        "My partner is vegetarian; name two places near the old town where we can eat well on a budget.",
        "What is the cheapest way to get from the airport to a hotel near the Hauptbahnhof, with luggage?",
        "Are museums open on Mondays? We would like to see the Kunsthaus and the Landesmuseum.",
        "Summarise the plan as a short list, and mark anything we must book in advance with \"(book)\".",
    };
    String[] assistant = {
        "Late October in Zürich is usually cool and damp: expect 5–13 °C with frequent rain. Pack layers "
            + "(a warm sweater, a light down jacket), a waterproof shell, comfortable shoes that cope with wet "
            + "cobblestones, and a compact umbrella. Evenings by the lake get windy, so a scarf helps.",
        "Lucerne is the classic choice: direct trains leave about every 30 minutes and take roughly 45–50 "
            + "minutes. You can walk the Chapel Bridge, visit the old town, and take a boat on the lake. If the "
            + "weather is clear, the cogwheel railway up Mount Rigi adds a few hours but is worth it.",
        "Hiltl, on Sihlstrasse, is often called the oldest vegetarian restaurant in the world and has a "
            + "pay-by-weight buffet that keeps costs down. Tibits, near the opera house, is run by the same "
            + "family and is similar in style, with a relaxed atmosphere and long opening hours.",
        "Take the train: the airport station is directly below the terminals, and trains to Zürich HB run "
            + "several times an hour and take about 10–15 minutes. A single second-class ticket costs a few "
            + "francs; buy it from the machine or the SBB app. There is lift access to every platform.",
        "Many Zürich museums close on Mondays. The Kunsthaus is usually closed on Mondays and open late "
            + "on Thursdays; the Landesmuseum is also usually closed on Mondays. Check the current hours on "
            + "their websites before you go, because holiday openings can differ.",
    };
    StringBuilder json = new StringBuilder(4200);
    json.append("{\"model\":\"").append(MODEL).append("\",\"messages\":[");
    json.append("{\"role\":\"system\",\"content\":\"You are a concise, friendly travel assistant. Answer in plain "
        + "English, use metric units, and say so when you are unsure about opening hours or prices. Prefer public "
        + "transport, walking and local places over chains. When a question needs live data (timetables, "
        + "weather), call a tool instead of guessing, and keep each answer under 120 words.\"}");
    for (int i = 0; i < user.length; i++) {
      json.append(",{\"role\":\"user\",\"content\":\"").append(escape(user[i])).append("\"}");
      if (i == 1) {
        // A tool round trip, as agents send them: the call and its result.
        json.append(",{\"role\":\"assistant\",\"content\":null,\"tool_calls\":[{\"id\":\"call_8Kq2vX1mZr\",")
            .append("\"type\":\"function\",\"function\":{\"name\":\"get_train_times\",\"arguments\":")
            .append("\"{\\\"from\\\":\\\"Zürich HB\\\",\\\"to\\\":\\\"Luzern\\\",\\\"date\\\":\\\"2026-10-24\\\"}\"}}]}")
            .append(",{\"role\":\"tool\",\"tool_call_id\":\"call_8Kq2vX1mZr\",\"content\":\"")
            .append(escape("[{\"dep\":\"08:04\",\"arr\":\"08:45\",\"train\":\"IR 70\",\"platform\":\"8\"},"
                + "{\"dep\":\"08:35\",\"arr\":\"09:16\",\"train\":\"IR 75\",\"platform\":\"9\"},"
                + "{\"dep\":\"09:04\",\"arr\":\"09:45\",\"train\":\"IR 70\",\"platform\":\"8\"},"
                + "{\"dep\":\"09:35\",\"arr\":\"10:16\",\"train\":\"IR 75\",\"platform\":\"9\"}]"))
            .append("\"}");
      }
      if (i < assistant.length) {
        json.append(",{\"role\":\"assistant\",\"content\":\"").append(escape(assistant[i])).append("\"}");
      }
    }
    json.append("],\"tools\":[{\"type\":\"function\",\"function\":{\"name\":\"get_train_times\",")
        .append("\"description\":\"Look up direct train departures between two Swiss stations for a given date.\",")
        .append("\"parameters\":{\"type\":\"object\",\"properties\":{")
        .append("\"from\":{\"type\":\"string\",\"description\":\"Departure station, e.g. Zürich HB\"},")
        .append("\"to\":{\"type\":\"string\",\"description\":\"Arrival station, e.g. Luzern\"},")
        .append("\"date\":{\"type\":\"string\",\"description\":\"ISO 8601 date\"},")
        .append("\"max_results\":{\"type\":\"integer\",\"minimum\":1,\"maximum\":20}},")
        .append("\"required\":[\"from\",\"to\",\"date\"]}}}],")
        .append("\"tool_choice\":\"auto\",\"temperature\":0.7,\"top_p\":1,\"max_tokens\":512,")
        .append("\"presence_penalty\":0,\"frequency_penalty\":0.1,\"n\":1,\"stream\":false,")
        .append("\"user\":\"user-7f3a9c\",\"metadata\":{\"app\":\"trip-planner\",\"session\":\"s-0042\",\"trace\":\"");
    // Top up to exactly 4 KB with a hex trace id, so the size does not drift when the prose changes.
    int target = 4096 - 3;
    for (int i = 0; json.toString().getBytes(StandardCharsets.UTF_8).length < target; i++) {
      json.append("0123456789abcdef".charAt((i * 7) & 15));
    }
    json.append("\"}}");
    return json.toString();
  }

  private static String escape(String text) {
    return text.replace("\\", "\\\\").replace("\"", "\\\"");
  }

  /**
   * The headers Envoy hands ext_authz and ext_proc for a chat completion from the OpenAI Java SDK,
   * names lower-cased; a fresh map, for the caller to add its credential or request id to.
   */
  public static java.util.Map<String, String> chatRequestHeaders(int contentLength) {
    java.util.Map<String, String> headers = new java.util.LinkedHashMap<>();
    headers.put(":authority", "127.0.0.1:10000");
    headers.put(":path", "/v1/chat/completions");
    headers.put(":method", "POST");
    headers.put(":scheme", "http");
    headers.put("content-type", "application/json");
    headers.put("content-length", Integer.toString(contentLength));
    headers.put("user-agent", "OpenAI/Java 4.105.0");
    headers.put("accept", "application/json");
    headers.put("x-forwarded-proto", "http");
    headers.put("x-request-id", "3f1c2b9e-8d4a-4c55-9a7e-2b1f0e6d5c4a");
    return headers;
  }
}
