#!/usr/bin/env bash
# Trains the prompt guard's classifier (Tribuo logistic regression on hashed word and character
# n-grams) on the TRAINING parts of inspect/data/prompt-injection (the held-out parts, chosen by a
# hash of each text, are left for bench/eval-guard.sh) and writes the model the guard loads at
# start-up: inspect/src/main/resources/dev/tollgate/inspect/guard/guard-model.tribuo.gz.
# Deterministic (fixed split, fixed seed): the weights come out the same on every run; only the
# timestamps in the model's provenance change. Commit the model after retraining.
# Usage: inspect/train-guard.sh
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
mvn -B -q install -Dmaven.test.skip=true -pl inspect -am >&2
mvn -B -q -pl inspect dependency:build-classpath -Dmdep.outputFile="$root/inspect/target/classpath.txt" >&2
java -Djava.util.logging.config.file=/dev/null -cp "inspect/target/classes:$(cat inspect/target/classpath.txt)" \
  dev.tollgate.inspect.guard.GuardTrainer inspect/data/prompt-injection \
  inspect/src/main/resources/dev/tollgate/inspect/guard/guard-model.tribuo.gz
