#!/usr/bin/env bash
# Serving and pushing on loopback: push throughput into `oxigraph serve` (pip install oxigraph)
# and canned-query latency (p50, p99) through `newskg serve` under 1, 4 and 16 clients.
#   scripts/bench-serve.sh [ARTICLES] [SECONDS_PER_LEVEL]     (default 2000 articles, 10 s)
set -euo pipefail
cd "$(dirname "$0")/.."
n="${1:-2000}"
export NEWSKG_BENCH_ARTICLES="$n"
export NEWSKG_BENCH_SECONDS="${2:-10}"
export NEWSKG_SHARED="${NEWSKG_SHARED:-../shared}"
export NEWSKG_BENCH_CORPUS="${NEWSKG_BENCH_CORPUS:-${TMPDIR:-/tmp}/newskg-bench-$n}"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/newskg/target}"
cargo bench --bench serve
