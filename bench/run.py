"""The benchmark of issue 7: our server, the Oxigraph server and a naive Flask + rdflib endpoint,
in the same run, on the same data, on loopback.

    python bench/run.py                                   # shipped, 10k, 100k, 1m (long)
    python bench/run.py --sizes shipped,10k --quick       # a few minutes
    python bench/run.py --sizes shipped --duration 0.2 --no-validate --output /tmp/b.md  # smoke
    python bench/run.py --sizes shipped,100k --queries "label lookup,2-hop join" --naive-max shipped

For each dataset (:mod:`datasets`, written once to N-Quads files in a cache folder) it starts
our server twice (cold: an empty cache folder; warm: the same folder, nothing changed), then
Oxigraph (``oxigraph load`` + ``serve-read-only``) and the naive server, on the same triples
(:mod:`datasets`); it records the start-up times (ours split into load, reason, write of the
store, validate and the query engine) and the peak memory of each process and its children.
Then a separate process (:mod:`loadgen`) sends each query of the mix (:mod:`queries`) to each
server at concurrency 1 (median and p99 latency), 8 and 32 (throughput), for ``--duration``
seconds each. Ours is loaded three ways: as clients meet it (a repeated query answered by the
response cache), with ``Cache-Control: no-cache`` (every query run), and with *distinct*
requests (a counter in a trailing comment makes every text different, as researchers' queries
are; issue 15), which Oxigraph gets too, so the two are compared on the same stream. Before
the sizes, :mod:`front_floor` measures empty routes under granian (``--no-front-floor`` skips
it): what a Python front costs before it does anything. The results go to ``--json`` and, as
Markdown tables with the machine, the versions and the targets of the issues (met or missed, by
how much), between the markers of ``--output`` (``docs/benchmarks.md``).

The naive server is skipped above ``--naive-max`` (100k: rdflib parses a million triples in
minutes); our server validates its data at start up to ``--validate-max`` (100k), and above, the
validation (rdflib parse + SHACL with the engine ``auto`` picks) is timed on its own, bounded by
``--validate-budget``.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timezone
from importlib.metadata import version
from pathlib import Path

import pyoxigraph as ox
import urllib3

if not __package__:  # run as `python bench/run.py`: make the `bench` package importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench import datasets, front_floor, report, servers, targets  # noqa: E402
from bench import queries as query_mix  # noqa: E402

HERE = Path(__file__).resolve().parent

CONCURRENCY = {"c1": 1, "c8": 8, "c32": 32}
#: the concurrencies of the distinct-request measurements (the targets read c8)
DISTINCT_LEVELS = {"c1": 1, "c8": 8}
ORDER = list(datasets.SIZES)


def machine() -> str:
    """Return the CPU model, cores, memory and OS of this machine."""
    import psutil

    cpu = platform.processor() or "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    memory = psutil.virtual_memory().total / 2**30
    return (
        f"{cpu}, {os.cpu_count()} cores, {memory:.0f} GiB RAM, "
        f"{platform.system()} {platform.release()} ({platform.platform(terse=True)})"
    )


def versions() -> dict[str, str]:
    """Return the versions of Python and of the libraries and servers compared."""
    found = {"python": platform.python_version()}
    names = ("pyoxigraph", "oxigraph", "rdflib", "owlrl", "pyshacl", "flask", "granian", "waitress")
    for name in names:
        try:
            found[name] = version(name)
        except Exception:  # noqa: BLE001 - a missing package is reported, not fatal
            found[name] = "not installed"
    return found


def count_rows(url: str) -> int | None:
    """Return the number of solutions (or triples) of one answer to ``url``."""
    http = urllib3.PoolManager(retries=False)
    answer = http.request(
        "GET",
        url,
        headers={"Accept": "application/sparql-results+json, text/turtle;q=0.9"},
        timeout=120,
    )
    if answer.status != 200:
        return None
    if answer.headers.get("Content-Type", "").startswith("text/turtle"):
        return sum(1 for _ in ox.parse(answer.data, format=ox.RdfFormat.TURTLE))
    return len(json.loads(answer.data)["results"]["bindings"])


def load(
    server: servers.Server,
    mix: dict[str, str],
    duration: float,
    no_cache: bool = False,
    distinct: bool = False,
    levels: dict[str, int] = CONCURRENCY,
) -> dict:
    """Measure every query of ``mix`` on ``server`` at every concurrency, from a child process.

    :param no_cache: send ``Cache-Control: no-cache``, so that our server runs every query
        instead of answering repeats from its response cache.
    :param distinct: every request a different text (a counter in a trailing comment), so that
        no cache answers and each server parses and plans every query.
    """
    jobs = [
        {
            "name": f"{query}\t{level}",
            "url": server.url(text),
            "concurrency": concurrency,
            "duration": duration,
            "no_cache": no_cache,
            "distinct": distinct,
        }
        for query, text in mix.items()
        for level, concurrency in levels.items()
    ]
    done = subprocess.run(
        [sys.executable, str(HERE / "loadgen.py"), "--jobs", "-"],
        input=json.dumps(jobs),
        capture_output=True,
        text=True,
        timeout=len(jobs) * (duration + 60),
    )
    if done.returncode:
        raise SystemExit(f"bench/loadgen.py failed (exit {done.returncode}):\n{done.stderr}")
    figures: dict[str, dict] = {}
    for line in done.stdout.splitlines():
        row = json.loads(line)
        query, level = row.pop("name").split("\t")
        figures.setdefault(query, {})[level] = row
    for query, text in mix.items():
        figures.setdefault(query, {})["rows"] = count_rows(server.url(text))
    return figures


def time_validation(dataset: datasets.BenchDataset, budget: float) -> dict:
    """Time parsing ``dataset``'s input with rdflib and validating it (engine auto), bounded."""
    command = [sys.executable, str(HERE / "validate_once.py"), str(dataset.input_file)]
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=budget, check=True)
    except subprocess.TimeoutExpired:
        return {"skipped": f"> {budget:.0f} s (time-boxed)"}
    return json.loads(done.stdout.strip().splitlines()[-1])


def run_size(name: str, args: argparse.Namespace, work: Path) -> dict:
    """Start the servers on dataset ``name``, measure, stop them; return the figures."""
    dataset = datasets.prepare(name, log=lambda m: print(m, file=sys.stderr, flush=True))
    mix = query_mix.queries(name)
    if args.queries:
        mix = {query: text for query, text in mix.items() if query in args.queries}
    rank = ORDER.index(name)
    validate = args.validate_max is not None and rank <= ORDER.index(args.validate_max)
    size: dict = {
        "triples": dataset.triples,
        "startup": {},
        "memory": {},
        "queries": {},
        "notes": [],
    }
    running: dict[str, servers.Server] = {}
    cache = work / f"cache-{name}"
    try:
        for phase in ("ours_cold", "ours_warm"):
            server = servers.start_ours(
                phase, dataset.input_file, cache, work, validate, args.start_budget
            )
            size["startup"][phase] = server.startup
            if phase == "ours_cold":
                server.stop()
            size["memory"][phase] = server.memory()
            print(f"{name}: {phase} {server.startup}", file=sys.stderr, flush=True)
        running["ours"] = server
        if not validate and not args.no_validate:
            size["validation"] = time_validation(dataset, args.validate_budget)
            size["notes"].append(
                "our server started with --skip-validation at this size; validating the input "
                f"alone (rdflib parse + SHACL): {json.dumps(size['validation'])}"
            )
        running["oxigraph"] = servers.start_oxigraph(dataset.served_file, work, args.start_budget)
        size["startup"]["oxigraph"] = running["oxigraph"].startup
        size["memory"]["oxigraph_load"] = {
            "peak_main_mb": round(running["oxigraph"].sampler.peak_total / 2**20, 1)
        }
        running["oxigraph"].sampler.peak_total = 0
        if rank <= ORDER.index(args.naive_max):
            running["naive"] = servers.start_naive(dataset.served_file, work, args.start_budget)
            size["startup"]["naive"] = running["naive"].startup
        else:
            size["startup"]["naive"] = {"skipped": f"skipped above {args.naive_max}"}
            size["notes"].append(
                f"the naive server is not run above {args.naive_max}: rdflib parses about "
                "10k triples a second, so it would take minutes to start"
            )
        for server_name, server in running.items():
            print(f"{name}: loading {server_name}", file=sys.stderr, flush=True)
            for query, figures in load(server, mix, args.duration).items():
                size["queries"].setdefault(query, {})[server_name] = figures
        # ours again, every query run (no response cache): what a stream of distinct queries costs
        print(f"{name}: loading ours with Cache-Control: no-cache", file=sys.stderr, flush=True)
        for query, figures in load(running["ours"], mix, args.duration, no_cache=True).items():
            size["queries"].setdefault(query, {})["ours_uncached"] = figures
        # ours and Oxigraph with a different text on every request: what researchers' queries
        # cost (parsed, planned and run each time), measured one after the other
        for server_name in ("ours", "oxigraph"):
            print(f"{name}: loading {server_name}, distinct requests", file=sys.stderr, flush=True)
            distinct = load(
                running[server_name], mix, args.duration, distinct=True, levels=DISTINCT_LEVELS
            )
            for query, figures in distinct.items():
                size["queries"].setdefault(query, {})[f"{server_name}_distinct"] = figures
        for server_name in ("oxigraph", "naive"):
            if server_name in running:
                size["memory"][server_name] = running[server_name].memory()
        size["memory"]["ours_warm"] = running["ours"].memory()
    finally:
        for server in running.values():
            server.stop()
    return size


def main() -> None:
    """Parse the arguments, run every size, write the JSON and the Markdown."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="shipped,10k,100k,1m", help="of " + ",".join(ORDER))
    parser.add_argument("--quick", action="store_true", help="1 s per measurement")
    parser.add_argument("--duration", type=float, default=3.0, help="seconds per measurement")
    parser.add_argument("--naive-max", default="100k", choices=ORDER)
    parser.add_argument("--validate-max", default="100k", choices=ORDER)
    parser.add_argument("--no-validate", action="store_true", help="never validate at start")
    parser.add_argument("--validate-budget", type=float, default=300.0)
    parser.add_argument("--start-budget", type=float, default=600.0)
    parser.add_argument("--output", type=Path, default=HERE.parent / "docs" / "benchmarks.md")
    parser.add_argument("--json", type=Path, help="also write the figures as JSON")
    parser.add_argument(
        "--queries", help="only these queries of the mix, comma-separated (e.g. 'label lookup')"
    )
    parser.add_argument(
        "--no-front-floor", action="store_true", help="skip the empty-route floor measurement"
    )
    args = parser.parse_args()
    if args.queries:
        args.queries = {q.strip() for q in args.queries.split(",") if q.strip()}
        unknown_queries = args.queries - set(query_mix.TEMPLATES)
        if unknown_queries:
            parser.error(f"unknown queries {sorted(unknown_queries)}")
    if args.quick:
        args.duration = min(args.duration, 1.0)
    if args.no_validate:
        args.validate_max = None
    sizes = [s.strip() for s in args.sizes.split(",") if s.strip()]
    unknown = [s for s in sizes if s not in datasets.SIZES]
    if unknown:
        parser.error(f"unknown sizes {unknown}; expected some of {ORDER}")
    started = time.monotonic()
    results = {
        "date": datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "command": "python bench/run.py " + " ".join(sys.argv[1:]),
        "machine": machine(),
        "versions": versions(),
        "sizes": {},
    }
    if not args.no_front_floor:
        print("front floor: empty routes under granian", file=sys.stderr, flush=True)
        results["front_floor"] = front_floor.floor(duration=args.duration)
    work = Path(tempfile.mkdtemp(prefix="imtkg-bench-"))
    try:
        for name in sizes:
            results["sizes"][name] = run_size(name, args, work)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    results["duration_s"] = time.monotonic() - started
    results["targets"] = targets.evaluate(results)
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(results, indent=2), encoding="utf-8")
    report.write_document(
        args.output, report.document_part(results, targets.table(results["targets"]))
    )
    print(f"written to {args.output}", file=sys.stderr)


if __name__ == "__main__":
    main()
