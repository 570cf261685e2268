"""The shapes graph read into Python objects for the fast SHACL engine (:mod:`imtkg.shacl_engine`).

:func:`compile_shapes` reads every shape that has a target (``sh:targetClass``, ``sh:targetNode``,
``sh:targetSubjectsOf``, ``sh:targetObjectsOf``, SHACL-AF ``sh:target`` with a
``sh:SPARQLTarget``'s ``sh:select``, and implicit class targets), its property shapes and the
shapes its logical and shape-based constraints refer to. It compiles:

* paths: predicates, ``sh:inversePath``, ``sh:alternativePath``, sequences and the
  ``sh:zeroOrMorePath``/``oneOrMorePath``/``zeroOrOnePath`` closures, into SPARQL property paths;
* core constraints: ``sh:class``, ``sh:datatype``, ``sh:nodeKind``, ``sh:minCount``,
  ``sh:maxCount``, ``sh:minInclusive``/``minExclusive``/``maxInclusive``/``maxExclusive``,
  ``sh:minLength``/``maxLength``, ``sh:pattern`` (with ``sh:flags``), ``sh:languageIn``,
  ``sh:uniqueLang``, ``sh:in``, ``sh:hasValue``, ``sh:node``, ``sh:or``, ``sh:and``, ``sh:xone``,
  ``sh:not``, ``sh:qualifiedValueShape`` with ``sh:qualifiedMinCount``/``qualifiedMaxCount``;
* SHACL-SPARQL constraints (``sh:sparql`` with ``sh:select``, ``sh:prefixes``/``sh:declare``,
  ``sh:message`` templates) whose query projects ``$this`` and has no sub-query nor other
  pre-bound variable.

Anything else (``sh:closed``, ``sh:equals``, ``sh:lessThanOrEquals``, ``sh:datatype
rdfs:Datatype``, rules,
custom constraint components, a result-producing shape without ``sh:message``, whose generic
pyshacl message the engine does not reproduce...) raises :class:`UnsupportedFeature`, naming the
feature: the caller then validates with pyshacl instead. Nothing is skipped silently.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

import pyoxigraph as ox
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.namespace import RDF, RDFS
from rdflib.term import Node

from .namespaces import SH


class UnsupportedFeature(Exception):
    """The shapes (or data) need a feature the fast engine does not implement (named in it)."""


#: shape predicates that carry no constraint (documentation, structure, targets)
_DESCRIPTIVE = {
    SH.name, SH.description, SH.message, SH.severity, SH.order, SH.group, SH.deactivated,
    SH.path, SH.property, SH.targetClass, SH.targetNode, SH.targetSubjectsOf,
    SH.targetObjectsOf, SH.target, SH.defaultValue, SH.declare, SH.prefixes,
}  # fmt: skip

#: constraint parameters the engine implements -> the name of the constraint
_PARAMETERS = {
    SH["class"]: "class", SH.datatype: "datatype", SH.nodeKind: "nodeKind",
    SH.minCount: "minCount", SH.maxCount: "maxCount", SH.minInclusive: "minInclusive",
    SH.minExclusive: "minExclusive", SH.maxInclusive: "maxInclusive",
    SH.maxExclusive: "maxExclusive", SH["in"]: "in", SH.minLength: "minLength",
    SH.maxLength: "maxLength",
    SH.pattern: "pattern", SH.flags: None, SH.languageIn: "languageIn",
    SH.uniqueLang: "uniqueLang", SH.hasValue: "hasValue", SH.node: "node", SH["or"]: "or",
    SH["and"]: "and", SH.xone: "xone", SH["not"]: "not",
    SH.qualifiedValueShape: "qualified", SH.qualifiedMinCount: None,
    SH.qualifiedMaxCount: None, SH.qualifiedValueShapesDisjoint: None, SH.sparql: "sparql",
}  # fmt: skip

#: node types that make pyshacl do something the engine does not (rules, functions, components)
_UNSUPPORTED_TYPES = (
    SH.ConstraintComponent, SH.SPARQLRule, SH.TripleRule, SH.SPARQLFunction, SH.JSTarget,
    SH.SPARQLTargetType, SH.JSConstraint, SH.JSFunction, SH.SPARQLAskValidator,
    SH.SPARQLSelectValidator,
)  # fmt: skip

_TARGET_PREDICATES = (
    SH.targetClass,
    SH.targetNode,
    SH.targetSubjectsOf,
    SH.targetObjectsOf,
    SH.target,
)
_SUBQUERY = re.compile(r"\{\s*SELECT\b|\b(LIMIT|OFFSET)\b|[?$]failure\b", re.IGNORECASE)
_OTHER_BINDINGS = re.compile(r"\$(currentShape|shapesGraph|PATH|value)\b")
_PROJECTS_THIS = re.compile(r"^\s*SELECT\s+(DISTINCT\s+|REDUCED\s+)?[^{]*[$?]this\b", re.I | re.M)


@dataclass
class Constraint:
    """One constraint of a shape: its kind (``class``, ``or``, ``sparql``...) and parameters."""

    kind: str
    value: object
    node: Node | None = None  # the sh:SPARQLConstraint of a SPARQL constraint


@dataclass
class SparqlConstraint:
    """A SHACL-SPARQL constraint: its prefixes, its query and its message templates."""

    node: Node
    prefixes: str
    select: str
    messages: tuple[Literal, ...]

    def query(self, focus: str) -> str:
        """Return the query run on the focus nodes ``focus`` (a pattern binding ``?this``)."""
        return f"{self.prefixes}\nSELECT * WHERE {{ {focus} {{ {self.select} }} }}"


@dataclass
class Shape:
    """A node or property shape, compiled."""

    node: Node
    path: Node | None
    sparql_path: str | None
    severity: URIRef
    messages: tuple[Literal, ...]
    deactivated: bool
    constraints: list[Constraint] = field(default_factory=list)
    properties: list[Shape] = field(default_factory=list)
    target_classes: list[Node] = field(default_factory=list)
    target_nodes: list[Node] = field(default_factory=list)
    target_subjects_of: list[Node] = field(default_factory=list)
    target_objects_of: list[Node] = field(default_factory=list)
    target_selects: list[str] = field(default_factory=list)

    @property
    def is_property(self) -> bool:
        """Whether this is a property shape (it has a path)."""
        return self.path is not None


@dataclass
class CompiledShapes:
    """The shapes that have targets, compiled (they reach every other shape used)."""

    targeted: list[Shape]


def compile_shapes(shapes: Graph) -> CompiledShapes:
    """Compile ``shapes`` for the fast engine.

    :raises UnsupportedFeature: naming the first feature the engine does not implement.
    """
    for kind in _UNSUPPORTED_TYPES:
        for node in shapes.subjects(RDF.type, kind):
            raise UnsupportedFeature(f"{_short(kind)} ({node})")
    for predicate in (SH.rule, SH.entailment, SH.shapesGraph, SH.jsFunctionName):
        if (None, predicate, None) in shapes:
            raise UnsupportedFeature(_short(predicate))
    compiler = _Compiler(shapes)
    roots: dict[Node, None] = {}
    for predicate in _TARGET_PREDICATES:
        for node in shapes.subjects(predicate, None):
            roots[node] = None
    class_kinds = set(shapes.subjects(RDFS.subClassOf, RDFS.Class)) | {RDFS.Class}
    for kind in class_kinds:
        for node in shapes.subjects(RDF.type, kind):
            if _is_shape(shapes, node):
                roots[node] = None
    try:
        targeted = [compiler.shape(node) for node in roots]
    except (ValueError, TypeError, AttributeError) as exc:  # pyshacl says what is wrong with them
        raise UnsupportedFeature(f"shapes the engine cannot read ({exc})") from exc
    for shape in targeted:
        _check_messages(shape)
    _check_queries(compiler.done.values())
    return CompiledShapes([s for s in targeted if not s.deactivated])


def _is_shape(shapes: Graph, node: Node) -> bool:
    return any((node, RDF.type, kind) in shapes for kind in (SH.NodeShape, SH.PropertyShape))


def _check_messages(shape: Shape) -> None:
    """Refuse a result-producing shape without ``sh:message`` (pyshacl writes generic ones)."""
    if shape.deactivated:
        return
    own = [c for c in shape.constraints if c.kind != "sparql"]
    if own and not shape.messages:
        raise UnsupportedFeature(f"a shape without sh:message ({shape.node})")
    for constraint in shape.constraints:
        if constraint.kind == "sparql" and not constraint.value.messages and not shape.messages:
            raise UnsupportedFeature(f"a SPARQL constraint without sh:message ({constraint.node})")
    for prop in shape.properties:
        _check_messages(prop)


def _check_queries(shapes: Iterable[Shape]) -> None:
    """Refuse SPARQL targets and constraints that Oxigraph cannot parse (rdflib may)."""
    empty = ox.Store()
    for shape in shapes:
        queries = [(select, shape.node) for select in shape.target_selects]
        queries += [
            (c.value.query("VALUES ?this { 1 }"), c.node)
            for c in shape.constraints
            if c.kind == "sparql"
        ]
        for query, node in queries:
            try:
                list(empty.query(query))
            except SyntaxError as exc:
                raise UnsupportedFeature(f"SPARQL Oxigraph cannot parse ({node}: {exc})") from exc


def _short(term: Node) -> str:
    text = str(term)
    return "sh:" + text[len(str(SH)) :] if text.startswith(str(SH)) else text


class _Compiler:
    """Reads shapes once each (shapes refer to each other through sh:node, sh:or...)."""

    def __init__(self, graph: Graph) -> None:
        self.graph = graph
        self.done: dict[Node, Shape] = {}
        self.active: set[Node] = set()

    def shape(self, node: Node) -> Shape:
        if node in self.done:
            return self.done[node]
        if node in self.active:
            raise UnsupportedFeature(f"recursive shapes ({node})")
        self.active.add(node)
        g = self.graph
        for predicate in set(g.predicates(node)):
            if str(predicate).startswith(str(SH)) and predicate not in _DESCRIPTIVE:
                if predicate not in _PARAMETERS:
                    raise UnsupportedFeature(f"{_short(predicate)} (on {node})")
        path = g.value(node, SH.path)
        deactivated = g.value(node, SH.deactivated)
        shape = Shape(
            node=node,
            path=path,
            sparql_path=self.path(path) if path is not None else None,
            severity=g.value(node, SH.severity) or SH.Violation,
            messages=tuple(m for m in g.objects(node, SH.message) if isinstance(m, Literal)),
            deactivated=bool(isinstance(deactivated, Literal) and deactivated.value is True),
            target_classes=list(g.objects(node, SH.targetClass)),
            target_nodes=list(g.objects(node, SH.targetNode)),
            target_subjects_of=list(g.objects(node, SH.targetSubjectsOf)),
            target_objects_of=list(g.objects(node, SH.targetObjectsOf)),
            target_selects=[self.target_select(t) for t in g.objects(node, SH.target)],
        )
        if any((node, RDF.type, k) in g for k in self._class_kinds()):
            shape.target_classes.append(node)
        if any(isinstance(t, BNode) for t in shape.target_classes + shape.target_nodes):
            raise UnsupportedFeature(f"a blank node as target class or node ({node})")
        shape.constraints = self.constraints(node, shape)
        shape.properties = [self.shape(p) for p in g.objects(node, SH.property)]
        self.active.discard(node)
        self.done[node] = shape
        return shape

    def _class_kinds(self) -> set[Node]:
        return set(self.graph.subjects(RDFS.subClassOf, RDFS.Class)) | {RDFS.Class}

    def constraints(self, node: Node, shape: Shape) -> list[Constraint]:
        g = self.graph
        found: list[Constraint] = []
        for predicate, value in sorted(g.predicate_objects(node)):
            kind = _PARAMETERS.get(predicate)
            if kind is None:
                continue
            if kind in ("or", "and", "xone"):
                members = list(dict.fromkeys(Collection(g, value)))
                found.append(Constraint(kind, [self.shape(m) for m in members]))
            elif kind in ("node", "not"):
                found.append(Constraint(kind, self.shape(value)))
            elif kind == "qualified":
                found.append(self.qualified(node, value))
            elif kind == "languageIn":
                found.append(Constraint(kind, [str(x).lower() for x in Collection(g, value)]))
            elif kind == "pattern":
                flags = g.value(node, SH.flags)
                found.append(Constraint(kind, (str(value), str(flags) if flags else "")))
            elif kind == "uniqueLang":
                if not shape.is_property:
                    raise UnsupportedFeature(f"sh:uniqueLang on a node shape ({node})")
                if isinstance(value, Literal) and value.value is True:
                    found.append(Constraint(kind, True))
            elif kind == "sparql":
                sparql = self.sparql(value)
                if sparql is not None:
                    found.append(Constraint(kind, sparql, value))
            elif kind == "datatype" and value == RDFS.Datatype:
                raise UnsupportedFeature(f"sh:datatype rdfs:Datatype ({node})")
            elif kind in ("class", "hasValue") and isinstance(value, BNode):
                raise UnsupportedFeature(f"a blank node as sh:{kind} ({node})")
            elif kind in ("minCount", "maxCount", "minLength", "maxLength"):
                found.append(Constraint(kind, int(value)))
            elif kind == "in":
                members = list(dict.fromkeys(Collection(g, value)))
                if any(isinstance(m, BNode) for m in members):
                    raise UnsupportedFeature(f"a blank node in sh:in ({node})")
                found.append(Constraint(kind, members))
            else:
                found.append(Constraint(kind, value))
        return found

    def qualified(self, node: Node, value: Node) -> Constraint:
        g = self.graph
        disjoint = g.value(node, SH.qualifiedValueShapesDisjoint)
        if isinstance(disjoint, Literal) and disjoint.value is True:
            raise UnsupportedFeature(f"sh:qualifiedValueShapesDisjoint ({node})")
        low, high = g.value(node, SH.qualifiedMinCount), g.value(node, SH.qualifiedMaxCount)
        bounds = (int(low) if low is not None else None, int(high) if high is not None else None)
        return Constraint("qualified", (self.shape(value), *bounds))

    def prefixes(self, node: Node) -> str:
        lines = []
        for source in self.graph.objects(node, SH.prefixes):
            for declaration in self.graph.objects(source, SH.declare):
                prefix = self.graph.value(declaration, SH.prefix)
                namespace = self.graph.value(declaration, SH.namespace)
                lines.append(f"PREFIX {prefix}: <{namespace}>")
        return "\n".join(sorted(set(lines)))

    def target_select(self, target: Node) -> str:
        select = self.graph.value(target, SH.select)
        if select is None:
            raise UnsupportedFeature(f"a custom target without sh:select ({target})")
        return f"{self.prefixes(target)}\n{select}"

    def sparql(self, node: Node) -> SparqlConstraint | None:
        g = self.graph
        for predicate in set(g.predicates(node)):
            if str(predicate).startswith(str(SH)) and predicate not in (
                SH.select, SH.message, SH.prefixes, SH.deactivated,
            ):  # fmt: skip
                raise UnsupportedFeature(f"{_short(predicate)} on a SPARQL constraint ({node})")
        deactivated = g.value(node, SH.deactivated)
        if isinstance(deactivated, Literal) and deactivated.value is True:
            return None
        select = g.value(node, SH.select)
        if select is None:
            raise UnsupportedFeature(f"a SPARQL constraint without sh:select ({node})")
        text = str(select)
        if _SUBQUERY.search(text) or _OTHER_BINDINGS.search(text):
            raise UnsupportedFeature(
                f"a SPARQL constraint with a sub-query, a limit or a pre-bound variable ({node})"
            )
        if not _PROJECTS_THIS.search(text):
            raise UnsupportedFeature(f"a SPARQL constraint that does not select $this ({node})")
        messages = tuple(m for m in g.objects(node, SH.message) if isinstance(m, Literal))
        return SparqlConstraint(node, self.prefixes(node), text, messages)

    def path(self, path: Node) -> str:
        g = self.graph
        if isinstance(path, URIRef):
            return f"<{path}>"
        if not isinstance(path, BNode):
            raise UnsupportedFeature(f"a path that is not an IRI nor a blank node ({path})")
        inverse = g.value(path, SH.inversePath)
        if inverse is not None:
            return f"^({self.path(inverse)})"
        alternatives = g.value(path, SH.alternativePath)
        if alternatives is not None:
            return "(" + "|".join(self.path(p) for p in Collection(g, alternatives)) + ")"
        for predicate, suffix in (
            (SH.zeroOrMorePath, "*"),
            (SH.oneOrMorePath, "+"),
            (SH.zeroOrOnePath, "?"),
        ):
            inner = g.value(path, predicate)
            if inner is not None:
                return f"({self.path(inner)}){suffix}"
        if g.value(path, RDF.first) is not None:
            return "(" + "/".join(self.path(p) for p in Collection(g, path)) + ")"
        raise UnsupportedFeature(f"an unknown kind of path ({path})")
