#!/usr/bin/env bash
# Installs the independent Python implementations the HotshardModel tests compare against:
# uhashring (ketama, libmemcached-compatible point naming "NAME-i", 4 points per MD5 digest)
# and mmh3 (reference MurmurHash3, for Cassandra tokens of ASCII keys); pika, the AMQP client
# whose publishers and consumers are the AMQP tests' ground truth (scripts/test/amqp-truth-client.py);
# hdrhistogram (HdrHistogram_py), the independent encoder, decoder and interval-log reader the
# HdrHistogram codec and --hlog tests compare against (scripts/test/hdrh-reference.py).
# Skips pip (and its network round trip) when they are already installed.
set -euo pipefail
if python3 -c 'import importlib.metadata as m, mmh3, pika, hdrh.log; assert m.version("uhashring") == "2.5"' 2>/dev/null; then
  echo "setup: Python packages present"
  exit 0
fi
python3 -m pip install --quiet --disable-pip-version-check uhashring==2.5 mmh3 pika hdrhistogram==0.10.8
