#!/usr/bin/env python3
"""A local OTLP/HTTP sink for benchmarks: takes every POST, answers 200 at once, counts spans.

    bench/otlp_sink.py [--port 4318]

Listens on 127.0.0.1:PORT for what a traced server exports (OTLP/HTTP with JSON, to any path:
the server's default is /v1/traces) and answers each POST with 200 and an empty
ExportTraceServiceResponse, so that a benchmark of the server with tracing on measures the
server's own cost of tracing, never a slow collector's. Nothing is kept or checked: the spans
are counted without decoding the JSON, by their "startTimeUnixNano" key, which only a span has
(an event has "timeUnixNano"; a link, no time). For checking what a server exports, use the
tests' collector (common/testing) or a real OpenTelemetry collector instead.

GET /stats answers with the counts as JSON (bench/compare.py reads them); Ctrl-C or SIGTERM
prints them and exits. `busy_seconds` is the time spent reading and answering POSTs: spans /
busy_seconds is how many spans per second the sink could absorb, which must stay well above
what the server sends for the sink not to be the bottleneck. Standard library only.
"""
from __future__ import annotations

import argparse
import json
import signal
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

SPAN_KEY = b'"startTimeUnixNano"'


class Counts:
    """What the sink received, shared by the handler threads."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.requests = 0
        self.spans = 0
        self.bytes = 0
        self.busy_seconds = 0.0
        self.first = None  # time.monotonic() of the first POST
        self.last = None   # and of the end of the last one

    def add(self, spans: int, size: int, started: float, ended: float) -> None:
        with self.lock:
            self.requests += 1
            self.spans += spans
            self.bytes += size
            self.busy_seconds += ended - started
            self.first = started if self.first is None else self.first
            self.last = ended

    def snapshot(self) -> dict:
        with self.lock:
            active = (self.last - self.first) if self.first is not None else 0.0
            return {"requests": self.requests, "spans": self.spans, "bytes": self.bytes,
                    "busy_seconds": round(self.busy_seconds, 3), "active_seconds": round(active, 3)}


COUNTS = Counts()


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive: the exporter reuses its connection

    def do_POST(self) -> None:  # noqa: N802 (http.server's naming)
        started = time.monotonic()
        length = int(self.headers.get("Content-Length", 0))
        body = self.rfile.read(length)
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"{}")
        COUNTS.add(body.count(SPAN_KEY), len(body), started, time.monotonic())

    def do_GET(self) -> None:  # noqa: N802
        body = json.dumps(COUNTS.snapshot()).encode()
        self.send_response(200 if self.path == "/stats" else 404)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args) -> None:  # one line per request would cost more
        pass


def summary(counts: dict) -> str:
    busy, active = counts["busy_seconds"], counts["active_seconds"]
    return (f"otlp_sink: {counts['spans']:,} spans in {counts['requests']:,} requests "
            f"({counts['bytes'] / 1e6:,.1f} MB); {counts['spans'] / active if active else 0:,.0f} "
            f"spans/s over {active:,.1f} s of export, "
            f"{counts['spans'] / busy if busy else 0:,.0f} spans per busy second")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--port", type=int, default=4318, help="port on 127.0.0.1")
    args = parser.parse_args()
    server = ThreadingHTTPServer(("127.0.0.1", args.port), Handler)
    server.daemon_threads = True
    # SIGTERM ends it like Ctrl-C: serve_forever() is stopped from another thread.
    signal.signal(signal.SIGTERM, lambda *_: threading.Thread(target=server.shutdown).start())
    print(f"otlp_sink: listening on 127.0.0.1:{args.port}", file=sys.stderr, flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    server.server_close()
    print(summary(COUNTS.snapshot()), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
