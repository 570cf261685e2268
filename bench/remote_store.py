"""Latency of our server in memory mode, in remote mode, and of the Oxigraph server it fronts.

In one run, on loopback, on the shipped dataset::

    python bench/remote_store.py                 # about a minute on 2 cores
    python bench/remote_store.py --budget 2      # shorter

starts an Oxigraph server (``oxigraph serve``), ``imtkg push``es the shipped dataset into it,
starts ``imtkg serve`` twice (``STORE=memory`` and ``STORE=sparql:<oxigraph>/query``), then sends
a label lookup and a two-hop join to each of the three at concurrency 1 and 8 from this process
(keep-alive connections), for at most ``--requests`` requests or ``--budget`` seconds each.
Oxigraph is queried with the dataset our remote mode asks it for (``default-graph-uri`` = the
hidden union and the inferred graph), so the three answer the same query over the same triples.
Then it times the start of ``imtkg serve`` with ``STORE=oxigraph:PATH`` twice (a cold build, then
a reopen of the unchanged store). It prints one JSON line per measurement (and the push and
start-up times), then a Markdown table with the ratios.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import urllib3

from imtkg.core.namespaces import INFERRED_GRAPH
from imtkg.query.oxigraph_server import OxigraphServer, free_port
from imtkg.store.oxigraph_store import ASSERTED_UNION

PROLOGUE = (
    "PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>\n"
    "PREFIX org: <http://www.w3.org/ns/org#>\n"
)
QUERIES = {
    # one index lookup by label
    "label lookup": PROLOGUE + 'SELECT ?s WHERE { ?s rdfs:label "IMT Mines Alès"@fr }',
    # members, the organisations they belong to (an inferred property), and those ones' labels
    "2-hop join": PROLOGUE
    + "SELECT ?a ?b ?label WHERE { ?a org:memberOf ?b . ?b rdfs:label ?label }",
}
CONCURRENCY = (1, 8)
DATASET = [("default-graph-uri", ASSERTED_UNION), ("default-graph-uri", str(INFERRED_GRAPH))]


def measure(endpoint: str, fields: list, concurrency: int, requests: int, budget: float) -> dict:
    """Send up to ``requests`` queries with ``concurrency`` clients for at most ``budget`` s."""
    http = urllib3.PoolManager(maxsize=concurrency, retries=False)
    headers = {"Accept": "application/sparql-results+json"}
    deadline = time.monotonic() + budget

    def one(_: int) -> float | None:
        if time.monotonic() > deadline:
            return None
        started = time.perf_counter()
        response = http.request("GET", endpoint, fields=fields, headers=headers, timeout=30)
        if response.status != 200:
            raise RuntimeError(f"{endpoint}: HTTP {response.status}: {response.data[:200]!r}")
        return time.perf_counter() - started

    one(0)  # warm up: connections, caches, the first plan
    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=concurrency) as pool:
        latencies = sorted(x for x in pool.map(one, range(requests)) if x is not None)
    elapsed = time.perf_counter() - started
    return {
        "requests": len(latencies),
        "median_ms": round(statistics.median(latencies) * 1000, 2),
        "p95_ms": round(latencies[max(0, int(len(latencies) * 0.95) - 1)] * 1000, 2),
        "throughput_rps": round(len(latencies) / elapsed, 1),
    }


def start_imtkg(store: str, log_dir: Path) -> tuple[subprocess.Popen, str]:
    """Start ``imtkg serve`` with ``store`` on a free port; return it and its /sparql URL.

    Prints the seconds from the command to ``/health`` answering 200 (interpreter start
    included).
    """
    started = time.monotonic()
    port = free_port()
    env = dict(os.environ, IMTKG_PORT=str(port), IMTKG_STORE=store, IMTKG_QUERY_TIMEOUT="30")
    log_path = log_dir / f"serve-{port}.log"
    with open(log_path, "wb") as log:  # the child keeps its own descriptor
        process = subprocess.Popen(
            [sys.executable, "-m", "imtkg.cli", "serve", "--skip-validation"],
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    base = f"http://127.0.0.1:{port}"
    http = urllib3.PoolManager(retries=False)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and process.poll() is None:
        try:
            if http.request("GET", base + "/health", timeout=2).status == 200:
                ready = round(time.monotonic() - started, 2)
                print(json.dumps({"serve": store.split(":")[0], "ready_s": ready}), flush=True)
                return process, base + "/sparql"
        except urllib3.exceptions.HTTPError:
            pass
        time.sleep(0.2)
    process.terminate()
    raise SystemExit(f"imtkg serve ({store}) did not become ready; see {log_path}")


def table(results: list[dict]) -> str:
    """Return the Markdown table of the medians and throughputs, with ratios."""
    by = {(r["target"], r["query"], r["concurrency"]): r for r in results}
    lines = [
        "| query | clients | memory: median ms (req/s) | remote: median ms (req/s) "
        "| Oxigraph direct: median ms (req/s) | remote / memory | remote / Oxigraph |",
        "|---|---|---|---|---|---|---|",
    ]
    for query in QUERIES:
        for concurrency in CONCURRENCY:
            cells = [by[(t, query, concurrency)] for t in ("memory", "remote", "oxigraph")]
            memory, remote, direct = (c["median_ms"] for c in cells)
            figures = [f"{c['median_ms']} ({c['throughput_rps']})" for c in cells]
            lines.append(
                f"| {query} | {concurrency} | {' | '.join(figures)} "
                f"| {remote / memory:.2f}× | {remote / direct:.2f}× |"
            )
    return "\n".join(lines)


def main() -> None:
    """Start the three servers, measure, print JSON lines and the table, stop everything."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=500, help="requests per measurement")
    parser.add_argument("--budget", type=float, default=4.0, help="seconds per measurement")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="imtkg-bench-"))
    processes: list[subprocess.Popen] = []
    with OxigraphServer(work / "oxigraph") as oxigraph:
        started = time.monotonic()
        subprocess.run(
            [sys.executable, "-m", "imtkg.cli", "push", oxigraph.query_url, "--skip-validation"],
            check=True,
            stdout=subprocess.DEVNULL,
        )
        print(json.dumps({"push_s": round(time.monotonic() - started, 2)}), flush=True)
        try:
            targets = {"oxigraph": (oxigraph.query_url, DATASET)}
            for target, store in (("memory", "memory"), ("remote", "sparql:" + oxigraph.query_url)):
                process, endpoint = start_imtkg(store, work)
                processes.append(process)
                targets[target] = (endpoint, [])
            results = []
            for name, query in QUERIES.items():
                for concurrency in CONCURRENCY:
                    for target, (endpoint, dataset) in targets.items():
                        fields = [("query", query), *dataset]
                        figures = measure(endpoint, fields, concurrency, args.requests, args.budget)
                        row = {"target": target, "query": name, "concurrency": concurrency}
                        results.append({**row, **figures})
                        print(json.dumps(results[-1]), flush=True)
            for _ in ("build", "reopen"):  # STORE=oxigraph:PATH, cold then unchanged inputs
                process, _endpoint = start_imtkg(f"oxigraph:{work / 'disk-store'}", work)
                process.terminate()
                process.wait(30)
            print()
            print(table(results))
        finally:
            for process in processes:
                process.terminate()
                process.wait(30)


if __name__ == "__main__":
    main()
