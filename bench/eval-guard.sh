#!/usr/bin/env bash
# Scores the prompt guard's detector on the HELD-OUT parts of the prompt-injection corpora (3 in 10
# prompts, chosen by a hash of the text; the classifier never trained on them). Per set: its own
# rate (recall of a positive set, false-positive rate of a negative one, with a 95% interval), the
# pooled rate of the other side and their balanced accuracy. Positives are the jailbreak sets
# (in-the-wild, DAN); negatives are NotInject one/two, wildguard, valid.json label 0; valid.json
# label 1 is printed as an extra set. Overall lines for the jailbreak sets and for all sets.
# Leakage check: each held-out prompt's maximum similarity to the training part (Jaccard of word
# 5-gram shingles), and every figure again for the held-out prompts below the similarity threshold.
# For the shipped detector and for the rules alone. Writes a report to bench/results/.
# Usage: bench/eval-guard.sh [corpus-dir=../shared/corpora/prompt-injection] [threshold=0.5] [similarity=0.5]
#   (falls back to the copy in inspect/data/prompt-injection when the shared folder is absent)
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
corpus=${1:-../shared/corpora/prompt-injection}
[[ -d "$corpus" ]] || corpus=inspect/data/prompt-injection
threshold=${2:-0.5}
similarity=${3:-0.5}
mvn -B -q install -Dmaven.test.skip=true -pl inspect -am >&2
mvn -B -q -pl inspect dependency:build-classpath -Dmdep.outputFile="$root/inspect/target/classpath.txt" >&2
out="bench/results/eval-guard-$(date -u +%Y%m%dT%H%M%SZ).md"
{
  echo "# Prompt guard evaluation, $(date -u +%Y-%m-%dT%H:%MZ)"
  echo
  echo "Command: \`bench/eval-guard.sh $*\` (corpus: $corpus)"
  # Names the guard's uncommitted files, so a reader can tell evaluation-only edits from detector edits.
  dirty=$(git status --porcelain -- inspect/src/main/java/dev/tollgate/inspect/guard inspect/src/main/resources/dev/tollgate/inspect/guard inspect/data 2>/dev/null | awk '{print $2}' | xargs -r -n1 basename | paste -sd, - || true)
  echo "Commit:  $(git rev-parse --short HEAD 2>/dev/null || echo unknown)${dirty:+ (the guard has uncommitted changes in: $dirty)}"
  echo
  echo '```'
  java -cp "inspect/target/classes:$(cat inspect/target/classpath.txt)" \
    dev.tollgate.inspect.guard.GuardEvaluation "$corpus" "$threshold" "$similarity"
  echo '```'
} | tee "$out"
echo "report written to $out" >&2
