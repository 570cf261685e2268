"""A fast SHACL validator: compiled shapes (:mod:`imtkg.shacl.compiled_shapes`) run as SPARQL on
Oxigraph.

The data graph (the very graph pyshacl would see, see :func:`imtkg.shacl.data_graph.data_graph`) is
loaded into an in-memory :class:`pyoxigraph.Store`. Each shape's focus nodes are found with one
query per target and kept in a named graph of their own; then each constraint is one query over
all the focus nodes at once (set-at-a-time), never one per focus node:

* ``sh:class``, ``sh:nodeKind``, ``sh:datatype``, ``sh:minCount``/``maxCount``, the range
  constraints, ``sh:languageIn``, ``sh:in``, ``sh:uniqueLang`` and ``sh:hasValue`` are SPARQL
  filters or groups (:mod:`imtkg.shacl.constraints`); ``sh:class`` sees subclass typing through
  ``rdfs:subClassOf*`` of the data (which holds the ontology), as pyshacl does with its
  ``ont_graph``;
* ``sh:datatype`` counts a literal as ill-typed when rdflib does (pyshacl's test), marked once at
  load time; ``sh:pattern`` and ``sh:minLength``/``maxLength`` are pyshacl's Python tests on the
  values the query returns;
* ``sh:node``, ``sh:or``, ``sh:and``, ``sh:xone``, ``sh:not`` and qualified value shapes
  validate the distinct value nodes against the referred shapes, again set-at-a-time (one
  query with the filters combined when the referred shapes are only filters);
* SHACL-SPARQL constraints run once with ``$this`` joined to the focus nodes; their messages are
  filled in as pyshacl fills them (``{?var}`` and ``{$this}`` with the value's text, no language).

Oxigraph writes some literals in canonical form (``"3.0"^^xsd:decimal`` as ``"3"``, language tags
in lower case); results name the data's own terms. Data where two literals differ only in such a
form raises :class:`UnsupportedFeature` (the caller falls back to pyshacl).
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

import pyoxigraph as ox
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import RDF, RDFS, XSD
from rdflib.term import Node

from imtkg.core.namespaces import SH
from imtkg.shacl.compiled_shapes import (
    SHAPES_GRAPH,
    CompiledShapes,
    Constraint,
    Shape,
    SparqlConstraint,
    UnsupportedFeature,
)
from imtkg.shacl.constraints import (
    COMPONENTS,
    FILTERS,
    ILL,
    MEMBER,
    NS,
    conformance_filter,
    datatype_ok,
    default_message,
    length_ok,
    ntriples,
    sparql_messages,
    string_of,
)

_LITERALS = URIRef(NS + "literals")
_BNODES = URIRef(NS + "blank-nodes")
_MEMBER = URIRef(MEMBER.value)
_ILL = URIRef(ILL.value)


def _may_change(literal: Literal) -> bool:
    """Tell whether Oxigraph may store ``literal`` in another form (typed, or a tag not in lower
    case): such literals are mapped back to the data's own."""
    if literal.language:
        return literal.language != literal.language.lower()
    return literal.datatype is not None


def _twin(literal: Literal) -> Literal | None:
    """Return the plain literal Oxigraph cannot tell an ``xsd:string`` one from (rdflib can).

    Language tags differing in case only are one term for rdflib too.
    """
    return Literal(str(literal)) if literal.datatype == XSD.string else None


#: a term of an Oxigraph store
OxTerm = ox.NamedNode | ox.BlankNode | ox.Literal


def _select(store: ox.Store, query: str) -> ox.QuerySolutions:
    """Return the solutions of a ``SELECT`` query (what every query of the engine is)."""
    solutions = store.query(query)
    if not isinstance(solutions, ox.QuerySolutions):
        raise UnsupportedFeature(f"a SPARQL query that is not a SELECT ({query})")
    return solutions


def _nquads(triples: list[tuple], extra: list[tuple], terms: dict) -> bytes:
    """Return the triples (default graph) and the ``extra`` quads as N-Quads."""
    written = {term: ntriples(term) for term in terms}
    written.update((t, ntriples(t)) for row in extra for t in row if t not in written)
    lines = [f"{written[s]} {written[p]} {written[o]} .\n" for s, p, o in triples]
    lines += [" ".join(written[t] for t in row) + " .\n" for row in extra]
    return "".join(lines).encode("utf-8")


@dataclass(frozen=True)
class Found:
    """One validation result, before it is written into a report.

    :param origin: the focus node, among those the shape was run on, the result derives from.
    """

    origin: object
    focus: Node
    value: Node | None
    path: Node | None
    shape: Shape
    component: URIRef
    constraint: Node | None
    messages: tuple[Node, ...]


class OxigraphValidator:
    """The data graph in an Oxigraph store, and the evaluation of compiled shapes over it."""

    def __init__(self, data: Iterable[tuple], shapes: Graph | None = None) -> None:
        self.store = ox.Store()
        self.shapes = shapes
        self._shapes_loaded = False
        self.namespaces = (shapes if shapes is not None else Graph()).namespace_manager
        self._bnodes: dict[str, BNode] = {}
        self._ox_bnodes: dict[BNode, ox.BlankNode] = {}
        self._literals: dict[object, Literal] = {}
        self._sets: dict[frozenset, ox.NamedNode] = {}
        self._pairs: dict[tuple, list[tuple]] = {}
        self._load(data)

    # -- terms ---------------------------------------------------------------------------------

    def _to_ox(self, term: Node) -> OxTerm:
        if isinstance(term, URIRef):
            return ox.NamedNode(str(term))
        if isinstance(term, BNode):
            return self._ox_bnodes.get(term) or ox.BlankNode(str(term))
        if not isinstance(term, Literal):  # a graph term of N3 (a formula, a variable)
            raise UnsupportedFeature(f"a term that is not an IRI, blank node or literal ({term})")
        if term.language:
            return ox.Literal(str(term), language=term.language)
        if term.datatype is not None:
            return ox.Literal(str(term), datatype=ox.NamedNode(str(term.datatype)))
        return ox.Literal(str(term))

    def _maybe_rdflib(self, term: OxTerm | None) -> Node | None:
        return None if term is None else self._to_rdflib(term)

    def _to_rdflib(self, term: OxTerm) -> Node:
        if isinstance(term, ox.NamedNode):
            return URIRef(term.value)
        if isinstance(term, ox.BlankNode):
            return self._bnodes.get(term.value) or BNode(term.value)
        known = self._literals.get(term)
        if known is not None:
            return known
        if term.language:
            return Literal(term.value, lang=term.language)
        datatype = term.datatype.value
        if datatype == str(XSD.string):
            return Literal(term.value)
        return Literal(term.value, datatype=URIRef(datatype))

    def _load(self, data: Iterable[tuple]) -> None:
        """Load the data; mark ill-typed literals; map Oxigraph's terms back to the data's.

        The triples are written as N-Quads and bulk-loaded (Oxigraph renames blank nodes then:
        each one is listed in a graph of its own, to map them back), or, when Oxigraph refuses
        that text (a blank node label), added as Python quads. A term Oxigraph refuses either
        way (an IRI with a space, which rdflib takes) raises :class:`UnsupportedFeature`.
        """
        triples = list(data)
        terms = dict.fromkeys(t for triple in triples for t in triple)
        literals = [t for t in terms if isinstance(t, Literal) and _may_change(t)]
        bnodes = [t for t in terms if isinstance(t, BNode)]
        extra: list[tuple[Node, Node, Node, Node]] = []
        for number, literal in enumerate(literals):
            extra.append((URIRef(f"{NS}l{number}"), _MEMBER, literal, _LITERALS))
            if literal.datatype is not None and not datatype_ok(literal):
                extra.append((_ILL, _MEMBER, literal, _ILL))
            twin = _twin(literal)
            if twin is not None and twin in terms:
                raise UnsupportedFeature(
                    f"literals that differ only in form ({literal!r}, {twin!r})"
                )
        extra += [(URIRef(f"{NS}b{n}"), _MEMBER, b, _BNODES) for n, b in enumerate(bnodes)]
        try:
            self.store.bulk_load(_nquads(triples, extra, terms), format=ox.RdfFormat.N_QUADS)
        except (SyntaxError, ValueError, UnicodeError):
            self.store = ox.Store()
            try:
                self.store.bulk_extend(self._quads(triples, extra))
            except ValueError as exc:  # pyshacl validates what rdflib parsed
                raise UnsupportedFeature(f"a term Oxigraph refuses ({exc})") from exc
        for name, originals in ((_LITERALS, literals), (_BNODES, bnodes)):
            query = f"SELECT ?n ?t WHERE {{ GRAPH <{name}> {{ ?n <{_MEMBER}> ?t }} }}"
            for row in _select(self.store, query):
                original = originals[int(row["n"].value[len(NS) + 1 :])]
                if isinstance(original, BNode):
                    self._bnodes[row["t"].value] = original
                    self._ox_bnodes[original] = row["t"]
                    continue
                other = self._literals.setdefault(row["t"], original)
                if other != original:
                    raise UnsupportedFeature(
                        f"literals that differ only in form ({original!r}, {other!r})"
                    )
            self.store.remove_graph(ox.NamedNode(name))

    def _quads(self, triples: list[tuple], extra: list[tuple]) -> list[ox.Quad]:
        """Return the data and ``extra`` as pyoxigraph quads."""
        converted: dict[Node, OxTerm] = {}
        default = ox.DefaultGraph()
        quads = []
        for row in [*triples, *extra]:
            terms = []
            for term in row:
                known = converted.get(term)
                if known is None:
                    known = converted[term] = self._to_ox(term)
                terms.append(known)
            subject, predicate, obj = terms[:3]
            graph = terms[3] if len(terms) > 3 else default
            if isinstance(subject, ox.Literal) or not isinstance(predicate, ox.NamedNode):
                raise UnsupportedFeature(f"generalised RDF ({subject} {predicate} {obj})")
            if isinstance(graph, ox.Literal):
                raise UnsupportedFeature(f"a literal as graph name ({graph})")
            quads.append(ox.Quad(subject, predicate, obj, graph))
        return quads

    def _ox_select(self, query: str, var: str = "this") -> list[OxTerm]:
        return [row[var] for row in _select(self.store, query)]

    # -- focus nodes ---------------------------------------------------------------------------

    def focus_nodes(self, shape: Shape) -> set:
        """Return the focus nodes of a shape's targets (Oxigraph terms)."""
        found: set = {self._to_ox(n) for n in shape.target_nodes}
        for cls in shape.target_classes:
            found.update(self._ox_select(
                "SELECT DISTINCT ?this WHERE { ?this "
                f"<{RDF.type}>/<{RDFS.subClassOf}>* {cls.n3()} }}"
            ))  # fmt: skip
        for predicate in shape.target_subjects_of:
            found.update(
                self._ox_select(f"SELECT DISTINCT ?this WHERE {{ ?this <{predicate}> ?o }}")
            )
        for predicate in shape.target_objects_of:
            found.update(
                self._ox_select(f"SELECT DISTINCT ?this WHERE {{ ?s <{predicate}> ?this }}")
            )
        for select in shape.target_selects:
            found.update(t for t in self._ox_select(select) if t is not None)
        return found

    def _focus_graph(self, nodes: set) -> str:
        """Return a graph pattern binding ``?this`` to each of ``nodes`` (kept in a named graph)."""
        key = frozenset(nodes)
        graph = self._sets.get(key)
        if graph is None:
            graph = ox.NamedNode(f"{NS}set{len(self._sets)}")
            self.store.extend(ox.Quad(graph, MEMBER, n, graph) for n in nodes)
            self._sets[key] = graph
        return f"GRAPH <{graph.value}> {{ <{graph.value}> <{MEMBER.value}> ?this }}"

    # -- shapes --------------------------------------------------------------------------------

    def validate(self, compiled: CompiledShapes) -> list[Found]:
        """Return the results of every targeted shape on its focus nodes."""
        results: list[Found] = []
        for shape in compiled.targeted:
            nodes = self.focus_nodes(shape)
            if nodes:
                results += self.run(shape, nodes)
        return results

    def run(self, shape: Shape, nodes: set) -> list[Found]:
        """Return the results of ``shape`` on focus ``nodes`` (its own and its property shapes')."""
        if shape.deactivated or not nodes:
            return []
        focus = self._focus_graph(nodes)
        found: list[Found] = []
        for constraint in shape.constraints:
            found += self._constraint(shape, constraint, focus)
        for prop in shape.properties:
            if not shape.is_property:
                found += self.run(prop, nodes)
                continue
            pairs = self.pairs(shape, focus)
            nested = defaultdict(list)
            for result in self.run(prop, {v for _, v in pairs}):
                nested[result.origin].append(result)
            for f, v in pairs:
                found += [_with_origin(r, f) for r in nested.get(v, ())]
        return found

    def conforming(self, shape: Shape, nodes: set) -> set:
        """Return those of ``nodes`` that conform to ``shape`` (no result of any severity)."""
        return set(nodes) - {r.origin for r in self.run(shape, nodes)}

    def _values(self, shape: Shape, focus: str, var: str = "?v") -> str:
        """Return a pattern binding ``?v`` to the value nodes of focus node ``?this``.

        A path that can be empty (``sh:zeroOrMorePath``...) has the focus node among its
        values, also when the node is not in the data (a literal ``sh:targetNode``), where
        Oxigraph's zero-length path finds nothing: those get a branch of their own.
        """
        if not shape.is_property:
            return f"BIND (?this AS {var})"
        if shape.nullable:
            return (
                f"{{ ?this {shape.sparql_path} {var} }} UNION {{ {focus} BIND (?this AS {var}) }}"
            )
        return f"?this {shape.sparql_path} {var} ."

    def pairs(self, shape: Shape, focus: str) -> list[tuple]:
        """Return the (focus node, value node) pairs of a shape, as Oxigraph terms."""
        key = (shape.sparql_path, focus)
        if key not in self._pairs:
            query = f"SELECT DISTINCT ?this ?v WHERE {{ {focus} {self._values(shape, focus)} }}"
            self._pairs[key] = [(r["this"], r["v"]) for r in _select(self.store, query)]
        return self._pairs[key]

    def _result(self, shape: Shape, kind: str, focus, value, parameter=None, path=None) -> Found:
        """Return a result of constraint ``kind`` (with ``parameter``) of ``shape``; its messages
        are the shape's, else a default one worded as pyshacl's."""
        component = COMPONENTS[kind]  # every kind given here has one
        found = Found(
            origin=focus,
            focus=self._to_rdflib(focus),
            value=self._maybe_rdflib(value),
            path=shape.path if path is None else path,
            shape=shape,
            component=component,
            constraint=None,
            messages=shape.messages,
        )
        if shape.messages:
            return found
        message = default_message(kind, parameter, found, self.namespaces)
        return Found(**{**found.__dict__, "messages": (message,)})

    def _violating(self, shape: Shape, focus: str, condition: str) -> list[tuple]:
        query = (
            f"SELECT DISTINCT ?this ?v WHERE {{ {focus} {self._values(shape, focus)} "
            f"FILTER ({condition}) }}"
        )
        return [(r["this"], r["v"]) for r in _select(self.store, query)]

    def _constraint(self, shape: Shape, c: Constraint, focus: str) -> list[Found]:
        kind, value = c.kind, c.value
        node_value = not shape.is_property  # a node shape's results name the focus as value
        if kind in FILTERS:
            rows = self._violating(shape, focus, FILTERS[kind](value))
            return [self._result(shape, kind, f, v, value) for f, v in rows]
        # each kind's value has the type compile_shapes gives it (else: no branch, refused below)
        if kind in ("equals", "disjoint", "lessThan", "lessThanOrEquals") and isinstance(
            value, URIRef
        ):
            return self._pairwise(shape, kind, value, focus)
        if kind == "closed" and isinstance(value, frozenset):
            return self._closed(shape, value, focus)
        if kind in ("minCount", "maxCount"):
            test = f"< {value}" if kind == "minCount" else f"> {value}"
            optional = "OPTIONAL" if kind == "minCount" else ""
            query = (
                f"SELECT ?this WHERE {{ {focus} {optional} {{ {self._values(shape, focus)} }} }} "
                f"GROUP BY ?this HAVING (COUNT(DISTINCT ?v) {test})"
            )
            return [self._result(shape, kind, f, None, value) for f in self._ox_select(query)]
        if kind == "hasValue" and isinstance(value, (URIRef, Literal)):
            term = value.n3()
            test = (
                f"FILTER NOT EXISTS {{ {self._values(shape, focus)} "
                f"FILTER (sameTerm(?v, {term})) }}"
                if shape.is_property
                else f"FILTER (!sameTerm(?this, {term}))"
            )
            query = f"SELECT ?this WHERE {{ {focus} {test} }}"
            return [self._result(shape, kind, f, None, value) for f in self._ox_select(query)]
        if kind == "uniqueLang":
            query = (
                f"SELECT ?this ?lang WHERE {{ {focus} {self._values(shape, focus)} "
                'FILTER (isLiteral(?v) && LANG(?v) != "") BIND (LCASE(LANG(?v)) AS ?lang) } '
                "GROUP BY ?this ?lang HAVING (COUNT(DISTINCT ?v) > 1)"
            )
            return [self._result(shape, kind, f, None) for f in self._ox_select(query)]
        if kind == "pattern" and isinstance(value, tuple):
            pattern, flags = value
            matcher = re.compile(
                pattern,
                (re.I if "i" in flags.lower() else 0) | (re.M if "m" in flags.lower() else 0),
            )
            return [
                self._result(shape, kind, f, v, value)
                for f, v in self.pairs(shape, focus)
                if isinstance(v, ox.BlankNode) or not matcher.search(string_of(self._to_rdflib(v)))
            ]
        if kind in ("minLength", "maxLength") and isinstance(value, int):
            return [
                self._result(shape, kind, f, v, value)
                for f, v in self.pairs(shape, focus)
                if not length_ok(kind, value, self._to_rdflib(v))
            ]
        if kind in ("node", "not", "or", "and", "xone"):
            return self._logical(shape, kind, value, focus)
        if kind == "qualified":
            return self._qualified(shape, value, focus)
        if kind == "sparql":
            return self._sparql(shape, c, focus, node_value)
        raise UnsupportedFeature(f"constraint {kind}")  # compile_shapes lets none through

    def _pairwise(self, shape: Shape, kind: str, other: URIRef, focus: str) -> list[Found]:
        """``sh:equals``, ``sh:disjoint``, ``sh:lessThan``, ``sh:lessThanOrEquals``: the value
        nodes compared with the focus node's values of ``other``."""
        values, q = self._values(shape, focus), f"<{other}>"
        if kind == "equals":
            own = (
                f"EXISTS {{ {self._values(shape, focus, '?w')} FILTER (sameTerm(?w, ?v)) }}"
                if shape.is_property
                else "sameTerm(?v, ?this)"
            )
            wheres = [
                f"{values} FILTER NOT EXISTS {{ ?this {q} ?v }}",
                f"?this {q} ?v FILTER (!({own}))",
            ]
        elif kind == "disjoint":
            wheres = [f"{values} FILTER EXISTS {{ ?this {q} ?v }}"]
        else:  # one result per pair of values that compare wrong (or not at all)
            operator = "<" if kind == "lessThan" else "<="
            wheres = [f"{values} ?this {q} ?o FILTER (!COALESCE(?v {operator} ?o, false))"]
        found = []
        for where in wheres:
            query = f"SELECT DISTINCT * WHERE {{ {focus} {where} }}"
            found += [
                self._result(shape, kind, r["this"], r["v"], other)
                for r in _select(self.store, query)
            ]
        return found

    def _closed(self, shape: Shape, allowed: frozenset, focus: str) -> list[Found]:
        """``sh:closed``: each triple of a value node whose predicate the shape does not allow."""
        listed = ", ".join(f"<{p}>" for p in sorted(allowed))
        test = f"FILTER (?p NOT IN ({listed}))" if listed else ""
        values = self._values(shape, focus)
        query = f"SELECT DISTINCT ?this ?p ?o WHERE {{ {focus} {values} ?v ?p ?o {test} }}"
        return [
            self._result(shape, "closed", r["this"], r["o"], allowed, URIRef(r["p"].value))
            for r in _select(self.store, query)
        ]

    def _logical(self, shape: Shape, kind: str, value, focus: str) -> list[Found]:
        members = [value] if kind in ("node", "not") else value
        inline = [conformance_filter(m) for m in members]
        if None not in inline:  # one query: the members' filters combined
            conditions = [f"({c})" for c in inline]
            if kind in ("node", "and"):
                ok = " && ".join(conditions)
            elif kind == "not":
                ok = f"!{conditions[0]}"
            elif kind == "or":
                ok = " || ".join(conditions)
            else:
                ok = "(" + " + ".join(f"IF({c}, 1, 0)" for c in conditions) + ") = 1"
            rows = self._violating(shape, focus, f"!({ok})")
            return [self._result(shape, kind, f, v, value) for f, v in rows]
        pairs = self.pairs(shape, focus)
        values = {v for _, v in pairs}
        passed = [self.conforming(m, values) for m in members]

        def conforms(v: OxTerm) -> bool:
            count = sum(v in p for p in passed)
            if kind in ("node", "and"):
                return count == len(members)
            if kind == "not":
                return count == 0
            return count >= 1 if kind == "or" else count == 1

        return [self._result(shape, kind, f, v, value) for f, v in pairs if not conforms(v)]

    def _qualified(self, shape: Shape, value, focus: str) -> list[Found]:
        qualified, low, high, siblings = value
        inline = None if siblings or shape.nullable else conformance_filter(qualified)
        counts: dict = defaultdict(int)
        if inline is not None and shape.is_property:  # one query counts the conforming values
            query = (
                f"SELECT ?this (COUNT(DISTINCT ?v) AS ?n) WHERE {{ {focus} OPTIONAL {{ "
                f"?this {shape.sparql_path} ?v FILTER ({inline}) }} }} GROUP BY ?this"
            )
            for row in _select(self.store, query):
                counts[row["this"]] = int(row["n"].value)
        else:
            pairs = self.pairs(shape, focus)
            values = {v for _, v in pairs}
            passed = self.conforming(qualified, values)
            for sibling in siblings:
                passed -= self.conforming(sibling, values)
            for f, v in pairs:
                counts[f] += v in passed
        focus_nodes = self._ox_select(f"SELECT ?this WHERE {{ {focus} }}")
        found = []
        for f in focus_nodes:
            if high is not None and counts[f] > high:
                found.append(self._result(shape, "qualifiedMaxCount", f, None, value))
            if low is not None and counts[f] < low:
                found.append(self._result(shape, "qualifiedMinCount", f, None, value))
        return found

    def _solutions(self, sparql, focus: str) -> Iterator[tuple]:
        """Yield (focus node, solution) of a SPARQL constraint: one query joined to all the focus
        nodes when that gives the same answers, else one per focus node, ``$this`` substituted
        (pre-binding, SHACL-SPARQL 5.3.1)."""
        if sparql.uses_shapes_graph:
            self._load_shapes_graph()
        if sparql.joinable:
            solutions = _select(self.store, sparql.query(focus))
            names = [v.value for v in solutions.variables]
            for solution in solutions:
                yield solution["this"], {n: solution[n] for n in names}
            return
        for node in self._ox_select(f"SELECT ?this WHERE {{ {focus} }}"):
            term = self._to_rdflib(node)
            if isinstance(term, BNode):
                raise UnsupportedFeature(
                    f"$this pre-bound to a blank node in a SPARQL constraint that cannot be "
                    f"joined to its focus nodes ({sparql.node})"
                )
            solutions = _select(self.store, sparql.query_for(ntriples(term)))
            names = [v.value for v in solutions.variables if v.value != "_imtkg_none"]
            for solution in solutions:
                yield node, {n: solution[n] for n in names}

    def _load_shapes_graph(self) -> None:
        """Put the shapes graph in the named graph ``$shapesGraph`` names (once)."""
        if self.shapes is None or self._shapes_loaded:
            return
        self._shapes_loaded = True
        graph = ox.NamedNode(str(SHAPES_GRAPH))
        quads = self._quads(list(self.shapes), [])
        self.store.extend(ox.Quad(q.subject, q.predicate, q.object, graph) for q in quads)

    def _sparql(self, shape: Shape, c: Constraint, focus: str, node_value: bool) -> list[Found]:
        sparql = c.value
        if not isinstance(sparql, SparqlConstraint):  # compile_shapes makes every one
            raise UnsupportedFeature(f"a SPARQL constraint that is not compiled ({c.node})")
        found, seen = [], []
        for origin, solution in self._solutions(sparql, focus):
            row = {n: self._to_rdflib(term) for n, term in solution.items() if term is not None}
            row.pop("this", None)
            t = self._to_rdflib(origin)
            p, v = row.pop("path", None), row.pop("value", None)
            if (t, p, v, row) in seen:
                continue
            seen.append((t, p, v, row))
            value = v if v is not None else (t if node_value else None)
            found.append(
                Found(
                    origin=origin,
                    focus=t,
                    value=value,
                    path=p if p is not None else shape.path,
                    shape=shape,
                    component=SH.SPARQLConstraintComponent,
                    constraint=c.node,
                    messages=sparql_messages(shape, sparql.messages, (t, p, value, row)),
                )
            )
        return found


def _with_origin(result: Found, origin) -> Found:
    return Found(**{**result.__dict__, "origin": origin})


def report_graph(results: list[Found], shapes: Graph) -> Graph:
    """Return the standard ``sh:ValidationReport`` of ``results`` (paths copied from ``shapes``)."""
    report = Graph()
    root = BNode()
    report.add((root, RDF.type, SH.ValidationReport))
    report.add((root, SH.conforms, Literal(not results)))  # the spec's: no result at all
    for found in results:
        node = BNode()
        report.add((root, SH.result, node))
        report.add((node, RDF.type, SH.ValidationResult))
        report.add((node, SH.focusNode, found.focus))
        report.add((node, SH.resultSeverity, found.shape.severity))
        report.add((node, SH.sourceShape, found.shape.node))
        report.add((node, SH.sourceConstraintComponent, found.component))
        if found.value is not None:
            report.add((node, SH.value, found.value))
        if found.path is not None:
            report.add((node, SH.resultPath, _copy_subtree(shapes, found.path, report)))
        if found.constraint is not None:
            report.add((node, SH.sourceConstraint, found.constraint))
        for message in found.messages:
            report.add((node, SH.resultMessage, message))
    return report


def _copy_subtree(source: Graph, node: Node, target: Graph) -> Node:
    """Copy path ``node`` into ``target`` as fresh blank nodes (one copy per result, as the
    suite's reports have it); return the copy. Of a node that is a list, only the list is copied
    (the reading of a path node that is also something else)."""
    if not isinstance(node, BNode):
        return node
    copy = BNode()
    is_list = (node, RDF.first, None) in source
    for p, o in source.predicate_objects(node):
        if is_list and p not in (RDF.first, RDF.rest):
            continue
        target.add((copy, p, _copy_subtree(source, o, target)))
    return copy


def validate_graph(data: Iterable[tuple], compiled: CompiledShapes, shapes: Graph) -> Graph:
    """Validate the ``data`` triples against ``compiled`` (from ``shapes``); return the report.

    :raises UnsupportedFeature: when the data holds literals Oxigraph cannot tell apart.
    """
    validator = OxigraphValidator(data, shapes)
    return report_graph(validator.validate(compiled), shapes)
