"""Latency and throughput of the SPARQL endpoint under concurrent load, on loopback.

Runs a bounded number of requests (and stops at a time budget) of two queries against a running
server, at concurrency 1 and 8, from a separate process, and prints the median latency and the
throughput of each::

    imtkg serve &                                   # or any running server
    python bench/endpoint_latency.py --url http://127.0.0.1:8000/sparql

With ``--fixture DIR`` it starts ``imtkg serve`` itself on DIR/ontology and DIR/graph (e.g.
``tests/data/endpoint``) on a free port and stops it at the end.
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import statistics
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from concurrent.futures import ThreadPoolExecutor

PROLOGUE = (
    "PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>\n"
    "PREFIX imt: <https://w3id.org/imt-kg/ontology#>\n"
)
QUERIES = {
    # a label lookup: one index access
    "label lookup": PROLOGUE
    + 'SELECT ?s WHERE { ?s rdfs:label ?l FILTER(STRSTARTS(STR(?l), "T")) } LIMIT 10',
    # a two-hop join: resources, the resources they point to, and those resources' labels
    "two-hop join": PROLOGUE
    + "SELECT ?a ?b ?label WHERE { ?a ?p ?b . ?b rdfs:label ?label . FILTER(isIRI(?b)) } LIMIT 100",
}


def fetch(url: str) -> float:
    """GET ``url`` and return the seconds it took; raise on a non-200 answer."""
    started = time.perf_counter()
    with urllib.request.urlopen(url, timeout=30) as response:
        response.read()
        if response.status != 200:
            raise RuntimeError(f"HTTP {response.status}")
    return time.perf_counter() - started


def run(endpoint: str, query: str, concurrency: int, requests: int, budget: float) -> dict:
    """Send up to ``requests`` GETs of ``query`` with ``concurrency`` clients for ``budget`` s."""
    deadline = time.monotonic() + budget
    # distinct URLs defeat any HTTP cache between the client and the engine
    urls = [
        endpoint + "?" + urllib.parse.urlencode({"query": query, "nonce": str(i)})
        for i in range(requests)
    ]

    def one(url: str) -> float | None:
        return fetch(url) if time.monotonic() < deadline else None

    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=concurrency) as pool:
        latencies = [x for x in pool.map(one, urls) if x is not None]
    elapsed = time.perf_counter() - started
    return {
        "requests": len(latencies),
        "median_ms": round(statistics.median(latencies) * 1000, 2),
        "p95_ms": round(sorted(latencies)[int(len(latencies) * 0.95) - 1] * 1000, 2),
        "throughput_rps": round(len(latencies) / elapsed, 1),
    }


def start_server(fixture: str) -> tuple[subprocess.Popen, str]:
    """Start ``imtkg serve`` on a fixture folder and a free port; return it and its endpoint."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    env = dict(os.environ, IMTKG_PORT=str(port))
    command = [
        sys.executable,
        "-m",
        "imtkg.cli",
        "serve",
        "--skip-validation",
        "--ontology-dir",
        os.path.join(fixture, "ontology"),
        "--graph-dir",
        os.path.join(fixture, "graph"),
    ]
    process = subprocess.Popen(
        command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(base + "/health", timeout=2) as response:
                if response.status == 200:
                    return process, base + "/sparql"
        except OSError:
            time.sleep(0.3)
    process.terminate()
    raise SystemExit("the server did not become ready")


def main() -> None:
    """Parse the arguments, run the measurements and print them as JSON lines."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", default="http://127.0.0.1:8000/sparql", help="endpoint URL")
    parser.add_argument("--fixture", help="start imtkg serve on this data folder instead")
    parser.add_argument("--requests", type=int, default=400, help="requests per measurement")
    parser.add_argument("--budget", type=float, default=15.0, help="seconds per measurement")
    args = parser.parse_args()
    process = None
    endpoint = args.url
    if args.fixture:
        process, endpoint = start_server(args.fixture)
    try:
        for name, query in QUERIES.items():
            fetch(endpoint + "?" + urllib.parse.urlencode({"query": query}))  # warm up
            for concurrency in (1, 8):
                figures = run(endpoint, query, concurrency, args.requests, args.budget)
                print(json.dumps({"query": name, "concurrency": concurrency, **figures}))
    finally:
        if process is not None:
            process.terminate()
            process.wait(20)


if __name__ == "__main__":
    main()
