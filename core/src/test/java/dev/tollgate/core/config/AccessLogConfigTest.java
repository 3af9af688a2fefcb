package dev.tollgate.core.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.assertj.core.api.Assertions.tuple;

import java.util.Map;
import org.junit.jupiter.api.Test;

/** listener.access_log: its documented defaults, a file, switched off, and located problems. */
class AccessLogConfigTest {
  private static final ConfigLoader LOADER = new ConfigLoader(Map.<String, String>of()::get);

  private static AccessLogConfig load(String yaml) throws InvalidConfigException {
    return LOADER.parse(yaml, "tollgate.yaml").config().listener().accessLog();
  }

  @Test
  void byDefaultEnvoyWritesJsonLinesToItsStandardOutput() throws Exception {
    assertThat(load("consumers: []\n")).isEqualTo(new AccessLogConfig(true, "/dev/stdout"));
    assertThat(load("listener: { port: 10001 }\n")).isEqualTo(AccessLogConfig.DEFAULTS);
    assertThat(load("listener: { access_log: { } }\n")).isEqualTo(AccessLogConfig.DEFAULTS);
  }

  @Test
  void aFileOrOff() throws Exception {
    assertThat(load("listener: { access_log: { path: /var/log/tollgate/access.log } }\n"))
        .isEqualTo(new AccessLogConfig(true, "/var/log/tollgate/access.log"));
    assertThat(load("listener: { access_log: { enabled: false } }\n"))
        .isEqualTo(new AccessLogConfig(false, "/dev/stdout"));
  }

  @Test
  void aPathEnvoyCannotReadTheSameWayIsReportedWithItsLine() {
    InvalidConfigException e = catchThrowableOfType(InvalidConfigException.class, () -> load("""
        listener:
          access_log:
            path: logs/access.log
        """));
    assertThat(e.problems()).extracting(ConfigProblem::toString).containsExactly(
        "tollgate.yaml:3:11: listener.access_log.path: must be an absolute path, such as /dev/stdout or /var/log/tollgate/access.log");

    e = catchThrowableOfType(InvalidConfigException.class, () -> load("listener: { access_log: { path: \"\" } }\n"));
    assertThat(e.problems()).extracting(ConfigProblem::path).containsExactly("listener.access_log.path");
    e = catchThrowableOfType(InvalidConfigException.class,
        () -> load("listener: { access_log: { path: \"/var/log/a\\nb\" } }\n"));
    assertThat(e.problems()).extracting(ConfigProblem::path).containsExactly("listener.access_log.path");
  }

  @Test
  void typesAndKeysAreStrict() {
    InvalidConfigException e = catchThrowableOfType(InvalidConfigException.class, () -> load("""
        listener:
          access_log: { enabled: sometimes }
        """));
    assertThat(e.problems()).extracting(ConfigProblem::path, ConfigProblem::line)
        .containsExactly(tuple("listener.access_log.enabled", 2));
    e = catchThrowableOfType(InvalidConfigException.class, () -> load("""
        listener:
          access_log:
            format: text
        """));
    assertThat(e.problems()).extracting(ConfigProblem::path, ConfigProblem::line)
        .containsExactly(tuple("listener.access_log.format", 3));
  }
}
