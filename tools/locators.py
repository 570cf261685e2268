"""Passage locators: which paragraph of its document supports each statement of a source graph.

The author of a source graph writes ``graph/<source>.ttl`` in blocks, one per paragraph of the
document, each opened by a marker comment::

    # ¶ 11 — founding date, IMT membership, first engineer-entrepreneur label
    id:imt-mines-ales schema:foundingDate "1843"^^xsd:gYear .

A block holds the statements that paragraph supports (``# ¶ 5, 7`` when several paragraphs
support the same statements). Nothing but prefixes may come before the first marker.

Paragraph numbering (the reference text is the seed file of ``../shared/seeds/`` that
``graph:sources`` names for the document, ``imt:seedFile``): every line holding at least one letter
or digit is a paragraph, numbered from 1 in file order; headings, list items, bylines and captions
count; blank lines and lines of spaces or punctuation only do not.

This script writes what the blocks say as data and as a review sheet:

* ``graph/locators.ttl`` (named graph ``graph:locators``): one ``imt:Passage`` per cited paragraph
  (``imt:paragraphNumber``, ``dcterms:isPartOf`` its document) and, for every asserted statement
  of every source graph, an RDF reification (``rdf:Statement`` with ``rdf:subject``,
  ``rdf:predicate``, ``rdf:object``) linked by ``imt:supportedBy`` to its passages;
* ``graph/ledger/<source>.md``: the ledger, paragraph -> the statements it supports.

Run ``python tools/locators.py`` after editing a source graph; ``--check`` only reports whether
the written files are current (exit 1 when not). ``tests/test_fidelity.py`` runs the check.
"""

from __future__ import annotations

import argparse
import hashlib
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path

from rdflib import RDF, BNode, Graph, Namespace, URIRef

ROOT = Path(__file__).resolve().parent.parent
GRAPH_DIR = ROOT / "graph"
SEEDS_DIR = ROOT.parent / "shared" / "seeds"
LOCATORS = GRAPH_DIR / "locators.ttl"
LEDGER_DIR = GRAPH_DIR / "ledger"

ID = Namespace("https://w3id.org/imt-kg/id/")
IMT = Namespace("https://w3id.org/imt-kg/ontology#")
PROV = Namespace("http://www.w3.org/ns/prov#")
GRAPH_NS = "https://w3id.org/imt-kg/graph/"

#: a block marker: "# ¶ 11" or "# ¶ 5, 7", then an optional note
MARKER = re.compile(r"^# ¶ (\d+(?:\s*,\s*\d+)*)\b.*$")
PREFIX_LINE = re.compile(r"^\s*@prefix\s", re.IGNORECASE)

PREFIXES = {
    "id": str(ID),
    "imt": str(IMT),
    "c": "https://w3id.org/imt-kg/id/concept/",
    "dcterms": "http://purl.org/dc/terms/",
    "foaf": "http://xmlns.com/foaf/0.1/",
    "org": "http://www.w3.org/ns/org#",
    "owl": "http://www.w3.org/2002/07/owl#",
    "prov": str(PROV),
    "rdf": str(RDF),
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "schema": "https://schema.org/",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "time": "http://www.w3.org/2006/time#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
}


class LedgerError(ValueError):
    """A source graph file whose paragraph blocks cannot be read; the message names the place."""


@dataclass
class SourceLedger:
    """The blocks of one source graph: its document and, per statement, the paragraphs."""

    stem: str
    document: URIRef
    seed: Path
    paragraphs: dict[int, int] = field(default_factory=dict)  # paragraph -> seed line
    support: dict[tuple, list[int]] = field(default_factory=dict)  # triple -> paragraphs


def seed_paragraphs(seed: Path) -> dict[int, int]:
    """Number the paragraphs of a seed file: paragraph number -> line number (both from 1)."""
    numbers: dict[int, int] = {}
    for line_no, line in enumerate(seed.read_text(encoding="utf-8").splitlines(), start=1):
        if re.search(r"\w", line):
            numbers[len(numbers) + 1] = line_no
    return numbers


def source_documents(graph_dir: Path = GRAPH_DIR) -> dict[str, tuple[URIRef, str]]:
    """Map each source graph's file stem to its document and the document's seed file."""
    catalogue = Graph().parse(graph_dir / "sources.ttl", format="turtle")
    seeded: dict[str, list[tuple[URIRef, str]]] = {}
    for graph_iri, document in catalogue.subject_objects(PROV.wasDerivedFrom):
        seed = catalogue.value(document, IMT.seedFile)
        if seed is not None and str(graph_iri).startswith(GRAPH_NS):
            seeded.setdefault(str(graph_iri)[len(GRAPH_NS) :], []).append((document, str(seed)))
    # a graph derived from several documents (graph:locators) is not one source's graph
    return {stem: docs[0] for stem, docs in seeded.items() if len(docs) == 1}


def read_blocks(path: Path) -> list[tuple[list[int], Graph, int]]:
    """Split a source graph file into its paragraph blocks: (paragraphs, statements, line)."""
    lines = path.read_text(encoding="utf-8").splitlines()
    header = "\n".join(line for line in lines if PREFIX_LINE.match(line))
    starts = [(i, MARKER.match(line)) for i, line in enumerate(lines)]
    starts = [(i, m) for i, m in starts if m]
    if not starts:
        raise LedgerError(f"{path.name}: no paragraph marker ('# ¶ N')")
    before = Graph().parse(data=header + "\n" + "\n".join(lines[: starts[0][0]]), format="turtle")
    if len(before):
        raise LedgerError(f"{path.name}: statements before the first paragraph marker")
    blocks = []
    for k, (i, match) in enumerate(starts):
        end = starts[k + 1][0] if k + 1 < len(starts) else len(lines)
        body = "\n".join(line for line in lines[i:end] if not PREFIX_LINE.match(line))
        try:
            g = Graph().parse(data=header + "\n" + body, format="turtle")
        except Exception as exc:  # noqa: BLE001 - rdflib raises several kinds
            raise LedgerError(f"{path.name}: block at line {i + 1} is not Turtle: {exc}") from exc
        numbers = [int(n) for n in re.split(r"\s*,\s*", match.group(1))]
        blocks.append((numbers, g, i + 1))
    return blocks


def read_ledger(
    stem: str, graph_dir: Path = GRAPH_DIR, seeds_dir: Path = SEEDS_DIR
) -> SourceLedger:
    """Read one source graph's blocks and check each paragraph exists in the document."""
    document, seed_name = source_documents(graph_dir)[stem]
    ledger = SourceLedger(stem, document, seeds_dir / seed_name)
    ledger.paragraphs = seed_paragraphs(ledger.seed)
    path = graph_dir / f"{stem}.ttl"
    for numbers, block, line in read_blocks(path):
        for n in numbers:
            if n not in ledger.paragraphs:
                raise LedgerError(f"{path.name}:{line}: the document has no paragraph {n}")
        for triple in block:
            if any(isinstance(t, BNode) for t in triple):
                raise LedgerError(f"{path.name}:{line}: a blank node cannot be located")
            held = ledger.support.setdefault(triple, [])
            held.extend(n for n in numbers if n not in held)
    return ledger


def all_ledgers(graph_dir: Path = GRAPH_DIR, seeds_dir: Path = SEEDS_DIR) -> list[SourceLedger]:
    """The ledgers of every source graph that comes from a seed document, by file stem."""
    return [read_ledger(s, graph_dir, seeds_dir) for s in sorted(source_documents(graph_dir))]


def passage_iri(stem: str, number: int) -> URIRef:
    """The IRI of paragraph ``number`` of the document behind graph ``stem``."""
    return ID[f"passage/{stem}/paragraph-{number}"]


def statement_iri(triple: tuple, stem: str) -> URIRef:
    """The IRI of the reified statement ``triple`` of graph ``stem``: a digest of its N-Quad.

    An IRI rather than a blank node, so that a statement reads the same in every format a
    resource's description is served in, and can be cited; it changes only with the statement.
    """
    s, p, o = triple
    quad = f"{s.n3()} {p.n3()} {o.n3()} <{GRAPH_NS}{stem}> ."
    return ID[f"statement/{hashlib.sha256(quad.encode('utf-8')).hexdigest()[:20]}"]


def term(node, prefixes: dict[str, str] = PREFIXES) -> str:
    """Write an RDF term in Turtle, with the project's prefixes where they make a valid name."""
    if isinstance(node, URIRef):
        for prefix, ns in prefixes.items():
            local = str(node)[len(ns) :]
            if str(node).startswith(ns) and re.fullmatch(r"[A-Za-z0-9_][\w\-/]*", local or "-"):
                return f"{prefix}:{local.replace('/', chr(92) + '/')}"
        return f"<{node}>"
    return node.n3()


def locators_turtle(ledgers: list[SourceLedger]) -> str:
    """The Turtle text of graph:locators for these ledgers (stable order)."""
    out = [
        "# graph:locators — written by tools/locators.py from the paragraph blocks of each source",
        "# graph; do not edit by hand. Each asserted statement of a source graph is reified",
        "# (rdf:Statement) and linked to the paragraphs of its document that support it.",
        "",
        *(f"@prefix {p}: <{ns}> ." for p, ns in sorted(PREFIXES.items())),
        "",
    ]
    for ledger in ledgers:
        doc = term(ledger.document)
        out.append(f"# -- {ledger.stem} ({ledger.seed.name}) " + "-" * 20)
        used = sorted({n for ns in ledger.support.values() for n in ns})
        for n in used:
            out.append(
                f"{term(passage_iri(ledger.stem, n))} a imt:Passage ; "
                f'rdfs:label "Paragraph {n} of {ledger.stem}"@en , '
                f'"Paragraphe {n} de {ledger.stem}"@fr ; '
                f"imt:paragraphNumber {n} ; dcterms:isPartOf {doc} ."
            )
        for (s, p, o), numbers in sorted(ledger.support.items(), key=_triple_key):
            passages = " , ".join(term(passage_iri(ledger.stem, n)) for n in sorted(numbers))
            statement = term(statement_iri((s, p, o), ledger.stem))
            where = ", ".join(str(n) for n in sorted(numbers))
            plural = "s" if len(numbers) > 1 else ""
            out.append(
                f"{statement} a rdf:Statement ; "
                f'rdfs:label "Statement of {ledger.stem}, paragraph{plural} {where}"@en , '
                f'"Énoncé de {ledger.stem}, paragraphe{plural} {where}"@fr ; '
                f"rdf:subject {term(s)} ; rdf:predicate {term(p)} ; "
                f"rdf:object {term(o)} ; imt:inGraph <{GRAPH_NS}{ledger.stem}> ; "
                f"imt:supportedBy {passages} ."
            )
        out.append("")
    return "\n".join(out)


def _triple_key(item) -> tuple:
    """Sort key for (triple, paragraphs): first paragraph, then the triple's text."""
    (s, p, o), numbers = item
    return (min(numbers), str(s), str(p), o.n3())


def ledger_markdown(ledger: SourceLedger) -> str:
    """The review sheet of one source: each paragraph and the statements it supports."""
    by_paragraph: dict[int, list[str]] = {}
    for (s, p, o), numbers in ledger.support.items():
        for n in numbers:
            by_paragraph.setdefault(n, []).append(f"`{term(s)} {term(p)} {term(o)}`")
    out = [
        f"# Ledger of graph:{ledger.stem}",
        "",
        f"Document `{term(ledger.document)}`, reference text `shared/seeds/{ledger.seed.name}`.",
        "Written by `tools/locators.py` from the paragraph blocks of "
        f"`graph/{ledger.stem}.ttl`; do not edit by hand.",
        "",
        "Paragraph rule: every line of the seed file holding at least one letter or digit is a",
        "paragraph, numbered from 1 in file order (headings, list items, bylines and captions",
        "count; blank lines and lines of punctuation only do not).",
        "",
        f"{len(ledger.support)} statements, {len(ledger.paragraphs)} paragraphs, "
        f"{len(by_paragraph)} of them cited.",
        "",
    ]
    for n, line in ledger.paragraphs.items():
        rows = sorted(by_paragraph.get(n, []))
        out.append(f"## ¶ {n} (seed line {line}): {len(rows)} statement(s)")
        out.append("")
        out.extend(f"- {row}" for row in rows) if rows else out.append("- (none)")
        out.append("")
    return "\n".join(out)


def expected_files(graph_dir: Path = GRAPH_DIR, seeds_dir: Path = SEEDS_DIR) -> dict[Path, str]:
    """Every file this script writes, with the text it should hold."""
    ledgers = all_ledgers(graph_dir, seeds_dir)
    files = {graph_dir / "locators.ttl": locators_turtle(ledgers)}
    for ledger in ledgers:
        files[graph_dir / "ledger" / f"{ledger.stem}.md"] = ledger_markdown(ledger)
    return files


def main(argv: list[str] | None = None) -> int:
    """Write (or with ``--check`` compare) graph/locators.ttl and the ledgers."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="only report stale files")
    args = parser.parse_args(argv)
    try:
        files = expected_files()
    except LedgerError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    stale = [p for p, text in files.items() if not p.exists() or p.read_text("utf-8") != text]
    if args.check:
        for path in stale:
            print(f"stale: {path.relative_to(ROOT)}")
        return 1 if stale else 0
    for path in stale:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(files[path], encoding="utf-8")
        print(f"wrote {path.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
