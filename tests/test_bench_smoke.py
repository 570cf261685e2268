"""The benchmark at its smallest size, so that it cannot rot (the full run is bench/run.py).

Runs ``bench/run.py`` on the shipped graph only, with tiny measurement windows and no SHACL
validation at start, and checks that the report has a row for every server, query, concurrency
and target (distinct requests and the empty-route floor of a Python front included). It
measures nothing worth reading: the figures are not checked.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from bench.queries import TEMPLATES
from bench.targets import TARGETS

REPO = Path(__file__).resolve().parent.parent

pytest.importorskip("psutil")


def test_benchmark_runs_at_its_smallest_size(tmp_path):
    """bench/run.py --sizes shipped writes every row of the report."""
    output, figures = tmp_path / "benchmarks.md", tmp_path / "figures.json"
    env = dict(os.environ, IMTKG_BENCH_CACHE=str(tmp_path / "bench-cache"))
    command = [
        sys.executable,
        str(REPO / "bench" / "run.py"),
        "--sizes",
        "shipped",
        "--duration",
        "0.1",
        "--no-validate",
        "--output",
        str(output),
        "--json",
        str(figures),
    ]
    subprocess.run(command, check=True, env=env, timeout=300, capture_output=True)
    results = json.loads(figures.read_text(encoding="utf-8"))
    shipped = results["sizes"]["shipped"]
    assert set(shipped["startup"]) == {"ours_cold", "ours_warm", "oxigraph", "naive"}
    assert {"load", "reason", "write", "engine", "ready_s"} <= set(shipped["startup"]["ours_cold"])
    assert set(shipped["queries"]) == set(TEMPLATES)
    measured = {"ours", "ours_uncached", "ours_distinct", "oxigraph", "oxigraph_distinct", "naive"}
    for query, by_server in shipped["queries"].items():
        assert set(by_server) == measured, query
        # the same answer everywhere; but what DESCRIBE returns is left to each engine (SPARQL
        # 1.1, 16.4): rdflib's (the naive server) is a Concise Bounded Description, which adds
        # the reified statements (graph:locators) of each triple, Oxigraph's is not
        compared = {
            server: figures["rows"]
            for server, figures in by_server.items()
            if not (query == "describe" and server == "naive")
        }
        rows = set(compared.values())
        assert len(rows) == 1 and None not in rows, (query, compared)
        if query == "describe":
            assert by_server["naive"]["rows"] > compared["oxigraph"], by_server["naive"]
        for server, levels in by_server.items():
            for level in ("c1", "c8") if server.endswith("_distinct") else ("c1", "c8", "c32"):
                assert levels[level]["requests"] > 0 and levels[level]["errors"] == 0, (
                    query,
                    server,
                    level,
                    levels[level],
                )
    assert set(results["front_floor"]) == {"flask", "wsgi", "rsgi"}
    for front, figures in results["front_floor"].items():
        assert figures["requests"] > 0 and figures["errors"] == 0, (front, figures)
    assert len(results["targets"]) == len(TARGETS)
    text = output.read_text(encoding="utf-8")
    for query in TEMPLATES:
        assert f"| {query} |" in text
    assert "### Targets" in text and "machine" in text
    assert "Distinct requests on shipped" in text and "| flask |" in text


def test_query_isolation_times_every_variant_on_both_copies(tmp_path, kg):
    """bench/query_isolation.py on the shipped graph's store (copied to disk) times each of the
    4 variants of each query on the store as built and compacted, the answers agreeing."""
    import pyoxigraph as ox

    store = ox.Store(str(tmp_path / "store"))
    store.extend(kg.store)
    store.flush()
    del store
    command = [
        sys.executable,
        str(REPO / "bench" / "query_isolation.py"),
        "--store",
        str(tmp_path / "store"),
        "--size",
        "shipped",
        "--number",
        "1",
    ]
    done = subprocess.run(command, capture_output=True, text=True, timeout=300, cwd=REPO)
    assert done.returncode == 0, done.stderr[-2000:]
    figures = json.loads(done.stdout[done.stdout.index("{") :])
    assert len(figures) == 2 * 2 * 4
    assert {key.split(" | ")[1] for key in figures} == {"as built", "compacted"}
    assert all(value > 0 for value in figures.values())


def test_search_benchmark_times_the_query_mix(tmp_path):
    """bench/search.py on the shipped graph reports the index as built from it (2,134
    resources) and a latency for its query mix, the slowest query named among the mix."""
    from bench.search import QUERIES

    env = dict(os.environ, IMTKG_BENCH_CACHE=str(tmp_path / "bench-cache"))
    command = [sys.executable, str(REPO / "bench" / "search.py"), "--sizes", "shipped"]
    command += ["--repeat", "2"]
    done = subprocess.run(command, capture_output=True, text=True, timeout=300, cwd=REPO, env=env)
    assert done.returncode == 0, done.stderr[-2000:]
    figures = json.loads(done.stdout[done.stdout.index("{") :])
    assert list(figures) == ["shipped"]
    shipped = figures["shipped"]
    assert shipped["resources"] == 2138
    assert shipped["slowest_query"] in QUERIES
    assert 0 < shipped["p50_ms"] <= shipped["p99_ms"]
    assert shipped["build_s"] > 0 and shipped["file_mb"] > 0


def test_search_benchmark_refuses_an_unknown_size():
    """An unknown dataset name is a usage error naming the known ones, not a traceback."""
    command = [sys.executable, str(REPO / "bench" / "search.py"), "--sizes", "2m"]
    done = subprocess.run(command, capture_output=True, text=True, timeout=60, cwd=REPO)
    assert done.returncode == 2
    assert "sizes are among shipped, 10k, 100k, 1m" in done.stderr
    assert "Traceback" not in done.stderr
