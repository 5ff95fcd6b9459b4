#!/usr/bin/env bash
# Requests per second of `newskg link` against a local SPARQL server: `oxigraph serve-read-only`
# over tests/fixtures/wikidata/wikidata.ttl, the seeds' extractions without their curated QIDs
# (so that every seed entity is looked up), the cache ignored (--refresh), no rate limit.
#   scripts/bench-link.sh [RUNS] [BATCH]     defaults: 5 runs, batch 1 (one label per request)
# Uses target/release/newskg when it exists (cargo build --release), else the debug binary.
set -euo pipefail
cd "$(dirname "$0")/.."
runs="${1:-5}"
batch="${2:-1}"
target="${CARGO_TARGET_DIR:-${NEWSKG_CACHE:-$HOME/.cache/newskg}/target}"
bin="$target/release/newskg"
[ -x "$bin" ] || bin="$target/debug/newskg"
[ -x "$bin" ] || { echo "build newskg first (cargo build --release)" >&2; exit 1; }
command -v oxigraph >/dev/null || { echo "oxigraph missing: pip install oxigraph" >&2; exit 1; }

work="$(mktemp -d)"
server=""
cleanup() { [ -n "$server" ] && kill "$server" 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT

oxigraph load --location "$work/wd" --file tests/fixtures/wikidata/wikidata.ttl 2>/dev/null
port="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')"
oxigraph serve-read-only --location "$work/wd" --bind "127.0.0.1:$port" >/dev/null 2>&1 &
server=$!
for _ in $(seq 50); do (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && break; sleep 0.1; done

"$bin" extract --format jsonl seeds -o "$work/seeds.jsonl"
python3 - "$work/seeds.jsonl" <<'PY'
import json, sys
path = sys.argv[1]
rows = [json.loads(l) for l in open(path, encoding="utf-8")]
for x in rows:
    for e in x["entities"]:
        e.pop("ids", None)
open(path, "w", encoding="utf-8").write("\n".join(json.dumps(x, ensure_ascii=False) for x in rows))
PY
"$bin" --quiet --store "$work/store" map "$work/seeds.jsonl" >/dev/null

echo "binary: $bin; batch $batch; endpoint http://127.0.0.1:$port/query"
for i in $(seq "$runs"); do
  "$bin" --quiet --store "$work/store" link --endpoint "http://127.0.0.1:$port/query" \
    --refresh --dry-run --rate 0 --batch "$batch" | grep -E '^(link |requests)'
done
