package dev.tollgate.proc.limits;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.slf4j.Marker;
import org.slf4j.event.Level;
import org.slf4j.helpers.LegacyAbstractLogger;
import org.slf4j.helpers.MessageFormatter;

/** Keeps what is logged at INFO and above as "LEVEL message", so a test can count and read the lines. */
final class RecordingLogger extends LegacyAbstractLogger {
  final List<String> lines = new CopyOnWriteArrayList<>();

  RecordingLogger() {
    this.name = "recording";
  }

  List<String> at(Level level) {
    return lines.stream().filter(line -> line.startsWith(level + " ")).toList();
  }

  @Override
  protected void handleNormalizedLoggingCall(Level level, Marker marker, String pattern, Object[] args, Throwable error) {
    lines.add(level + " " + MessageFormatter.basicArrayFormat(pattern, args));
  }

  @Override
  protected String getFullyQualifiedCallerName() {
    return null;
  }

  @Override public boolean isTraceEnabled() { return false; }
  @Override public boolean isDebugEnabled() { return false; }
  @Override public boolean isInfoEnabled() { return true; }
  @Override public boolean isWarnEnabled() { return true; }
  @Override public boolean isErrorEnabled() { return true; }
}
