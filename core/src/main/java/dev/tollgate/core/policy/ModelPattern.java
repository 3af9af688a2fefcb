package dev.tollgate.core.policy;

import java.util.regex.Pattern;

/** A model name or glob ({@code *} any run of characters, {@code ?} one character). */
public record ModelPattern(String text, Pattern regex) {

  public static ModelPattern of(String glob) {
    StringBuilder regex = new StringBuilder();
    for (char c : glob.toCharArray()) {
      switch (c) {
        case '*' -> regex.append(".*");
        case '?' -> regex.append('.');
        default -> regex.append(Pattern.quote(String.valueOf(c)));
      }
    }
    return new ModelPattern(glob, Pattern.compile(regex.toString()));
  }

  public boolean matches(String model) {
    return regex.matcher(model).matches();
  }
}
