#!/usr/bin/env bash
# Installs the independent Python implementations the HotshardModel tests compare against:
# uhashring (ketama, libmemcached-compatible point naming "NAME-i", 4 points per MD5 digest)
# and mmh3 (reference MurmurHash3, for Cassandra tokens of ASCII keys); pika, the AMQP client
# whose publishers and consumers are the AMQP tests' ground truth (scripts/amqp-truth-client.py).
set -euo pipefail
python3 -m pip install --quiet --disable-pip-version-check uhashring==2.5 mmh3 pika
