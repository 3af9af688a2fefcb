#!/usr/bin/env bash
# The whole test suite, from a fresh checkout: installs the pinned Envoy (envoy/install.sh), runs a
# short, repeatable fuzzing pass (3,000 inputs per Jazzer target, fixed seed), then builds every
# module and runs unit, in-process and end-to-end tests (real Envoy child processes).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"
ENVOY_BIN=$(./envoy/install.sh)
export ENVOY_BIN
bench/fuzz.sh --runs 3000
exec mvn -B verify "$@"
