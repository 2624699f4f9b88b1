#!/usr/bin/env bash
# Fuzzes each protocol parser with libFuzzer (Swift's -sanitize=fuzzer,address) for
# FUZZ_SECONDS (default 600) per parser; FUZZ_PARSERS picks some (default: all). Crashes land in
# fuzz-artifacts/PARSER/; replay one with
# `HOTSHARD_FUZZ_PARSER=resp swift run HotshardFuzz fuzz-artifacts/resp/crash-…`.
# A summary line per parser (runs, coverage, peak RSS, result) goes to fuzz-artifacts/summary.txt.
set -uo pipefail
cd "$(dirname "$0")/../.."
seconds="${FUZZ_SECONDS:-600}"
parsers="${FUZZ_PARSERS:-resp memcached memcached-udp http amqp}"
swift build -c debug --scratch-path .build-fuzz --product HotshardFuzz \
  -Xswiftc -sanitize=fuzzer,address -Xswiftc -DFUZZING -Xswiftc -parse-as-library \
  -Xlinker --export-dynamic || exit 1  # the entry point finds libFuzzer's driver by dlsym

seed() { mkdir -p "fuzz-corpus/$1"; printf "$3" > "fuzz-corpus/$1/$2"; }
# Seed corpora: the first byte is the control byte (chunk size, direction flips, gaps).
seed resp get '\x05*2\r\n$3\r\nGET\r\n$3\r\nfoo\r\n$3\r\nbar\r\n'
seed resp mget '\x85*3\r\n$4\r\nMGET\r\n$1\r\na\r\n$1\r\nb\r\n*2\r\n$1\r\nx\r\n$-1\r\n'
seed resp resp3 '\x80%%1\r\n+k\r\n|1\r\n+a\r\n:1\r\n>2\r\n$7\r\nmessage\r\n$1\r\nc\r\n'
seed memcached text '\x86get a b\r\nVALUE a 0 1\r\nx\r\nEND\r\n'
seed memcached set '\x90set k 0 0 3 noreply\r\nabc\r\nincr n 1\r\n'
seed memcached meta '\x88mg dGVzdA== b v O1 q\r\nVA 2 O1\r\nhi\r\nmn\r\nMN\r\n'
seed memcached binary '\x98\x80\x0c\x00\x01\x00\x00\x00\x00\x00\x00\x00\x01\x00\x00\x00\x07\x00\x00\x00\x00\x00\x00\x00\x00k\x81\x0c\x00\x01\x00\x00\x00\x01\x00\x00\x00\x01\x00\x00\x00\x07\x00\x00\x00\x00\x00\x00\x00\x00k'
seed memcached-udp get '\x20\x00\x01\x00\x00\x00\x01\x00\x00get a\r\n'
seed http pipelined '\x87GET /a HTTP/1.1\r\nHost: h\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok'
# AMQP: protocol header, confirm.select, a publish (method, content header, body) and its confirm.
seed amqp publish '\x88AMQP\x00\x00\x09\x01\x01\x00\x01\x00\x00\x00\x05\x00\x55\x00\x0a\x00\xce\x01\x00\x01\x00\x00\x00\x0d\x00\x3c\x00\x28\x00\x00\x01e\x03key\x00\xce\x02\x00\x01\x00\x00\x00\x0e\x00\x3c\x00\x00\x00\x00\x00\x00\x00\x00\x00\x02\x00\x00\xce\x03\x00\x01\x00\x00\x00\x02hi\xce\x01\x00\x01\x00\x00\x00\x0d\x00\x3c\x00\x50\x00\x00\x00\x00\x00\x00\x00\x01\x00\xce'
seed amqp deliver '\x05\x01\x00\x01\x00\x00\x00\x18\x00\x3c\x00\x3c\x04ctag\x00\x00\x00\x00\x00\x00\x00\x01\x00\x00\x04q.rk\xce\x08\x00\x00\x00\x00\x00\x00\xce'
seed http chunked '\x90POST /b HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\nT: 1\r\n\r\n'

mkdir -p fuzz-artifacts
status=0
for parser in $parsers; do
  mkdir -p "fuzz-artifacts/$parser"
  HOTSHARD_FUZZ_PARSER="$parser" .build-fuzz/debug/HotshardFuzz "fuzz-corpus/$parser" \
    -max_total_time="$seconds" -rss_limit_mb=2048 -malloc_limit_mb=512 -timeout=10 \
    -artifact_prefix="fuzz-artifacts/$parser/" -print_final_stats=1 > "fuzz-artifacts/$parser.log" 2>&1
  rc=$?
  runs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "fuzz-artifacts/$parser.log" | grep -o '[0-9]*$')
  rss=$(grep -o 'stat::peak_rss_mb: *[0-9]*' "fuzz-artifacts/$parser.log" | grep -o '[0-9]*$')
  cov=$(grep -o 'cov: [0-9]*' "fuzz-artifacts/$parser.log" | tail -1)
  echo "$parser: ${seconds}s, ${runs:-?} runs, ${cov:-cov: ?}, peak RSS ${rss:-?} MB, exit $rc" | tee -a fuzz-artifacts/summary.txt
  [ "$rc" -eq 0 ] || status=1
done
exit $status
