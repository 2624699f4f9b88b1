#!/usr/bin/env bash
# Issue 5's model benchmark without the benchmark harness: a release `hotshard plan` over
# 1,000,000 keys with Zipf(0.99) rates (scripts/model-bench-result.py). Per scheme, a plan fixed at
# 1,000 nodes (placement of every key plus that scheme's summary); then the whole plan (all default
# schemes, node counts 1-1000). `--timings` separates reading the 200 MB result from planning.
#   bash scripts/model-bench.sh [path/to/hotshard]        (default .build/release/hotshard)
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${1:-.build/release/hotshard}
FILE=${HOTSHARD_BENCH_RESULT:-/tmp/hotshard-zipf-1m.json}
[ -s "$FILE" ] || python3 scripts/model-bench-result.py > "$FILE"
TIME=/usr/bin/time
[ -x "$TIME" ] || { echo "model-bench: /usr/bin/time missing (make setup)"; exit 1; }
for scheme in ketama ketama-twemproxy redis-cluster kafka librdkafka-consistent-random jump rendezvous \
              maglev envoy-ring-hash nginx-consistent bounded-loads cassandra modulo-crc32; do
  "$TIME" -f "  process %e s wall, %U s user, %M KB max RSS" "$BIN" plan "$FILE" --schemes "$scheme" \
      --nodes 1000-1000 --timings 2>&1 >/dev/null | sed "s/^/$scheme: /"
done
"$TIME" -f "  process %e s wall, %U s user, %M KB max RSS" "$BIN" plan "$FILE" --timings 2>&1 >/dev/null | sed "s/^/whole plan: /"
