#!/usr/bin/env bash
# Benchmarks on a deterministic scale corpus made from the seeds; prints figures.
#   scripts/bench.sh [ARTICLES]     (default 5000 articles, about 13.5 MB)
set -euo pipefail
cd "$(dirname "$0")/.."
n="${1:-5000}"
shared="${NEWSKG_SHARED:-../shared}"
corpus="${NEWSKG_BENCH_CORPUS:-${TMPDIR:-/tmp}/newskg-bench-$n}"
if [ ! -d "$corpus" ]; then
  python3 "$shared/bench/make_corpus.py" seeds "$corpus" --articles "$n"
fi
export NEWSKG_BENCH_CORPUS="$corpus"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/newskg/target}"
# Extraction alone (best of NEWSKG_BENCH_ROUNDS rounds), then every stage of the pipeline.
cargo bench --bench extract
cargo bench --bench pipeline
