package dev.tollgate.inspect.guard;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * The labelled prompt-injection corpora (inspect/data/prompt-injection, see its README), read as
 * named sets, with the deterministic train / held-out split that training and evaluation share.
 */
final class GuardCorpus {
  /** One labelled prompt. */
  record Sample(String set, String text, boolean injection) {}

  /** A named set of prompts, all positive or all negative. */
  record LabelledSet(String name, boolean positive, List<Sample> samples) {}

  /**
   * valid.json's injections (label 1): mostly short indirect injections (BIPIA, PINT), a different
   * task from the jailbreak sets, which the evaluation reports beside, not pooled with, them.
   */
  static final String VALID_INJECTIONS = "valid.json label 1";

  private GuardCorpus() {}

  /**
   * Held out for evaluation, never trained on: 3 in 10 prompts, chosen by a hash of the text, so
   * the split is the same on every machine and a prompt that appears in two files is on the same
   * side in both.
   */
  static boolean isHeldOut(String text) {
    int h = 0x811C9DC5;
    for (byte b : text.getBytes(StandardCharsets.UTF_8)) {
      h = (h ^ (b & 0xFF)) * 0x01000193;
    }
    return Integer.remainderUnsigned(h, 10) < 3;
  }

  static List<LabelledSet> load(Path dir) throws IOException {
    ObjectMapper json = new ObjectMapper();
    List<LabelledSet> sets = new ArrayList<>();
    sets.add(strings("inthewild-jailbreaks", true, json.readTree(dir.resolve("inthewild-jailbreaks.json").toFile())));
    List<Sample> dan = new ArrayList<>();
    try (Stream<Path> files = Files.list(dir.resolve("dan"))) {
      for (Path file : files.filter(f -> f.toString().endsWith(".json")).sorted().toList()) {
        dan.addAll(strings("dan", true, json.readTree(file.toFile())).samples());
      }
    }
    sets.add(new LabelledSet("dan", true, List.copyOf(dan)));
    JsonNode valid = json.readTree(dir.resolve("valid.json").toFile());
    sets.add(prompts(VALID_INJECTIONS, true, valid, 1));
    sets.add(prompts("NotInject_one", false, json.readTree(dir.resolve("NotInject_one.json").toFile()), -1));
    sets.add(prompts("NotInject_two", false, json.readTree(dir.resolve("NotInject_two.json").toFile()), -1));
    sets.add(prompts("wildguard", false, json.readTree(dir.resolve("wildguard.json").toFile()), 0));
    sets.add(prompts("valid.json label 0", false, valid, 0));
    return List.copyOf(sets);
  }

  private static LabelledSet strings(String name, boolean positive, JsonNode array) {
    List<Sample> samples = new ArrayList<>();
    for (JsonNode node : array) {
      if (node.isTextual() && !node.asText().isBlank()) {
        samples.add(new Sample(name, node.asText(), positive));
      }
    }
    return new LabelledSet(name, positive, List.copyOf(samples));
  }

  /** Objects with a "prompt"; with label >= 0 only those whose "label" equals it. */
  private static LabelledSet prompts(String name, boolean positive, JsonNode array, int label) {
    List<Sample> samples = new ArrayList<>();
    for (JsonNode node : array) {
      String prompt = node.path("prompt").asText("");
      if (prompt.isBlank() || (label >= 0 && node.path("label").asInt(-1) != label)) {
        continue;
      }
      samples.add(new Sample(name, prompt, positive));
    }
    return new LabelledSet(name, positive, List.copyOf(samples));
  }
}
