#!/usr/bin/env python3
"""The performance table: the complete server against redis-server, in one run, with the ratio
of each figure and the target it is held to.

    bench/table.py [SERVER_BINARY] [--runs 3] [--requests 200000] [--clients 50]
                   [--messages 200000] [--connections 1000] [--keys 1000000]

`./workbook bench` builds the release server and runs this. Both servers are started side by
side on loopback, with their defaults, and measured in turns, so that a noisy moment of a shared
machine hits both alike; only the ratios mean anything, and only within one run.

- SET, GET and PING with redis-benchmark, at pipelines 1 and 16 (compare.py's measurement):
  the median of --runs runs, in requests per second;
- PUBLISH to 1 and to 8 subscribers (measure.py's): messages delivered per second, the median of
  --runs runs; every message must reach every subscriber, or the run stops with an error;
- memory per idle connection, before it sends anything and after one PING (RSS over
  --connections connections), on both servers started afresh;
- memory per key (RSS over --keys keys of about 12 bytes, with values of 14), afresh again.

The targets are those of the performance chapter's issue: at least redis-server's rate for every
throughput, at most its memory per idle connection, at most 0.85 of its memory per key. The
table says which are met; the exit status is 0 either way (a benchmark reports, it does not
judge: a slow moment of the machine is not a failure). Standard library only.
"""
from __future__ import annotations

import argparse
import os
import statistics
import sys
from dataclasses import dataclass

from compare import DEFAULT_BINARY, PIPELINES, TESTS, bytes_per_key, on_fresh, rotated, throughput
from measure import Server, measure_idle, measure_pubsub, ours, redis

SUBSCRIBERS = (1, 8)


@dataclass
class Row:
    """One line of the table: a figure of each server, and how their ratio is judged."""
    workload: str
    unit: str
    ours: float
    theirs: float
    at_least: float | None = None  # the ratio must be >= this (a rate) ...
    at_most: float | None = None   # ... or <= this (memory)

    @property
    def ratio(self) -> float:
        return self.ours / self.theirs

    @property
    def target(self) -> str:
        return f">= {self.at_least:.2f}" if self.at_least is not None else f"<= {self.at_most:.2f}"

    @property
    def met(self) -> bool:
        if self.at_least is not None:
            return self.ratio >= self.at_least
        return self.ratio <= self.at_most


def deliveries(servers: list[Server], runs: int, messages: int) -> dict:
    """rates[server name][subscribers]: the median deliveries per second of `runs` runs."""
    rates = {s.name: {n: [] for n in SUBSCRIBERS} for s in servers}
    for run in range(runs):
        for subscribers in SUBSCRIBERS:
            for server in rotated(servers, run):
                rates[server.name][subscribers].append(
                    measure_pubsub(server, subscribers, messages // subscribers))
        print(f"pub/sub: run {run + 1} of {runs} done", file=sys.stderr)
    return {name: {n: statistics.median(v) for n, v in by_count.items()} for name, by_count in rates.items()}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("binary", nargs="?", default=str(DEFAULT_BINARY))
    parser.add_argument("--runs", type=int, default=3, help="runs of each rate (the median is shown)")
    parser.add_argument("--requests", type=int, default=200_000,
                        help="redis-benchmark's requests per test at pipeline 1 (8 times as many at 16)")
    parser.add_argument("--clients", type=int, default=50, help="redis-benchmark's connections")
    parser.add_argument("--messages", type=int, default=200_000, help="messages published per run")
    parser.add_argument("--connections", type=int, default=1000, help="idle connections measured")
    parser.add_argument("--keys", type=int, default=1_000_000, help="keys for the memory per key")
    args = parser.parse_args()
    if not os.access(args.binary, os.X_OK):
        print(f"{args.binary} is not an executable: ./workbook bench builds it", file=sys.stderr)
        return 2

    max_clients = args.connections + 100
    rows: list[Row] = []

    def fresh() -> list[Server]:
        return [ours(args.binary, max_clients), redis(max_clients)]

    servers = fresh()
    try:
        mine, theirs = (s.name for s in servers)
        rates = throughput(servers, args.runs, args.requests, args.clients)
        for pipeline in PIPELINES:
            for test, label in TESTS.items():
                rows.append(Row(f"{label}, pipeline {pipeline}", "requests/s",
                                rates[mine][pipeline][test], rates[theirs][pipeline][test], at_least=1.0))
        delivered = deliveries(servers, args.runs, args.messages)
        for subscribers in SUBSCRIBERS:
            rows.append(Row(f"PUBLISH, {subscribers} subscriber{'s' if subscribers > 1 else ''}",
                            "deliveries/s", delivered[mine][subscribers], delivered[theirs][subscribers],
                            at_least=1.0))
    finally:
        for server in servers:
            server.stop()
    idle = on_fresh(fresh, lambda server: measure_idle(server, args.connections))
    rows.append(Row("memory per idle connection, before it sends anything", "bytes",
                    idle[mine][0], idle[theirs][0], at_most=1.0))
    rows.append(Row("memory per idle connection, after a PING", "bytes",
                    idle[mine][1], idle[theirs][1], at_most=1.0))
    per_key = on_fresh(fresh, lambda server: bytes_per_key(server, args.keys))
    rows.append(Row(f"memory per key, {args.keys:,} keys", "bytes", per_key[mine], per_key[theirs],
                    at_most=0.85))

    print(f"{mine}: {args.binary}; {theirs}: Debian's, with its defaults. Rates: the median of "
          f"{args.runs} runs; redis-benchmark with {args.clients} clients.")
    print(f"| workload | unit | {mine} | {theirs} | ratio | target | |")
    print("|---|---|---:|---:|---:|---|---|")
    for row in rows:
        print(f"| {row.workload} | {row.unit} | {row.ours:,.0f} | {row.theirs:,.0f} | {row.ratio:.2f} | "
              f"{row.target} | {'met' if row.met else 'NOT met'} |")
    met = sum(row.met for row in rows)
    print(f"{met} of {len(rows)} targets met")
    return 0


if __name__ == "__main__":
    sys.exit(main())
