#!/usr/bin/env bash
# Benchmarks: see BENCHMARKS.md for what runs and the targets each figure is held to.
set -euo pipefail
cd "$(dirname "$0")/.."
python3 scripts/bench/compare.py
if [ -f Benchmarks/Package.swift ]; then
  (cd Benchmarks && swift package --disable-sandbox benchmark)
else
  echo "bench: no benchmarks yet"
fi
