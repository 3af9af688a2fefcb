package dev.tollgate.bench;

import com.sun.management.ThreadMXBean;
import dev.tollgate.cli.runtime.LocalGateway;
import dev.tollgate.xds.translate.FilterSet;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryUsage;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * The gateway under load, as a process of its own so its CPU can be told apart from the load
 * generator's and the provider's: the Tollgate JVM part plus its child Envoy, via the same
 * {@link LocalGateway} that {@code tollgate up} uses.
 *
 * <p>Usage: {@code BenchGateway <config.yaml> <NONE|AUTHZ_ONLY|ALL> <work dir>}. Once Envoy is ready
 * it prints one line {@code ready jvm-pid=N envoy-pid=N envoy-admin-port=N}. It then reads commands
 * on standard input, one per line, each answered with one line:
 * <ul>
 *   <li>{@code stats}: {@code stats gc-count=N gc-ms=N allocated-bytes=N threads=N} (cumulative);
 *   <li>{@code gc}: a full collection, then {@code heap used-bytes=N committed-bytes=N}, the live heap.
 * </ul>
 * It stops Envoy and exits when standard input closes (the parent went away, however it died),
 * on {@code quit}, or when killed (Envoy's own shutdown hook stops it then).
 */
public final class BenchGateway {

  private BenchGateway() {
  }

  public static void main(String[] args) throws Exception {
    if (args.length != 3) {
      System.err.println("usage: BenchGateway <config.yaml> <NONE|AUTHZ_ONLY|ALL> <work dir>");
      System.exit(2);
    }
    Path config = Path.of(args[0]);
    FilterSet filters = FilterSet.valueOf(args[1]);
    Path workDir = Path.of(args[2]);
    Files.createDirectories(workDir);
    try (LocalGateway gateway = LocalGateway.start(config, filters, "bench-" + filters.name().toLowerCase(),
        workDir, workDir.resolve("envoy.log"))) {
      long envoyPid = gateway.envoy().pid();
      System.out.printf("ready jvm-pid=%d envoy-pid=%d envoy-admin-port=%d%n",
          ProcessHandle.current().pid(), envoyPid, gateway.envoy().adminPort());
      System.out.flush();
      BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
      for (String line = in.readLine(); line != null; line = in.readLine()) {
        switch (line.strip()) {
          case "stats" -> System.out.println(stats());
          case "gc" -> System.out.println(heapAfterGc());
          case "quit" -> {
            gateway.close();
            System.exit(0);
          }
          default -> System.out.println("error unknown command '" + line.strip() + "'");
        }
        System.out.flush();
      }
    }
    // Gateway and Envoy are closed; do not wait on any straggling non-daemon thread.
    System.exit(0);
  }

  private static String stats() {
    long count = 0;
    long millis = 0;
    for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
      count += Math.max(0, gc.getCollectionCount());
      millis += Math.max(0, gc.getCollectionTime());
    }
    // Allocation by live threads only; the gRPC and Netty threads that serve requests live as long
    // as the server, so this is close to the whole.
    ThreadMXBean threads = (ThreadMXBean) ManagementFactory.getThreadMXBean();
    long[] ids = threads.getAllThreadIds();
    long allocated = Arrays.stream(threads.getThreadAllocatedBytes(ids)).filter(b -> b > 0).sum();
    return String.format("stats gc-count=%d gc-ms=%d allocated-bytes=%d threads=%d", count, millis, allocated,
        ids.length);
  }

  private static String heapAfterGc() {
    System.gc();
    MemoryUsage heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage();
    return String.format("heap used-bytes=%d committed-bytes=%d", heap.getUsed(), heap.getCommitted());
  }
}
