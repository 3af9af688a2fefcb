package dev.tollgate.core.config;

/**
 * One thing wrong with a config document, located so a person can fix it without guessing:
 * file, 1-based line and column (0 when unknown), and the YAML path such as {@code models[0].name}.
 */
public record ConfigProblem(String file, int line, int column, String path, String message) {

  @Override
  public String toString() {
    StringBuilder where = new StringBuilder(file);
    if (line > 0) {
      where.append(':').append(line);
      if (column > 0) {
        where.append(':').append(column);
      }
    }
    return where + ": " + (path == null || path.isEmpty() ? "" : path + ": ") + message;
  }
}
