#!/usr/bin/env python3
"""Hostile clients, measured: mini-redis-server beside redis-server, in the same run.

The rows of issue 13's table that a script can measure without a test harness:
- one client SUBSCRIBEs to 100,000 channels in one command: seconds until all are confirmed,
  the slowest PING another client gets meanwhile, and the UNSUBSCRIBE of them all;
- a client declares a huge array and sends 64 MiB of empty elements without finishing it:
  how much the server's RSS grows, per byte received;
- 16 clients GET a 32 MiB value, read the reply whole, and sit idle: the RSS they leave.

Usage: bench/hostile.py path/to/mini-redis-server   (build it with the release preset first)
Only the comparison in one run means anything: the machine's speed and load change the rest.
"""
import os
import socket
import subprocess
import sys
import threading
import time


def rss_kib(pid):
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def connect(port):
    s = socket.create_connection(("127.0.0.1", port))
    s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    return s


def command(*words):
    parts = [b"*%d\r\n" % len(words)]
    for word in words:
        word = word if isinstance(word, bytes) else word.encode()
        parts.append(b"$%d\r\n%s\r\n" % (len(word), word))
    return b"".join(parts)


def read_confirmations(s, n):
    """Reads n (un)subscribe confirmations; each ends with its count, ":<n>\r\n"."""
    seen, tail = 0, b""
    while seen < n:
        data = s.recv(1 << 20)
        if not data:
            raise RuntimeError("the server closed the connection")
        data = tail + data
        seen += data.count(b"\r\n:")
        tail = data[-2:]


def subscribe_row(port):
    n = 100_000
    subscriber, other = connect(port), connect(port)
    worst, stop = [0.0], [False]

    def ping():
        while not stop[0]:
            start = time.monotonic()
            other.sendall(b"PING\r\n")
            other.recv(64)
            worst[0] = max(worst[0], time.monotonic() - start)
            time.sleep(0.01)

    pinger = threading.Thread(target=ping)
    pinger.start()
    request = command("SUBSCRIBE", *[f"c{i}" for i in range(n)])
    start = time.monotonic()
    subscriber.sendall(request)
    read_confirmations(subscriber, n)
    confirmed = time.monotonic() - start
    start = time.monotonic()
    subscriber.sendall(command("UNSUBSCRIBE"))
    read_confirmations(subscriber, n)
    left = time.monotonic() - start
    stop[0] = True
    pinger.join()
    subscriber.close()
    other.close()
    return confirmed, worst[0], left


def unfinished_array_row(port, pid):
    sent = 64 << 20
    client = connect(port)
    before = rss_kib(pid)
    client.sendall(b"*100000000\r\n")
    chunk = b"$0\r\n\r\n" * (1 << 16)
    for _ in range(sent // len(chunk)):
        try:
            client.sendall(chunk)
        except OSError:
            break  # disconnected for passing a limit
    time.sleep(1)
    grown = rss_kib(pid) - before
    client.close()
    return grown * 1024 / sent


def big_get_row(port, pid):
    setter = connect(port)
    value = b"x" * (32 << 20)
    setter.sendall(command("SET", "big", value))
    assert setter.recv(16) == b"+OK\r\n"
    before = rss_kib(pid)
    readers = []
    reply = len(value) + len(b"$33554432\r\n\r\n")
    for _ in range(16):
        reader = connect(port)
        reader.sendall(command("GET", "big"))
        got = 0
        while got < reply:
            got += len(reader.recv(1 << 22))
        readers.append(reader)
    time.sleep(1)
    kept = rss_kib(pid) - before
    for reader in readers:
        reader.close()
    setter.close()
    return kept / 1024


def run(name, argv, port):
    server = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    time.sleep(0.7)
    try:
        confirmed, worst, left = subscribe_row(port)
        per_byte = unfinished_array_row(port, server.pid)
        kept = big_get_row(port, server.pid)
        print(f"{name:>18}: SUBSCRIBE 100,000: confirmed in {confirmed:.2f} s, another client's "
              f"PING at most {worst:.3f} s, UNSUBSCRIBE of all {left:.2f} s | unfinished array of "
              f"empty elements: RSS +{per_byte:.1f} bytes per byte received | 16 x GET 32 MiB, then "
              f"idle: {kept:.0f} MiB kept", flush=True)
    finally:
        server.terminate()
        server.wait()


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    run("mini-redis-server", [sys.argv[1], "--port", "7501"], 7501)
    run("redis-server", ["redis-server", "--port", "7502", "--save", "", "--appendonly", "no"], 7502)
