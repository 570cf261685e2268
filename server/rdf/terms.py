"""RDF terms as people type and read them: prefixed names, ``<IRIs>`` and Turtle literals.

:func:`parse_term` reads what a user gives ``imtkg explain`` or ``/explain`` (``id:mines-nancy``,
``org:memberOf``, ``a``, ``<https://...>``, ``"3.0"^^xsd:decimal``) with the project's prefixes;
:func:`shorten` and :func:`format_triple` write terms back in the same short form.
"""

from __future__ import annotations

import re

from rdflib import BNode, Literal, URIRef
from rdflib.namespace import RDF, XSD
from rdflib.term import Node
from rdflib.util import from_n3

from imtkg.core.errors import ImtKgError
from imtkg.core.namespaces import PREFIXES

POSITIONS = ("subject", "predicate", "object")

_PREFIXED = re.compile(r"^([A-Za-z][\w.-]*)?:(\S*)$")
#: Turtle's bare literals, most specific datatype first
_BARE_LITERALS = (
    (re.compile(r"^[+-]?\d+$"), XSD.integer),
    (re.compile(r"^[+-]?\d*\.\d+$"), XSD.decimal),
    (re.compile(r"^[+-]?(\d+\.?\d*|\.\d+)[eE][+-]?\d+$"), XSD.double),
    (re.compile(r"^(true|false)$"), XSD.boolean),
)
_QUOTED_LITERAL = re.compile(r'^("(?:[^"\\]|\\.)*")(?:@([A-Za-z]+(?:-[A-Za-z0-9]+)*)|\^\^(\S+))?$')
_IRI_FORBIDDEN = re.compile(r'[\s<>"{}|^`\\]')


class TermError(ImtKgError):
    """A term that cannot be read: says which position and what was expected."""


def _iri(text: str, position: str) -> URIRef:
    if not text or _IRI_FORBIDDEN.search(text):
        raise TermError(f"{position} <{text}> is not a valid IRI")
    return URIRef(text)


def _literal(text: str) -> Literal:
    """Read a Turtle literal: ``"text"``, ``"text"@lang``, ``"text"^^datatype``, or a bare one."""
    for pattern, bare_type in _BARE_LITERALS:
        if pattern.match(text):
            return Literal(text, datatype=bare_type)
    match = _QUOTED_LITERAL.match(text)
    if not match:
        raise TermError(f"cannot read the object {text} as a Turtle literal")
    quoted, language, datatype = match.groups()
    value = str(from_n3(quoted))
    if datatype is not None:
        datatype_iri = parse_term(datatype, "datatype")
        if not isinstance(datatype_iri, URIRef):  # never: only an object may be a literal
            raise TermError(f"the datatype {datatype} is not an IRI")
        return Literal(value, datatype=datatype_iri)
    return Literal(value, lang=language)


def parse_term(text: str, position: str = "object") -> Node:
    """Read one RDF term written as in Turtle, with the project's prefixes.

    Accepted: prefixed names (``id:mines-nancy``), IRIs in angle brackets or bare
    ``http(s)://`` IRIs, ``a`` for ``rdf:type`` (as predicate), and in object position Turtle
    literals (``"text"@en``, ``"2018"^^xsd:gYear``, ``3.0``, ``true``).

    :param position: ``subject``, ``predicate`` or ``object``; says what is allowed.
    :raises TermError: naming the position and what is wrong.
    """
    text = text.strip()
    if not text:
        raise TermError(f"the {position} is empty")
    if position == "predicate" and text == "a":
        return RDF.type
    if text.startswith("<") and text.endswith(">"):
        return _iri(text[1:-1], position)
    if text.startswith("_:"):
        raise TermError(
            f"{position} {text} is a blank node, whose label changes with every load; "
            "name the resource by its IRI"
        )
    if text.startswith('"') or any(pattern.match(text) for pattern, _ in _BARE_LITERALS):
        if position != "object":
            raise TermError(f"the {position} cannot be a literal: {text}")
        return _literal(text)
    if text.startswith(("http://", "https://", "urn:")):
        return _iri(text, position)
    match = _PREFIXED.match(text)
    if match:
        prefix = match.group(1) or ""
        if prefix not in PREFIXES:
            known = ", ".join(f"{p}:" for p in PREFIXES)
            raise TermError(f"unknown prefix {prefix}: in the {position} {text} (known: {known})")
        return _iri(PREFIXES[prefix] + match.group(2), position)
    raise TermError(
        f"cannot read the {position} {text!r}: expected a prefixed name such as id:mines-nancy, "
        'an IRI such as <https://w3id.org/imt-kg/id/mines-nancy>, or (as object) a literal "..."'
    )


def parse_triple(subject: str, predicate: str, obj: str) -> tuple[Node, Node, Node]:
    """Read a triple pattern's three terms (see :func:`parse_term`)."""
    return (
        parse_term(subject, "subject"),
        parse_term(predicate, "predicate"),
        parse_term(obj, "object"),
    )


def shorten(term: Node, prefixes: dict[str, str] | None = None) -> str:
    """Write ``term`` briefly: ``prefix:local`` for IRIs with a known namespace, else Turtle."""
    prefixes = PREFIXES if prefixes is None else prefixes
    if isinstance(term, URIRef):
        best = max(
            (p for p, ns in prefixes.items() if term.startswith(ns) and len(term) > len(ns)),
            key=lambda p: len(prefixes[p]),
            default=None,
        )
        return f"{best}:{term[len(prefixes[best]) :]}" if best is not None else f"<{term}>"
    if isinstance(term, Literal):
        if term.datatype is not None:
            return f"{Literal(str(term)).n3()}^^{shorten(term.datatype, prefixes)}"
        return term.n3()
    if isinstance(term, BNode):
        return f"_:{term}"
    return str(term)


def format_triple(triple: tuple[Node, Node, Node]) -> str:
    """Write a triple on one line with short names (no final dot)."""
    return " ".join(shorten(t) for t in triple)
