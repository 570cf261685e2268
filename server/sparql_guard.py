"""Read a query before it runs: is it an update, does it call ``SERVICE``, does it name a dataset?

Oxigraph would execute ``SERVICE`` by an HTTP request and cannot be told not to from Python, so
queries that use it are refused before execution. The checks are a cheap textual pre-filter for
the keyword, confirmed by rdflib's SPARQL parser so that the word in a string, an IRI, a comment
or a prefixed name is not a false positive. When rdflib cannot parse the query (Oxigraph accepts
some SPARQL 1.2 syntax rdflib does not), a lexical check decides, erring on the side of refusal.

SPARQL applies ``\\uXXXX`` escapes to the whole query text before parsing (Oxigraph does), so the
checks read the query with its escapes applied: ``\\u0053ERVICE`` is ``SERVICE``.
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass

_ESCAPE = re.compile(r"\\u([0-9A-Fa-f]{4})|\\U([0-9A-Fa-f]{8})")

# Strings (long forms first), IRI references and comments: the parts of a query a keyword may
# appear in without being one. re.sub scans left to right, so "#" inside an IRI or a string
# belongs to the IRI or string and a quote inside a comment to the comment.
_OPAQUE = re.compile(
    r"'''(?:[^'\\]|\\.|'(?!''))*'''"
    r'|"""(?:[^"\\]|\\.|"(?!""))*"""'
    r"|'(?:[^'\\\n\r]|\\.)*'"
    r'|"(?:[^"\\\n\r]|\\.)*"'
    r"|<[^<>\"{}|^`\\\x00-\x20]*>"
    r"|#[^\n\r]*",
    re.DOTALL,
)


def _keyword(word: str) -> re.Pattern[str]:
    # not part of a variable (?x, $x), a prefixed name (ex:x, x:) or a longer word
    return re.compile(rf"(?<![\w?$:]){word}(?![\w:-])", re.IGNORECASE)


_SERVICE = _keyword("SERVICE")
_FROM = _keyword("FROM")
_PROLOGUE = re.compile(r"\s*(?:(?:BASE\s*)|(?:PREFIX\s+[\w.-]*:\s*))", re.IGNORECASE)
_FIRST_WORD = re.compile(r"\s*([A-Za-z]+)")

#: the words an update operation starts with (SPARQL 1.1 Update, section 3)
UPDATE_KEYWORDS = frozenset(
    {"INSERT", "DELETE", "LOAD", "CLEAR", "DROP", "CREATE", "ADD", "MOVE", "COPY", "WITH"}
)

# pyparsing's packrat cache is process-global; parse one query at a time
_RDFLIB_LOCK = threading.Lock()


@dataclass(frozen=True)
class QueryAnalysis:
    """What the guard found in a query.

    :param is_update: the text is a SPARQL Update request, not a query.
    :param uses_service: the query contains a ``SERVICE`` clause (federated query).
    :param has_dataset_clause: the query has ``FROM`` or ``FROM NAMED`` clauses.
    """

    is_update: bool
    uses_service: bool
    has_dataset_clause: bool


def unescape(query: str) -> str:
    """Apply SPARQL's ``\\uXXXX``/``\\UXXXXXXXX`` code point escapes to the whole query text."""

    def char(match: re.Match[str]) -> str:
        code = int(match.group(1) or match.group(2), 16)
        return chr(code) if code <= 0x10FFFF and not 0xD800 <= code <= 0xDFFF else match.group(0)

    return _ESCAPE.sub(char, query)


def strip_opaque(query: str) -> str:
    """Blank out string literals, IRI references and comments, leaving the query's keywords."""
    return _OPAQUE.sub(" ", query)


def leading_keyword(query: str) -> str | None:
    """Return the first keyword after the prologue (BASE/PREFIX), upper-cased: ``SELECT``..."""
    text = strip_opaque(unescape(query))
    position = 0
    while True:
        prologue = _PROLOGUE.match(text, position)
        if not prologue or prologue.end() == position:
            break
        position = prologue.end()
    word = _FIRST_WORD.match(text, position)
    return word.group(1).upper() if word else None


def looks_like_update(query: str) -> bool:
    """Tell whether the first keyword after the prologue (BASE/PREFIX) starts an update."""
    return leading_keyword(query) in UPDATE_KEYWORDS


def _walk(node: object, name: str) -> bool:
    """Tell whether rdflib's parse tree ``node`` contains a component called ``name``."""
    if getattr(node, "name", None) == name:
        return True
    if isinstance(node, dict):
        return any(_walk(value, name) for value in node.values())
    if isinstance(node, list | tuple) or type(node).__name__ == "ParseResults":
        return any(_walk(item, name) for item in node)
    return False


def _rdflib_parse(query: str) -> object | None:
    """Return rdflib's parse tree of ``query``, or ``None`` when rdflib cannot parse it."""
    from rdflib.plugins.sparql.parser import parseQuery

    try:
        with _RDFLIB_LOCK:
            return parseQuery(query)
    except Exception:  # noqa: BLE001 - any failure means "rdflib cannot tell"
        return None


def analyse(query: str) -> QueryAnalysis:
    """Analyse a query text: update or query, ``SERVICE`` calls, ``FROM``/``FROM NAMED`` clauses."""
    text = unescape(query)
    if looks_like_update(text):
        return QueryAnalysis(is_update=True, uses_service=False, has_dataset_clause=False)
    maybe_service = "service" in text.lower()
    maybe_from = "from" in text.lower()
    if not (maybe_service or maybe_from):
        return QueryAnalysis(False, False, False)
    tree = _rdflib_parse(text)
    if tree is not None:
        query_part = tree[1] if len(tree) > 1 else tree
        return QueryAnalysis(
            is_update=False,
            uses_service=maybe_service and _walk(tree, "ServiceGraphPattern"),
            # CompValue.get has its own signature: test membership, then index
            has_dataset_clause=maybe_from
            and "datasetClause" in query_part
            and bool(query_part["datasetClause"]),
        )
    bare = strip_opaque(text)
    return QueryAnalysis(
        is_update=False,
        uses_service=bool(_SERVICE.search(bare)),
        has_dataset_clause=bool(_FROM.search(bare)),
    )
