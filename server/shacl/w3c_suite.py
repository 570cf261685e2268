"""The W3C SHACL test suite run on the project's SHACL validators
(``python -m imtkg.shacl.w3c_suite``).

The suite (vendored in ``tests/w3c/shacl-test-suite/``) is a tree of manifests: each
``sht:Validate`` entry names a data graph, a shapes graph and the expected result, either an
``sh:ValidationReport`` or ``sht:Failure`` (the shapes are invalid: the engine must stop).
:func:`load_suite` reads the manifests; :func:`run_test` validates one test with one engine and
compares the report with the expected one as the suite prescribes: the graphs of the two reports
(the report node and the blank nodes it leads to) must be isomorphic once the
``sh:resultMessage`` triples are set aside (messages are the implementation's own).

Engines, as :func:`imtkg.shacl.validation.validate_graphs` runs them (unsafe shapes refused first):
``oxigraph`` (the fast engine, forced: it declines shapes it does not implement, naming the
feature), ``pyshacl`` (the reference library) and ``auto`` (the project's choice: the fast
engine, else pyshacl). An answer is ``pass``, ``declined`` or ``wrong``.
"""

from __future__ import annotations

import argparse
import logging
import sys
import warnings
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlparse

import rdflib
from rdflib import BNode, Graph, Namespace, URIRef
from rdflib.collection import Collection
from rdflib.compare import isomorphic
from rdflib.namespace import RDF
from rdflib.term import Node

from imtkg.core.namespaces import SH

MF = Namespace("http://www.w3.org/2001/sw/DataAccess/tests/test-manifest#")
SHT = Namespace("http://www.w3.org/ns/shacl-test#")

#: the engines a test can be run on
ENGINES = ("oxigraph", "auto", "pyshacl")

#: the suite's folder in a source checkout (the repository's tests); an installed package has
#: none: the tests and ``--suite DIR`` name it
SUITE = Path(__file__).resolve().parents[2] / "tests" / "w3c" / "shacl-test-suite"


@dataclass(frozen=True)
class SuiteTest:
    """One ``sht:Validate`` entry: its name, its graphs' files and its expected result.

    :param name: the entry's path in the suite (``core/node/and-001``).
    :param expected: the expected report's triples, or ``None`` for ``sht:Failure``.
    """

    name: str
    data: Path
    shapes: Path
    expected: Graph | None


@dataclass(frozen=True)
class Answer:
    """How an engine did on a test: ``pass``, ``declined`` or ``wrong``, and why."""

    test: str
    engine: str
    verdict: str
    detail: str = ""


def _path(iri: Node) -> Path:
    return Path(unquote(urlparse(str(iri)).path))


def _parse(path: Path, cache: dict[Path, Graph]) -> Graph:
    """Parse a suite file, its literals as written: rdflib would otherwise write an ill-typed
    ``"none"^^xsd:boolean`` as ``"false"`` and ``"1"^^xsd:boolean`` as ``"true"``, merging terms
    the suite keeps apart."""
    if path not in cache:
        normalize = rdflib.NORMALIZE_LITERALS
        rdflib.NORMALIZE_LITERALS = False
        try:
            cache[path] = Graph().parse(path, format="turtle", publicID=path.as_uri())
        finally:
            rdflib.NORMALIZE_LITERALS = normalize
    return cache[path]


def load_suite(root: Path = SUITE) -> list[SuiteTest]:
    """Return the tests of the manifest ``root/manifest.ttl`` and of those it includes."""
    tests: list[SuiteTest] = []
    cache: dict[Path, Graph] = {}
    pending, seen = [root / "manifest.ttl"], set()
    while pending:
        manifest = pending.pop(0)
        if manifest in seen:
            continue
        seen.add(manifest)
        graph = _parse(manifest, cache)
        for node in graph.subjects(RDF.type, MF.Manifest):
            pending += [_path(i) for i in graph.objects(node, MF.include)]
            for entries in graph.objects(node, MF.entries):
                for entry in Collection(graph, entries):
                    tests.append(_entry(graph, entry, root))
    return tests


def _entry(graph: Graph, entry: Node, root: Path) -> SuiteTest:
    action = _required(graph, entry, MF.action)
    result = _required(graph, entry, MF.result)
    name = str(_path(entry).relative_to(root.resolve()))
    expected = None if result == SHT.Failure else subtree(graph, result)
    return SuiteTest(
        name=name,
        data=_path(_required(graph, action, SHT.dataGraph)),
        shapes=_path(_required(graph, action, SHT.shapesGraph)),
        expected=expected,
    )


def _required(graph: Graph, node: Node, predicate: URIRef) -> Node:
    """Return the value of a property every test entry has, else say which entry lacks it."""
    value = graph.value(node, predicate)
    if value is None:
        raise ValueError(f"a test of the suite without {predicate} ({node})")
    return value


def subtree(graph: Graph, node: Node, skip: Iterable[Node] = ()) -> Graph:
    """Return the triples of ``node`` and of the blank nodes they lead to (``skip``: predicates
    left out)."""
    left_out = set(skip)
    found = Graph()
    pending, seen = [node], set()
    while pending:
        subject = pending.pop()
        if subject in seen:
            continue
        seen.add(subject)
        for predicate, obj in graph.predicate_objects(subject):
            if predicate in left_out:
                continue
            found.add((subject, predicate, obj))
            if isinstance(obj, BNode):
                pending.append(obj)
    return found


def comparable(report: Graph) -> Graph:
    """Return the report's own triples: the report node, its results and a copy of each result's
    path of its own (a report may share one path node among results).

    Set aside: ``sh:resultMessage`` (each implementation words its own) and ``sh:detail`` (optional
    in the spec); focus nodes, values and shapes are named, not described (in the suite they are
    often blank nodes of the very graph that holds the expected report)."""
    roots = list(report.subjects(RDF.type, SH.ValidationReport))
    if len(roots) != 1:
        raise ValueError(f"{len(roots)} sh:ValidationReport nodes in the report")
    found = Graph()
    for triple in report.triples((roots[0], None, None)):
        found.add(triple)
    for result in report.objects(roots[0], SH.result):
        for predicate, obj in report.predicate_objects(result):
            if predicate in (SH.resultMessage, SH.detail):
                continue
            if predicate == SH.resultPath:
                obj = _copy(report, obj, found)
            found.add((result, predicate, obj))
    return found


def _copy(source: Graph, node: Node, target: Graph) -> Node:
    """Copy the blank-node structure of ``node`` into ``target`` with fresh blank nodes."""
    if not isinstance(node, BNode):
        return node
    copy = BNode()
    for predicate, obj in source.predicate_objects(node):
        target.add((copy, predicate, _copy(source, obj, target)))
    return copy


def engine_report(data: Graph, shapes: Graph, engine: str) -> Graph:
    """Validate ``data`` against ``shapes`` with ``engine``; return the report.

    :raises UnsupportedFeature: the forced Oxigraph engine declines the shapes.
    :raises Exception: any other, when the engine stops (what ``sht:Failure`` expects).
    """
    from imtkg.shacl.validation import validate_graphs

    return validate_graphs(data, shapes, engine=engine)[0]


def run_test(test: SuiteTest, engine: str, cache: dict[Path, Graph] | None = None) -> Answer:
    """Run ``test`` on ``engine`` and say whether its answer is the expected one."""
    from imtkg.shacl.compiled_shapes import UnsupportedFeature
    from imtkg.shacl.validation import EngineUnavailable

    cache = {} if cache is None else cache
    data, shapes = _parse(test.data, cache), _parse(test.shapes, cache)
    try:
        report = engine_report(data, shapes, engine)
    except (UnsupportedFeature, EngineUnavailable) as exc:
        return Answer(test.name, engine, "declined", str(exc))
    except Exception as exc:  # noqa: BLE001 - stopping is the expected answer of a sht:Failure
        if test.expected is None:
            return Answer(test.name, engine, "pass", f"stopped: {exc}")
        return Answer(test.name, engine, "wrong", f"stopped: {type(exc).__name__}: {exc}")
    if test.expected is None:
        return Answer(test.name, engine, "wrong", "a report instead of a failure")
    expected = comparable(test.expected)
    if isomorphic(comparable(report), expected):
        return Answer(test.name, engine, "pass")
    return Answer(test.name, engine, "wrong", comparable(report).serialize(format="turtle"))


def run_suite(engines: Iterable[str] = ENGINES, root: Path = SUITE) -> list[Answer]:
    """Run every test of the suite on each of ``engines``."""
    tests = load_suite(root)
    cache: dict[Path, Graph] = {}
    return [run_test(test, engine, cache) for engine in engines for test in tests]


def figures(answers: Iterable[Answer]) -> dict[str, Counter]:
    """Return, per engine, the number of tests passed, declined and wrong."""
    counts: dict[str, Counter] = {}
    for answer in answers:
        counts.setdefault(answer.engine, Counter())[answer.verdict] += 1
    return counts


def summary(answers: list[Answer]) -> str:
    """Return the figures per engine, core and SHACL-SPARQL apart, one line each."""
    lines = []
    for engine, counts in figures(answers).items():
        parts = []
        for part in ("core/", "sparql/"):
            own = Counter(a.verdict for a in answers if a.engine == engine and
                          a.test.startswith(part))  # fmt: skip
            parts.append(f"{part[:-1]} {own['pass']}/{own['declined']}/{own['wrong']}")
        lines.append(
            f"{engine:9} pass {counts['pass']:3}  declined {counts['declined']:3}  "
            f"wrong {counts['wrong']:3}   ({', '.join(parts)}: pass/declined/wrong)"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """Print the suite's figures per engine (and every answer not a pass with ``-v``)."""
    parser = argparse.ArgumentParser(
        prog="python -m imtkg.shacl.w3c_suite", description=main.__doc__
    )
    parser.add_argument("engines", nargs="*", metavar="ENGINE", help=", ".join(ENGINES))
    parser.add_argument("-v", "--verbose", action="store_true", help="every answer not a pass")
    parser.add_argument("--suite", type=Path, default=SUITE, help="the suite's folder")
    args = parser.parse_args(sys.argv[1:] if argv is None else argv)
    unknown = [e for e in args.engines if e not in ENGINES]
    if unknown:
        parser.error(f"unknown engine {unknown[0]!r}: choose among {', '.join(ENGINES)}")
    args.suite = args.suite.resolve()
    if not (args.suite / "manifest.ttl").is_file():
        print(
            f"error: no W3C SHACL suite in {args.suite}: pass --suite DIR (the repository's "
            "tests/w3c/shacl-test-suite)",
            file=sys.stderr,
        )
        return 2
    verbose = args.verbose
    # the suite holds ill-typed literals on purpose: rdflib logs a traceback for each
    logging.getLogger("rdflib.term").setLevel(logging.CRITICAL)
    warnings.filterwarnings("ignore", message="Parsing weird boolean")
    answers = run_suite(args.engines or list(ENGINES), root=args.suite)
    if verbose:
        for answer in answers:
            if answer.verdict != "pass":
                print(f"{answer.engine:9} {answer.verdict:8} {answer.test}: {answer.detail}")
    print(summary(answers))
    return 1 if any(a.verdict == "wrong" and a.engine == "oxigraph" for a in answers) else 0


if __name__ == "__main__":
    sys.exit(main())
