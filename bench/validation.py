"""How long SHACL validation takes: the shipped graph, and the same data about 100 times over.

* ``shipped``: :func:`imtkg.validation.validate_dataset` on the shipped dataset, as
  ``imtkg validate`` and ``imtkg serve`` run it (inference ``none``), and with ``rdfs``
  inference for comparison (the validator's choice of ``none`` rests on this figure);
* ``xN``: the instance data replicated N times (``--copies``, 100 by default) under renamed
  IRIs: every IRI of the data namespace except the shared concepts of the controlled lists
  (``id:concept/...``) and every named graph gets a ``-rK`` suffix, the catalogue entries of
  all copies are gathered in ``graph:sources``; the copies conform as the original does.

Each figure is the median of ``--runs`` runs (``--large-runs`` for the large graph). This is a
benchmark, not a test. Run from the repository root::

    python bench/validation.py                      # shipped x5 runs, x100 copies x3 runs
    python bench/validation.py --copies 10 --large-runs 1 --json validation.json
"""

from __future__ import annotations

import argparse
import json
import statistics
import time

from rdflib import Dataset, URIRef
from rdflib.term import Node

from imtkg.dataset import load_dataset, new_dataset
from imtkg.namespaces import GRAPH, ID, ONTOLOGY_GRAPH
from imtkg.validation import SOURCES_GRAPH, ValidationOutcome, validate_dataset

SHARED = str(ID) + "concept/"


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


def timed(dataset: Dataset, runs: int, inference: str = "none") -> tuple[float, ValidationOutcome]:
    """Validate ``runs`` times; return the median seconds and the last outcome."""
    seconds = []
    outcome = None
    for _ in range(runs):
        started = time.perf_counter()
        outcome = validate_dataset(dataset, inference=inference)
        seconds.append(time.perf_counter() - started)
    return statistics.median(seconds), outcome


def row(name: str, dataset: Dataset, runs: int, inference: str = "none") -> dict:
    """Measure one dataset and print its line."""
    median, outcome = timed(dataset, runs, inference)
    figures = {
        "dataset": name,
        "inference": inference,
        "triples": size(dataset),
        "runs": runs,
        "median_s": round(median, 2),
        "violations": outcome.violations,
        "warnings": outcome.warnings,
    }
    print(
        f"{name:<10} {inference:<5} {figures['triples']:>9} triples  {runs} runs  "
        f"median {median:8.2f} s  {outcome.violations} violations, {outcome.warnings} warnings",
        flush=True,
    )
    return figures


def main() -> None:
    """Measure the shipped graph (both inference modes) and the large copy; print medians."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--runs", type=int, default=5, help="runs on the shipped graph")
    parser.add_argument("--copies", type=int, default=100, help="copies in the large graph")
    parser.add_argument("--large-runs", type=int, default=3, help="runs on the large graph")
    parser.add_argument("--json", help="also write the figures to this JSON file")
    args = parser.parse_args()
    shipped = load_dataset()
    figures = [
        row("shipped", shipped, args.runs),
        row("shipped", shipped, args.runs, inference="rdfs"),
    ]
    if args.copies > 1:
        large = replicated(shipped, args.copies)
        figures.append(row(f"x{args.copies}", large, args.large_runs))
    if args.json:
        with open(args.json, "w", encoding="utf-8") as out:
            json.dump(figures, out, indent=2)


if __name__ == "__main__":
    main()
