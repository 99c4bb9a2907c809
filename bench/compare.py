#!/usr/bin/env python3
"""mini-redis-server against redis-server, measured with redis-benchmark in one run.

    bench/compare.py [SERVER_BINARY] [--runs 5] [--requests 200000] [--clients 50]
                     [--keys 1000000] [--threads N]

Starts SERVER_BINARY (default: the release build of the complete server, which
`./workbook run` builds) and Debian's redis-server side by side on loopback, then runs
redis-benchmark's SET, GET and PING (the RESP form) against each, with pipelines of 1 and 16,
alternating between the two servers, several times. Prints the median requests per second of
each with the ratio ours/theirs, then the memory (RSS) each needs for a million keys.

Figures depend on the machine; only figures from the same run compare. Standard library only.
"""
from __future__ import annotations

import argparse
import csv
import io
import os
import statistics
import subprocess
import sys
from pathlib import Path

from measure import Server, load_keys, ours, redis

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_BINARY = ROOT / "build" / "release" / "solutions" / "11-complete" / "mini-redis-server"
TESTS = {"SET": "SET", "GET": "GET", "PING_MBULK": "PING"}  # redis-benchmark's name: ours
PIPELINES = (1, 16)
# Targets for the complete server: ratio ours/redis-server at least this.
TARGETS = {1: 0.9, 16: 0.5}
MEMORY_TARGET = 1.5  # bytes per key, ours / redis-server, at most


def benchmark(port: int, pipeline: int, requests: int, clients: int) -> dict[str, float]:
    """One redis-benchmark run: requests per second of each test in TESTS."""
    result = subprocess.run(
        ["redis-benchmark", "-p", str(port), "-t", "set,get,ping", "-n", str(requests),
         "-c", str(clients), "-P", str(pipeline), "-r", "100000", "--csv"],
        capture_output=True, text=True, timeout=600)
    if result.returncode != 0:
        raise RuntimeError(f"redis-benchmark failed: {result.stderr.strip()}")
    rates = {}
    for row in csv.reader(io.StringIO(result.stdout)):
        if row and row[0] in TESTS:
            rates[row[0]] = float(row[1])
    missing = set(TESTS) - set(rates)
    if missing:
        raise RuntimeError(f"redis-benchmark printed no figure for {sorted(missing)}:\n{result.stdout}")
    return rates


def bytes_per_key(server: Server, keys: int) -> float:
    empty = server.rss_kib()
    load_keys(server.port, keys, None)
    return (server.rss_kib() - empty) * 1024 / keys


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("binary", nargs="?", default=str(DEFAULT_BINARY))
    parser.add_argument("--runs", type=int, default=5, help="runs per server and pipeline")
    parser.add_argument("--requests", type=int, default=200_000, help="requests per test and run")
    parser.add_argument("--clients", type=int, default=50, help="redis-benchmark's connections")
    parser.add_argument("--keys", type=int, default=1_000_000, help="keys for the memory figure")
    parser.add_argument("--threads", type=int, help="pass --threads to our server")
    args = parser.parse_args()
    if not os.access(args.binary, os.X_OK):
        print(f"{args.binary} is not an executable; build it first: ./workbook run builds it, or\n"
              "  cmake --preset release && cmake --build --preset release --target ch11_solution_server",
              file=sys.stderr)
        return 2

    extra = ["--threads", str(args.threads)] if args.threads else []
    servers = [ours(args.binary, 1000, extra), redis(1000)]
    try:
        # rates[server][pipeline][test] = one figure per run
        rates = {s.name: {p: {t: [] for t in TESTS} for p in PIPELINES} for s in servers}
        for run in range(args.runs):
            for pipeline in PIPELINES:
                for server in servers:  # alternating, so a noisy moment hits both alike
                    for test, rate in benchmark(server.port, pipeline, args.requests,
                                                args.clients).items():
                        rates[server.name][pipeline][test].append(rate)
            print(f"run {run + 1} of {args.runs} done", file=sys.stderr)

        ours_name, theirs_name = servers[0].name, servers[1].name
        print(f"redis-benchmark, {args.clients} clients, {args.requests:,} requests per test, "
              f"median of {args.runs} runs (requests per second)")
        print(f"| test | pipeline | {ours_name} | {theirs_name} | ratio | target |")
        print("|---|---|---:|---:|---:|---|")
        for pipeline in PIPELINES:
            for test, label in TESTS.items():
                mine = statistics.median(rates[ours_name][pipeline][test])
                theirs = statistics.median(rates[theirs_name][pipeline][test])
                ratio = mine / theirs
                verdict = "met" if ratio >= TARGETS[pipeline] else "NOT met"
                print(f"| {label} | {pipeline} | {mine:,.0f} | {theirs:,.0f} | {ratio:.2f} | "
                      f">= {TARGETS[pipeline]} {verdict} |")

        memory = {s.name: bytes_per_key(s, args.keys) for s in servers}
        ratio = memory[ours_name] / memory[theirs_name]
        verdict = "met" if ratio <= MEMORY_TARGET else "NOT met"
        print(f"| memory per key ({args.keys:,} keys) | | {memory[ours_name]:.0f} B | "
              f"{memory[theirs_name]:.0f} B | {ratio:.2f} | <= {MEMORY_TARGET} {verdict} |")
    finally:
        for server in servers:
            server.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
