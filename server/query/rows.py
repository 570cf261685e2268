"""The rows of a SELECT query run through a :class:`~imtkg.query.interface.QueryEngine`, as
Oxigraph terms: what the pages and the citations read the served data with."""

from __future__ import annotations

import logging

import pyoxigraph as ox

from imtkg.core.namespaces import sparql_prologue
from imtkg.query.interface import QueryEngine

log = logging.getLogger(__name__)

#: a bound value of a solution
Term = ox.NamedNode | ox.BlankNode | ox.Literal
#: a solution: variable name -> value (unbound variables left out)
Row = dict[str, Term]


def select_rows(engine: QueryEngine, query: str) -> list[Row]:
    """Run a SELECT query (the project's prefixes declared) through the engine; return its rows.

    A result cut off by the engine's row or size limit is logged: the caller then sees less.
    """
    result = engine.execute(sparql_prologue() + query, result_format="json", graph_format=None)
    if result.truncated:
        log.warning("result cut off at %d rows by the engine's limits: %.120r", result.count, query)
    solutions = ox.parse_query_results(result.body, format=ox.QueryResultsFormat.JSON)
    if not isinstance(solutions, ox.QuerySolutions):
        raise TypeError(f"not a SELECT query: {query:.120}")
    names = [v.value for v in solutions.variables]
    return [
        {name: solution[name] for name in names if solution[name] is not None}
        for solution in solutions
    ]
