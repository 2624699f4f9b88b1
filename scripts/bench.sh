#!/usr/bin/env bash
# Benchmarks: side-by-side comparisons (scripts/bench/compare.py writes BENCHMARKS.md) and the
# micro-benchmarks of Benchmarks/ with allocation counts. Every part runs even when an earlier
# one misses its target; the exit status is non-zero when any did.
set -uo pipefail
cd "$(dirname "$0")/.."
status=0
python3 scripts/bench/compare.py || status=1
# The capture compare.py made (redis-benchmark -P 16 against redis-server) also feeds the
# capture-layer micro-benchmark.
capture="${BENCH_WORK:-${TMPDIR:-/tmp}/hotshard-bench}/resp-benchmark.pcap"
if [ -f "$capture" ]; then export HOTSHARD_BENCH_PCAP="$capture"; fi
(cd Benchmarks && swift package --disable-sandbox benchmark) || status=1
exit $status
