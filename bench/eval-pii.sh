#!/usr/bin/env bash
# Scores the PII detectors per entity type (precision, recall, exact boundaries) on the
# presidio-research synthetic corpus (MIT, Microsoft; copy and licence in inspect/data/pii/).
# A found value is correct when it overlaps a labelled span of the same type (details in
# docs/PII.md and PiiEvaluation's javadoc). Writes a report to bench/results/.
# Usage: bench/eval-pii.sh [corpus=../shared/corpora/pii/presidio-synth-v2.json] [default-region=US] [regions=GB,DE,FR,IL,IN,CA,BR,AU,BE]
#   (falls back to inspect/data/pii/presidio-synth-v2.json when the shared folder is absent)
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
corpus=${1:-../shared/corpora/pii/presidio-synth-v2.json}
[[ -f "$corpus" ]] || corpus=inspect/data/pii/presidio-synth-v2.json
region=${2:-US}
regions=${3-GB,DE,FR,IL,IN,CA,BR,AU,BE}
mvn -B -q install -Dmaven.test.skip=true -pl inspect -am >&2
mvn -B -q -pl inspect dependency:build-classpath -Dmdep.outputFile="$root/inspect/target/classpath.txt" >&2
out="bench/results/eval-pii-$(date -u +%Y%m%dT%H%M%SZ).md"
{
  echo "# PII detector evaluation, $(date -u +%Y-%m-%dT%H:%MZ)"
  echo
  echo "Command: \`bench/eval-pii.sh $*\` (corpus: $corpus, default region $region, further regions: ${regions:-none})"
  echo "Commit:  $(git rev-parse --short HEAD 2>/dev/null || echo unknown)$( [[ -n "$(git status --porcelain -- inspect 2>/dev/null)" ]] && echo ' (inspect has uncommitted changes)')"
  echo
  echo '```'
  java -cp "inspect/target/classes:$(cat inspect/target/classpath.txt)" \
    dev.tollgate.inspect.pii.PiiEvaluation "$corpus" "$region" "$regions"
  echo '```'
} | tee "$out"
echo "report written to $out" >&2
