"""How long SHACL validation takes, with each engine: the shipped graph, and larger graphs.

* ``shipped``: :func:`imtkg.shacl.validation.validate_dataset` on the shipped dataset, as
  ``imtkg validate`` and ``imtkg serve`` run it (inference ``none``), with the Oxigraph engine
  and with pyshacl (``--engines``), and with pyshacl's ``rdfs`` inference for comparison
  (``--rdfs``; the validator's choice of ``none`` rests on this figure);
* ``--size 10k|100k|1m``: a synthetic dataset of about that many triples
  (``bench/synthetic.py``, seed 0), each engine ``--large-runs`` times (pyshacl takes minutes
  at 100k: ``--large-runs 1``);
* ``xN``: the instance data replicated N times (``--copies``, none by default) under renamed
  IRIs: every IRI of the data namespace except the shared concepts of the controlled lists
  (``id:concept/...``) and every named graph gets a ``-rK`` suffix, the catalogue entries of
  all copies are gathered in ``graph:sources``; the copies conform as the original does.

Each figure is the median of the runs; each row says whether both engines found the same
results. This is a benchmark, not a test. Run from the repository root::

    python bench/validation.py                          # shipped, both engines, 3 runs each
    python bench/validation.py --size 100k --large-runs 1 --json validation.json
    python bench/validation.py --size 100k --engines oxigraph --large-runs 3
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

from rdflib import Dataset, URIRef
from rdflib.term import Node

from imtkg.core.namespaces import GRAPH, ID, ONTOLOGY_GRAPH
from imtkg.data.dataset import load_dataset, new_dataset
from imtkg.shacl.validation import SOURCES_GRAPH, ValidationOutcome, validate_dataset

if not __package__:  # run as `python bench/validation.py`: make the `bench` package importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench import synthetic  # noqa: E402

SHARED = str(ID) + "concept/"
#: synthetic sizes (``--size``) -> number of triples
SIZES = {"10k": 10_000, "100k": 100_000, "1m": 1_000_000}


def renamed(term: Node, copy: int) -> Node:
    """Return ``term`` with a ``-r<copy>`` suffix if it is a data or graph IRI of its own."""
    if not isinstance(term, URIRef):
        return term
    text = str(term)
    if (text.startswith(str(ID)) and not text.startswith(SHARED)) or text.startswith(str(GRAPH)):
        return URIRef(f"{text}-r{copy}")
    return term


def replicated(dataset: Dataset, copies: int) -> Dataset:
    """Return the ontology plus ``copies`` renamed copies of every other graph of ``dataset``."""
    large = new_dataset()
    ontology = large.graph(ONTOLOGY_GRAPH)
    for triple in dataset.graph(ONTOLOGY_GRAPH):
        ontology.add(triple)
    for graph in dataset.graphs():
        if graph.identifier == ONTOLOGY_GRAPH or not len(graph):
            continue
        for copy in range(copies):
            name = (
                SOURCES_GRAPH
                if graph.identifier == SOURCES_GRAPH
                else renamed(graph.identifier, copy)
            )
            target = large.graph(name)
            for s, p, o in graph:
                target.add((renamed(s, copy), p, renamed(o, copy)))
    return large


def size(dataset: Dataset) -> int:
    """Return the number of triples of every graph of ``dataset``."""
    return sum(len(g) for g in dataset.graphs())


def timed(
    dataset: Dataset, runs: int, engine: str, inference: str = "none"
) -> tuple[float, ValidationOutcome]:
    """Validate ``runs`` times with ``engine``; return the median seconds and the last outcome."""
    seconds = []
    outcome = None
    for _ in range(runs):
        started = time.perf_counter()
        outcome = validate_dataset(dataset, inference=inference, engine=engine)
        seconds.append(time.perf_counter() - started)
    return statistics.median(seconds), outcome


def results_of(outcome: ValidationOutcome) -> list[tuple]:
    """Return an outcome's results as comparable tuples, sorted."""
    return sorted(
        (str(r.focus_node), r.path or "", repr(r.value), r.severity, str(r.source_shape),
         str(r.constraint_component), r.message)
        for r in outcome.results
    )  # fmt: skip


def rows(
    name: str, dataset: Dataset, runs: int, engines: list[str], inference: str = "none"
) -> list[dict]:
    """Measure one dataset with each engine, print a line each; note whether results agree."""
    figures, outcomes = [], {}
    for engine in engines:
        median, outcome = timed(dataset, runs, engine, inference)
        outcomes[engine] = outcome
        figures.append(
            {
                "dataset": name,
                "engine": outcome.engine,
                "inference": inference,
                "triples": size(dataset),
                "runs": runs,
                "median_s": round(median, 2),
                "violations": outcome.violations,
                "warnings": outcome.warnings,
            }
        )
        print(
            f"{name:<8} {outcome.engine:<8} {inference:<5} {figures[-1]['triples']:>9} triples  "
            f"{runs} runs  median {median:8.2f} s  {outcome.violations} violations, "
            f"{outcome.warnings} warnings",
            flush=True,
        )
    if len(outcomes) == 2:
        same = results_of(outcomes["oxigraph"]) == results_of(outcomes["pyshacl"])
        print(f"{name:<8} the engines' results are {'the same' if same else 'DIFFERENT'}")
        for row in figures:
            row["same_results"] = same
    return figures


def main() -> None:
    """Measure the shipped graph and the larger ones with each engine; print medians."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--runs", type=int, default=3, help="runs on the shipped graph")
    parser.add_argument("--size", choices=sorted(SIZES), action="append", default=[],
                        help="also a synthetic dataset of this size (repeatable)")  # fmt: skip
    parser.add_argument("--copies", type=int, default=0, help="copies in a replicated graph")
    parser.add_argument("--large-runs", type=int, default=1, help="runs on the larger graphs")
    parser.add_argument("--engines", default="oxigraph,pyshacl",
                        help="comma-separated engines to measure")  # fmt: skip
    parser.add_argument("--rdfs", action="store_true", help="also pyshacl with rdfs inference")
    parser.add_argument("--no-shipped", action="store_true", help="skip the shipped graph")
    parser.add_argument("--json", help="also write the figures to this JSON file")
    args = parser.parse_args()
    engines = [e.strip() for e in args.engines.split(",") if e.strip()]
    shipped = load_dataset()
    figures = []
    if not args.no_shipped:
        figures += rows("shipped", shipped, args.runs, engines)
    if args.rdfs:
        figures += rows("shipped", shipped, args.runs, ["pyshacl"], inference="rdfs")
    for name in args.size:
        started = time.perf_counter()
        dataset = synthetic.generate(SIZES[name], seed=0)
        print(f"{name:<8} generated in {time.perf_counter() - started:.1f} s", flush=True)
        figures += rows(name, dataset, args.large_runs, engines)
    if args.copies > 1:
        large = replicated(shipped, args.copies)
        figures += rows(f"x{args.copies}", large, args.large_runs, engines)
    if args.json:
        with open(args.json, "w", encoding="utf-8") as out:
            json.dump(figures, out, indent=2)


if __name__ == "__main__":
    main()
