"""CPU time per distinct request, ours and Oxigraph's: a figure a busy machine disturbs less.

    python bench/cpu_cost.py [--size shipped] [--duration 5] [--queries "label lookup,2-hop join"]
    python bench/cpu_cost.py --variant t40:IMTKG_THREADS=40 --variant t10:IMTKG_THREADS=10

Throughput on a shared 2-core machine moves with what else runs; the CPU a server spends per
request moves much less. This starts our server and Oxigraph on the same quads (as
:mod:`run` does), sends each query as distinct requests at concurrency 8 (:mod:`loadgen`
``--distinct``), and reads the CPU time (user + system) of each server's whole process tree
(ours: granian, the serving process, the query workers) before and after. On an idle machine
the throughputs of two CPU-bound servers stand in the inverse ratio of these costs (the load
generator's own cost aside). Several of our servers with different settings (``--variant``)
are measured in turns with Oxigraph (``--rounds``). Prints JSON: query -> server -> medians.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

import psutil

if not __package__:  # run as `python bench/cpu_cost.py`
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench import datasets, servers  # noqa: E402
from bench import queries as query_mix  # noqa: E402

HERE = Path(__file__).resolve().parent


def tree_cpu(pid: int) -> float:
    """Seconds of CPU (user + system) used so far by ``pid`` and its live descendants."""
    total = 0.0
    process = psutil.Process(pid)
    for member in [process, *process.children(recursive=True)]:
        try:
            times = member.cpu_times()
        except psutil.Error:
            continue
        total += times.user + times.system
    return total


def cost(server: servers.Server, query: str, duration: float) -> dict:
    """Load ``server`` with distinct ``query`` requests; return requests, req/s, µs CPU each."""
    job = {"url": server.url(query), "concurrency": 8, "duration": duration, "distinct": True}
    before = tree_cpu(server.process.pid)
    done = subprocess.run(
        [sys.executable, str(HERE / "loadgen.py"), "--jobs", "-"],
        input=json.dumps([job]),
        capture_output=True,
        text=True,
        check=True,
        timeout=duration + 120,
    )
    used = tree_cpu(server.process.pid) - before
    figures = json.loads(done.stdout.strip().splitlines()[-1])
    requests = max(1, figures["requests"])
    return {
        "requests": figures["requests"],
        "throughput_rps": figures["throughput_rps"],
        "cpu_us_per_request": round(used / requests * 1e6, 1),
    }


def variant(text: str) -> tuple[str, dict[str, str]]:
    """Parse ``NAME`` or ``NAME:KEY=VALUE,KEY=VALUE`` (environment variables of our server)."""
    name, _, assignments = text.partition(":")
    settings = dict(item.split("=", 1) for item in assignments.split(",") if "=" in item)
    return name, settings


def main() -> None:
    """Start both servers, measure every query, print the JSON figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", default="shipped", choices=list(datasets.SIZES))
    parser.add_argument("--duration", type=float, default=5.0)
    parser.add_argument("--queries", default="label lookup,2-hop join")
    parser.add_argument(
        "--variant",
        action="append",
        type=variant,
        help="one of our servers, as NAME:IMTKG_THREADS=10,...; repeat to compare (default: ours)",
    )
    parser.add_argument("--rounds", type=int, default=1, help="measurements of each, interleaved")
    args = parser.parse_args()
    dataset = datasets.prepare(args.size, log=lambda m: print(m, file=sys.stderr))
    mix = query_mix.queries(args.size)
    chosen = [q.strip() for q in args.queries.split(",") if q.strip()]
    work = Path(tempfile.mkdtemp(prefix="imtkg-cpu-"))
    running: dict[str, servers.Server] = {}
    try:
        for name, settings in args.variant or [("ours", {})]:
            running[name] = servers.start_ours(
                name, dataset.input_file, work / "cache", work, False, 600.0, settings
            )
        running["oxigraph"] = servers.start_oxigraph(dataset.served_file, work, 600.0)
        runs: dict[str, dict[str, list[dict]]] = {q: {n: [] for n in running} for q in chosen}
        for _ in range(args.rounds):
            for query in chosen:
                for name, server in running.items():
                    runs[query][name].append(cost(server, mix[query], args.duration))
    finally:
        for server in running.values():
            server.stop()
    results = {
        query: {name: summary(figures) for name, figures in by_server.items()}
        for query, by_server in runs.items()
    }
    print(json.dumps(results, indent=2))


def summary(figures: list[dict]) -> dict:
    """The medians of a server's measurements of one query, and each CPU figure."""
    return {
        "requests": sum(f["requests"] for f in figures),
        "throughput_rps": statistics.median(f["throughput_rps"] for f in figures),
        "cpu_us_per_request": statistics.median(f["cpu_us_per_request"] for f in figures),
        "cpu_us_each": [f["cpu_us_per_request"] for f in figures],
    }


if __name__ == "__main__":
    main()
