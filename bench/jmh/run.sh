#!/usr/bin/env bash
# JMH microbenchmarks of the request hot paths (bench/jmh/README.md), run on demand.
# Builds bench/jmh/target/benchmarks.jar, runs it with allocation profiling (-prof gc) and writes
# the whole output, with machine facts and the exact command, to bench/results/jmh-<UTC>.txt.
#
# Usage: bench/jmh/run.sh [jmh args]
#   bench/jmh/run.sh                         # every benchmark, default settings (~7 min)
#   bench/jmh/run.sh RequestBodyBench        # a regex selects benchmarks
#   bench/jmh/run.sh -f 1 -wi 2 -i 3 -w 1s -r 1s ApiKey   # quick look while developing
#   bench/jmh/run.sh -l                      # list benchmarks (nothing is recorded)
# Any of -f -wi -w -i -r you pass replaces its default; -prof gc is always added.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$root"

mvn -B -q -DskipTests -pl bench/jmh -am package >&2
jar=bench/jmh/target/benchmarks.jar

# Information-only options: run them as they are, record nothing.
for arg in "$@"; do
  case "$arg" in
    -l|-lp|-lprof|-h|--help|-help) exec java -jar "$jar" "$@" ;;
  esac
done

# Defaults: 2 forks x (5 x 2 s warm-up + 4 x 2 s measurement) per benchmark and parameter set.
declare -A defaults=([-f]=2 [-wi]=5 [-w]=2s [-i]=4 [-r]=2s)
args=()
for opt in -f -wi -w -i -r; do
  given=false
  for arg in "$@"; do [[ "$arg" == "$opt" ]] && given=true; done
  $given || args+=("$opt" "${defaults[$opt]}")
done
args+=(-prof gc "$@")

mkdir -p bench/results
out="bench/results/jmh-$(date -u +%Y%m%dT%H%M%SZ).txt"
{
  echo "# JMH microbenchmarks, $(date -u +%Y-%m-%dT%H:%MZ)"
  echo
  echo "Command: bench/jmh/run.sh $*"
  echo "Runs:    java -jar $jar ${args[*]}"
  echo "Commit:  $(git rev-parse --short HEAD 2>/dev/null || echo unknown)$( [[ -n "$(git status --porcelain 2>/dev/null)" ]] && echo ' (work tree has changes)')"
  echo "Machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(free -g | awk '/Mem:/{print $2}') GiB, $(uname -sr)"
  echo "JVM:     $(java -version 2>&1 | head -1); $(java -version 2>&1 | tail -1)"
  echo
  java -Dorg.slf4j.simpleLogger.defaultLogLevel=warn -jar "$jar" "${args[@]}"
} 2>&1 | tee "$out"
echo "results written to $out" >&2
