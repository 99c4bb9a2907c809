#!/usr/bin/env python3
"""Where a server's time goes under load: perf's samples as a flame graph and a short table.

    bench/profile.py [SERVER_BINARY] [--test SET] [--pipeline 16] [--seconds 5]
                     [--svg FILE] [--top 15]

Starts the server (the complete one's release build by default) on a free port, loads it with
redis-benchmark (50 clients, the given test and pipeline, without end), and samples it with
`perf record -g` for --seconds. Then it prints the functions that were on the CPU most often
("self") and those most often on the stack ("total"), and, with --svg, draws every sampled stack
as a flame graph: one box per function, as wide as its share of the samples, its callers below
it. The drawing is npm's `flamegraph` (tools/profile; `npm ci` there installs it).

C++ names are shortened first (template arguments, parameter lists and clone suffixes dropped),
or a frame of Asio would be a thousand characters long. Needs linux-perf, redis-tools and, as
root or with kernel.perf_event_paranoid <= 0, permission to sample another process.
"""
from __future__ import annotations

import argparse
import collections
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from compare import DEFAULT_BINARY, ROOT
from measure import ours

FLAMEGRAPH = ROOT / "tools" / "profile" / "node_modules" / "flamegraph" / "bin" / "flamegraph.js"


def short_name(symbol: str) -> str:
    """`ns::f<long, args>(int) [clone .actor]+0x1f` -> `ns::f`: what a reader needs to know."""
    symbol = re.sub(r"\+0x[0-9a-f]+$", "", symbol)
    symbol = re.sub(r" \[clone [^\]]*\]", "", symbol)
    symbol = symbol.replace("(anonymous namespace)::", "")
    symbol = re.sub(r"\{lambda\([^)]*\)#\d+\}", "{lambda}", symbol)
    previous = None
    while previous != symbol:  # innermost first, until no pair is left
        previous = symbol
        symbol = re.sub(r"<[^<>]*>", "", symbol)
        symbol = re.sub(r"\([^()]*\)", "", symbol)
    return symbol.strip() or "?"


def stacks(perf_script: str) -> list[list[str]]:
    """Each sample's stack, innermost frame first, from `perf script`'s text."""
    result, current = [], []
    for line in perf_script.splitlines():
        if not line.strip():
            if current:
                result.append(current)
            current = []
        elif line.startswith(("\t", " ")):
            # "\t    55b0e name+0x1e (/path/to/binary)": the name sits between address and dso.
            parts = line.strip().split(" ", 1)
            name = parts[1].rsplit(" (", 1)[0] if len(parts) == 2 else "?"
            current.append(short_name(name))
    if current:
        result.append(current)
    return result


def shortened_script(perf_script: str) -> str:
    """`perf script`'s text with every frame's name shortened, for the flame graph."""
    out = []
    for line in perf_script.splitlines():
        if line.startswith(("\t", " ")) and line.strip():
            parts = line.strip().split(" ", 1)
            if len(parts) == 2:
                name, _, dso = parts[1].rpartition(" (")
                line = f"\t{parts[0]} {short_name(name)} ({dso}"
        out.append(line)
    return "\n".join(out) + "\n"


def table(samples: list[list[str]], top: int) -> str:
    """The `top` functions by self samples and by total samples, in percent."""
    self_counts = collections.Counter(stack[0] for stack in samples if stack)
    total_counts = collections.Counter()
    for stack in samples:
        total_counts.update(set(stack))
    n = len(samples)
    lines = [f"{n} samples", "", "self %  function"]
    lines += [f"{100 * c / n:6.1f}  {name}" for name, c in self_counts.most_common(top)]
    # The event loop's own frames (main, io_context::run, ...) are on nearly every stack: left out.
    lines += ["", "total %  function (on the stack, the event loop's own frames left out)"]
    below = [(name, c) for name, c in total_counts.most_common() if c < 0.9 * n]
    lines += [f"{100 * c / n:7.1f}  {name}" for name, c in below[:top]]
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("binary", nargs="?", default=str(DEFAULT_BINARY))
    parser.add_argument("--test", default="SET", help="redis-benchmark's test name (SET, GET, PING_MBULK)")
    parser.add_argument("--pipeline", type=int, default=16)
    parser.add_argument("--seconds", type=float, default=5)
    parser.add_argument("--svg", help="write the flame graph to this file")
    parser.add_argument("--top", type=int, default=15)
    args = parser.parse_args()
    if not Path(args.binary).exists():
        print(f"no server at {args.binary}: build it first (./workbook bench builds the release one)",
              file=sys.stderr)
        return 2

    server = ours(args.binary, 1000)
    load = subprocess.Popen(["redis-benchmark", "-p", str(server.port), "-t", args.test.lower(),
                             "-P", str(args.pipeline), "-c", "50", "-l", "-q", "-r", "100000"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        time.sleep(1)  # past the benchmark's start, when it connects its 50 clients
        with tempfile.TemporaryDirectory() as tmp:
            data = Path(tmp) / "perf.data"
            subprocess.run(["perf", "record", "-F", "999", "--call-graph", "dwarf,32768",
                            "-p", str(server.process.pid), "-o", str(data), "--",
                            "sleep", str(args.seconds)],
                           check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            load.terminate()
            script = subprocess.run(["perf", "script", "-i", str(data)], check=True,
                                    capture_output=True, text=True, errors="replace").stdout
    finally:
        load.kill()
        server.stop()

    print(f"{Path(args.binary).name}, redis-benchmark -t {args.test} -P {args.pipeline} -c 50, "
          f"{args.seconds:g} s sampled at 999 Hz")
    print(table(stacks(script), args.top))
    if args.svg:
        title = f"{Path(args.binary).name}: {args.test}, pipeline {args.pipeline}"
        svg = subprocess.run(["node", str(FLAMEGRAPH), "-t", "perf", "--minwidth", "2",
                              "--titletext", title],
                             input=shortened_script(script), check=True, capture_output=True,
                             text=True).stdout
        Path(args.svg).write_text(svg)
        print(f"\nflame graph: {args.svg}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
