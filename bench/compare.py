#!/usr/bin/env python3
"""mini-redis-server against redis-server, measured with redis-benchmark in one run.

    bench/compare.py [SERVER_BINARY] [--runs 5] [--requests 200000] [--clients 50]
                     [--keys 1000000] [--threads N] [--server-args=WORDS]
                     [--also LABEL=WORDS ...] [--sink] [--no-memory]

Starts SERVER_BINARY (default: the release build of the complete server, which
`./workbook run` builds) and Debian's redis-server side by side on loopback, then runs
redis-benchmark's SET, GET and PING (the RESP form) against each, with pipelines of 1 and 16
(--requests per test at 1, eight times as many at 16, so both last about as long),
alternating between the two servers, several times. Prints the median requests per second of
each with the ratio ours/theirs, the CPU time each server used per request (all its threads),
then the memory (RSS) each needs for a million keys.

More configurations of our server join the same run with --also, each measured beside the
first and shown as its ratio to it: tracing on against tracing off, say, or the previous
release against this one. WORDS, for --server-args and --also alike, are shell words: first any
VAR=VALUE for the server's environment, then, for --also, a binary if the next word is no flag
(else SERVER_BINARY), then the server's flags. Our servers inherit no OTEL_* variable from this
script's environment, so tracing is off unless WORDS turn it on. --sink starts
bench/otlp_sink.py on 127.0.0.1:4318 for the run and prints how many spans it absorbed; each of
our servers is stopped with SIGTERM at the end and its telemetry summary printed (spans
exported, given up, dropped). For example, tracing off against tracing on:

    bench/compare.py --runs 3 --no-memory --sink --also "traced=OTEL_TRACES_SAMPLER=always_on \\
        --otel-endpoint http://127.0.0.1:4318/v1/traces"

(Write --server-args=WORDS with the "=": argparse takes a lone "--otel" after --server-args
for a flag of this script.)

Figures depend on the machine; only figures from the same run compare. To see how much a ratio
moves by chance, add the same binary under another label (`--also same=PATH`, a copy of
SERVER_BINARY): on the 2-core machine its ratio at pipeline 16 ranged 0.92-1.19 in one run of 3.
Standard library only.
"""
from __future__ import annotations

import argparse
import csv
import io
import json
import os
import re
import shlex
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from measure import Server, load_keys, ours, redis

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_BINARY = ROOT / "build" / "release" / "solutions" / "12-complete" / "mini-redis-server"
TESTS = {"SET": "SET", "GET": "GET", "PING_MBULK": "PING"}  # redis-benchmark's name: ours
PIPELINES = (1, 16)
# Requests per test, as a multiple of --requests: pipelined, the servers answer 5-10 times as
# fast, and a test of a quarter of a second measures the connections' start more than the
# server. With 8 times the requests, a test at pipeline 16 lasts about as long as at 1.
REQUEST_SCALE = {1: 1, 16: 8}
# Targets for the complete server: ratio ours/redis-server at least this.
TARGETS = {1: 0.9, 16: 0.5}
MEMORY_TARGET = 1.5  # bytes per key, ours / redis-server, at most
SINK_PORT = 4318  # OTLP/HTTP's port: --otel alone exports to localhost:4318


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


def rotated(servers: list, run: int) -> list:
    """The order to measure `servers` in, in run `run`: each run begins with the next one, since
    measured in a fixed order, the one measured first came out a few percent slower than the
    same binary measured third."""
    start = run % len(servers)
    return servers[start:] + servers[:start]


def throughput(servers: list[Server], runs: int, requests: int, clients: int,
               cpu: dict | None = None) -> dict:
    """rates[server name][pipeline][test]: the median requests per second of `runs` runs, the
    servers measured in turns so that a noisy moment hits all alike. With `cpu`, a dict, also
    fills cpu[server name][pipeline] with the median CPU time the server used per request, in
    microseconds, over the three tests of a run: on the shared 2-core machine, a steadier figure
    than a rate (a copy of the same binary measured 0.85-1.05 of itself in rates, 0.98-1.01 in
    CPU)."""
    rates = {s.name: {p: {t: [] for t in TESTS} for p in PIPELINES} for s in servers}
    cpu_runs = {s.name: {p: [] for p in PIPELINES} for s in servers}
    for run in range(runs):
        for pipeline in PIPELINES:
            for server in rotated(servers, run):
                used = server.cpu_seconds()
                for test, rate in benchmark(server.port, pipeline, requests * REQUEST_SCALE[pipeline],
                                            clients).items():
                    rates[server.name][pipeline][test].append(rate)
                used = server.cpu_seconds() - used
                sent = requests * REQUEST_SCALE[pipeline] * len(TESTS)
                cpu_runs[server.name][pipeline].append(used * 1e6 / sent)
        print(f"throughput: run {run + 1} of {runs} done", file=sys.stderr)
    if cpu is not None:
        cpu.update({name: {p: statistics.median(v) for p, v in by_pipe.items()}
                    for name, by_pipe in cpu_runs.items()})
    return {name: {p: {t: statistics.median(v) for t, v in tests.items()} for p, tests in by_pipe.items()}
            for name, by_pipe in rates.items()}


def on_fresh(start, measure) -> dict:
    """measure(server) for each server of start(), a list newly started, stopped after; by
    server name. For memory figures, which are RSS differences: a server that has served a
    benchmark reuses the heap it freed then and grows by less (by nothing, seen for 1,000 idle
    connections), and holds the benchmark's keys."""
    servers = start()
    try:
        return {s.name: measure(s) for s in servers}
    finally:
        for server in servers:
            server.stop()


def bytes_per_key(server: Server, keys: int) -> float:
    empty = server.rss_kib()
    load_keys(server.port, keys, None)
    return (server.rss_kib() - empty) * 1024 / keys


def configuration(words: str, default_binary: str, may_name_binary: bool):
    """Reads WORDS (see the top): (environment, binary, flags)."""
    rest = shlex.split(words)
    env = {name: value for name, value in os.environ.items() if not name.startswith("OTEL_")}
    while rest and re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*=.*", rest[0]):
        name, value = rest.pop(0).split("=", 1)
        env[name] = value
    binary = default_binary
    if may_name_binary and rest and not rest[0].startswith("-"):
        binary = rest.pop(0)
    return env, binary, rest


def sink_counts() -> dict:
    with urllib.request.urlopen(f"http://127.0.0.1:{SINK_PORT}/stats", timeout=5) as response:
        return json.load(response)


def start_sink() -> subprocess.Popen:
    sink = subprocess.Popen([sys.executable, str(Path(__file__).with_name("otlp_sink.py")),
                             "--port", str(SINK_PORT)], stdout=subprocess.PIPE,
                            stderr=subprocess.DEVNULL, text=True)
    deadline = time.time() + 10
    while time.time() < deadline:
        try:
            sink_counts()
            return sink
        except OSError:
            if sink.poll() is not None:
                break
            time.sleep(0.1)
    sink.kill()
    raise RuntimeError(f"bench/otlp_sink.py did not start on 127.0.0.1:{SINK_PORT} (port taken?)")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("binary", nargs="?", default=str(DEFAULT_BINARY))
    parser.add_argument("--runs", type=int, default=5, help="runs per server and pipeline")
    parser.add_argument("--requests", type=int, default=200_000, help="requests per test and run")
    parser.add_argument("--clients", type=int, default=50, help="redis-benchmark's connections")
    parser.add_argument("--keys", type=int, default=1_000_000, help="keys for the memory figure")
    parser.add_argument("--threads", type=int, help="pass --threads to each of our servers")
    parser.add_argument("--server-args", default="", metavar="WORDS",
                        help="environment and flags for SERVER_BINARY (see above)")
    parser.add_argument("--also", action="append", default=[], metavar="LABEL=WORDS",
                        help="another configuration of our server in the same run (repeatable)")
    parser.add_argument("--sink", action="store_true",
                        help=f"run bench/otlp_sink.py on 127.0.0.1:{SINK_PORT} meanwhile")
    parser.add_argument("--no-memory", action="store_true", help="skip the memory per key")
    args = parser.parse_args()
    threads = ["--threads", str(args.threads)] if args.threads else []
    configurations = [("mini-redis-cpp", *configuration(args.server_args, args.binary, False))]
    for also in args.also:
        label, _, words = also.partition("=")
        if not label or label in ("mini-redis-cpp", "redis-server"):
            parser.error(f"--also {also!r}: give it a label of its own, as in traced=--otel")
        configurations.append((label, *configuration(words, args.binary, True)))
    for label, _, binary, _ in configurations:
        if not os.access(binary, os.X_OK):
            print(f"{binary} ({label}) is not an executable; build it first: ./workbook run builds "
                  "it, or\n  cmake --preset release && cmake --build --preset release --target "
                  "ch12_solution_server", file=sys.stderr)
            return 2

    sink = start_sink() if args.sink else None
    logs = {label: tempfile.TemporaryFile("w+") for label, *_ in configurations}
    servers = []
    try:
        # At info, our servers log nothing per client, and their telemetry summary at shutdown.
        servers = [ours(binary, 1000, flags + threads, name=label, env=env, log=logs[label],
                        log_level="info")
                   for label, env, binary, flags in configurations]
        servers.append(redis(1000))
        cpu = {}
        rates = throughput(servers, args.runs, args.requests, args.clients, cpu)

        ours_name, theirs_name = servers[0].name, servers[-1].name
        others = [s.name for s in servers[1:-1]]
        scaled = ", ".join(f"{args.requests * REQUEST_SCALE[p]:,} at pipeline {p}" for p in PIPELINES)
        print(f"redis-benchmark, {args.clients} clients, requests per test: {scaled}; "
              f"median of {args.runs} runs (requests per second)")
        for label, env, binary, flags in configurations:
            added = [f"{k}={v}" for k, v in env.items() if os.environ.get(k) != v]
            print(f"- {label}: {shlex.join([*added, binary, *flags, *threads])}")
        print(f"| test | pipeline | {ours_name} | "
              + "".join(f"{o} | " for o in others) + f"{theirs_name} | ratio | target |"
              + "".join(f" {o} / {ours_name} |" for o in others))
        print("|---|---|---:|" + "---:|" * len(others) + "---:|---:|---|"
              + "---:|" * len(others))
        for pipeline in PIPELINES:
            for test, label in TESTS.items():
                median = {s.name: rates[s.name][pipeline][test] for s in servers}
                mine, theirs = median[ours_name], median[theirs_name]
                ratio = mine / theirs
                verdict = "met" if ratio >= TARGETS[pipeline] else "NOT met"
                print(f"| {label} | {pipeline} | {mine:,.0f} | "
                      + "".join(f"{median[o]:,.0f} | " for o in others)
                      + f"{theirs:,.0f} | {ratio:.2f} | >= {TARGETS[pipeline]} {verdict} |"
                      + "".join(f" {median[o] / mine:.2f} |" for o in others))

        print(f"\nServer CPU time per request, µs (user and system, every thread of the server; "
              f"SET, GET and PING together; median of {args.runs} runs):")
        print("| server |" + "".join(f" pipeline {p} |" for p in PIPELINES)
              + "".join(f" / {ours_name}, {p} |" for p in PIPELINES))
        print("|---|" + "---:|" * (2 * len(PIPELINES)))
        for server in servers:
            used = cpu[server.name]
            print(f"| {server.name} |" + "".join(f" {used[p]:.2f} |" for p in PIPELINES)
                  + "".join(f" {used[p] / cpu[ours_name][p]:.2f} |" for p in PIPELINES))

        if not args.no_memory:
            memory = on_fresh(lambda: [ours(binary, 1000, flags + threads, name=label, env=env)
                                       for label, env, binary, flags in configurations]
                              + [redis(1000)],
                              lambda server: bytes_per_key(server, args.keys))
            ratio = memory[ours_name] / memory[theirs_name]
            verdict = "met" if ratio <= MEMORY_TARGET else "NOT met"
            print(f"| memory per key ({args.keys:,} keys) | | {memory[ours_name]:.0f} B | "
                  + "".join(f"{memory[o]:.0f} B | " for o in others)
                  + f"{memory[theirs_name]:.0f} B | {ratio:.2f} | <= {MEMORY_TARGET} {verdict} |"
                  + "".join(f" {memory[o] / memory[ours_name]:.2f} |" for o in others))

        # Our servers shut down as an operator's would, flushing their spans; what they said
        # about their telemetry is printed (a server with tracing off says nothing).
        for server in servers[:-1]:
            status = server.terminate()
            log = logs[server.name]
            log.seek(0)
            lines = log.read().splitlines()
            for line in lines:
                if "telemetry:" in line and "not exported" not in line:
                    print(f"{server.name}: {line}")
            failed = sum("not exported" in line for line in lines)
            if failed:
                print(f"{server.name}: {failed} export(s) failed (warnings in its log)")
            if status != 0:
                print(f"{server.name}: exit status {status} after SIGTERM")
    finally:
        for server in servers:
            server.stop()
        if sink is not None:
            sink.terminate()
            print(sink.communicate(timeout=30)[0].strip())
    return 0


if __name__ == "__main__":
    sys.exit(main())
