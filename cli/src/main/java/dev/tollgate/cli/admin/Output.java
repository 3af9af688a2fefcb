package dev.tollgate.cli.admin;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Model.CommandSpec;

/** How the admin commands print: aligned tables for people, JSON on request, errors to stderr. */
final class Output {
  private Output() {}

  static int fail(CommandSpec spec, AdminClient.Answer answer) {
    PrintWriter err = spec.commandLine().getErr();
    err.println("error: " + answer.errorMessage());
    err.flush();
    return 1;
  }

  static int json(CommandSpec spec, AdminClient.Answer answer) throws java.io.IOException {
    PrintWriter out = spec.commandLine().getOut();
    out.println(AdminClient.JSON.writerWithDefaultPrettyPrinter().writeValueAsString(answer.body()));
    out.flush();
    return 0;
  }

  static void table(CommandSpec spec, JsonNode rows, String[] headers, String[] fields) {
    List<String[]> lines = new ArrayList<>();
    lines.add(headers);
    for (JsonNode row : rows) {
      String[] line = new String[fields.length];
      for (int i = 0; i < fields.length; i++) {
        JsonNode value = row.path(fields[i]);
        line[i] = value.isNull() || value.isMissingNode() ? "-" : value.asText();
      }
      lines.add(line);
    }
    int[] widths = new int[headers.length];
    for (String[] line : lines) {
      for (int i = 0; i < line.length; i++) {
        widths[i] = Math.max(widths[i], line[i].length());
      }
    }
    PrintWriter out = spec.commandLine().getOut();
    for (String[] line : lines) {
      StringBuilder text = new StringBuilder();
      for (int i = 0; i < line.length; i++) {
        text.append(i == line.length - 1 ? line[i] : String.format("%-" + widths[i] + "s  ", line[i]));
      }
      out.println(text.toString().stripTrailing());
    }
    out.flush();
  }
}
