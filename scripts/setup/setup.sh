#!/usr/bin/env bash
# Installs every system package Hotshard builds, tests and benchmarks with.
# Runs `apt-get update` once, then installs only what is missing. Works as root or with sudo.
set -euo pipefail

packages=(
  libpcap-dev zlib1g-dev pkg-config   # building: libpcap (CPcap) and zlib (.gz captures)
  tcpdump tshark                      # tests: capinfos/tshark ground truth, live capture
  redis-server redis-tools            # tests and benchmarks: a real Redis
  memcached                           # tests: a real memcached
  nginx-light                         # tests: a real HTTP server (and nginx's consistent hash)
  haproxy                             # tests: HAProxy's consistent hash, key for key
  rabbitmq-server                     # tests: a real AMQP 0-9-1 broker (scripts/test/rabbitmq-test-server.sh)
  wrk                                 # benchmarks: HTTP load baseline
  libmemcached-tools                  # benchmarks: memaslap (memcaslap), the memcached load baseline
  gcc libc6-dev                       # benchmarks: builds ../shared/floor/respfloor.c
  tmux                                # tests: `hotshard top` driven in a terminal
  prometheus                          # tests: promtool check metrics, a real scrape of --metrics-listen
  chromium                            # report tests: headless browser
  python3                             # scripts: command-table generation, clients
  time                                # benchmarks: /usr/bin/time -v for peak memory
  dpkg-dev man-db binutils            # packaging: dpkg-shlibdeps, man -w, strip/readelf (make dist, its test)
)

missing=()
for package in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$package")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "setup: all system packages present"
else
  if [ "$(id -u)" -eq 0 ]; then sudo=""; else sudo="sudo"; fi
  echo "setup: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  # tshark asks whether non-root users may capture; answer once, non-interactively.
  echo "wireshark-common wireshark-common/install-setuid boolean false" | $sudo debconf-set-selections
  $sudo apt-get update -qq
  $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

# Python packages the tests compare against (independent implementations: ketama, murmur3).
bash "$(dirname "$0")/model-setup.sh"
