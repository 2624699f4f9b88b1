#!/usr/bin/env python3
"""Writes a small, hand-made result document (a flash sale: one key far above one node) to stdout,
for trying `hotshard plan` and for the plan command's tests. Deterministic."""
import json, random

random.seed(1)
duration = 60.0
hot = [("flash:sale:item42", 1_500_000, 0.95)] + [(f"product:{i}", random.randint(20_000, 200_000), 0.9) for i in range(200)]
entries = []
for key, count, rf in hot:
    reads = int(count * rf)
    entries.append({"key": key, "protocol": "resp", "count": count, "errorBound": 0, "guaranteed": True,
                    "reads": reads, "writes": count - reads, "requestBytes": count * 40, "replyBytes": count * 300,
                    "maxReplyBytes": 512, "hits": reads, "misses": 0, "errors": 0,
                    "ratePerSecond": count / duration, "peakRatePerSecond": count / duration * 1.2,
                    "share": 0.0, "latencyMicros": None, "clients": 50, "topClientShare": 0.1,
                    "hotSince": None, "coolSince": None})
total_hot = sum(c for _, c, _ in hot)
key_refs = total_hot + 30_000_000
capture = {k: 0 for k in ["packets", "bytes", "nonIP", "nonTCPUDP", "tcpSegments", "udpDatagrams", "flows",
                          "outOfOrder", "retransmitted", "gaps", "gapBytes", "truncated", "malformed", "fragments",
                          "unsupportedLinkType"]}
capture.update({"byLinkType": {}, "capsHit": {}, "kernelDrops": None, "interfaceDrops": None})
doc = {"schemaVersion": 1, "tool": {"name": "hotshard", "version": "example"},
       "source": {"kind": "load", "inputs": ["scripts/test/model-example-result.py"]},
       "capture": capture,
       "totals": {"requests": key_refs, "replies": key_refs, "keyReferences": key_refs, "errors": 0,
                  "durationSeconds": duration, "byProtocol": {"resp": key_refs}, "byCommand": {"GET": key_refs},
                  "byStatus": {"ok": key_refs}},
       "tracking": {"capacity": 1000, "exact": False, "distinctKeys": 2_000_000, "distinctKeysEstimated": True},
       "hotKeys": entries, "latency": {"service": None, "corrected": None},
       "windows": {"seconds": 10, "series": []}}
print(json.dumps(doc, indent=1))
