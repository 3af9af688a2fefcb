package dev.tollgate.bench;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;

/** CPU time and memory from Linux's /proc, for processes this benchmark did not write. */
final class ProcStat {
  private ProcStat() {
  }

  /** utime + stime of a whole process (every thread), in clock ticks; -1 when it is gone. */
  static long cpuTicks(long pid) {
    String[] fields = statFields(Path.of("/proc", Long.toString(pid), "stat"));
    return fields == null ? -1 : Long.parseLong(fields[11]) + Long.parseLong(fields[12]);
  }

  /**
   * cutime + cstime of this process, in clock ticks: the CPU of every child it has waited for. A
   * short-lived load generator is gone before it can be read directly; this counts it once reaped.
   */
  static long reapedChildrenTicks() {
    String[] fields = statFields(Path.of("/proc/self/stat"));
    return fields == null ? -1 : Long.parseLong(fields[13]) + Long.parseLong(fields[14]);
  }

  /**
   * {busy, total, interrupts} jiffies of the whole machine since boot, from the first line of
   * /proc/stat. Busy includes interrupt time; interrupts (irq + softirq: on loopback, mostly the
   * kernel moving this benchmark's own packets) are charged to no process.
   */
  static long[] machineTicks() {
    try {
      String[] cpu = Files.readAllLines(Path.of("/proc/stat")).get(0).trim().split("\\s+");
      long total = 0;
      for (int i = 1; i < cpu.length && i <= 8; i++) { // user nice system idle iowait irq softirq steal
        total += Long.parseLong(cpu[i]);
      }
      long idle = Long.parseLong(cpu[4]) + Long.parseLong(cpu[5]);
      long interrupts = Long.parseLong(cpu[6]) + Long.parseLong(cpu[7]);
      return new long[] {total - idle, total, interrupts};
    } catch (IOException e) {
      return new long[] {0, 0, 0};
    }
  }

  /**
   * A JVM's CPU ticks split by thread name: {@code jit} (C1/C2 compiler threads), {@code gc} (GC
   * and VM threads), {@code grpc} (gRPC/Netty workers, where the ext services run). Threads that
   * already ended are not listed; the process total still counts them.
   */
  static Map<String, Long> jvmThreadTicks(long pid) {
    return threadTicks(pid, name -> name.startsWith("C1 Compiler") || name.startsWith("C2 Compiler") ? "jit"
        : name.startsWith("GC Thread") || name.startsWith("G1 ") || name.equals("VM Thread") ? "gc"
        : name.startsWith("grpc-") ? "grpc" : null, "jit", "gc", "grpc");
  }

  /** Envoy's CPU ticks in its worker threads ({@code wrk:worker_N}), which serve all traffic. */
  static long envoyWorkerTicks(long pid) {
    return threadTicks(pid, name -> name.startsWith("wrk:") ? "worker" : null, "worker").get("worker");
  }

  /** Ticks per kind of thread, as the classifier names them (null: not counted). */
  private static Map<String, Long> threadTicks(long pid, Function<String, String> classifier, String... kindNames) {
    Map<String, Long> kinds = new TreeMap<>();
    for (String kind : kindNames) {
      kinds.put(kind, 0L);
    }
    try (DirectoryStream<Path> tasks = Files.newDirectoryStream(Path.of("/proc", Long.toString(pid), "task"))) {
      for (Path task : tasks) {
        String stat;
        try {
          stat = Files.readString(task.resolve("stat"));
        } catch (IOException e) {
          continue; // the thread ended meanwhile
        }
        String name = stat.substring(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
        String[] fields = stat.substring(stat.lastIndexOf(')') + 2).trim().split("\\s+");
        long ticks = Long.parseLong(fields[11]) + Long.parseLong(fields[12]);
        String kind = classifier.apply(name);
        if (kind != null) {
          kinds.merge(kind, ticks, Long::sum);
        }
      }
    } catch (IOException e) {
      // the process is gone
    }
    return kinds;
  }

  /** Resident set size in bytes (VmRSS), or -1. */
  static long rssBytes(long pid) {
    try {
      for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
        if (line.startsWith("VmRSS:")) {
          return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
        }
      }
    } catch (IOException e) {
      // gone
    }
    return -1;
  }

  /**
   * The fields after the command name, which sits in parentheses and may hold spaces; index 0 is
   * field 3 of proc(5) (state), so utime (field 14) is index 11.
   */
  private static String[] statFields(Path file) {
    try {
      String stat = Files.readString(file);
      return stat.substring(stat.lastIndexOf(')') + 2).trim().split("\\s+");
    } catch (IOException e) {
      return null;
    }
  }
}
