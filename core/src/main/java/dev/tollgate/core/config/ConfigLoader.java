package dev.tollgate.core.config;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonStreamContext;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonDeserializer;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.deser.DeserializationProblemHandler;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import dev.tollgate.core.Sha256;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;
import org.yaml.snakeyaml.error.Mark;
import org.yaml.snakeyaml.error.MarkedYAMLException;

/**
 * Reads one YAML document into a {@link LoadedConfig}: syntax, then binding (unknown keys are
 * errors), then defaults, then the semantic checks of {@link ConfigValidator}. It gathers every
 * problem it can before giving up, so one run of {@code tollgate validate} shows them all.
 */
public final class ConfigLoader {
  private final UnaryOperator<String> environment;

  /** @param environment how {@code env:VAR} credentials are looked up; {@code System::getenv} in production. */
  public ConfigLoader(UnaryOperator<String> environment) {
    this.environment = environment;
  }

  public LoadedConfig load(Path file) throws IOException, InvalidConfigException {
    return parse(Files.readString(file, StandardCharsets.UTF_8), file.toString());
  }

  public LoadedConfig parse(String yaml, String fileName) throws InvalidConfigException {
    YamlLocations locations;
    try {
      locations = YamlLocations.index(yaml);
    } catch (MarkedYAMLException e) {
      Mark mark = e.getProblemMark() != null ? e.getProblemMark() : e.getContextMark();
      throw new InvalidConfigException(List.of(new ConfigProblem(
          fileName, mark == null ? 0 : mark.getLine() + 1, mark == null ? 0 : mark.getColumn() + 1,
          "", "YAML syntax: " + firstLine(e.getProblem() != null ? e.getProblem() : e.getMessage()))));
    } catch (RuntimeException e) {
      throw new InvalidConfigException(List.of(
          new ConfigProblem(fileName, 0, 0, "", "YAML syntax: " + firstLine(e.getMessage()))));
    }

    List<ConfigProblem> problems = new ArrayList<>();
    GatewayConfig raw = bind(yaml, fileName, locations, problems);
    if (raw == null) {
      throw new InvalidConfigException(problems);
    }
    GatewayConfig config = Defaults.apply(raw);
    ConfigValidator.Result result = new ConfigValidator(environment).validate(config);
    for (ConfigValidator.Finding finding : result.findings()) {
      Mark mark = locations.find(finding.path());
      problems.add(new ConfigProblem(fileName, mark == null ? 0 : mark.getLine() + 1,
          mark == null ? 0 : mark.getColumn() + 1, finding.path(), finding.message()));
    }
    if (!problems.isEmpty()) {
      throw new InvalidConfigException(problems);
    }
    return new LoadedConfig(config, result.credentials(), digest(yaml, result.credentials()));
  }

  private static GatewayConfig bind(
      String yaml, String fileName, YamlLocations locations, List<ConfigProblem> problems) {
    if (locations.isEmpty()) {
      problems.add(new ConfigProblem(fileName, 1, 1, "", "the document is empty"));
      return null;
    }
    YAMLMapper mapper = YAMLMapper.builder()
        .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
        .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
        .enable(DeserializationFeature.FAIL_ON_NUMBERS_FOR_ENUMS)
        .disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT)
        .disable(com.fasterxml.jackson.databind.MapperFeature.ALLOW_COERCION_OF_SCALARS)
        .addHandler(new UnknownKeyCollector(fileName, locations, problems))
        .build();
    try {
      GatewayConfig config = mapper.readValue(yaml, GatewayConfig.class);
      if (config == null) {
        problems.add(new ConfigProblem(fileName, 1, 1, "", "the document is empty"));
      }
      // Unknown keys were recorded and skipped: keep the bound document so the semantic checks
      // can report their problems in the same run.
      return config;
    } catch (JsonMappingException e) {
      var location = e.getLocation();
      problems.add(new ConfigProblem(fileName, location == null ? 0 : location.getLineNr(),
          location == null ? 0 : location.getColumnNr(), pathOf(e.getPath()), bindingMessage(e)));
      return null;
    } catch (IOException e) {
      problems.add(new ConfigProblem(fileName, 0, 0, "", firstLine(e.getMessage())));
      return null;
    }
  }

  /**
   * Says what type was expected, without Jackson's wording, which quotes the offending
   * value: that value may be a key pasted in the wrong place ({@code api_keys: sk-...}).
   */
  private static String bindingMessage(JsonMappingException e) {
    if (e.getCause() instanceof IllegalArgumentException iae && iae.getMessage() != null) {
      return firstLine(iae.getMessage());
    }
    if (e instanceof MismatchedInputException mismatch && mismatch.getTargetType() != null) {
      return "wrong type: expected " + describe(mismatch.getTargetType());
    }
    return firstLine(e.getOriginalMessage()).replaceAll("\\(\\s*(\"[^\"]*\"|'[^']*')\\s*\\)", "(...)");
  }

  private static String describe(Class<?> type) {
    if (type == Integer.class || type == int.class || type == Long.class || type == long.class) {
      return "a whole number";
    } else if (type == Boolean.class || type == boolean.class) {
      return "true or false";
    } else if (type == String.class || type.isEnum()) {
      return "a single value";
    } else if (java.util.Collection.class.isAssignableFrom(type)) {
      return "a list";
    }
    return "a mapping";
  }

  private static String pathOf(List<JsonMappingException.Reference> references) {
    StringBuilder path = new StringBuilder();
    for (JsonMappingException.Reference ref : references) {
      if (ref.getFieldName() != null) {
        if (path.length() > 0) {
          path.append('.');
        }
        path.append(ref.getFieldName());
      } else if (ref.getIndex() >= 0) {
        path.append('[').append(ref.getIndex()).append(']');
      }
    }
    return path.toString();
  }

  private static String firstLine(String message) {
    if (message == null) {
      return "unreadable document";
    }
    int newline = message.indexOf('\n');
    return (newline < 0 ? message : message.substring(0, newline)).strip();
  }

  /**
   * The document plus a digest of each resolved credential: a rotated key file is a new version
   * even when the YAML is unchanged. Only digests of secrets enter it, never the secrets.
   */
  private static String digest(String yaml, java.util.Map<String, SecretValue> credentials) {
    StringBuilder content = new StringBuilder(yaml);
    credentials.entrySet().stream().sorted(java.util.Map.Entry.comparingByKey()).forEach(entry ->
        content.append('\n').append(entry.getKey()).append('=').append(Sha256.hex(entry.getValue().reveal())));
    return Sha256.hex(content.toString());
  }


  /** Records every unknown key and skips it, instead of stopping at the first one. */
  private static final class UnknownKeyCollector extends DeserializationProblemHandler {
    private final String fileName;
    private final YamlLocations locations;
    private final List<ConfigProblem> problems;

    UnknownKeyCollector(String fileName, YamlLocations locations, List<ConfigProblem> problems) {
      this.fileName = fileName;
      this.locations = locations;
      this.problems = problems;
    }

    @Override
    public boolean handleUnknownProperty(DeserializationContext ctxt, JsonParser p,
        JsonDeserializer<?> deserializer, Object beanOrClass, String propertyName) throws IOException {
      String parent = objectPath(ctxt.getParser(), p);
      String path = parent.isEmpty() ? propertyName : parent + "." + propertyName;
      Mark mark = locations.find(path + "#key");
      var location = p.currentTokenLocation();
      int line = mark != null ? mark.getLine() + 1 : Math.max(location.getLineNr(), 0);
      int column = mark != null ? mark.getColumn() + 1 : Math.max(location.getColumnNr(), 0);
      String known = deserializer.getKnownPropertyNames().stream().map(Object::toString)
          .sorted().reduce((a, b) -> a + ", " + b).orElse("");
      problems.add(new ConfigProblem(fileName, line, column, path,
          "unknown key '" + propertyName + "'" + (known.isEmpty() ? "" : " (known keys: " + known + ")")));
      p.skipChildren();
      return true;
    }

    /**
     * The path of the mapping that holds the unknown key. Jackson calls this handler in two ways.
     * Live: {@code p} is the document's parser, standing on the key's value. Replayed: records
     * are built by their constructor, and an unknown key seen before all constructor arguments
     * is buffered and handed over later on a buffer parser whose positions and context are not
     * the document's; the document's parser is then just past the mapping's last value, on the
     * next key of the same mapping or on its end.
     */
    private static String objectPath(JsonParser live, JsonParser p) {
      if (live == null || live == p) {
        JsonStreamContext object = p.getParsingContext();
        if (p.currentToken() == JsonToken.START_OBJECT || p.currentToken() == JsonToken.START_ARRAY) {
          object = object.getParent();
        }
        return contextPath(object.getParent());
      }
      JsonStreamContext context = live.getParsingContext();
      return live.currentToken() == JsonToken.END_OBJECT
          ? contextPath(context) : contextPath(context.getParent());
    }

    private static String contextPath(JsonStreamContext context) {
      List<String> parts = new ArrayList<>();
      for (JsonStreamContext c = context; c != null && !c.inRoot(); c = c.getParent()) {
        if (c.inArray()) {
          parts.add(0, "[" + c.getCurrentIndex() + "]");
        } else if (c.getCurrentName() != null) {
          parts.add(0, "." + c.getCurrentName());
        }
      }
      String path = String.join("", parts);
      return path.startsWith(".") ? path.substring(1) : path;
    }
  }
}
