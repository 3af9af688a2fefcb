#!/usr/bin/env bash
# Added latency of the authorization path with request limits, measured through Envoy: plain
# Envoy (the floor) vs Tollgate with in-process limits vs Tollgate with Redis limits, in one run,
# with SequentialLatency (bench/sequential-latency.sh's harness). Starts its own redis-server
# (Debian package redis-server) on a free loopback port, without persistence, and stops it after.
# Usage: bench/limits-latency.sh [requests=1000] [warmup=300] [rounds=2] [modes=plain,ext,limits-memory,limits-redis]
# (budget enforcement: modes plain,ext,budget-memory,budget-redis; see SequentialLatency's modes)
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
command -v redis-server >/dev/null || { echo "needs redis-server (apt-get install -y --no-install-recommends redis-server)" >&2; exit 1; }
ENVOY_BIN=$(./envoy/install.sh)
export ENVOY_BIN
# Packaged in this tree's reactor, not installed: the benchmark runs exactly this checkout.
mvn -B -q -DskipTests package dependency:build-classpath -pl bench -am \
  -Dmdep.outputFile="$root/bench/target/classpath.txt" >&2
cp=$(cat "$root/bench/target/classpath.txt")
redis_dir=$(mktemp -d)
redis_port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
redis-server --port "$redis_port" --bind 127.0.0.1 --save "" --appendonly no --dir "$redis_dir" \
  --daemonize no --loglevel warning >"$redis_dir/redis.log" 2>&1 &
redis_pid=$!
trap 'kill "$redis_pid" 2>/dev/null || true; wait "$redis_pid" 2>/dev/null || true; rm -rf "$redis_dir"' EXIT
for _ in $(seq 50); do
  redis-cli -p "$redis_port" ping >/dev/null 2>&1 && break
  sleep 0.1
done
out="bench/results/limits-latency-$(date -u +%Y%m%dT%H%M%SZ).md"
{
  echo "# Authorization latency with request limits, $(date -u +%Y-%m-%dT%H:%MZ)"
  echo
  echo "Command: \`bench/limits-latency.sh $*\`"
  echo
  echo "Machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(free -g | awk '/Mem:/{print $2}') GiB;"
  echo "$(java -version 2>&1 | head -1); $("$ENVOY_BIN" --version | grep -o 'version: [^ ]*'); $(redis-server --version | cut -d' ' -f1-3)"
  echo "load average at start: $(cut -d' ' -f1-3 /proc/loadavg) (other work on the machine shows up as noise)"
  echo
  echo "Each request passes ext_authz, the ext_proc router stage (with one limit decision: the consumer's"
  echo "rate and concurrency limits and a consumer+model rate limit) and the upstream stage."
  echo
  java -Dorg.slf4j.simpleLogger.defaultLogLevel=warn -Dtollgate.bench.redis="redis://127.0.0.1:$redis_port" \
    -cp "bench/target/classes:$cp" dev.tollgate.bench.SequentialLatency \
    "${1:-1000}" "${2:-300}" "${3:-2}" "${4:-plain,ext,limits-memory,limits-redis}"
  echo
  echo "load average at end: $(cut -d' ' -f1-3 /proc/loadavg)"
} | tee "$out"
echo "report written to $out" >&2
