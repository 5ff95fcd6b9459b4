#!/usr/bin/env bash
# The test command: installs what the tests need when it is missing, then runs every test, with
# the default (in-memory) store and with the RocksDB store feature.
#   scripts/test.sh            everything
#   scripts/test.sh --quick    default features only (no RocksDB build)
set -euo pipefail
cd "$(dirname "$0")/.."

say() { printf '== %s\n' "$*" >&2; }

apt_install() {
  local missing=()
  for pkg in "$@"; do
    dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg")
  done
  if [ ${#missing[@]} -gt 0 ]; then
    say "installing ${missing[*]}"
    local sudo=""
    [ "$(id -u)" = 0 ] || sudo="sudo"
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >/dev/null
  fi
}

quick=0
[ "${1:-}" = "--quick" ] && quick=1

# rapper (an independent RDF parser) for export checks; libclang for the RocksDB build.
pkgs=(raptor2-utils)
# Virtuoso: a second external triple store that tests/push.rs starts on loopback (Graph Store
# endpoint with Digest authentication).
pkgs+=(virtuoso-opensource)
[ $quick = 1 ] || pkgs+=(libclang-dev)
apt_install "${pkgs[@]}"

# pyoxigraph (a second SPARQL engine), pySHACL (the SHACL validator), rdflib, and the
# `oxigraph` server (PyPI package oxigraph) that tests start on loopback.
if ! python3 -c 'import pyoxigraph, pyshacl, rdflib, jsonschema' 2>/dev/null || ! command -v oxigraph >/dev/null; then
  say "installing pyoxigraph, pyshacl, rdflib, oxigraph"
  python3 -m pip install -q --disable-pip-version-check pyoxigraph oxigraph pyshacl rdflib jsonschema
fi

# Build outputs live outside the clone so that repeated CI runs on this machine stay warm.
cache="${NEWSKG_CACHE:-$HOME/.cache/newskg}"
export CARGO_TERM_COLOR=never

say "cargo test (in-memory store)"
CARGO_TARGET_DIR="$cache/target" cargo test --locked --all-targets

if [ $quick = 0 ]; then
  say "cargo test --features rocksdb (persistent RocksDB store)"
  # The store's own tests and every test that drives the binary through a store: the backend
  # is the only difference, so the HTTP, linking and extractor suites are not run twice.
  CARGO_TARGET_DIR="$cache/target-rocksdb" cargo test --locked --features rocksdb --lib --test cli --test engines --test format
fi
