package dev.tollgate.core.config;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.UnaryOperator;
import java.util.regex.Pattern;

/**
 * Semantic checks on a bound config with defaults applied. Each finding names the YAML path it is
 * about; the loader turns paths into line numbers. Also resolves credential references, because a
 * reference that does not resolve is a config error the operator must see before traffic fails.
 */
final class ConfigValidator {
  private static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9._-]{0,62}");
  private static final Pattern KEY_HASH = Pattern.compile("sha256:[0-9a-f]{64}");
  /** Model names travel in an HTTP header and in Envoy route names: keep them printable. */
  private static final Pattern MODEL_NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._:/@+-]{0,127}");

  record Finding(String path, String message) {}

  record Result(List<Finding> findings, Map<String, SecretValue> credentials) {}

  private final UnaryOperator<String> environment;
  private final List<Finding> findings = new ArrayList<>();
  private final Map<String, SecretValue> credentials = new HashMap<>();

  ConfigValidator(UnaryOperator<String> environment) {
    this.environment = environment;
  }

  Result validate(GatewayConfig config) {
    port("listener.port", config.listener().port());
    port("control_plane.grpc_port", config.controlPlane().grpcPort());
    port("control_plane.admin_port", config.controlPlane().adminPort());
    port("ext_services.port", config.extServices().port());
    notBlank("listener.address", config.listener().address());
    accessLog(config.listener().accessLog());
    notBlank("control_plane.address", config.controlPlane().address());
    notBlank("ext_services.address", config.extServices().address());
    range("ext_services.timeout_ms", config.extServices().timeoutMs(), 10, 60_000);
    range("limits.max_request_body_bytes", config.limits().maxRequestBodyBytes(), 1024, 64 * 1024 * 1024);
    Set<String> backends = backends(config.backends());
    models(config.models(), backends);
    consumers(config.consumers());
    IdentityConfigValidator.validate(config, this::add);
    StoreConfigValidator.validate(config, environment, this::add);
    AdminsValidator.validate(config.controlPlane(), environment, this::add);
    RequestLimitsValidator.validate(config, this::add);
    InspectionPolicyValidator.validate(config.policies(), this::add);
    BudgetConfigValidator.validate(config, this::add);
    return new Result(List.copyOf(findings), Map.copyOf(credentials));
  }

  private Set<String> backends(List<BackendConfig> list) {
    Set<String> names = new HashSet<>();
    for (int i = 0; i < list.size(); i++) {
      String at = "backends[" + i + "]";
      BackendConfig backend = list.get(i);
      if (backend == null) {
        add(at, "empty backend entry");
        continue;
      }
      if (name(at + ".name", backend.name()) && !names.add(backend.name())) {
        add(at + ".name", "duplicate backend name '" + backend.name() + "'");
      }
      if (backend.kind() == null) {
        add(at + ".kind", "required: openai or openai-compatible");
      }
      if (backend.endpoints().isEmpty()) {
        add(at + ".endpoints", "at least one endpoint is required");
      }
      for (int e = 0; e < backend.endpoints().size(); e++) {
        endpoint(at + ".endpoints[" + e + "]", backend.endpoints().get(e));
      }
      credential(at, backend);
    }
    return names;
  }

  private void endpoint(String at, EndpointConfig endpoint) {
    if (endpoint == null) {
      add(at, "empty endpoint entry");
      return;
    }
    notBlank(at + ".host", endpoint.host());
    if (endpoint.port() == null) {
      add(at + ".port", "required");
    } else {
      port(at + ".port", endpoint.port());
    }
    range(at + ".weight", endpoint.weight(), 1, 1000);
  }

  private void credential(String at, BackendConfig backend) {
    if (backend.credential() == null) {
      if (backend.kind() == BackendKind.OPENAI) {
        add(at + ".credential", "required for kind openai: env:VAR or file:PATH");
      }
      return;
    }
    var ref = CredentialRef.parse(backend.credential());
    if (ref.isEmpty()) {
      // Never echo the value: someone may have pasted the key itself here.
      add(at + ".credential", "must be a reference, env:VAR or file:PATH (inline keys are not accepted)");
      return;
    }
    try {
      SecretValue secret = ref.get().resolve(environment);
      if (backend.name() != null) {
        // A backend without a name is already a finding; there is nothing to file its key under.
        credentials.put(backend.name(), secret);
      }
    } catch (CredentialRef.CredentialException e) {
      add(at + ".credential", e.getMessage());
    }
  }

  private void models(List<ModelConfig> list, Set<String> backends) {
    Set<String> names = new HashSet<>();
    for (int i = 0; i < list.size(); i++) {
      String at = "models[" + i + "]";
      ModelConfig model = list.get(i);
      if (model == null) {
        add(at, "empty model entry");
        continue;
      }
      if (model.name() == null || !MODEL_NAME.matcher(model.name()).matches()) {
        add(at + ".name", "required: letters, digits and . _ : / @ + - (at most 128)");
      } else if (!names.add(model.name())) {
        add(at + ".name", "duplicate model name '" + model.name() + "'");
      }
      range(at + ".timeout_ms", model.timeoutMs(), 1, 3_600_000);
      range(at + ".idle_timeout_ms", model.idleTimeoutMs(), 1, 3_600_000);
      range(at + ".retry.retries", model.retry().retries(), 0, 5);
      for (int r = 0; r < model.retry().retryOn().size(); r++) {
        String condition = model.retry().retryOn().get(r);
        if (!RetryConfig.KNOWN_CONDITIONS.contains(condition)) {
          add(at + ".retry.retry_on[" + r + "]", "unknown retry condition '" + condition + "', expected one of "
              + String.join(", ", RetryConfig.KNOWN_CONDITIONS));
        }
      }
      if (model.targets().isEmpty()) {
        add(at + ".targets", "at least one target is required");
      }
      int totalWeight = 0;
      for (int t = 0; t < model.targets().size(); t++) {
        String targetAt = at + ".targets[" + t + "]";
        TargetConfig target = model.targets().get(t);
        if (target == null) {
          add(targetAt, "empty target entry");
          continue;
        }
        if (target.backend() == null) {
          add(targetAt + ".backend", "required");
        } else if (!backends.contains(target.backend())) {
          add(targetAt + ".backend", "no backend named '" + target.backend() + "'");
        }
        if (target.model() == null || !MODEL_NAME.matcher(target.model()).matches()) {
          add(targetAt + ".model", "letters, digits and . _ : / @ + - (at most 128)");
        }
        if (range(targetAt + ".weight", target.weight(), 0, 10_000)) {
          totalWeight += target.weight();
        }
      }
      if (!model.targets().isEmpty() && totalWeight == 0) {
        add(at + ".targets", "the weights add up to 0: at least one target needs weight > 0");
      }
    }
  }

  private void consumers(List<ConsumerConfig> list) {
    Set<String> names = new HashSet<>();
    Set<String> keys = new HashSet<>();
    for (int i = 0; i < list.size(); i++) {
      String at = "consumers[" + i + "]";
      ConsumerConfig consumer = list.get(i);
      if (consumer == null) {
        add(at, "empty consumer entry");
        continue;
      }
      if (name(at + ".name", consumer.name()) && !names.add(consumer.name())) {
        add(at + ".name", "duplicate consumer name '" + consumer.name() + "'");
      }
      for (int k = 0; k < consumer.apiKeys().size(); k++) {
        String key = consumer.apiKeys().get(k);
        String keyAt = at + ".api_keys[" + k + "]";
        if (key == null || !KEY_HASH.matcher(key).matches()) {
          // Not echoed: a plain key pasted by mistake must not land in a log.
          add(keyAt, "must be sha256:<64 lower-case hex digits> of the key, never the key itself"
              + " (make one with: printf %s \"$KEY\" | sha256sum)");
        } else if (!keys.add(key)) {
          add(keyAt, "the same key hash is listed twice");
        }
      }
      if (consumer.models() == null || consumer.models().isEmpty()) {
        add(at + ".models", "required: the model names or globs this consumer may use (\"*\" for all)");
      } else {
        for (int m = 0; m < consumer.models().size(); m++) {
          String pattern = consumer.models().get(m);
          if (pattern == null || pattern.isBlank()) {
            add(at + ".models[" + m + "]", "empty model pattern");
          }
        }
      }
    }
  }

  private boolean name(String path, String value) {
    if (value == null || !NAME.matcher(value).matches()) {
      add(path, "required: lower-case letters, digits, '.', '_' or '-', starting with a letter or digit");
      return false;
    }
    return true;
  }

  private void port(String path, int value) {
    range(path, value, 1, 65535);
  }

  private boolean range(String path, Integer value, int min, int max) {
    if (value == null || value < min || value > max) {
      add(path, "must be between " + min + " and " + max + (value == null ? "" : ", got " + value));
      return false;
    }
    return true;
  }

  /**
   * Envoy opens the path from its own working directory, on its own machine: only an absolute
   * path means the same file wherever Envoy runs. A control character (a stray line break from a
   * template) is never part of a real path.
   */
  private void accessLog(AccessLogConfig accessLog) {
    String path = accessLog.path();
    if (!path.startsWith("/") || path.chars().anyMatch(Character::isISOControl)) {
      add("listener.access_log.path", "must be an absolute path, such as /dev/stdout or /var/log/tollgate/access.log");
    }
  }

  private void notBlank(String path, String value) {
    if (value == null || value.isBlank()) {
      add(path, "must not be empty");
    }
  }

  private void add(String path, String message) {
    findings.add(new Finding(path, message));
  }
}
