#!/usr/bin/env bash
# Fuzzes the protocol parsers with libFuzzer (Swift's -sanitize=fuzzer,address) for
# FUZZ_SECONDS (default 600) per target. Crashes land in fuzz-artifacts/; replay one with
# `swift run HotshardFuzz fuzz-artifacts/crash-…`.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${FUZZ_SECONDS:-600}"
swift build -c debug --scratch-path .build-fuzz --product HotshardFuzz \
  -Xswiftc -sanitize=fuzzer,address -Xswiftc -DFUZZING -Xswiftc -parse-as-library
mkdir -p fuzz-artifacts fuzz-corpus/resp
# Seed corpus: request and reply streams the parser must handle.
printf '\x05*2\r\n$3\r\nGET\r\n$3\r\nfoo\r\n$3\r\nbar\r\n' > fuzz-corpus/resp/get
printf '\x85*3\r\n$4\r\nMGET\r\n$1\r\na\r\n$1\r\nb\r\n*2\r\n$1\r\nx\r\n$-1\r\n' > fuzz-corpus/resp/mget
printf '\x80%%1\r\n+k\r\n|1\r\n+a\r\n:1\r\n>2\r\n$7\r\nmessage\r\n$1\r\nc\r\n' > fuzz-corpus/resp/resp3
.build-fuzz/debug/HotshardFuzz fuzz-corpus/resp -max_total_time="$seconds" -rss_limit_mb=2048 \
  -timeout=10 -artifact_prefix=fuzz-artifacts/ -print_final_stats=1
