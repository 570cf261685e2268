"""A mixed load: many clients, a few heavy queries, the rest cheap, and a /health prober.

Shows whether one slow request stalls the others. Each of ``--clients`` keep-alive clients sends
SPARQL GETs one after the other; a fraction (``--heavy``, 4 % by default) are heavy queries (a
cross join counted, about 2 s on the shipped graph), the rest cheap ones (one row). Every query
text is distinct, so no response cache answers it. Meanwhile a prober asks ``/health`` every
``--probe-interval`` seconds on its own connection. Bounded in time (``--duration``) and count
(``--max-requests``); it only talks to 127.0.0.1 / localhost::

    python bench/load_mix.py --serve            # starts `imtkg serve` on a free port, then stops it
    python bench/load_mix.py --url http://127.0.0.1:8000 --clients 300 --duration 20

A client told 503 waits what its ``Retry-After`` says (at most 10 s) before its next request,
as a polite client does; ``--impolite`` makes it try again after 50 ms. It prints one JSON object:
answers per second (all, and 200s only), statuses by kind (``heavy 503``: refused at admission
or stopped when it turned long with the long-query lane full; ``heavy 504``: ran to the time
limit), p50/p99 of the cheap queries that got 200, the /health probes' count, statuses and
maximum latency, and the ``--set`` settings of the run. Compare with ``--set LONG_QUERIES=0``
(no long-query lane) and ``--heavy 0`` (the cheap queries' usual latency).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import socket
import subprocess
import sys
import time
import urllib.request
from collections import Counter
from pathlib import Path
from urllib.parse import quote, urlsplit

if not __package__:  # run as `python bench/load_mix.py`: make the `bench` package importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.loadgen import percentile, read_body, read_head  # noqa: E402

CHEAP = "SELECT ?s WHERE {{ ?s ?p ?o }} LIMIT 1 OFFSET {n}"
HEAVY = "SELECT (COUNT(*) AS ?n) WHERE {{ ?a ?p ?b . ?c ?q ?d FILTER(?b != {n}) }}"
ACCEPT = "application/sparql-results+json"
LOOPBACK = {"127.0.0.1", "localhost", "::1"}


def request_bytes(host: str, target: str) -> bytes:
    """A keep-alive GET of ``target``."""
    return (
        f"GET {target} HTTP/1.1\r\nHost: {host}\r\nAccept: {ACCEPT}\r\n"
        "Accept-Encoding: identity\r\nConnection: keep-alive\r\n\r\n"
    ).encode("ascii")


async def read_answer(reader: asyncio.StreamReader) -> tuple[int, dict[bytes, bytes]]:
    """Read one response (its body skipped); return its status and headers."""
    status, headers = await read_head(reader)
    await read_body(reader, headers)
    return status, headers


class Connection:
    """One keep-alive connection, reopened after the server closes it or fails."""

    def __init__(self, host: str, port: int) -> None:
        self.host, self.port = host, port
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def get(self, target: str, timeout: float) -> tuple[int, float, float]:
        """Send a GET, read the answer; return its status (0: failed), the seconds taken and
        the seconds its ``Retry-After`` asks to wait (0 when absent)."""
        started = time.perf_counter()
        retry_after = 0.0
        try:
            async with asyncio.timeout(timeout):
                if self.writer is None:
                    self.reader, self.writer = await asyncio.open_connection(self.host, self.port)
                self.writer.write(request_bytes(self.host, target))
                status, headers = await read_answer(self.reader)
            if headers.get(b"connection") == b"close":
                await self.close()
            if headers.get(b"retry-after", b"").isdigit():
                retry_after = float(headers[b"retry-after"])
        except (OSError, TimeoutError, asyncio.IncompleteReadError, ValueError):
            await self.close()
            status = 0
        return status, time.perf_counter() - started, retry_after

    async def close(self) -> None:
        """Close the connection (if open)."""
        if self.writer is not None:
            self.writer.close()
            try:
                await self.writer.wait_closed()
            except OSError:
                pass
        self.reader = self.writer = None


async def run(
    url: str,
    clients: int,
    heavy: float,
    duration: float,
    max_requests: int,
    probe_interval: float,
    timeout: float,
    polite: bool = True,
    seed: int = 1,
) -> dict:
    """Run the mix against ``url`` (a base URL); return the figures."""
    parts = urlsplit(url)
    host, port = parts.hostname or "127.0.0.1", parts.port or 80
    randomness = random.Random(seed)
    counter = iter(range(10**9))
    records: list[tuple[str, int, float]] = []
    probes: list[tuple[int, float]] = []
    deadline = time.perf_counter() + duration

    async def client() -> None:
        connection = Connection(host, port)
        while time.perf_counter() < deadline and len(records) < max_requests:
            kind = "heavy" if randomness.random() < heavy else "cheap"
            text = (HEAVY if kind == "heavy" else CHEAP).format(n=next(counter))
            status, seconds, retry_after = await connection.get(
                "/sparql?query=" + quote(text), timeout
            )
            records.append((kind, status, seconds))
            if status in (0, 503):  # a refused client does not spin; a polite one waits longer
                await asyncio.sleep(min(retry_after, 10.0) if polite else 0.05)
        await connection.close()

    async def prober() -> None:
        connection = Connection(host, port)
        while time.perf_counter() < deadline:
            status, seconds, _ = await connection.get("/health", timeout)
            probes.append((status, seconds))
            await asyncio.sleep(probe_interval)
        await connection.close()

    started = time.perf_counter()
    await asyncio.gather(prober(), *(client() for _ in range(clients)))
    elapsed = time.perf_counter() - started
    return summarise(records, probes, elapsed)


def summarise(
    records: list[tuple[str, int, float]], probes: list[tuple[int, float]], elapsed: float
) -> dict:
    """The figures of a run (latencies in milliseconds)."""
    cheap_ok = sorted(s for kind, status, s in records if kind == "cheap" and status == 200)
    heavy_ok = sorted(s for kind, status, s in records if kind == "heavy" and status == 200)
    probe_times = sorted(s for _, s in probes)
    statuses = Counter(f"{kind} {status}" for kind, status, _ in records)
    ms = 1000.0
    return {
        "seconds": round(elapsed, 1),
        "answers": len(records),
        "answers_per_s": round(len(records) / elapsed, 1),
        "ok_per_s": round(sum(1 for _, status, _ in records if status == 200) / elapsed, 1),
        "statuses": dict(sorted(statuses.items())),
        "cheap_ok_p50_ms": round(percentile(cheap_ok, 0.5) * ms, 1) if cheap_ok else None,
        "cheap_ok_p99_ms": round(percentile(cheap_ok, 0.99) * ms, 1) if cheap_ok else None,
        "heavy_ok_p50_ms": round(percentile(heavy_ok, 0.5) * ms, 1) if heavy_ok else None,
        "health_probes": len(probes),
        "health_failures": sum(1 for status, _ in probes if status != 200),
        "health_statuses": dict(Counter(status for status, _ in probes)),
        "health_max_ms": round(probe_times[-1] * ms, 1) if probe_times else None,
        "health_p50_ms": round(percentile(probe_times, 0.5) * ms, 1) if probe_times else None,
    }


def free_port() -> int:
    """A TCP port free on loopback right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_server(env_settings: list[str], budget: float = 120.0) -> tuple[subprocess.Popen, str]:
    """Start ``imtkg serve --skip-validation`` on a free loopback port; wait for /health."""
    port = free_port()
    env = dict(os.environ, IMTKG_HOST="127.0.0.1", IMTKG_PORT=str(port))
    for item in env_settings:
        name, _, value = item.partition("=")
        env["IMTKG_" + name.upper()] = value
    process = subprocess.Popen(
        [sys.executable, "-m", "imtkg.cli", "serve", "--skip-validation"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + budget
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"imtkg serve exited with {process.returncode}")
        try:
            with urllib.request.urlopen(url + "/health", timeout=2) as answer:
                if answer.status == 200:
                    return process, url
        except OSError:
            time.sleep(0.3)
    process.kill()
    raise SystemExit(f"imtkg serve did not answer /health within {budget:g} s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--url", help="base URL of a running server (loopback only)")
    parser.add_argument("--serve", action="store_true", help="start `imtkg serve` for the run")
    parser.add_argument(
        "--set",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="an IMTKG_ setting for --serve (e.g. --set THREADS=8)",
    )
    parser.add_argument("--clients", type=int, default=300)
    parser.add_argument("--heavy", type=float, default=0.04, help="fraction of heavy queries")
    parser.add_argument("--duration", type=float, default=20.0, help="seconds (at most 120)")
    parser.add_argument("--max-requests", type=int, default=50000)
    parser.add_argument("--probe-interval", type=float, default=0.25)
    parser.add_argument("--timeout", type=float, default=30.0, help="seconds per request")
    parser.add_argument(
        "--impolite",
        action="store_true",
        help="retry a 503 after 50 ms instead of waiting its Retry-After (at most 10 s)",
    )
    args = parser.parse_args()
    if not args.url and not args.serve:
        parser.error("give --url or --serve")
    duration = min(args.duration, 120.0)
    process = None
    url = args.url
    if args.serve:
        process, url = start_server(args.set)
    if urlsplit(url).hostname not in LOOPBACK:
        parser.error("only loopback servers (127.0.0.1, localhost) may be loaded")
    try:
        figures = asyncio.run(
            run(
                url,
                args.clients,
                args.heavy,
                duration,
                args.max_requests,
                args.probe_interval,
                args.timeout,
                polite=not args.impolite,
            )
        )
    finally:
        if process is not None:
            process.terminate()
            process.wait(30)
    figures["settings"] = args.set
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
