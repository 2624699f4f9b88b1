#!/usr/bin/env bash
# Issue 5's model benchmark without the benchmark harness: a release `hotshard plan` over
# 1,000,000 keys with Zipf(0.99) rates (scripts/bench/model-bench-result.py, written once to
# $HOTSHARD_BENCH_RESULT). First every default scheme fixed at 1,000 nodes (placing every key
# there, plus N-1 and the summary), then the whole plan (all default schemes, node counts 1-1000).
# `--timings` separates reading the result (a 360 MB JSON) from planning, and prints each
# scheme's seconds (schemes are planned in parallel, so those overlap).
#   bash scripts/bench/model-bench.sh [path/to/hotshard]        (default .build/release/hotshard)
set -euo pipefail
cd "$(dirname "$0")/../.."
BIN=${1:-.build/release/hotshard}
FILE=${HOTSHARD_BENCH_RESULT:-/tmp/hotshard-zipf-1m.json}
[ -s "$FILE" ] || python3 scripts/bench/model-bench-result.py > "$FILE"
TIME=/usr/bin/time
[ -x "$TIME" ] || { echo "model-bench: /usr/bin/time missing (make setup)"; exit 1; }
FORMAT="  process: %e s wall, %U s user, %S s system, %M KB max RSS"
echo "== every scheme at 1,000 nodes"
"$TIME" -f "$FORMAT" "$BIN" plan "$FILE" --nodes 1000-1000 --timings 2>&1 >/dev/null
echo "== whole plan, nodes 1-1000"
"$TIME" -f "$FORMAT" "$BIN" plan "$FILE" --timings 2>&1 >/dev/null
