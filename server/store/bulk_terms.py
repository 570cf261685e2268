"""The terms of a bulk build (:mod:`imtkg.store.bulk_build`): integer codes of pyoxigraph terms,
their N-Triples text, and their rdflib equivalents made only when read.

A million triples hold about half a million distinct terms; converting each to rdflib costs
more than reasoning over the few the rules look at (the schema's), so :class:`LazyTerms`
converts a term when the reasoner, the noise filter or a report first reads it.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import overload

import pyoxigraph as ox
from rdflib import BNode, Literal, URIRef
from rdflib.term import Node

from imtkg.reasoning.rl_reasoner import LEXICALLY_CHECKED, RESERVED
from imtkg.store.oxigraph_store import _to_ox

XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"


def to_rdflib(term) -> Node:
    """Return the rdflib term of a pyoxigraph term (plain literals stay without a datatype, as
    rdflib's parsers make them)."""
    if isinstance(term, ox.NamedNode):
        return URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return BNode(term.value)
    if term.language:
        return Literal(term.value, lang=term.language)
    datatype = term.datatype.value
    return Literal(term.value) if datatype == XSD_STRING else Literal(term.value, datatype=datatype)


class TermTable:
    """Integer codes of pyoxigraph terms (the first ones:
    :data:`~imtkg.reasoning.rl_reasoner.RESERVED`).

    :ivar ox_terms: code -> pyoxigraph term.
    :ivar ids: pyoxigraph term -> code.
    :ivar texts: code -> N-Triples text of the term.
    :ivar blank: the codes of blank nodes.
    """

    def __init__(self) -> None:
        self.ox_terms: list = []
        self.ids: dict = {}
        self.texts: list[str] = []
        self.blank: set[int] = set()
        for term in RESERVED:
            self.add(_to_ox(term))

    def add(self, term) -> int:
        """Give the new term ``term`` the next code and return it."""
        code = self.ids[term] = len(self.ox_terms)
        self.ox_terms.append(term)
        self.texts.append(str(term))
        if isinstance(term, ox.BlankNode):
            self.blank.add(code)
        return code

    def code(self, term) -> int:
        """Return the code of ``term``, adding it if it is new."""
        code = self.ids.get(term)
        return self.add(term) if code is None else code

    def checked_literals(self) -> list[int]:
        """Return the codes of the literals whose lexical form the reasoner checks (those of a
        datatype of :data:`~imtkg.reasoning.rl_reasoner.LEXICALLY_CHECKED`; not ``xsd:string``,
        which :func:`to_rdflib` leaves without a datatype, as rdflib does)."""
        checked = LEXICALLY_CHECKED - {XSD_STRING}
        return [
            code
            for code, term in enumerate(self.ox_terms)
            if isinstance(term, ox.Literal) and term.datatype.value in checked
        ]


class LazyTerms(Sequence[Node]):
    """The rdflib terms of a :class:`TermTable`, each converted when first read."""

    def __init__(self, table: TermTable) -> None:
        self._ox_terms = table.ox_terms
        self._converted: list[Node | None] = [None] * len(table.ox_terms)
        self._converted[: len(RESERVED)] = RESERVED

    def __len__(self) -> int:
        return len(self._converted)

    @overload
    def __getitem__(self, index: int) -> Node: ...

    @overload
    def __getitem__(self, index: slice) -> list[Node]: ...

    def __getitem__(self, index):
        if isinstance(index, slice):
            return [self[i] for i in range(*index.indices(len(self)))]
        term = self._converted[index]
        if term is None:
            term = self._converted[index] = to_rdflib(self._ox_terms[index])
        return term
