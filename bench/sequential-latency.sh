#!/usr/bin/env bash
# p50/p90/p99 of N sequential 1 KB chat completions through Envoy, with Tollgate's ext filters and
# without them (plain Envoy, the floor), in one run. Writes a report to bench/results/.
# Usage: bench/sequential-latency.sh [requests=1000] [warmup=300] [rounds=2] [modes=plain,ext] [body-bytes=1024]
# Streams: JAVA_TOOL_OPTIONS="-Dtollgate.bench.stream-chunks=100 -Dtollgate.bench.inter-chunk-ms=2" adds
# tables of time to first content chunk and of the gap between consecutive content chunks.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
ENVOY_BIN=$(./envoy/install.sh)
export ENVOY_BIN
mvn -B -q -DskipTests install >&2
mvn -B -q -pl bench dependency:build-classpath -Dmdep.outputFile="$root/bench/target/classpath.txt" >&2
cp=$(cat "$root/bench/target/classpath.txt")
out="bench/results/sequential-latency-$(date -u +%Y%m%dT%H%M%SZ).md"
{
  echo "# Sequential latency, $(date -u +%Y-%m-%dT%H:%MZ)"
  echo
  echo "Command: \`bench/sequential-latency.sh $*\`"
  echo
  echo "Machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(free -g | awk '/Mem:/{print $2}') GiB;"
  echo "$(java -version 2>&1 | head -1); $("$ENVOY_BIN" --version | grep -o 'version: [^ ]*')"
  echo
  java -Dorg.slf4j.simpleLogger.defaultLogLevel=warn -cp "bench/target/classes:$cp" \
    dev.tollgate.bench.SequentialLatency "$@"
} | tee "$out"
echo "report written to $out" >&2
