#!/usr/bin/env bash
# Fuzz every Jazzer @FuzzTest for a while (the normal suite only replays their seed corpora).
# Usage: bench/fuzz.sh [seconds-per-target=60] [filter]
#        bench/fuzz.sh --runs N [filter]   (the suite's short, repeatable run; ./run-tests.sh uses it)
#   bench/fuzz.sh             # each target 60 s
#   bench/fuzz.sh 600 Config  # only targets whose Class#method contains "Config", 10 min each
#
# Each target runs alone in its own JVM (Jazzer fuzzes one test per run) with JAZZER_FUZZ=1 and
# libFuzzer's -max_total_time; Jackson and SnakeYAML are instrumented too, so coverage guides
# the fuzzer through the parsers and not only through Tollgate's own classes. A finding fails the
# target: Jazzer writes the input as crash-<sha1> into the target's seed directory
# (src/test/resources/<package>/<Class>Inputs/<method>/), where the normal suite replays it from
# then on; keep it there as a regression seed once fixed. The corpus the fuzzer grows is kept out
# of the tree in bench/results/tmp/fuzz-corpus/ and reused by the next run. The summary ("N passed,
# N failed") goes to bench/results/fuzz-<UTC>.txt; exits 1 when any target found something.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
# --runs N: the suite's short, bounded run. A fixed number of inputs from a fixed seed, starting
# from the committed seeds only, so it is repeatable: the same code gives the same verdict in CI.
mode=time
if [[ "${1:-}" == "--runs" ]]; then
  mode=runs
  shift
fi
seconds=${1:-60}
filter=${2:-}
[[ "$seconds" =~ ^[0-9]+$ && "$seconds" -gt 0 ]] || { echo "seconds (or runs) must be a positive whole number" >&2; exit 2; }
if [[ $mode == runs ]]; then
  budget=(-Djazzer.internal.arg.1=-runs="$seconds" -Djazzer.internal.arg.2=-seed=1)
else
  budget=(-Djazzer.internal.arg.1=-max_total_time="$seconds")
fi

# module  Class#method (every @FuzzTest in the project; keep in step with *FuzzTest.java)
targets=(
  "core     dev.tollgate.core.config.ConfigLoaderFuzzTest#parseReturnsConfigOrLocatedProblems"
  "ext-proc dev.tollgate.proc.RequestBodyParserFuzzTest#parseAlwaysDecides"
  "ext-proc dev.tollgate.proc.RequestBodyParserFuzzTest#rewriteChangesOnlyTheModel"
  "ext-proc dev.tollgate.proc.response.StreamRewriterFuzzTest#decoderIsSplitInvariantAndLossless"
  "ext-proc dev.tollgate.proc.response.StreamRewriterFuzzTest#rewriterNeverThrows"
  "inspect  dev.tollgate.inspect.pii.PiiFuzzTest#redactionKeepsEverythingElse"
  "inspect  dev.tollgate.inspect.pii.PiiFuzzTest#streamEqualsWholeText"
  "inspect  dev.tollgate.inspect.guard.InjectionDetectorFuzzTest#detectorAlwaysScores"
)
for file in $(grep -rl --include='*FuzzTest.java' '@FuzzTest' core ext-proc fake-provider inspect 2>/dev/null); do
  for method in $(awk '/@FuzzTest/ {want = 1} want && match($0, /void [A-Za-z0-9_]+\(/) {
      print substr($0, RSTART + 5, RLENGTH - 6); want = 0 }' "$file"); do
    class=$(basename "$file" .java)
    printf '%s\n' "${targets[@]}" | grep -q "$class#$method\$" \
      || echo "warning: $class#$method is not listed in bench/fuzz.sh and will not be fuzzed" >&2
  done
done

corpus_store="$root/bench/results/tmp/fuzz-corpus"
log_dir="$root/bench/results/tmp/fuzz-logs"
mkdir -p "$corpus_store" "$log_dir"
restore_corpus() {  # module: put the stored corpus where Jazzer looks for it (module/.cifuzz-corpus)
  if [[ -d "$corpus_store/$1" && ! -e "$root/$1/.cifuzz-corpus" ]]; then mv "$corpus_store/$1" "$root/$1/.cifuzz-corpus"; fi
}
store_corpus() {
  if [[ -d "$root/$1/.cifuzz-corpus" ]]; then rm -rf "${corpus_store:?}/$1"; mv "$root/$1/.cifuzz-corpus" "$corpus_store/$1"; fi
}
trap 'for m in core ext-proc fake-provider inspect; do store_corpus $m; done' EXIT

echo "building..." >&2
mvn -B -q -DskipTests -pl core,ext-proc,inspect -am install >&2

passed=0; failed=0; summary=()
for target in "${targets[@]}"; do
  read -r module test <<<"$target"
  [[ -z "$filter" || "$test" == *"$filter"* ]] || continue
  log="$log_dir/${test##*.}.log"
  echo "fuzzing $test ($([[ $mode == runs ]] && echo "$seconds inputs, seed 1" || echo "${seconds}s")) (log: ${log#$root/})" >&2
  if [[ $mode == runs ]]; then
    rm -rf "$root/$module/.cifuzz-corpus"
  else
    restore_corpus "$module"
  fi
  start=$(date +%s)
  if JAZZER_FUZZ=1 mvn -B -pl "$module" surefire:test \
      -Dtest="$test" -Dsurefire.failIfNoSpecifiedTests=false \
      -Djazzer.instrument='dev.tollgate.**,com.fasterxml.jackson.**,org.yaml.snakeyaml.**' \
      -Djazzer.internal.arg.0=fuzz "${budget[@]}" \
      >"$log" 2>&1; then
    result=passed; passed=$((passed + 1))
  else
    result=FAILED; failed=$((failed + 1))
  fi
  if [[ $mode == runs ]]; then
    rm -rf "$root/$module/.cifuzz-corpus"
  else
    store_corpus "$module"
  fi
  runs=$(grep -oE '#[0-9]+[[:space:]]+(DONE|pulse|NEW|REDUCE|INITED)' "$log" | tail -1 | grep -oE '[0-9]+' || echo '?')
  cov=$(grep -oE 'cov: [0-9]+' "$log" | tail -1 || true)
  crashes=$(grep -oE "Test unit written to [^ ]+" "$log" | sed 's/Test unit written to //' | sed "s#$root/##" || true)
  line="$result  $test  $(($(date +%s) - start))s  runs: $runs  ${cov:-cov: ?}${crashes:+  finding: $crashes}"
  summary+=("$line")
  echo "$line" >&2
done

# The suite's short runs are not results worth keeping in the tree.
results=bench/results
[[ $mode == runs ]] && results=bench/results/tmp
mkdir -p "$results"
out="$results/fuzz-$(date -u +%Y%m%dT%H%M%SZ).txt"
{
  echo "# Jazzer fuzzing, $(date -u +%Y-%m-%dT%H:%MZ)"
  echo
  echo "Command: bench/fuzz.sh $*"
  echo "Commit:  $(git rev-parse --short HEAD 2>/dev/null || echo unknown)$( [[ -n "$(git status --porcelain 2>/dev/null)" ]] && echo ' (work tree has changes)')"
  echo "Machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(free -g | awk '/Mem:/{print $2}') GiB; $(java -version 2>&1 | head -1)"
  echo
  printf '%s\n' "${summary[@]}"
  echo "fuzz: $passed passed, $failed failed"
} | tee "$out"
echo "summary written to $out" >&2
[[ $failed -eq 0 ]]
