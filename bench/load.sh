#!/usr/bin/env bash
# Open-loop load at constant arrival rates through the same Envoy in three modes, in one run:
# (a) plain Envoy, (b) Envoy + ext_authz, (c) Envoy + Tollgate (ext_authz, ext_proc router and
# upstream stages). 1 KB ladder to saturation, 100-chunk streams (TTFT, inter-chunk gaps), 32 KB
# prompts; latency percentiles, CPU per 1,000 requests per process, JVM heap after GC.
# Writes bench/results/load-<UTC timestamp>.md and .json. See bench/README.md.
# Usage: bench/load.sh [--quick]      (full run: about 12 minutes on 2 cores; --quick: about 3)
# Needs, besides the project's own set-up: Go >= 1.22 once, to build the pinned vegeta into
# bench/.tools/ (or set VEGETA_BIN to a vegeta v12 binary).
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"

for arg in "$@"; do
  case "$arg" in
    --quick) ;;
    *) echo "usage: bench/load.sh [--quick]" >&2; exit 2 ;;
  esac
done

VEGETA_VERSION=v12.12.0
tools="$root/bench/.tools"
if [ -n "${VEGETA_BIN:-}" ]; then
  vegeta=$VEGETA_BIN
else
  vegeta="$tools/vegeta-$VEGETA_VERSION/vegeta"
  if [ ! -x "$vegeta" ]; then
    if ! command -v go >/dev/null; then
      echo "bench/load.sh needs Go >= 1.22 once, to build vegeta $VEGETA_VERSION (or set VEGETA_BIN)" >&2
      exit 1
    fi
    echo "building vegeta $VEGETA_VERSION into $tools (once)" >&2
    gotmp=$(mktemp -d)
    # Module and build caches in a temporary folder (writable, so it can be removed); only the binary stays.
    if ! (export GOPATH="$gotmp/gopath" GOMODCACHE="$gotmp/mod" GOCACHE="$gotmp/cache" GOFLAGS=-modcacherw \
            GOBIN="$tools/vegeta-$VEGETA_VERSION" && \
          go install "github.com/tsenart/vegeta/v12@$VEGETA_VERSION") >&2; then
      rm -rf "$gotmp"
      echo "could not build vegeta" >&2
      exit 1
    fi
    rm -rf "$gotmp"
  fi
fi

ENVOY_BIN=$(./envoy/install.sh)
export ENVOY_BIN
if [ -z "${LOAD_BENCH_NO_BUILD:-}" ]; then   # set it to reuse the modules already installed
  mvn -B -q -DskipTests install >&2
fi
mvn -B -q -pl bench dependency:build-classpath -Dmdep.outputFile="$root/bench/target/classpath.txt" >&2
stamp=$(date -u +%Y%m%dT%H%M%SZ)
mkdir -p bench/results
out_md="bench/results/load-$stamp.md"
out_json="bench/results/load-$stamp.json"
scratch=$(mktemp -d)

# Run from a private copy of this project's classes and module jars: a build elsewhere in the
# checkout (or another `mvn install`) must not swap a jar under JVMs that still load classes from it.
mkdir -p "$scratch/cp"
cp -r "$root/bench/target/classes" "$scratch/cp/bench-classes"
cp="$scratch/cp/bench-classes"
IFS=: read -r -a entries <"$root/bench/target/classpath.txt" || true
for entry in "${entries[@]}"; do
  case "$entry" in
    */dev/tollgate/*) cp "$entry" "$scratch/cp/"; cp="$cp:$scratch/cp/$(basename "$entry")" ;;
    *) cp="$cp:$entry" ;;
  esac
done
pid_file="$scratch/pids"
header="$scratch/header.md"
touch "$pid_file"

java_pid=""
cleanup() {
  local status=$?
  trap - EXIT INT TERM
  if [ -n "$java_pid" ] && kill -0 "$java_pid" 2>/dev/null; then
    kill -TERM "$java_pid" 2>/dev/null || true   # its shutdown hook stops every child it started
    for _ in $(seq 1 150); do kill -0 "$java_pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$java_pid" 2>/dev/null || true
  fi
  # Whatever survived (the orchestrator killed hard): only our own children, checked by command line.
  while read -r pid kind; do
    if [ -r "/proc/$pid/cmdline" ] && tr '\0' ' ' <"/proc/$pid/cmdline" | grep -q -e envoy -e dev.tollgate; then
      echo "stopping leftover $kind (pid $pid)" >&2
      kill -TERM "$pid" 2>/dev/null || true
      sleep 1
      kill -KILL "$pid" 2>/dev/null || true
    fi
  done <"$pid_file"
  rm -rf "$scratch"
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

cpu_model=$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)
{
  echo "# Open-loop load, $(date -u +%Y-%m-%dT%H:%MZ)"
  echo
  echo "Command: \`bench/load.sh${*:+ $*}\`"
  echo
  echo "Machine: $(nproc) cores, ${cpu_model:-unknown CPU}, $(free -g | awk '/Mem:/{print $2}') GiB;"
  echo "$(java -version 2>&1 | head -1); Envoy $("$ENVOY_BIN" --version | grep -o 'version: [^ ]*' | cut -d/ -f2)"\
       "(1 worker); vegeta $VEGETA_VERSION; git $(git rev-parse --short HEAD 2>/dev/null || echo unknown)"
  echo
  echo "Load average before the run: $(cut -d' ' -f1-3 /proc/loadavg) (1, 5, 15 min)."
  echo
  echo "All on one machine: load generator, fake provider (own JVM), Tollgate JVM and its Envoy compete for"
  echo "the same $(nproc) cores. Read ratios and differences against (a), not absolute figures."
  echo
} >"$header"

# In the background and waited for, so a signal reaches the trap at once.
java -Dorg.slf4j.simpleLogger.defaultLogLevel=warn -cp "$cp" dev.tollgate.bench.LoadBenchmark \
  --vegeta "$vegeta" --clk-tck "$(getconf CLK_TCK)" --header-file "$header" \
  --out-md "$out_md" --out-json "$out_json" --pid-file "$pid_file" "$@" &
java_pid=$!
wait "$java_pid"
java_pid=""
cat "$out_md"
echo "report written to $out_md (raw: $out_json)" >&2
