"""What the remote mode needs to know of Virtuoso 7 (OpenLink Virtuoso Open Source 7.2).

Virtuoso answers some standard requests in its own way; :mod:`imtkg.query.remote` reads these
answers as the standard ones they stand for (docs/scaling.md lists what was verified):

* its errors are ``Virtuoso SSSSS Error CODE: message``: ``SP030`` is a parse error of the query,
  SQL state ``S1T00`` its own time limit; anything else is its own failure, not the query's syntax;
* ``ASK`` is answered as a table of one variable, ``__ASK_RETVAL`` (a row: true; none: false);
* an answer that reached ``ResultSetMaxRows`` carries ``X-SPARQL-MaxRows``; a partial "anytime"
  answer carries ``X-SQL-State: S1TAT``;
* its lexer does not read SPARQL 1.1's escapes in prefixed names (``id:event\\/x``):
  :func:`expand_escaped_names` writes those names as full IRIs, which mean the same;
* its JSON answers label a blank node ``nodeID://b10010``, which is no blank node label (its
  N-Triples answers write ``_:b10010``), and write the booleans it holds as ``1`` and ``0``:
  :class:`StandardJson` reads them as ``b10010``, ``true`` and ``false``.
"""

from __future__ import annotations

import io
import re
from collections.abc import Mapping

import pyoxigraph as ox

#: the product of Virtuoso's ``Server`` header ("Virtuoso/07.20.3229 (Linux) ...")
PRODUCT = "Virtuoso/"
#: Virtuoso's error messages: "Virtuoso 37000 Error SP030: SPARQL compiler, line 1: ..."
ERROR = re.compile(r"^Virtuoso (?P<state>\w{5}) Error (?P<code>\w+):")
#: Virtuoso's SPARQL parse errors (its lexer and grammar): the query's fault
SYNTAX_CODE = "SP030"
#: the SQL state of a query Virtuoso stopped at its time limit (an error answer)
TIMEOUT_STATE = "S1T00"
#: the SQL state of a partial answer sent at its time limit (``X-SQL-State`` of a 200)
PARTIAL_STATE = "S1TAT"
#: the header of an answer that reached ResultSetMaxRows (it may have been cut there)
MAX_ROWS_HEADER = "X-SPARQL-MaxRows"
#: Virtuoso 7 answers ASK as a table of this one variable (issue 1016 of virtuoso-opensource)
ASK_VARIABLE = "__ASK_RETVAL"

#: how Virtuoso 7 writes what a JSON answer holds in its own way, and the standard form of each:
#: a blank node labelled ``nodeID://b10010`` (no blank node label; its N-Triples answers write
#: ``_:b10010``), and the booleans it holds by value, written ``1`` and ``0``
JSON_REWRITES: dict[bytes, bytes] = {
    b'"type": "bnode", "value": "nodeID://': b'"type": "bnode", "value": "',
    b'"datatype": "http://www.w3.org/2001/XMLSchema#boolean", "value": "1"': (
        b'"datatype": "http://www.w3.org/2001/XMLSchema#boolean", "value": "true"'
    ),
    b'"datatype": "http://www.w3.org/2001/XMLSchema#boolean", "value": "0"': (
        b'"datatype": "http://www.w3.org/2001/XMLSchema#boolean", "value": "false"'
    ),
}
_JSON_REWRITE = re.compile(b"|".join(re.escape(k) for k in JSON_REWRITES))
#: a tail this long may begin a rewrite whose end has not arrived
_HELD = max(map(len, JSON_REWRITES)) - 1

#: SPARQL 1.1's PN_LOCAL_ESC: a backslash and one of these characters
_ESCAPE = r"\\[_~.\-!$&'()*+,;=/?#@%]"
_LOCAL_CHAR = rf"(?:[\w:-]|%[0-9A-Fa-f]{{2}}|{_ESCAPE})"
#: what the scan meets in a query: text to keep (strings, comments), a prefix declaration, an
#: IRI reference, or a prefixed name (kept unless its local part holds an escape)
_SCAN = re.compile(
    r"(?P<keep>'''(?:[^'\\]|\\.|'(?!''))*'''"
    r'|"""(?:[^"\\]|\\.|"(?!""))*"""'
    r"|'(?:[^'\\\n\r]|\\.)*'"
    r'|"(?:[^"\\\n\r]|\\.)*"'
    r"|#[^\n\r]*)"
    r"|(?P<declaration>(?<![\w?$])PREFIX\s+(?P<declared>[^\W\d_](?:[\w.-]*[\w-])?)?\s*:\s*"
    r"<(?P<namespace>[^<>\"{}|^`\\\x00-\x20]*)>)"
    r"|(?P<iri><[^<>\"{}|^`\\\x00-\x20]*>)"
    rf"|(?P<name>(?<![\w?$:.-])(?P<prefix>[^\W\d_](?:[\w.-]*[\w-])?)?:"
    rf"(?P<local>{_LOCAL_CHAR}(?:(?:{_LOCAL_CHAR}|\.)*{_LOCAL_CHAR})?))",
    re.IGNORECASE | re.DOTALL,
)
_UNESCAPE = re.compile(r"\\(.)")


def is_virtuoso(engine: str | None) -> bool:
    """Tell whether an engine's ``Server`` product names Virtuoso."""
    return bool(engine) and str(engine).startswith(PRODUCT)


def expand_escaped_names(query: str, prefixes: Mapping[str, str]) -> str:
    """Write every prefixed name whose local part holds an escape (``id:event\\/x``) as the full
    IRI it stands for (``<https://w3id.org/imt-kg/id/event/x>``); leave the rest of the query as
    it is (no line moves, so an engine's line numbers still hold).

    :param prefixes: the prefixes predeclared for the query; its own declarations override them.
    A name whose prefix is declared nowhere is left as written (the engine reports it).
    """
    if "\\" not in query:
        return query
    known = dict(prefixes)

    def rewrite(match: re.Match[str]) -> str:
        if match["declaration"]:
            known[match["declared"] or ""] = match["namespace"]
            return match.group(0)
        if not match["name"] or "\\" not in match["local"]:
            return match.group(0)
        namespace = known.get(match["prefix"] or "")
        if namespace is None:
            return match.group(0)
        local = _UNESCAPE.sub(r"\1", match["local"])
        return f"<{namespace}{local}>"

    return _SCAN.sub(rewrite, query)


def ask_table_as_boolean(solutions: ox.QuerySolutions) -> ox.QueryBoolean | None:
    """Read Virtuoso's answer to ``ASK`` (a table of ``__ASK_RETVAL``) as the boolean it means;
    ``None`` when the table is any other."""
    if [v.value for v in solutions.variables] != [ASK_VARIABLE]:
        return None
    values = [row[ASK_VARIABLE] for row in solutions]
    true = any(isinstance(v, ox.Literal) and v.value not in ("0", "false") for v in values)
    document = b'{"head": {}, "boolean": %s}' % (b"true" if true else b"false")
    answer = ox.parse_query_results(document, format=ox.QueryResultsFormat.JSON)
    return answer if isinstance(answer, ox.QueryBoolean) else None


class StandardJson(io.RawIOBase):
    """A JSON answer of Virtuoso read with its own forms written as the standard ones
    (:data:`JSON_REWRITES`): blank node labels without ``nodeID://``, booleans ``true`` and
    ``false``.

    The rewrite streams: only a tail shorter than the longest form is held back between reads.
    A quote inside a JSON string is escaped (``\\"``), so the text of a literal never matches.

    :param raw: the answer's body.
    """

    def __init__(self, raw: io.BufferedIOBase) -> None:
        super().__init__()
        self._raw = raw
        self._held = b""
        self._ready = b""
        self._ended = False

    def readable(self) -> bool:  # noqa: D102 - io API
        return True

    def readinto(self, buffer) -> int:  # noqa: D102 - io API
        while not self._ready and not self._ended:
            chunk = self._raw.read1(max(len(buffer), _HELD + 1))
            if chunk:
                self._take(self._held + chunk)
            else:
                self._ended, self._ready, self._held = True, self._held, b""
        size = min(len(buffer), len(self._ready))
        buffer[:size] = self._ready[:size]
        self._ready = self._ready[size:]
        return size

    def _take(self, data: bytes) -> None:
        """Rewrite the forms in ``data``; hold back a tail that may begin one."""
        parts, position = [], 0
        for match in _JSON_REWRITE.finditer(data):
            parts += [data[position : match.start()], JSON_REWRITES[match.group(0)]]
            position = match.end()
        safe = max(position, len(data) - _HELD)
        parts.append(data[position:safe])
        self._ready, self._held = b"".join(parts), data[safe:]
