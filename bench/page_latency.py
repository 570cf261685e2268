"""Load time of the linked-data pages and documents, on loopback, one client at a time.

Fetches each page a number of times from a running server (no HTTP cache: each request asks
for a fresh copy) and prints the median and the slowest time of each, heaviest first::

    imtkg serve &                                   # or any running server
    python bench/page_latency.py --url http://127.0.0.1:8000

Without ``--url`` it starts ``imtkg serve`` itself on a free port and stops it at the end.
The time is the server's answer and its transfer (what a browser waits for before it renders;
the pages load no other resource than the stylesheet).
"""

from __future__ import annotations

import argparse
import socket
import statistics
import subprocess
import sys
import time
import urllib.request

PAGES = [
    "/",
    "/ontology.html",
    "/id/institut-mines-telecom.html",
    "/id/imt-mines-ales.html",
    "/id/imt-grand-est.html",
    "/id/event/industry-week-2025.html",
    "/id/ranking/the-impact-ranking-2021.html",
    "/id/figure/imt-grand-est-students.html",
    "/ontology/School.html",
    "/graph/imt-grand-est.html",
    "/id/imt-mines-ales.ttl",
    "/id/imt-mines-ales.jsonld",
    "/ontology.jsonld",
]


def fetch(url: str) -> tuple[float, int]:
    """GET ``url`` without caches; return the seconds it took and the body's size."""
    request = urllib.request.Request(url, headers={"Cache-Control": "no-cache"})
    started = time.perf_counter()
    with urllib.request.urlopen(request, timeout=60) as response:
        body = response.read()
        if response.status != 200:
            raise RuntimeError(f"{url}: HTTP {response.status}")
    return time.perf_counter() - started, len(body)


def measure(base: str, repeats: int) -> list[tuple[str, float, float, int]]:
    """Return ``(path, median ms, slowest ms, bytes)`` of each page (after one warm-up GET)."""
    results = []
    for path in PAGES:
        fetch(base + path)
        times, size = [], 0
        for _ in range(repeats):
            seconds, size = fetch(base + path)
            times.append(seconds * 1000)
        results.append((path, statistics.median(times), max(times), size))
    return sorted(results, key=lambda r: -r[1])


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait(url: str, seconds: float = 300.0) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url + "/health", timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.5)
    raise RuntimeError(f"no server answered at {url} within {seconds:g} s")


def main() -> None:
    """Measure the pages of ``--url`` (or of a server started here) and print a table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", help="base URL of a running server (started here if omitted)")
    parser.add_argument("--repeats", type=int, default=15, help="GETs per page (default 15)")
    args = parser.parse_args()
    server = None
    base = args.url
    if base is None:
        port = _free_port()
        base = f"http://127.0.0.1:{port}"
        server = subprocess.Popen(
            [sys.executable, "-m", "imtkg.cli", "serve", "--port", str(port)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
    try:
        _wait(base.rstrip("/"))
        rows = measure(base.rstrip("/"), args.repeats)
    finally:
        if server is not None:
            server.terminate()
            server.wait(10)
    print(f"{'page':45} {'median ms':>10} {'max ms':>8} {'bytes':>8}")
    for path, median, slowest, size in rows:
        print(f"{path:45} {median:10.1f} {slowest:8.1f} {size:8d}")


if __name__ == "__main__":
    main()
