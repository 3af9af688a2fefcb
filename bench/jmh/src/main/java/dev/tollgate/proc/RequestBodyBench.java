package dev.tollgate.proc;

import com.google.protobuf.ByteString;
import dev.tollgate.jmh.Fixtures;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * The body work of one request on a ~4 KB chat completion: the router stage's parse (Jackson tree
 * plus the model/stream checks) and the upstream stage's rewrite for a canary target (the stored
 * tree written again field by field with the new {@code model}). Lives in {@code dev.tollgate.proc}
 * to reach the package-private parser, exactly the instance type the service uses.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class RequestBodyBench {
  private RequestBodyParser parser;
  private ByteString body;
  private ParsedRequest parsed;

  @Setup
  public void setup() {
    parser = new RequestBodyParser();
    body = ByteString.copyFromUtf8(Fixtures.CHAT_4K);
    if (!(parser.parse(body) instanceof RequestBodyParser.Parsed ok)) {
      throw new IllegalStateException("fixture body must parse");
    }
    parsed = ok.request();
  }

  /** Router stage: bytes as Envoy buffered them to a checked tree. */
  @Benchmark
  public RequestBodyParser.Outcome parse() {
    return parser.parse(body);
  }

  /** Upstream stage, target model differs: what {@code UpstreamStageStream} does to the stored tree. */
  @Benchmark
  public byte[] rewriteModel() {
    return parser.writeWithModel(parsed.body(), Fixtures.UPSTREAM_MODEL);
  }
}
