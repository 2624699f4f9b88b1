#!/usr/bin/env python3
"""Side-by-side benchmarks of hotshard against the tools users would otherwise pick.

Runs on this machine, alternating the tools, several runs each; reports medians and spread
and writes BENCHMARKS.md. Exits non-zero when a ratio falls below the targets the issues set.

Inputs are made here by real clients against real servers on loopback (redis-benchmark for
RESP, captured with tcpdump), so every figure is reproducible with `make bench`.
"""
import json
import os
import platform
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
HOTSHARD = os.path.join(ROOT, ".build", "release", "hotshard")
RUNS = int(os.environ.get("BENCH_RUNS", "3"))
WORK = os.environ.get("BENCH_WORK", os.path.join(tempfile.gettempdir(), "hotshard-bench"))


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_port(port, timeout=10.0):
    deadline = time.time() + timeout
    while time.time() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError(f"nothing listening on 127.0.0.1:{port}")


def timed(cmd, **kw):
    """Runs cmd under /usr/bin/time -v; returns (wall seconds, cpu seconds, peak RSS MB)."""
    start = time.perf_counter()
    proc = subprocess.run(["/usr/bin/time", "-v"] + cmd, capture_output=True, text=True, **kw)
    wall = time.perf_counter() - start
    if proc.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)} failed ({proc.returncode}): {proc.stderr[-2000:]}")
    err = proc.stderr
    user = float(re.search(r"User time \(seconds\): ([\d.]+)", err).group(1))
    system = float(re.search(r"System time \(seconds\): ([\d.]+)", err).group(1))
    rss_kb = int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", err).group(1))
    return wall, user + system, rss_kb / 1024.0, proc.stdout


def median_spread(values):
    med = statistics.median(values)
    spread = (max(values) - min(values)) / med * 100 if med else 0.0
    return med, spread


def make_resp_capture(path, requests):
    """A large pipelined RESP capture made by redis-benchmark against a real redis-server."""
    if os.path.exists(path):
        return
    port = free_port()
    server = subprocess.Popen(["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "",
                               "--appendonly", "no"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_port(port)
        dump = subprocess.Popen(["tcpdump", "-i", "lo", "-s", "0", "-B", "65536", "-w", path,
                                 f"tcp port {port}"], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        time.sleep(1.0)
        subprocess.run(["redis-benchmark", "-p", str(port), "-n", str(requests), "-P", "16", "-c", "8",
                        "-r", "100000", "-t", "get,set", "-q"], check=True, stdout=subprocess.DEVNULL)
        time.sleep(0.5)
        dump.send_signal(signal.SIGINT)
        _, err = dump.communicate(timeout=30)
        dropped = re.search(rb"(\d+) packets dropped by kernel", err)
        if dropped and int(dropped.group(1)) > 0:
            print(f"bench: warning: tcpdump dropped {dropped.group(1).decode()} packets", file=sys.stderr)
    finally:
        server.terminate()
        server.wait()
    return port


def packet_count(path):
    out = subprocess.run(["capinfos", "-c", "-M", path], capture_output=True, text=True, check=True).stdout
    return int(re.search(r"Number of packets:\s+(\d+)", out).group(1))


def bench_analyze(rows, failures):
    os.makedirs(WORK, exist_ok=True)
    capture = os.path.join(WORK, "resp-benchmark.pcap")
    port_file = capture + ".port"
    if not os.path.exists(capture):
        port = make_resp_capture(capture, int(os.environ.get("BENCH_RESP_REQUESTS", "2000000")))
        with open(port_file, "w") as f:
            f.write(str(port))
    port = int(open(port_file).read())
    packets = packet_count(capture)
    size_mb = os.path.getsize(capture) / 1e6
    tools = {
        "hotshard analyze": [HOTSHARD, "analyze", capture, "--port", f"resp={port}", "--quiet",
                             "--json", os.path.join(WORK, "bench.json"), "--no-html"],
        "tcpdump -r -w /dev/null (floor)": ["tcpdump", "-r", capture, "-w", "/dev/null"],
    }
    # tshark is ~50x slower: run it on a prefix of the capture and scale by packets.
    prefix = os.path.join(WORK, "resp-prefix.pcap")
    if not os.path.exists(prefix):
        subprocess.run(["editcap", "-r", capture, prefix, "1-100000"], check=True)
    prefix_packets = packet_count(prefix)
    tshark = ["tshark", "-r", prefix, "-d", f"tcp.port=={port},resp", "-T", "fields", "-e", "resp.bulk_string.value"]
    results = {name: [] for name in list(tools) + ["tshark -T fields (RESP keys)"]}
    for _ in range(RUNS):
        for name, cmd in tools.items():
            wall, cpu, rss, _ = timed(cmd)
            results[name].append((packets / wall, size_mb / wall, rss))
        wall, cpu, rss, _ = timed(tshark)
        results["tshark -T fields (RESP keys)"].append((prefix_packets / wall, 0.0, rss))
    summary = {}
    for name, values in results.items():
        pps, spread = median_spread([v[0] for v in values])
        mbps = statistics.median([v[1] for v in values])
        rss = max(v[2] for v in values)
        summary[name] = pps
        workload = (f"first {prefix_packets:,} of {packets:,} packets (scaled by packets)" if name.startswith("tshark")
                    else f"{packets:,} packets, {size_mb:.0f} MB")
        rows.append(("analyze", name, f"{workload}, redis-benchmark -P 16",
                     f"{pps:,.0f} packets/s (±{spread:.0f}%)" + (f", {mbps:.0f} MB/s" if mbps else ""),
                     f"{rss:.0f} MB peak"))
    hotshard = summary["hotshard analyze"]
    ratio_tshark = hotshard / summary["tshark -T fields (RESP keys)"]
    rows.append(("analyze", "ratio hotshard / tshark", "", f"{ratio_tshark:.1f}x", "target ≥ 50x"))
    if hotshard < 2_000_000:
        failures.append(f"analyze: {hotshard:,.0f} packets/s is below the 2,000,000 target")
    if ratio_tshark < 50:
        failures.append(f"analyze: {ratio_tshark:.1f}x tshark is below the 50x target")


def main():
    if not os.path.exists(HOTSHARD):
        print(f"bench: {HOTSHARD} missing: run `make release`", file=sys.stderr)
        return 2
    rows, failures = [], []
    bench_analyze(rows, failures)
    cpu = platform.processor() or platform.machine()
    try:
        model = next(l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name"))
    except Exception:
        model = cpu
    with open(os.path.join(ROOT, "BENCHMARKS.md"), "w") as f:
        f.write("# Benchmarks\n\n")
        f.write(f"Made by `make bench` on {time.strftime('%Y-%m-%d')}, {os.cpu_count()} cores ({model}), "
                f"{RUNS} alternating runs per tool; medians, spread as (max−min)/median.\n\n")
        f.write("| area | tool | workload | figure | note |\n|---|---|---|---|---|\n")
        for row in rows:
            f.write("| " + " | ".join(row) + " |\n")
        if failures:
            f.write("\n## Below target\n\n" + "".join(f"- {x}\n" for x in failures))
    for row in rows:
        print("  ".join(row))
    for failure in failures:
        print("bench: below target: " + failure, file=sys.stderr)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
