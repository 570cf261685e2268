"""SHACL property paths written in SPARQL property-path syntax, for a query or for a person.

One walk of the path's nodes (:func:`write_path`) serves both: the Oxigraph engine
(:mod:`imtkg.shacl.compiled_shapes`) writes full IRIs and parenthesises every compound path, so
that the text can be substituted for ``$PATH`` anywhere in a query; reports
(:func:`path_text`) write prefixed names and parentheses only where precedence needs them.
"""

from __future__ import annotations

from collections.abc import Callable

from rdflib import Graph, URIRef
from rdflib.collection import Collection
from rdflib.namespace import RDF
from rdflib.term import Node

from imtkg.core.namespaces import SH
from imtkg.shacl.results import short

#: the closures, with their SPARQL suffix
_CLOSURES = ((SH.zeroOrMorePath, "*"), (SH.oneOrMorePath, "+"), (SH.zeroOrOnePath, "?"))


def write_path(graph: Graph, path: Node, term: Callable[[Node], str], always_grouped: bool) -> str:
    """Write the SHACL property path ``path`` of ``graph`` in SPARQL property-path syntax.

    :param term: writes a predicate IRI, and any node that is not a well-formed compound path
        (it may raise, naming what is wrong).
    :param always_grouped: the grouping rule. ``True``: every sequence and alternative is in
        parentheses, and so is every operand of ``^``, ``*``, ``+`` and ``?`` (``^(<p>)``);
        ``False``: parentheses only where precedence needs them (``^p``, ``(a/b)*``, ``a/b``).
    """

    def walk(node: Node) -> str:
        if isinstance(node, URIRef):
            return term(node)
        if graph.value(node, RDF.first) is not None:
            text = "/".join(walk(p) for p in Collection(graph, node))
            return f"({text})" if always_grouped else text
        inverse = graph.value(node, SH.inversePath)
        if inverse is not None:
            return "^" + operand(inverse)
        alternatives = graph.value(node, SH.alternativePath)
        if alternatives is not None:
            return "(" + "|".join(walk(p) for p in Collection(graph, alternatives)) + ")"
        for predicate, suffix in _CLOSURES:
            inner = graph.value(node, predicate)
            if inner is not None:
                return operand(inner) + suffix
        return term(node)

    def operand(node: Node) -> str:
        text = walk(node)
        if always_grouped or not (isinstance(node, URIRef) or text.startswith("(")):
            return f"({text})"
        return text

    return walk(path)


def path_text(graph: Graph, path: Node) -> str:
    """Render a SHACL property path for a person: prefixed names, parentheses only where needed
    (``^org:hasUnit``, ``org:memberDuring/time:hasBeginning``, ``(a|b)``)."""
    return write_path(graph, path, short, always_grouped=False)
