package dev.tollgate.proc.inspect;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where audit records go: one JSON object per line, appended to a file, or logged on the logger
 * {@value #LOGGER} when no file is configured. Thread-safe; each record is flushed as it is
 * written, so a crash loses at most the record being written.
 */
public final class AuditLog implements AutoCloseable {
  public static final String LOGGER = "tollgate.audit";
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Logger FAILURES = LoggerFactory.getLogger(AuditLog.class);

  private final BufferedWriter file;
  private final Logger logger;

  private AuditLog(BufferedWriter file, Logger logger) {
    this.file = file;
    this.logger = logger;
  }

  /** Records as lines on the {@value #LOGGER} logger. */
  public static AuditLog toLogger() {
    return new AuditLog(null, LoggerFactory.getLogger(LOGGER));
  }

  /** Records appended to a JSON-lines file (created if missing, parent directories too). */
  public static AuditLog toFile(Path path) {
    try {
      Path parent = path.toAbsolutePath().getParent();
      if (parent != null) {
        Files.createDirectories(parent);
      }
      return new AuditLog(Files.newBufferedWriter(path, StandardCharsets.UTF_8, StandardOpenOption.CREATE,
          StandardOpenOption.APPEND, StandardOpenOption.WRITE), null);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot open the audit log " + path, e);
    }
  }

  /** The configured sink: a file when a path is given, else the logger. */
  public static AuditLog of(String path) {
    return path == null ? toLogger() : toFile(Path.of(path));
  }

  public void write(AuditRecord record) {
    String line;
    try {
      line = JSON.writeValueAsString(record);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("an audit record always serialises", e);
    }
    if (file == null) {
      logger.info(line);
      return;
    }
    synchronized (this) {
      try {
        file.write(line);
        file.newLine();
        file.flush();
      } catch (IOException e) {
        // The request must not fail because the disk is full; the operator must see it though.
        FAILURES.error("audit record {} not written: {}", record.requestId(), e.toString());
      }
    }
  }

  @Override
  public synchronized void close() {
    if (file != null) {
      try {
        file.close();
      } catch (IOException e) {
        FAILURES.warn("closing the audit log: {}", e.toString());
      }
    }
  }
}
