"""A query's time in one process, part by part: the store's files, the dataset options, the
worker's wrapping and serialiser (issue 15: why our worker ran the 100k join slower than
Oxigraph's server).

    python bench/query_isolation.py --store PATH [--size 100k] [--queries "2-hop join"]

``PATH`` is an on-disk Oxigraph store our server built (a ``store`` folder of its start-up
cache, e.g. ``~/.cache/imtkg/stores/<key>/store``). The store is copied twice: once as it is,
once compacted (``Store.optimize``, what ``oxigraph load`` leaves); each copy is opened
read-only, as a query worker opens it, and each query is timed (``timeit``, medians of 5
repeats) as Oxigraph runs it with the benchmark's default graph, with the worker's options
(predeclared prefixes), wrapped by :func:`imtkg.query.worker.bounded_select`, and through the
worker's whole :func:`imtkg.query.worker.answer` (guard, options, wrapping, serialiser, row
count). Every variant must write the same rows: the script stops if one does not. Prints one
line per variant: microseconds per query.
"""

from __future__ import annotations

import argparse
import io
import json
import shutil
import statistics
import sys
import tempfile
import timeit
from collections.abc import Callable
from pathlib import Path

import pyoxigraph as ox

if not __package__:  # run as `python bench/query_isolation.py`
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench import queries as query_mix  # noqa: E402
from imtkg.core.namespaces import INFERRED_GRAPH  # noqa: E402
from imtkg.query.worker import QueryRequest, answer, bounded_select  # noqa: E402
from imtkg.store.oxigraph_store import (  # noqa: E402
    ASSERTED_UNION,
    QueryScope,
    StoreLayout,
    query_options,
)

#: the default graph the benchmark gives Oxigraph's server (bench/servers.py)
DEFAULT_GRAPH = [ox.NamedNode(ASSERTED_UNION), ox.NamedNode(str(INFERRED_GRAPH))]


def written(store: ox.Store, text: str, options: dict) -> bytes:
    """Run a SELECT and write its solutions as JSON with Oxigraph's serialiser."""
    results = store.query(text, **options)
    if not isinstance(results, ox.QuerySolutions):
        raise TypeError("not a SELECT")
    output = io.BytesIO()
    results.serialize(output, format=ox.QueryResultsFormat.JSON)
    return output.getvalue()


def time_us(call: Callable[[], object], number: int) -> float:
    """Median microseconds per call of ``call`` over 5 repeats of ``number`` calls."""
    call()
    return statistics.median(timeit.repeat(call, number=number, repeat=5)) / number * 1e6


def variants(store: ox.Store, query: str) -> dict[str, Callable[[], bytes]]:
    """The ways of running ``query`` compared, each returning the written answer."""
    layout = StoreLayout.of(store)
    options = query_options(store, QueryScope(), layout, named=False)
    wrapped = bounded_select(query, 10001) or query
    return {
        "query, default graph as the benchmark gives Oxigraph": lambda: written(
            store, query, {"default_graph": DEFAULT_GRAPH}
        ),
        "query, the worker's options (prefixes)": lambda: written(store, query, options),
        "wrapped in the worker's sub-select": lambda: written(store, wrapped, options),
        "the worker's answer() (guard, count)": lambda: answer(store, QueryRequest(query), layout)[
            1
        ],
    }


def main() -> None:
    """Copy the store twice (one compacted), time every variant of every query on both."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--store", type=Path, required=True, help="an on-disk store folder")
    parser.add_argument("--size", default="100k", help="which anchors the queries use")
    parser.add_argument("--queries", default="2-hop join,label lookup")
    parser.add_argument("--number", type=int, default=200, help="calls per repeat")
    args = parser.parse_args()
    mix = query_mix.queries(args.size)
    work = Path(tempfile.mkdtemp(prefix="imtkg-isolation-"))
    figures: dict[str, dict[str, float]] = {}
    try:
        for copy in ("as built", "compacted"):
            shutil.copytree(args.store, work / copy)
            if copy == "compacted":
                writable = ox.Store(str(work / copy))
                writable.optimize()
                del writable
            store = ox.Store.read_only(str(work / copy))
            for name in (q.strip() for q in args.queries.split(",") if q.strip()):
                runs = variants(store, mix[name])
                answers = {label: run() for label, run in runs.items()}
                if len({json.dumps(json.loads(a), sort_keys=True) for a in answers.values()}) != 1:
                    raise SystemExit(f"{name}: the variants' answers differ on the {copy} store")
                for label, run in runs.items():
                    key = f"{name} | {copy} | {label}"
                    figures[key] = round(time_us(run, args.number), 1)
                    print(f"{key}: {figures[key]} µs", flush=True)
            del store
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print(json.dumps(figures, indent=2))


if __name__ == "__main__":
    main()
