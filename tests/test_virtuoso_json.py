"""Virtuoso's JSON answers read as standard ones (imtkg.query.virtuoso.StandardJson): blank node
labels ``nodeID://b10010`` and booleans ``1``/``0``, rewritten while the answer streams in."""

from __future__ import annotations

import io

import pyoxigraph as ox
import pytest

from imtkg.query.virtuoso import StandardJson

BOOLEAN = "http://www.w3.org/2001/XMLSchema#boolean"
#: an answer as Virtuoso 7.2 writes it (its spacing and tabs), with a blank node, a boolean
#: true and false, an integer 1 and a literal whose text quotes Virtuoso's blank node form
ANSWER = (
    '\n{ "head": { "link": [], "vars": ["b", "t", "f", "n", "text"] },\n'
    '  "results": { "distinct": false, "ordered": true, "bindings": [\n'
    '    { "b": { "type": "bnode", "value": "nodeID://b10010" }'
    f'\t, "t": {{ "type": "typed-literal", "datatype": "{BOOLEAN}", "value": "1" }}'
    f'\t, "f": {{ "type": "typed-literal", "datatype": "{BOOLEAN}", "value": "0" }}'
    '\t, "n": { "type": "typed-literal", "datatype": '
    '"http://www.w3.org/2001/XMLSchema#integer", "value": "1" }'
    '\t, "text": { "type": "literal", "value": '
    '"\\"type\\": \\"bnode\\", \\"value\\": \\"nodeID://b1\\"" }},\n'
    '    { "b": { "type": "bnode", "value": "nodeID://b10018" }} ] } }'
).encode()


class Trickle(io.RawIOBase):
    """A body that arrives ``size`` bytes at a time (as a slow engine's would)."""

    def __init__(self, data: bytes, size: int) -> None:
        super().__init__()
        self._data, self._size = data, size

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        size = min(len(buffer), self._size, len(self._data))
        buffer[:size] = self._data[:size]
        self._data = self._data[size:]
        return size


def rows(body: bytes, size: int) -> list[dict[str, object]]:
    """Parse ``body``, arriving ``size`` bytes at a time, through :class:`StandardJson`."""
    reader = io.BufferedReader(StandardJson(io.BufferedReader(Trickle(body, size), size)))
    answer = ox.parse_query_results(reader, format=ox.QueryResultsFormat.JSON)
    assert isinstance(answer, ox.QuerySolutions)
    names = [v.value for v in answer.variables]
    return [{n: s[n] for n in names if s[n] is not None} for s in answer]


def test_oxigraph_refuses_virtuosos_blank_node_labels():
    """Without the rewrite, the answer is unreadable (what made each page with a list a 502)."""
    with pytest.raises(SyntaxError, match="blank node identifier is invalid"):
        list(ox.parse_query_results(ANSWER, format=ox.QueryResultsFormat.JSON))


@pytest.mark.parametrize("size", [1, 2, 7, 40, 65536])
def test_labels_and_booleans_are_rewritten_whatever_the_chunks(size):
    """Each blank node keeps its own label without ``nodeID://``; booleans 1 and 0 are true and
    false; the integer 1 and the literal quoting the blank node form are left as they are,
    however the body is cut into chunks."""
    assert rows(ANSWER, size) == [
        {
            "b": ox.BlankNode("b10010"),
            "t": ox.Literal("true", datatype=ox.NamedNode(BOOLEAN)),
            "f": ox.Literal("false", datatype=ox.NamedNode(BOOLEAN)),
            "n": ox.Literal("1", datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#integer")),
            "text": ox.Literal('"type": "bnode", "value": "nodeID://b1"'),
        },
        {"b": ox.BlankNode("b10018")},
    ]


def test_a_standard_answer_passes_unchanged():
    """An answer with nothing of Virtuoso's own reads byte for byte as it came."""
    body = b'{"head": {"vars": ["x"]}, "results": {"bindings": [{"x": {"type": "bnode", '
    body += b'"value": "a"}}, {"x": {"type": "literal", "value": "1"}}]}}'
    reader = StandardJson(io.BufferedReader(Trickle(body, 3)))
    assert reader.read() == body
