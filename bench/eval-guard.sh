#!/usr/bin/env bash
# Scores the prompt guard's detector on the HELD-OUT parts of the prompt-injection corpora (3 in 10
# prompts, chosen by a hash of the text; the classifier never trained on them): recall per positive
# set (in-the-wild jailbreaks, DAN templates, valid.json label 1), false-positive rate per negative
# set (NotInject one/two, wildguard, valid.json label 0), balanced accuracy; for the shipped detector
# and for the rules alone. Writes a report to bench/results/.
# Usage: bench/eval-guard.sh [corpus-dir=../shared/corpora/prompt-injection] [threshold=0.5]
#   (falls back to the copy in inspect/data/prompt-injection when the shared folder is absent)
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
corpus=${1:-../shared/corpora/prompt-injection}
[[ -d "$corpus" ]] || corpus=inspect/data/prompt-injection
threshold=${2:-0.5}
mvn -B -q install -Dmaven.test.skip=true -pl inspect -am >&2
mvn -B -q -pl inspect dependency:build-classpath -Dmdep.outputFile="$root/inspect/target/classpath.txt" >&2
out="bench/results/eval-guard-$(date -u +%Y%m%dT%H%M%SZ).md"
{
  echo "# Prompt guard evaluation, $(date -u +%Y-%m-%dT%H:%MZ)"
  echo
  echo "Command: \`bench/eval-guard.sh $*\` (corpus: $corpus)"
  echo "Commit:  $(git rev-parse --short HEAD 2>/dev/null || echo unknown)$( [[ -n "$(git status --porcelain -- inspect/src/main/java/dev/tollgate/inspect/guard inspect/src/main/resources/dev/tollgate/inspect/guard inspect/data 2>/dev/null)" ]] && echo ' (the guard has uncommitted changes)')"
  echo
  echo '```'
  java -cp "inspect/target/classes:$(cat inspect/target/classpath.txt)" \
    dev.tollgate.inspect.guard.GuardEvaluation "$corpus" "$threshold"
  echo '```'
} | tee "$out"
echo "report written to $out" >&2
