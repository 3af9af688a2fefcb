#!/usr/bin/env bash
# The whole test suite, from a fresh checkout: installs the pinned Envoy (envoy/install.sh), runs a
# short, repeatable fuzzing pass (3,000 inputs per Jazzer target, fixed seed), then builds every
# module and runs unit, in-process and end-to-end tests (real Envoy child processes).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"
ENVOY_BIN=$(./envoy/install.sh)
export ENVOY_BIN
# PostgreSQL server binaries (Debian package) for the store's tests, which start their own server.
if ! compgen -G '/usr/lib/postgresql/*/bin/postgres' >/dev/null; then
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends postgresql >/dev/null
  # The package's own cluster is not used; the tests run theirs on free ports.
  service postgresql stop >/dev/null 2>&1 || true
fi
# The request-limit tests start their own redis-server (Debian package) on a free port; install it
# when missing (CI runs as root). The package's own service is not needed: stop and disable it.
if ! command -v redis-server >/dev/null 2>&1; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get install -y --no-install-recommends redis-server >&2 \
    || { apt-get update >&2 && apt-get install -y --no-install-recommends redis-server >&2; }
  systemctl disable --now redis-server >/dev/null 2>&1 || service redis-server stop >/dev/null 2>&1 || true
fi
bench/fuzz.sh --runs 3000
exec mvn -B verify "$@"
