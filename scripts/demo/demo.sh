#!/usr/bin/env bash
# The main job on a fresh machine, no server needed: synthesize a flash sale (profiles/
# redis-flash-sale.yaml: Zipf traffic, then one key takes a third of the requests) as a capture,
# and analyse it — hot keys, the moment `sale:item:42` turned hot, the report.
set -euo pipefail
bin="${1:-.build/release/hotshard}"
mkdir -p reports
"$bin" synth profiles/redis-flash-sale.yaml -o reports/demo.pcap
"$bin" analyze reports/demo.pcap --top 20 --json reports/demo.json --html reports/demo.html
