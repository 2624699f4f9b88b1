#!/usr/bin/env bash
# The main job on a fresh machine, no server needed: synthesize a flash sale (profiles/
# redis-flash-sale.yaml: Zipf traffic, then one key takes a third of the requests) as a capture,
# analyse it — hot keys, the moment `sale:item:42` turned hot — and take it to a partitioning
# decision for nodes of 3,000 requests/s: the model is sized on the sale's busiest second, where
# `sale:item:42` alone asks more than one such node may carry. The report opens on that decision.
set -euo pipefail
bin="${1:-.build/release/hotshard}"
capacity=3000
mkdir -p reports
"$bin" synth profiles/redis-flash-sale.yaml -o reports/demo.pcap
echo "demo: analysing the flash sale and modelling it on nodes of $capacity requests/s (--node-capacity $capacity)"
"$bin" analyze reports/demo.pcap --top 20 --node-capacity "$capacity" --json reports/demo.json --html reports/demo.html
