"""The search index's figures (issue 16): its build time and a fixed query mix's latency.

    python bench/search.py [--sizes shipped,1m] [--repeat 20]

For each dataset of :mod:`bench.datasets` (its served file, loaded into an in-memory Oxigraph
store), the index is built as ``imtkg serve`` builds it at start
(:meth:`imtkg.store.search_index.SearchIndex.from_store`), saved to a file, and reopened
read-only as the serving process opens it. Then every query of :data:`QUERIES` (first page of
:data:`LIMIT` hits, as ``GET /search`` asks) runs ``--repeat`` times on the file; the median and
99th percentile of all the timings are reported, with the slowest query's median. Prints one
line per dataset, then the figures as JSON.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

import pyoxigraph as ox

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.datasets import SIZES, prepare  # noqa: E402
from imtkg.store.search_index import SearchIndex  # noqa: E402

#: the query mix: the issue's examples, words frequent in the synthetic data, one letter, a word
#: found nowhere, several words
QUERIES = (
    "ales",
    "telecom",
    "evry",
    "mines st etienne",
    "ecole",
    "synthetic school 12",
    "comite",
    "region 7",
    "s",
    "zzzqx",
)
#: hits asked per query (the endpoint's default page)
LIMIT = 20


def percentile(values: list[float], fraction: float) -> float:
    """The ``fraction`` percentile of ``values`` (nearest rank)."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(fraction * len(ordered)) - 1))]


def measure(name: str, repeat: int) -> dict[str, float | int | str]:
    """Build, save and reopen the index of dataset ``name``; time the query mix on the file."""
    dataset = prepare(name, log=lambda line: print(line, file=sys.stderr))
    store = ox.Store()
    store.bulk_load(path=str(dataset.served_file), format=ox.RdfFormat.N_QUADS)
    started = time.perf_counter()
    built = SearchIndex.from_store(store)
    build_seconds = time.perf_counter() - started
    del store
    with tempfile.TemporaryDirectory() as work:
        path = Path(work) / "search.sqlite"
        started = time.perf_counter()
        built.save(path)
        save_seconds = time.perf_counter() - started
        index = SearchIndex.open(path)
        resources = len(index)
        timings: dict[str, list[float]] = {q: [] for q in QUERIES}
        for _ in range(repeat):
            for q in QUERIES:
                started = time.perf_counter()
                index.search(q, limit=LIMIT)
                timings[q].append(time.perf_counter() - started)
        size_mb = path.stat().st_size / 1e6
    every = [t for q in QUERIES for t in timings[q]]
    slowest = max(QUERIES, key=lambda q: statistics.median(timings[q]))
    return {
        "triples": dataset.triples,
        "resources": resources,
        "build_s": round(build_seconds, 3),
        "save_s": round(save_seconds, 3),
        "file_mb": round(size_mb, 1),
        "p50_ms": round(statistics.median(every) * 1000, 3),
        "p99_ms": round(percentile(every, 0.99) * 1000, 3),
        "slowest_query": slowest,
        "slowest_p50_ms": round(statistics.median(timings[slowest]) * 1000, 3),
    }


def main(argv: list[str] | None = None) -> None:
    """Measure the datasets named by ``--sizes``; print a line each, then the JSON figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="shipped,1m", help="datasets, comma-separated")
    parser.add_argument("--repeat", type=int, default=20, help="runs of the query mix")
    args = parser.parse_args(argv)
    names = [n.strip() for n in args.sizes.split(",") if n.strip()]
    unknown = [n for n in names if n not in SIZES]
    if unknown or args.repeat < 1:
        parser.error(f"sizes are among {', '.join(SIZES)}; --repeat is at least 1")
    figures = {}
    for name in names:
        figures[name] = found = measure(name, args.repeat)
        print(
            f"{name}: {found['resources']} resources ({found['triples']} triples), built in "
            f"{found['build_s']} s, saved in {found['save_s']} s ({found['file_mb']} MB); "
            f"p50 {found['p50_ms']} ms, p99 {found['p99_ms']} ms "
            f"(slowest: {found['slowest_query']!r}, p50 {found['slowest_p50_ms']} ms)"
        )
    print(json.dumps(figures, indent=2))


if __name__ == "__main__":
    main()
