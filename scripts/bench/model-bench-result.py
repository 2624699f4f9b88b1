#!/usr/bin/env python3
"""Writes the model benchmark's workload as a result document to stdout: KEYS keys "key:{r}"
(r = 1…KEYS) with Zipf(EXPONENT) request counts over DURATION seconds at TOTAL_RATE requests per
second, 90% reads, no untracked tail. The Benchmarks package builds the same workload
(HotshardBenchmarks.swift, `zipfWorkload`), so `hotshard plan` on this file times the same plan.

    python3 scripts/bench/model-bench-result.py > /tmp/zipf-1m.json         # 1,000,000 keys
    python3 scripts/bench/model-bench-result.py 100000 > /tmp/zipf-100k.json
"""
import json, math, sys

keys = int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000
exponent, duration, total_rate = 0.99, 60.0, 17_500_000.0
weights = [float(r) ** -exponent for r in range(1, keys + 1)]
norm = 0.0
for w in weights:  # in order, no compensation: as the Swift benchmark's reduce(0, +)
    norm += w
total_requests = total_rate * duration
entries, key_refs = [], 0
for r, w in enumerate(weights, start=1):
    count = int(math.floor(total_requests * w / norm + 0.5))
    reads = int(count * 0.9)
    key_refs += count
    entries.append({"key": f"key:{r}", "protocol": "resp", "count": count, "errorBound": 0, "guaranteed": True,
                    "reads": reads, "writes": count - reads, "requestBytes": count * 40, "replyBytes": count * 300,
                    "maxReplyBytes": 512, "hits": reads, "misses": 0, "errors": 0,
                    "ratePerSecond": count / duration, "peakRatePerSecond": count / duration,
                    "share": 0.0, "latencyMicros": None, "clients": 1, "topClientShare": None,
                    "hotSince": None, "coolSince": None})
capture = {k: 0 for k in ["packets", "bytes", "nonIP", "nonTCPUDP", "tcpSegments", "udpDatagrams", "flows",
                          "outOfOrder", "retransmitted", "gaps", "gapBytes", "truncated", "malformed", "fragments",
                          "unsupportedLinkType"]}
capture.update({"byLinkType": {}, "capsHit": {}, "kernelDrops": None, "interfaceDrops": None})
doc = {"schemaVersion": 1, "tool": {"name": "hotshard", "version": "bench"},
       "source": {"kind": "load", "inputs": ["scripts/bench/model-bench-result.py"]},
       "capture": capture,
       "totals": {"requests": key_refs, "replies": key_refs, "keyReferences": key_refs, "errors": 0,
                  "durationSeconds": duration, "byProtocol": {"resp": key_refs}, "byCommand": {"GET": key_refs},
                  "byStatus": {"ok": key_refs}},
       "tracking": {"capacity": keys, "exact": True, "distinctKeys": keys, "distinctKeysEstimated": False},
       "hotKeys": entries, "latency": {"service": None, "corrected": None},
       "windows": {"seconds": 10, "series": []}}
json.dump(doc, sys.stdout, separators=(",", ":"))
