#!/usr/bin/env bash
# Benchmarks: side-by-side comparisons (scripts/bench/compare.py writes BENCHMARKS.md) and the
# micro-benchmarks of Benchmarks/ with allocation counts. Every part runs even when an earlier
# one misses its target; the exit status is non-zero when any did.
set -uo pipefail
cd "$(dirname "$0")/../.."
status=0
python3 scripts/bench/compare.py || status=1
# The capture compare.py made (redis-benchmark -P 16 against redis-server) also feeds the
# capture-layer micro-benchmark.
capture="${BENCH_WORK:-${TMPDIR:-/tmp}/hotshard-bench}/resp-benchmark.pcap"
if [ -f "$capture" ]; then export HOTSHARD_BENCH_PCAP="$capture"; fi
(cd Benchmarks && swift package --disable-sandbox benchmark) || status=1
# Allocation counts against those recorded in Benchmarks/Thresholds (tolerances in the benchmarks'
# code: only allocations can fail). Exit 2 is a regression; 4, only improvements. The first run
# records them: commit Benchmarks/Thresholds, and re-record after a deliberate change.
if [ -d Benchmarks/Thresholds ]; then
    (cd Benchmarks && swift package --disable-sandbox benchmark thresholds check --path Thresholds)
    check=$?
    if [ $check -ne 0 ] && [ $check -ne 4 ]; then
        echo "make bench: allocation counts regressed against Benchmarks/Thresholds" >&2
        status=1
    fi
else
    # `thresholds update` writes a benchmark's name with spaces as underscores, while `thresholds
    # check` looks for the name as it is (package-benchmark 1.x): the files get their names back.
    (cd Benchmarks && swift package --disable-sandbox --allow-writing-to-package-directory benchmark thresholds update --path Thresholds \
        && for f in Thresholds/*_*; do mv "$f" "${f//_/ }"; done) \
        && echo "make bench: allocation thresholds recorded in Benchmarks/Thresholds; commit them" || status=1
fi
exit $status
