"""The shapes graph read into Python objects for the fast SHACL validator
(:mod:`imtkg.shacl.oxigraph_validator`).

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
from rdflib.namespace import OWL, RDF, RDFS, XSD
from rdflib.term import Node

from imtkg.core.namespaces import SH
from imtkg.rdf.sparql_guard import shape_refusal, unescape, uses_keyword
from imtkg.shacl.property_paths import write_path


class UnsupportedFeature(Exception):
    """The shapes (or data) need a feature the fast engine does not implement (named in it)."""


class InvalidShapes(Exception):
    """The shapes must be refused, by every engine (a ``SERVICE`` clause, a SHACL-SPARQL query the
    spec forbids...): the message says which shape and why."""


#: shape predicates that carry no constraint (documentation, structure, targets)
_DESCRIPTIVE = {
    SH.name, SH.description, SH.message, SH.severity, SH.order, SH.group, SH.deactivated,
    SH.path, SH.property, SH.targetClass, SH.targetNode, SH.targetSubjectsOf,
    SH.targetObjectsOf, SH.target, SH.defaultValue, SH.declare, SH.prefixes, SH.select,
}  # fmt: skip

#: constraint parameters the engine implements -> the name of the constraint
_PARAMETERS: dict[Node, str | None] = {
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
    SH.equals: "equals", SH.disjoint: "disjoint", SH.lessThan: "lessThan",
    SH.lessThanOrEquals: "lessThanOrEquals", SH.closed: "closed", SH.ignoredProperties: None,
}  # fmt: skip

#: node types that make pyshacl do something the engine does not (rules, functions, components);
#: a node typed with a subclass of one of them (in the shapes graph) counts too
_UNSUPPORTED_TYPES = (
    SH.ConstraintComponent, SH.SPARQLRule, SH.TripleRule, SH.SPARQLFunction, SH.JSTarget,
    SH.SPARQLTargetType, SH.JSConstraint, SH.JSFunction, SH.SPARQLAskValidator,
    SH.SPARQLSelectValidator, SH.Parameter, SH.JSValidator, SH.Function, SH.Rule,
)  # fmt: skip

#: predicates that declare what the engine does not implement, wherever they are
_UNSUPPORTED_PREDICATES = (
    SH.rule, SH.entailment, SH.shapesGraph, SH.jsFunctionName, SH.parameter, SH.validator,
    SH.nodeValidator, SH.propertyValidator,
)  # fmt: skip

_TARGET_PREDICATES = (
    SH.targetClass,
    SH.targetNode,
    SH.targetSubjectsOf,
    SH.targetObjectsOf,
    SH.target,
)
_FAILURE = re.compile(r"[?$]failure\b")


@dataclass
class Constraint:
    """One constraint of a shape: its kind (``class``, ``or``, ``sparql``...) and parameters."""

    kind: str
    value: object
    node: Node | None = None  # the sh:SPARQLConstraint of a SPARQL constraint


#: the named graph that holds the shapes graph, when a query names ``$shapesGraph``
SHAPES_GRAPH = URIRef("urn:x-imtkg-shacl:shapes-graph")


@dataclass
class SparqlConstraint:
    """A SHACL-SPARQL constraint: its prefixes, its query and its message templates.

    :param joinable: the query gives the same answers joined to all the focus nodes at once as
        with ``$this`` substituted by each of them (:func:`joinable`).
    :param uses_shapes_graph: the query reads ``$shapesGraph``.
    """

    node: Node
    prefixes: str
    select: str
    messages: tuple[Literal, ...]
    joinable: bool = False
    uses_shapes_graph: bool = False

    def query(self, focus: str) -> str:
        """Return the query run on the focus nodes ``focus`` (a pattern binding ``?this``)."""
        return f"{self.prefixes}\nSELECT * WHERE {{ {focus} {{ {self.select} }} }}"

    def query_for(self, term: str) -> str:
        """Return the query with ``$this`` pre-bound to ``term`` (N-Triples syntax) as SHACL-SPARQL
        prescribes: substituted everywhere (and left out of the projections)."""
        return f"{self.prefixes}\n{substitute(self.select, 'this', term)}"


def is_true(value: Node | None) -> bool:
    """Tell whether ``value`` is the boolean ``true`` (``"1"^^xsd:boolean`` is another literal)."""
    return isinstance(value, Literal) and value == Literal("true", datatype=XSD.boolean)


#: SPARQL text: the parts a rewriting leaves alone (strings, IRIs, comments), variables, keywords
_TOKENS = re.compile(
    r'(?P<opaque>"""(?:[^"\\]|\\.|"(?!""))*"""|\'\'\'(?:[^\'\\]|\\.|\'(?!\'\'))*\'\'\''
    r'|"(?:[^"\\\n]|\\.)*"|\'(?:[^\'\\\n]|\\.)*\'|<[^<>"{}|^`\\\s]*>|#[^\n]*)'
    r"|(?P<bound>(?<![\w:])BOUND\s*\(\s*[?$][A-Za-z_0-9\u00b7-\uffff]+\s*\))"
    r"|(?P<var>[?$][A-Za-z_0-9\u00b7-\uffff]+)"
    r"|(?<![\w:])(?P<keyword>SELECT|WHERE|FROM)(?![\w:])"
    r"|(?P<open>[({])|(?P<close>[)}])",
    re.IGNORECASE,
)


def substitute(text: str, name: str, term: str) -> str:
    """Return SPARQL ``text`` with the variable ``name`` replaced by ``term`` (SPARQL syntax).

    In a ``SELECT`` clause the variable is left out (the caller knows its value); elsewhere it is
    the term itself. Strings, IRIs and comments are left as they are.
    """
    out: list[str] = []
    position, depth, projection, kept = 0, 0, None, 0
    for match in _TOKENS.finditer(text):
        out.append(text[position : match.start()])
        position = match.end()
        token = match.group(0)
        kind = match.lastgroup
        if kind == "keyword":
            if projection is not None and token.upper() != "SELECT":
                _end_projection(out, kept)
            projection = depth if token.upper() == "SELECT" else None
            kept = 0
        elif kind == "open":
            if token == "{" and projection is not None and depth == projection:
                _end_projection(out, kept)
                projection = None
            depth += 1
        elif kind == "close":
            depth -= 1
        elif kind == "bound" and re.search(rf"[?$]{name}\s*\)$", token):
            token = "(true)"  # bound() of a constant: the pre-bound variable is bound
        elif kind == "var" and token[1:] == name:
            token = "" if projection is not None and depth == projection else term
        if kind == "var" and projection is not None and token:
            kept += 1
        out.append(token)
    out.append(text[position:])
    return "".join(out)


def _end_projection(out: list[str], kept: int) -> None:
    """Project an unbound variable in a ``SELECT`` clause the substitution left empty (``*``
    would project the sub-query's other variables)."""
    if kept == 0:
        for index in range(len(out) - 1, -1, -1):
            if out[index].upper() == "SELECT":
                out[index] += " ?_imtkg_none"
                break


_JOIN_SAFE = ("BGP", "Join", "Union", "Filter", "Extend", "Project", "Distinct", "Reduced",
              "SelectQuery", "Graph")  # fmt: skip


def joinable(query: str) -> bool:
    """Tell whether ``query``, joined to all the focus nodes at once, gives what it gives with
    ``$this`` pre-bound to each (SHACL-SPARQL 5.3.1): ``$this`` is projected and appears only in
    triple patterns that every solution matches (not in an ``OPTIONAL``, an expression, a
    sub-query, an aggregate, nor under ``LIMIT``). Conservative: ``False`` when unsure."""
    from rdflib.plugins.sparql import prepareQuery
    from rdflib.term import Variable

    this = Variable("this")
    try:
        algebra = prepareQuery(query).algebra
    except Exception:  # noqa: BLE001 - rdflib may not read what Oxigraph does: substitute then
        return False
    if this not in (algebra.get("PV") or []):
        return False

    def mentions(value) -> bool:
        if value == this:
            return True
        if isinstance(value, dict):
            return any(mentions(v) for v in value.values())
        if isinstance(value, (list, tuple, set)):
            return any(mentions(v) for v in value)
        return False

    def safe(node, mandatory: bool) -> bool:
        name = getattr(node, "name", None)
        if name == "BGP":
            return mandatory or not mentions(node["triples"])
        if name == "LeftJoin":
            return (
                not mentions(node.get("expr"))
                and safe(node["p1"], mandatory)
                and safe(node["p2"], False)
            )
        if name not in _JOIN_SAFE:
            return not mentions(node)
        if name in ("Filter", "Extend") and mentions(node["expr"]):
            return False
        if name == "Extend" and node["var"] == this:
            return False
        if name == "Graph" and node["term"] == this:
            return False
        return all(safe(node[key], mandatory) for key in ("p", "p1", "p2") if key in node)

    return safe(algebra, True)


@dataclass
class Shape:
    """A node or property shape, compiled."""

    node: Node
    path: Node | None
    sparql_path: str | None
    severity: Node
    messages: tuple[Literal, ...]
    deactivated: bool
    nullable: bool = False  # the path can be empty: the focus node is one of its values
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
        for sub in shapes.transitive_subjects(RDFS.subClassOf, kind):
            for node in shapes.subjects(RDF.type, sub):
                typed = _short(kind) if sub == kind else f"{sub}, a subclass of {_short(kind)}"
                raise UnsupportedFeature(f"{typed} ({node})")
    for predicate in _UNSUPPORTED_PREDICATES:
        if (None, predicate, None) in shapes:
            raise UnsupportedFeature(_short(predicate))
    compiler = _Compiler(shapes)
    roots: dict[Node, None] = {}
    for predicate in _TARGET_PREDICATES:
        for node in shapes.subjects(predicate, None):
            roots[node] = None
    class_kinds = set(shapes.subjects(RDFS.subClassOf, RDFS.Class)) | {RDFS.Class}
    for class_kind in class_kinds:
        for node in shapes.subjects(RDF.type, class_kind):
            if _is_shape(shapes, node):
                roots[node] = None
    try:
        targeted = [compiler.shape(node) for node in roots]
    except (ValueError, TypeError, AttributeError) as exc:  # pyshacl says what is wrong with them
        raise UnsupportedFeature(f"shapes the engine cannot read ({exc})") from exc
    _check_queries(compiler.done.values())
    return CompiledShapes([s for s in targeted if not s.deactivated])


def _is_shape(shapes: Graph, node: Node) -> bool:
    return any((node, RDF.type, kind) in shapes for kind in (SH.NodeShape, SH.PropertyShape))


def _check_queries(shapes: Iterable[Shape]) -> None:
    """Refuse SPARQL targets and constraints that Oxigraph cannot parse (rdflib may)."""
    empty = ox.Store()
    for shape in shapes:
        queries: list[tuple[str, Node | None]] = [
            (select, shape.node) for select in shape.target_selects
        ]
        queries += [
            (c.value.query("VALUES ?this { 1 }"), c.node)
            for c in shape.constraints
            if isinstance(c.value, SparqlConstraint)  # the value of each "sparql" constraint
        ]
        for query, node in queries:
            try:
                solutions = empty.query(query)
            except SyntaxError as exc:
                raise UnsupportedFeature(f"SPARQL Oxigraph cannot parse ({node}: {exc})") from exc
            if not isinstance(solutions, ox.QuerySolutions):
                raise UnsupportedFeature(f"a SPARQL query that is not a SELECT ({node})")
            list(solutions)


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
            nullable=path is not None and self.nullable(path),
            severity=g.value(node, SH.severity) or SH.Violation,
            messages=tuple(m for m in g.objects(node, SH.message) if isinstance(m, Literal)),
            deactivated=is_true(deactivated),
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
                members = list(Collection(g, value))  # duplicates count in sh:xone
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
                if is_true(value):  # "1"^^xsd:boolean is not true (the spec names true only)
                    found.append(Constraint(kind, True))
            elif kind == "sparql":
                sparql = self.sparql(value, shape)
                if sparql is not None:
                    found.append(Constraint(kind, sparql, value))
            elif kind in ("equals", "disjoint", "lessThan", "lessThanOrEquals"):
                if not isinstance(value, URIRef):
                    raise UnsupportedFeature(f"sh:{kind} with a value that is not an IRI ({node})")
                if kind.startswith("less") and not shape.is_property:
                    raise UnsupportedFeature(f"sh:{kind} on a node shape ({node})")
                found.append(Constraint(kind, value))
            elif kind == "closed":
                if is_true(value):
                    found.append(Constraint(kind, self.closed(node)))
            elif kind == "datatype" and value == RDFS.Datatype:
                raise UnsupportedFeature(f"sh:datatype rdfs:Datatype ({node})")
            elif kind in ("class", "hasValue") and isinstance(value, BNode):
                raise UnsupportedFeature(f"a blank node as sh:{kind} ({node})")
            elif kind in ("minCount", "maxCount", "minLength", "maxLength"):
                found.append(Constraint(kind, int(str(value))))
            elif kind == "in":
                members = list(dict.fromkeys(Collection(g, value)))
                if any(isinstance(m, BNode) for m in members):
                    raise UnsupportedFeature(f"a blank node in sh:in ({node})")
                found.append(Constraint(kind, members))
            else:
                found.append(Constraint(kind, value))
        return found

    def closed(self, node: Node) -> frozenset:
        """Return the predicates a closed shape allows: its property shapes' IRI paths and the
        ``sh:ignoredProperties``."""
        g = self.graph
        allowed = {g.value(p, SH.path) for p in g.objects(node, SH.property)}
        for ignored in g.objects(node, SH.ignoredProperties):
            allowed.update(Collection(g, ignored))
        return frozenset(a for a in allowed if isinstance(a, URIRef))

    def qualified(self, node: Node, value: Node) -> Constraint:
        """Return a qualified value shape with its bounds and, when they must be disjoint, the
        qualified value shapes of its siblings (the other property shapes of its parents)."""
        g = self.graph
        siblings: list[Shape] = []
        if is_true(g.value(node, SH.qualifiedValueShapesDisjoint)):
            for parent in g.subjects(SH.property, node):
                for sibling in g.objects(parent, SH.property):
                    siblings += [
                        self.shape(q)
                        for q in g.objects(sibling, SH.qualifiedValueShape)
                        if sibling != node
                    ]
        low, high = g.value(node, SH.qualifiedMinCount), g.value(node, SH.qualifiedMaxCount)
        bounds = tuple(int(str(b)) if b is not None else None for b in (low, high))
        return Constraint("qualified", (self.shape(value), *bounds, siblings))

    def prefixes(self, node: Node) -> str:
        """Return the ``PREFIX`` lines of ``node``'s ``sh:prefixes`` (and of what they import)."""
        return prefix_lines(self.graph, node)

    def target_select(self, target: Node) -> str:
        select = self.graph.value(target, SH.select)
        if select is None:
            raise UnsupportedFeature(f"a custom target without sh:select ({target})")
        return f"{self.prefixes(target)}\n{select}"

    def sparql(self, node: Node, shape: Shape) -> SparqlConstraint | None:
        """Return a SHACL-SPARQL constraint, ``$PATH``, ``$currentShape`` and ``$shapesGraph``
        substituted; ``$this`` is substituted at validation time unless the query can be joined
        to the focus nodes with the same answers (see :func:`joinable`)."""
        g = self.graph
        for predicate in set(g.predicates(node)):
            if _is_shape(g, node):  # a shape that is its own constraint: compiled as a shape too
                break
            if str(predicate).startswith(str(SH)) and predicate not in (
                SH.select, SH.message, SH.prefixes, SH.deactivated,
            ):  # fmt: skip
                raise UnsupportedFeature(f"{_short(predicate)} on a SPARQL constraint ({node})")
        if is_true(g.value(node, SH.deactivated)):
            return None
        select = g.value(node, SH.select)
        if select is None:
            raise UnsupportedFeature(f"a SPARQL constraint without sh:select ({node})")
        text = str(select)
        if _FAILURE.search(text):
            raise UnsupportedFeature(f"a SPARQL constraint with $failure ({node})")
        uses_shapes = bool(substitute(text, "shapesGraph", "<>") != text)
        if shape.sparql_path is not None:  # a property shape
            text = substitute(text, "PATH", shape.sparql_path)
        elif substitute(text, "PATH", "<>") != text:
            raise UnsupportedFeature(f"$PATH in the SPARQL constraint of a node shape ({node})")
        for name, term in (("currentShape", shape.node), ("shapesGraph", SHAPES_GRAPH)):
            if substitute(text, name, "<>") == text:
                continue
            if isinstance(term, BNode):
                raise UnsupportedFeature(f"${name} naming a blank node ({node})")
            text = substitute(text, name, f"<{term}>")
        messages = tuple(m for m in g.objects(node, SH.message) if isinstance(m, Literal))
        prefixes = self.prefixes(node)
        return SparqlConstraint(
            node, prefixes, text, messages, joinable(f"{prefixes}\n{text}"), uses_shapes
        )

    def nullable(self, path: Node) -> bool:
        """Tell whether a (compiled, so well-formed) path can be of length zero."""
        g = self.graph
        if not isinstance(path, BNode):
            return False
        if g.value(path, RDF.first) is not None:
            return all(self.nullable(p) for p in Collection(g, path))
        if g.value(path, SH.zeroOrMorePath) is not None:
            return True
        if g.value(path, SH.zeroOrOnePath) is not None:
            return True
        alternatives = g.value(path, SH.alternativePath)
        if alternatives is not None:
            return any(self.nullable(p) for p in Collection(g, alternatives))
        inverse = g.value(path, SH.inversePath)
        return inverse is not None and self.nullable(inverse)

    def path(self, path: Node) -> str:
        """Return ``path`` in SPARQL syntax: full IRIs, every compound path parenthesised (it is
        substituted for ``$PATH`` anywhere in a query)."""
        return write_path(self.graph, path, _path_term, always_grouped=True)


def _path_term(node: Node) -> str:
    """Write a path's predicate IRI; refuse anything else (see :func:`write_path`)."""
    if isinstance(node, URIRef):
        return f"<{node}>"
    if isinstance(node, BNode):
        raise UnsupportedFeature(f"an unknown kind of path ({node})")
    raise UnsupportedFeature(f"a path that is not an IRI nor a blank node ({node})")


#: the predicates whose values are SPARQL queries run by an engine (SHACL-SPARQL and SHACL-AF)
_QUERY_PREDICATES = (SH.select, SH.ask, SH.construct, SH.update)

#: a string, an IRI or a comment of SPARQL text (what a keyword search must not look into);
#: a comment or a short string ends at a carriage return too, as the SPARQL grammar (Oxigraph) says
_OPAQUE = re.compile(
    r'"""(?:[^"\\]|\\.|"(?!""))*"""|\'\'\'(?:[^\'\\]|\\.|\'(?!\'\'))*\'\'\''
    r'|"(?:[^"\\\n\r]|\\.)*"|\'(?:[^\'\\\n\r]|\\.)*\'|<[^<>"{}|^`\\\s]*>|#[^\n\r]*'
)
#: keywords that make an engine read something else than the data: rdflib's SPARQL engine
#: fetches the graphs of FROM and runs SERVICE; Oxigraph runs SERVICE
_OUTSIDE = re.compile(r"(?<![\w:?$])(SERVICE|FROM|LOAD)(?![\w:-])", re.IGNORECASE)
_NAMESPACE = re.compile(r'[^<>"{}|^`\\\x00-\x20]*')


def prefix_lines(shapes: Graph, node: Node) -> str:
    """Return the ``PREFIX`` lines of ``node``'s ``sh:prefixes`` (and of what they import)."""
    lines = []
    sources: list[Node] = []
    for source in shapes.objects(node, SH.prefixes):
        sources += [s for s in shapes.transitive_objects(source, OWL.imports) if s is not None]
    for source in dict.fromkeys(sources):
        for declaration in shapes.objects(source, SH.declare):
            prefix = shapes.value(declaration, SH.prefix)
            namespace = shapes.value(declaration, SH.namespace)
            lines.append(f"PREFIX {prefix}: <{namespace}>")
    return "\n".join(sorted(set(lines)))


def _outside_keyword(shapes: Graph, node: Node, text: str) -> str | None:
    """Return the keyword by which ``text`` would read outside the data graph, or ``None``.

    Two readings, and a refusal if either finds one: Oxigraph's own parser (as the guard of
    ``/sparql`` asks it, :func:`imtkg.rdf.sparql_guard.uses_keyword`), which sees disguises no
    lexical scan does (``SERVICEx:y``, a carriage return ending a comment); and a lexical scan
    of the text as written and with its ``\\u`` escapes applied, for rdflib (pyshacl).
    """
    full = f"{prefix_lines(shapes, node)}\n{text}"  # what the engines run
    refusal = shape_refusal(full)  # before any parse: Oxigraph's parser is recursive
    if refusal:
        raise InvalidShapes(f"the SPARQL query of {node}: {refusal}")
    for word in ("service", "from"):
        if uses_keyword(full, word, prefixes={}):
            return word.upper()
    for reading in dict.fromkeys((text, unescape(text))):
        found = _OUTSIDE.search(_OPAQUE.sub(" ", reading))
        if found:
            return found.group(1).upper()
    return None


def refuse_unsafe(shapes: Graph) -> None:
    """Refuse shapes whose SPARQL would make a validator read anything but the data graph.

    Every engine runs the shapes' queries (``sh:select``, ``sh:ask``...) with the ``sh:prefixes``
    declarations put before them: a ``SERVICE`` clause (a request to another server), ``FROM``
    (rdflib fetches the graph) or ``LOAD``, and a namespace that is not an IRI (it would end the
    ``PREFIX`` line and inject text), are refused before any query runs.

    :raises InvalidShapes: naming the shape node and the keyword.
    """
    for predicate in _QUERY_PREDICATES:
        for node, text in shapes.subject_objects(predicate):
            keyword = _outside_keyword(shapes, node, str(text))
            if keyword:
                raise InvalidShapes(
                    f"{keyword} in the SPARQL query of {node}: a shape may not "
                    "make the validator read anything but the data graph"
                )
    for declaration, namespace in shapes.subject_objects(SH.namespace):
        if not _NAMESPACE.fullmatch(str(namespace)):
            raise InvalidShapes(f"the namespace of {declaration} is not an IRI: {namespace!r}")
    for predicate in (SH.sparql, SH.validator, SH.nodeValidator, SH.propertyValidator):
        for owner, node in shapes.subject_objects(predicate):
            bound = {"this"} if predicate == SH.sparql else {"this", "value"}
            for parameter in shapes.objects(owner, SH.parameter):
                path = shapes.value(parameter, SH.path)
                if isinstance(path, URIRef):
                    bound.add(re.split(r"[/#:]", str(path))[-1])
            for text in (*shapes.objects(node, SH.select), *shapes.objects(node, SH.ask)):
                _check_pre_binding(node, str(text), bound)


#: what SHACL-SPARQL forbids in a query with pre-bound variables (section 5.3.1)
_FORBIDDEN = re.compile(r"(?<![\w:?$])(MINUS|VALUES)(?![\w:-])", re.IGNORECASE)
_ASSIGNED = re.compile(r"(?<![\w:])AS\s*[?$]([\w\u00b7-\uffff]+)", re.IGNORECASE)
_SUB_SELECT = re.compile(r"\{\s*SELECT\b([^{]*?)(?:\bWHERE\b|\{)", re.IGNORECASE)


def _check_pre_binding(node: Node, text: str, bound: set[str]) -> None:
    """Refuse a SHACL-SPARQL query the spec forbids: ``MINUS``, ``VALUES``, ``AS`` a pre-bound
    variable, or a sub-query that does not project ``$this``.

    :raises InvalidShapes: naming the query's node and what it uses.
    """
    plain = _OPAQUE.sub(" ", text)
    found = _FORBIDDEN.search(plain)
    if found:
        raise InvalidShapes(
            f"{found.group(1).upper()} in the SHACL-SPARQL query of {node}: SHACL-SPARQL forbids "
            "it in a query with pre-bound variables"
        )
    for assigned in _ASSIGNED.finditer(plain):
        if assigned.group(1) in bound:
            raise InvalidShapes(
                f"AS ?{assigned.group(1)} in the SHACL-SPARQL query of {node}: a pre-bound "
                "variable cannot be assigned"
            )
    for sub in _SUB_SELECT.finditer(plain):
        if not re.search(r"[?$]this\b", sub.group(1)):
            raise InvalidShapes(
                f"a sub-query that does not project $this in the SHACL-SPARQL query of {node}"
            )
