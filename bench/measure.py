#!/usr/bin/env python3
"""Measurements of a mini-redis-cpp server beside redis-server, in the same run, on loopback.

    bench/measure.py SERVER_BINARY memory  [--keys N]      RSS: empty, N keys, after they expire
    bench/measure.py SERVER_BINARY idle    [--clients N]   RSS per idle connection, silent and after a PING
    bench/measure.py SERVER_BINARY pubsub  [--messages N]  deliveries per second, 1 and 8 subscribers

SERVER_BINARY is a built server of this repository (a release build is the fair comparison:
cmake --preset release && cmake --build --preset release --target chNN_solution_server). Each
measurement runs against it and against redis-server (Debian's), started the same way, and prints
both with their ratio. Standard library only; every connection goes to 127.0.0.1.
"""
from __future__ import annotations

import argparse
import os
import signal
import socket
import subprocess
import sys
import threading
import time


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """A server process on a free port, stopped on exit. `env` replaces the environment it
    inherits; `log` is a file its output goes to (else nowhere)."""

    def __init__(self, name: str, argv: list[str], port: int, env: dict[str, str] | None = None,
                 log=None):
        self.name, self.port = name, port
        output = log if log is not None else subprocess.DEVNULL
        self.process = subprocess.Popen(argv, stdout=output, stderr=output, env=env)
        deadline = time.time() + 10
        while time.time() < deadline:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                return
            except OSError:
                time.sleep(0.05)
        raise RuntimeError(f"{name} did not start")

    def rss_kib(self) -> int:
        with open(f"/proc/{self.process.pid}/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
        return 0

    def cpu_seconds(self) -> float:
        """CPU time the process has used so far, user and system, all its threads together
        (/proc/PID/stat; a traced server's export thread counts, since it is the server's work)."""
        with open(f"/proc/{self.process.pid}/stat") as f:
            # The command name, field 2, is in parentheses and may hold spaces: count after it.
            fields = f.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
        self.process.wait()

    def terminate(self, timeout: float = 30) -> int | None:
        """Graceful shutdown (SIGTERM), as an operator's; the exit status, or None if it had
        to be killed after `timeout` seconds."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
        try:
            return self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            self.stop()
            return None


def ours(binary: str, max_clients: int, extra: list[str] | None = None, *,
         name: str = "mini-redis-cpp", env: dict[str, str] | None = None, log=None,
         log_level: str = "warn") -> Server:
    """Our server on a free port; `extra` flags are passed on; `env`, `log`: see Server."""
    port = free_port()
    argv = [binary, "--port", str(port), "--log-level", log_level, *(extra or [])]
    if "--max-connections" in subprocess.run([binary, "--help"], capture_output=True, text=True).stdout:
        argv += ["--max-connections", str(max_clients)]
    return Server(name, argv, port, env, log)


def redis(max_clients: int) -> Server:
    port = free_port()
    return Server("redis-server", ["redis-server", "--port", str(port), "--save", "", "--appendonly", "no",
                                   "--loglevel", "warning", "--maxclients", str(max_clients)], port)


def command(*words: bytes) -> bytes:
    out = b"*%d\r\n" % len(words)
    for word in words:
        out += b"$%d\r\n%s\r\n" % (len(word), word)
    return out


def send_and_count(port: int, payload: bytes, reply_bytes: int) -> None:
    """Sends `payload` and reads exactly `reply_bytes` bytes of replies back."""
    with socket.create_connection(("127.0.0.1", port)) as s:
        sender = threading.Thread(target=s.sendall, args=(payload,))
        sender.start()
        received = 0
        while received < reply_bytes:
            chunk = s.recv(1 << 20)
            if not chunk:
                raise RuntimeError("connection closed early")
            received += len(chunk)
        sender.join()


def load_keys(port: int, count: int, px: int | None) -> None:
    batch = 10000
    for start in range(0, count, batch):
        payload = b"".join(
            command(b"SET", b"key:%08d" % i, b"value:%08d" % i, *((b"PX", b"%d" % px) if px else ()))
            for i in range(start, min(start + batch, count)))
        send_and_count(port, payload, 5 * (min(start + batch, count) - start))


def measure_memory(server: Server, keys: int) -> list[int]:
    empty = server.rss_kib()
    load_keys(server.port, keys, None)
    full = server.rss_kib()
    load_keys(server.port, keys, 2000)  # the same keys again, now expiring in 2 s
    time.sleep(4)  # a benchmark may sleep: both servers purge in the background meanwhile
    with socket.create_connection(("127.0.0.1", server.port)) as s:
        s.sendall(command(b"GET", b"key:00000000"))
        s.recv(100)
    time.sleep(2)
    return [empty, full, server.rss_kib()]


def accept_queue(port: int) -> int:
    """How many connections to the listening socket on `port` wait to be accepted (its receive
    queue in /proc/net/tcp and tcp6), 0 if there is no such socket."""
    waiting = 0
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            rows = open(table).read().splitlines()[1:]
        except OSError:
            continue
        for row in rows:
            fields = row.split()
            local, state, queues = fields[1], fields[3], fields[4]
            if state == "0A" and int(local.rsplit(":", 1)[1], 16) == port:  # 0A: LISTEN
                waiting += int(queues.split(":")[1], 16)
    return waiting


def measure_idle(server: Server, clients: int) -> tuple[float, float]:
    """Bytes of RSS per idle connection: (before it has sent anything, after one PING). The
    first is what a server spends on a connection it has only accepted; the second adds what
    serving one request leaves behind (a read buffer, say)."""
    before = server.rss_kib()
    sockets = [socket.create_connection(("127.0.0.1", server.port)) for _ in range(clients)]
    deadline = time.monotonic() + 60
    while accept_queue(server.port) > 0:  # until the server has accepted every one
        if time.monotonic() > deadline:
            raise RuntimeError(f"{server.name} did not accept {clients} connections within 60 s")
        time.sleep(0.01)
    silent = server.rss_kib()
    for s in sockets:  # make sure each connection is served, not just queued
        s.sendall(b"*1\r\n$4\r\nPING\r\n")
    for s in sockets:
        if s.recv(16) != b"+PONG\r\n":
            raise RuntimeError(f"{server.name} did not serve every connection (a connection limit?)")
    time.sleep(0.5)
    after = server.rss_kib()
    for s in sockets:
        s.close()
    return (silent - before) * 1024 / clients, (after - before) * 1024 / clients


def measure_pubsub(server: Server, subscribers: int, messages: int) -> float:
    message = b"x" * 64
    push = b"*3\r\n$7\r\nmessage\r\n$4\r\nnews\r\n$%d\r\n%s\r\n" % (len(message), message)
    subs = []
    for _ in range(subscribers):
        s = socket.create_connection(("127.0.0.1", server.port))
        s.sendall(command(b"SUBSCRIBE", b"news"))
        confirmation = b"*3\r\n$9\r\nsubscribe\r\n$4\r\nnews\r\n:1\r\n"
        got = b""
        while len(got) < len(confirmation):
            got += s.recv(100)
        subs.append(s)
    done = []

    def drain(s: socket.socket) -> None:
        want, got = len(push) * messages, 0
        while got < want:
            chunk = s.recv(1 << 20)
            if not chunk:
                break
            got += len(chunk)
        done.append(got == want)

    readers = [threading.Thread(target=drain, args=(s,)) for s in subs]
    start = time.perf_counter()
    for r in readers:
        r.start()
    reply = b":%d\r\n" % subscribers
    send_and_count(server.port, command(b"PUBLISH", b"news", message) * messages, len(reply) * messages)
    for r in readers:
        r.join()
    elapsed = time.perf_counter() - start
    for s in subs:
        s.close()
    if not all(done):
        raise RuntimeError("a subscriber missed messages")
    return subscribers * messages / elapsed


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("binary")
    parser.add_argument("what", choices=["memory", "idle", "pubsub"])
    parser.add_argument("--keys", type=int, default=1_000_000)
    parser.add_argument("--clients", type=int, default=1000)
    parser.add_argument("--messages", type=int, default=200_000)
    args = parser.parse_args()
    if not os.access(args.binary, os.X_OK):
        print(f"{args.binary} is not an executable", file=sys.stderr)
        return 2
    max_clients = args.clients + 100
    for make in (lambda: ours(args.binary, max_clients), lambda: redis(max_clients)):
        server = make()
        try:
            if args.what == "memory":
                empty, full, expired = measure_memory(server, args.keys)
                print(f"{server.name:15} RSS empty {empty / 1024:7.1f} MiB, with {args.keys:,} keys "
                      f"{full / 1024:7.1f} MiB ({(full - empty) * 1024 / args.keys:5.1f} B/key), "
                      f"after they expired {expired / 1024:7.1f} MiB")
            elif args.what == "idle":
                silent, after_ping = measure_idle(server, args.clients)
                print(f"{server.name:15} bytes per idle connection ({args.clients} connections): "
                      f"{silent:8.0f} before it sends anything, {after_ping:8.0f} after a PING")
            else:
                for subscribers in (1, 8):
                    rate = measure_pubsub(server, subscribers, args.messages // subscribers)
                    print(f"{server.name:15} 1 publisher, {subscribers} subscriber(s): "
                          f"{rate:12,.0f} deliveries/s")
        finally:
            server.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
