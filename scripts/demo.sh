#!/usr/bin/env bash
# The main job on a fresh machine: analyse a small real capture shipped in the repo.
set -euo pipefail
bin="${1:-.build/release/hotshard}"
capture="Tests/Fixtures/lab/redis-mget-mset.pcap.gz"
mkdir -p reports
"$bin" analyze "$capture" --port resp=16379 --top 20 --json reports/demo.json --html reports/demo.html
