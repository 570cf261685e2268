"""The SPARQL and Python pieces of the fast SHACL validator's constraints
(:mod:`imtkg.shacl.oxigraph_validator`).

Each filter is a SPARQL condition on ``?v``, a value node, true when ``?v`` violates the
constraint, written to agree with pyshacl's test of the same constraint: ``sh:class`` through
``rdf:type/rdfs:subClassOf*``, ``sh:datatype`` with the literals rdflib finds ill-typed marked in
a graph of their own, comparisons where an error (an ill-typed or incomparable value) is a
violation, ``sh:languageIn`` with pyshacl's prefix matching, ``sh:in`` by term. The Python
functions are the tests pyshacl makes on strings (``sh:pattern``, ``sh:minLength``...) and the
way it fills in the messages of SHACL-SPARQL constraints.
"""

from __future__ import annotations

import re
from datetime import date, datetime, time
from decimal import Decimal

import pyoxigraph as ox
from rdflib import BNode, Literal, URIRef
from rdflib.namespace import RDF, RDFS, XSD
from rdflib.term import Node

from imtkg.core.namespaces import SH
from imtkg.shacl.compiled_shapes import Shape

#: the namespace of the engine's own graphs and terms (focus node sets, ill-typed literals)
NS = "urn:x-imtkg-shacl:"
MEMBER = ox.NamedNode(NS + "member")
ILL = ox.NamedNode(NS + "ill-typed")

NODE_KINDS = {
    SH.IRI: "isIRI(?v)", SH.BlankNode: "isBlank(?v)", SH.Literal: "isLiteral(?v)",
    SH.BlankNodeOrIRI: "!isLiteral(?v)", SH.BlankNodeOrLiteral: "!isIRI(?v)",
    SH.IRIOrLiteral: "!isBlank(?v)",
}  # fmt: skip
PYTHON_TYPES: dict[URIRef, type | tuple[type, ...]] = {
    XSD.string: (str, bytes), XSD.integer: int, XSD.float: float, XSD.decimal: Decimal,
    XSD.boolean: bool, XSD.date: date, XSD.time: time, XSD.dateTime: datetime,
}  # fmt: skip

COMPONENTS = {
    "class": SH.ClassConstraintComponent, "datatype": SH.DatatypeConstraintComponent,
    "nodeKind": SH.NodeKindConstraintComponent, "minCount": SH.MinCountConstraintComponent,
    "maxCount": SH.MaxCountConstraintComponent, "pattern": SH.PatternConstraintComponent,
    "minInclusive": SH.MinInclusiveConstraintComponent,
    "minExclusive": SH.MinExclusiveConstraintComponent,
    "maxInclusive": SH.MaxInclusiveConstraintComponent,
    "maxExclusive": SH.MaxExclusiveConstraintComponent, "in": SH.InConstraintComponent,
    "minLength": SH.MinLengthConstraintComponent, "maxLength": SH.MaxLengthConstraintComponent,
    "languageIn": SH.LanguageInConstraintComponent,
    "uniqueLang": SH.UniqueLangConstraintComponent, "hasValue": SH.HasValueConstraintComponent,
    "node": SH.NodeConstraintComponent, "or": SH.OrConstraintComponent,
    "and": SH.AndConstraintComponent, "xone": SH.XoneConstraintComponent,
    "not": SH.NotConstraintComponent, "sparql": SH.SPARQLConstraintComponent,
    "equals": SH.EqualsConstraintComponent, "disjoint": SH.DisjointConstraintComponent,
    "lessThan": SH.LessThanConstraintComponent,
    "lessThanOrEquals": SH.LessThanOrEqualsConstraintComponent,
    "closed": SH.ClosedConstraintComponent,
    "qualifiedMinCount": SH.QualifiedMinCountConstraintComponent,
    "qualifiedMaxCount": SH.QualifiedMaxCountConstraintComponent,
}  # fmt: skip


def datatype_ok(literal: Literal) -> bool:
    """Tell whether ``literal`` matches its own datatype as pyshacl's ``sh:datatype`` tests it."""
    if getattr(literal, "ill_typed", None) is True:
        return False
    expected = PYTHON_TYPES.get(literal.datatype) if literal.datatype is not None else None
    return expected is None or isinstance(literal.value, expected)


def conformance_filter(shape: Shape) -> str | None:
    """Return a SPARQL condition on ``?v`` true when ``?v`` conforms to ``shape``.

    Only for node shapes whose constraints are all filters (``sh:datatype``, ``sh:class``...,
    as the members of ``sh:or`` usually are); ``None`` for others, validated in full instead.
    A filter that raises an error reports nothing, as in the query of the constraint itself.
    """
    if shape.deactivated:
        return "true"
    if shape.is_property or shape.properties:
        return None
    parts = []
    for constraint in shape.constraints:
        if constraint.kind not in FILTERS:
            return None
        parts.append(f"!COALESCE(({FILTERS[constraint.kind](constraint.value)}), false)")
    return " && ".join(parts) or "true"


def length_ok(kind: str, bound: int, term: Node) -> bool:
    """pyshacl's ``sh:minLength``/``maxLength`` test (a blank node fails, but a length of 0)."""
    if kind == "minLength":
        return bound == 0 or (not isinstance(term, BNode) and len(string_of(term)) >= bound)
    return not isinstance(term, BNode) and len(string_of(term)) <= bound


def string_of(term: Node) -> str:
    """The text pyshacl matches a ``sh:pattern`` against."""
    if isinstance(term, Literal) and term.value is not None and term.datatype in (
        None, RDF.langString, XSD.string,
    ):  # fmt: skip
        return str(term.value)
    return str(term)


def _class_filter(cls: Node) -> str:
    return f"NOT EXISTS {{ ?v <{RDF.type}>/<{RDFS.subClassOf}>* {cls.n3()} }}"


def _datatype_filter(datatype: Node) -> str:
    if datatype == RDFS.Literal:
        return "!isLiteral(?v)"
    if datatype == RDF.langString:
        return '!isLiteral(?v) || LANG(?v) = ""'
    return (
        f'!isLiteral(?v) || LANG(?v) != "" || DATATYPE(?v) != {datatype.n3()} || '
        f"EXISTS {{ GRAPH <{ILL.value}> {{ <{ILL.value}> <{MEMBER.value}> ?v }} }}"
    )


def _compared(operator: str, bound: Node) -> str:
    """A value that is not a literal comparing true with ``bound`` (an error counts as false)."""
    return f"!COALESCE(isLiteral(?v) && ?v {operator} {bound.n3()}, false)"


def _languages_filter(languages: list[str]) -> str:
    if "*" in languages:
        return '!(isLiteral(?v) && LANG(?v) != "")'
    listed = ", ".join(f'"{lang}"' for lang in languages)
    return (
        f'!(isLiteral(?v) && LANG(?v) != "" && (LCASE(LANG(?v)) IN ({listed}) || '
        f'LCASE(STRBEFORE(CONCAT(LANG(?v), "-"), "-")) IN ({listed})))'
    )


FILTERS = {
    "class": _class_filter,
    "datatype": _datatype_filter,
    "nodeKind": lambda kind: f"!({NODE_KINDS[kind]})",
    "minInclusive": lambda bound: _compared(">=", bound),
    "minExclusive": lambda bound: _compared(">", bound),
    "maxInclusive": lambda bound: _compared("<=", bound),
    "maxExclusive": lambda bound: _compared("<", bound),
    "in": lambda members: (
        "!(" + " || ".join(["false", *(f"sameTerm(?v, {m.n3()})" for m in members)]) + ")"
    ),
    "languageIn": _languages_filter,
}


#: pyshacl's wording of the message of a result whose shape has no ``sh:message``
_DEFAULT_MESSAGES = {
    "class": "Value does not have class {p}",
    "datatype": "Value is not Literal with datatype {p}",
    "nodeKind": "Value is not of Node Kind {p}",
    "minCount": "Less than {p} values on {focus}{arrow}",
    "maxCount": "More than {p} values on {focus}{arrow}",
    "minInclusive": "Value is not >= {p}",
    "minExclusive": "Value is not > {p}",
    "maxInclusive": "Value is not <= {p}",
    "maxExclusive": "Value is not < {p}",
    "minLength": "String length not >= {p}",
    "maxLength": "String length not <= {p}",
    "pattern": "Value does not match pattern '{p}'",
    "languageIn": "String language is not in {p}",
    "uniqueLang": "More than one String shares the same Language",
    "in": "Value {value} not in list {p}",
    "hasValue": "Node {focus}{arrow} does not contain a value in the set: {p}",
    "node": "Value does not conform to Shape {p}. See details for more information.",
    "not": "Node {value} must not conform to shape {p}",
    "and": "Node {value} must conform to all shapes in {p}",
    "or": "Node {value} must conform to one or more shapes in {p}",
    "xone": "Node {value} must conform to exactly one shape in {p}",
    "qualifiedMinCount": "Focus node does not conform to shape MinCount {p}",
    "qualifiedMaxCount": "Focus node does not conform to shape MaxCount {p}",
    "closed": "Node {focus} is closed. It cannot have value: {value}",
    "equals": "Value of {focus}{arrow} != {value}",
    "disjoint": "Value of {focus}{arrow} == {value}",
    "lessThan": "Value of {focus}{arrow} < {value}",
    "lessThanOrEquals": "Value of {focus}{arrow} <= {value}",
}


def default_message(kind: str, parameter: object, found, namespaces) -> Literal:
    """Return the message of a result whose shape has none, worded as pyshacl's (its terms
    written with the shapes' prefixes)."""

    def text(term) -> str:
        if isinstance(term, Shape):
            term = term.node
        if isinstance(term, (list, tuple, frozenset)):
            return "(" + ", ".join(text(t) for t in term if t is not None) + ")"
        if isinstance(term, (BNode, Literal)) or not hasattr(term, "n3"):
            return str(term)
        return term.n3(namespace_manager=namespaces)

    if isinstance(parameter, tuple):  # (shape, min, max, siblings), (pattern, flags): the bound
        if kind in ("qualifiedMinCount", "qualifiedMaxCount"):
            parameter = parameter[1] if kind == "qualifiedMinCount" else parameter[2]
        elif kind == "pattern":
            parameter = parameter[0]
    path = found.shape.path
    template = _DEFAULT_MESSAGES.get(kind, "Value does not conform to {p}")
    return Literal(
        template.format(
            p=text(parameter),
            focus=text(found.focus),
            value=text(found.value),
            arrow=f"->{text(path)}" if isinstance(path, URIRef) else "",
        )
    )


def sparql_messages(shape: Shape, templates: tuple, bound: tuple) -> tuple[Node, ...]:
    """Fill in messages as pyshacl does: the constraint's templates, then the shape's."""
    own = list(shape.messages)
    out = [filled(m, bound) for m in templates if m not in own]
    out += [filled(m, bound) for m in own]
    return tuple(out)


def filled(message: Node, bound: tuple) -> Node:
    if not isinstance(message, Literal):
        return message
    this, path, value, extra = bound
    names = dict(extra)
    for name, term in (("this", this), ("path", path), ("value", value)):
        if term is not None:
            names[name] = term
    text = str(message.value)
    for name, term in names.items():
        text = re.sub(f"{{[?$]{name}}}", str(term), text)
    return Literal(text)


def ntriples(term: Node) -> str:
    """Return ``term`` in N-Triples syntax (IRIs as they are: Oxigraph checks them)."""
    if isinstance(term, Literal):
        text = (
            str(term).replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
            .replace("\r", "\\r")
        )  # fmt: skip
        if term.language:
            return f'"{text}"@{term.language}'
        if term.datatype is not None:
            return f'"{text}"^^<{term.datatype}>'
        return f'"{text}"'
    if isinstance(term, BNode):
        return f"_:{term}"
    return f"<{term}>"
