"""What changed between two versions of the dataset, per named graph, the inferences apart.

A side is a set of pyoxigraph quads with the canonical blank node labels of the dumps: a release
(:meth:`imtkg.releases.history.ReleaseHistory.quads`) or the working input files loaded and
reasoned as the server does (:func:`working_quads`). The diff is a plain set difference, graph by
graph, so it is exact: a statement is "added" when the new side has it and the old one does not.

It is written as:

* text (:func:`diff_text`): a summary per graph, then the statements, ``+`` added, ``-`` removed;
* N-Quads patches (:func:`nquads_patch`): one file of the added statements and one of the
  removed ones, so that ``old - removed + added = new`` with any RDF tool;
* an RDF Patch (:func:`rdf_patch`, https://afs.github.io/rdf-patch/): ``A``/``D`` rows in one
  file, the format Apache Jena applies;
* JSON (:meth:`DatasetDiff.to_json`): the counts and the resources touched, for programs.
"""

from __future__ import annotations

import gzip
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox

from imtkg.core.namespaces import ID, INFERRED_GRAPH

_INFERRED = str(INFERRED_GRAPH)
_ID = str(ID)


def quad_line(quad: ox.Quad) -> str:
    """Return ``quad`` as one N-Quads line (without the newline)."""
    return f"{quad} ."


def _sorted(quads: Iterable[ox.Quad]) -> tuple[ox.Quad, ...]:
    return tuple(sorted(quads, key=quad_line))


@dataclass(frozen=True)
class GraphDiff:
    """The statements one named graph gained and lost, each sorted by its N-Quads line."""

    graph: str
    added: tuple[ox.Quad, ...]
    removed: tuple[ox.Quad, ...]

    @property
    def inferred(self) -> bool:
        """Whether this is the graph of the OWL RL inferences."""
        return self.graph == _INFERRED


@dataclass(frozen=True)
class DatasetDiff:
    """The changes from ``old`` to ``new`` (a release version or ``working``), graph by graph.

    :param graphs: only the graphs that changed, asserted ones first by IRI, then the inferences.
    """

    old: str
    new: str
    graphs: tuple[GraphDiff, ...]

    @property
    def is_empty(self) -> bool:
        """Whether the two sides hold the same statements."""
        return not self.graphs

    @property
    def asserted(self) -> tuple[GraphDiff, ...]:
        """The changes of the graphs of the sources, the catalogue and the ontology."""
        return tuple(g for g in self.graphs if not g.inferred)

    @property
    def inferred(self) -> GraphDiff | None:
        """The changes of the inferences, if any."""
        return next((g for g in self.graphs if g.inferred), None)

    def added(self) -> tuple[ox.Quad, ...]:
        """Every added statement, graph after graph."""
        return tuple(q for g in self.graphs for q in g.added)

    def removed(self) -> tuple[ox.Quad, ...]:
        """Every removed statement, graph after graph."""
        return tuple(q for g in self.graphs for q in g.removed)

    def touched_resources(self) -> dict[str, tuple[str, ...]]:
        """Return, for each of the graph's own IRIs (under ``id/``) that an asserted change
        names as subject or object, the graphs in which it changed (sorted)."""
        touched: dict[str, set[str]] = defaultdict(set)
        for change in self.asserted:
            for quad in (*change.added, *change.removed):
                for term in (quad.subject, quad.object):
                    if isinstance(term, ox.NamedNode) and term.value.startswith(_ID):
                        touched[term.value].add(change.graph)
        return {iri: tuple(sorted(graphs)) for iri, graphs in sorted(touched.items())}

    def counts(self) -> dict[str, tuple[int, int]]:
        """Return graph IRI -> (added, removed)."""
        return {g.graph: (len(g.added), len(g.removed)) for g in self.graphs}

    def to_json(self) -> dict:
        """Return the diff's summary as a JSON object (counts per graph, touched resources)."""
        return {
            "from": self.old,
            "to": self.new,
            "graphs": [
                {
                    "graph": g.graph,
                    "inferred": g.inferred,
                    "added": len(g.added),
                    "removed": len(g.removed),
                }
                for g in self.graphs
            ],
            "resources": [
                {"iri": iri, "graphs": list(graphs)}
                for iri, graphs in self.touched_resources().items()
            ],
        }


def diff_quads(
    old: Iterable[ox.Quad], new: Iterable[ox.Quad], old_label: str, new_label: str
) -> DatasetDiff:
    """Return the exact difference between two sets of quads, graph by graph."""
    old_set, new_set = frozenset(old), frozenset(new)
    added: dict[str, list[ox.Quad]] = defaultdict(list)
    removed: dict[str, list[ox.Quad]] = defaultdict(list)
    for quad in new_set - old_set:
        added[str(quad.graph_name)].append(quad)
    for quad in old_set - new_set:
        removed[str(quad.graph_name)].append(quad)
    graphs = sorted(set(added) | set(removed), key=lambda g: (g == f"<{_INFERRED}>", g))
    return DatasetDiff(
        old_label,
        new_label,
        tuple(
            GraphDiff(g.strip("<>"), _sorted(added.get(g, ())), _sorted(removed.get(g, ())))
            for g in graphs
        ),
    )


def diff_text(diff: DatasetDiff, statements: bool = True) -> str:
    """Return the diff as text: a line per changed graph, then (``statements``) each change."""
    lines = [f"# imtkg diff {diff.old} {diff.new}"]
    if diff.is_empty:
        lines.append("# no statement added or removed")
        return "\n".join(lines) + "\n"
    added, removed = len(diff.added()), len(diff.removed())
    noun = "statement" if added == 1 else "statements"
    lines.append(f"# {added} {noun} added, {removed} removed")
    for change in diff.graphs:
        kind = " (inferred)" if change.inferred else ""
        lines.append(f"# <{change.graph}>{kind}: +{len(change.added)} -{len(change.removed)}")
    if statements:
        for change in diff.graphs:
            kind = " (inferred)" if change.inferred else ""
            lines.append("")
            lines.append(f"## <{change.graph}>{kind}")
            lines.extend(f"- {quad_line(q)}" for q in change.removed)
            lines.extend(f"+ {quad_line(q)}" for q in change.added)
    return "\n".join(lines) + "\n"


def nquads_patch(quads: Iterable[ox.Quad]) -> str:
    """Return ``quads`` as an N-Quads document, one sorted line each."""
    return "".join(f"{quad_line(q)}\n" for q in _sorted(quads))


def rdf_patch(diff: DatasetDiff) -> str:
    """Return the diff as an RDF Patch: deletions first, then additions, in a transaction."""
    rows = ["TX ."]
    rows.extend(f"D {quad_line(q)}" for q in diff.removed())
    rows.extend(f"A {quad_line(q)}" for q in diff.added())
    rows.append("TC .")
    return "\n".join(rows) + "\n"


def parse_nquads_file(path: Path) -> frozenset[ox.Quad]:
    """Read an N-Quads file (gzipped when its name ends in ``.gz``), for ``imtkg diff`` on dumps.

    :raises InputError: naming the file and the line of a syntax error.
    """
    from imtkg.core.errors import InputError

    try:
        data = path.read_bytes()
        if path.suffix == ".gz":
            data = gzip.decompress(data)
        return frozenset(ox.parse(data, format=ox.RdfFormat.N_QUADS))
    except SyntaxError as exc:
        line = getattr(exc, "lineno", None)
        raise InputError(str(path), str(getattr(exc, "msg", exc)), line) from exc
    except (OSError, EOFError, gzip.BadGzipFile) as exc:
        raise InputError(str(path), f"cannot read N-Quads ({exc})") from exc


def working_quads(
    ontology_dir: Path | None = None, graph_dir: Path | None = None, reason: bool = True
) -> frozenset[ox.Quad]:
    """Return the working input files as a release would hold them: loaded, reasoned, with the
    dumps' canonical blank node labels.

    :raises InputError: naming the file and line of a file that cannot be parsed.
    """
    from imtkg.store.dumps import canonical_dataset
    from imtkg.store.knowledge import load_knowledge_graph

    kg = load_knowledge_graph(ontology_dir, graph_dir, reason=reason)
    return frozenset(canonical_dataset(kg.store))
