"""The one reader of RDF from outside: files and request bodies, parsed by Oxigraph.

Every input the project reads (the ``imtkg validate`` files, the folders and DATASET files
``imtkg serve`` loads with rdflib, ``POST /shacl`` bodies) goes through :func:`read_quads`, so
they are accepted or refused alike, with the same message:

* Turtle, TriG, N-Triples, N-Quads and RDF/XML are parsed by Oxigraph (strict IRIs, streaming, no
  recursion, a 16 MiB cap on one token); JSON-LD by :mod:`imtkg.rdf.jsonld_input` (PyLD with a
  document loader that never leaves the process);
* RDF/XML may not declare DTD entities in a request body; in a file, only small entities that
  name no other entity (so their expansion stays bounded);
* a failure is an :class:`InputError` naming the file (or ``<request body>``), the line and
  column when known, and the offending IRI or byte (``file.ttl:3:1: Turtle syntax error:
  Invalid IRI code point ' ' in <http://a b>``); text that is not UTF-8 is reported where the
  first bad byte is.

:func:`parse_file`, :func:`parse_quads_file` and :func:`parse_text` load the quads into rdflib.

**Literals are kept as written.** By default rdflib rewrites the text of a typed literal into
its canonical form when it builds it (``rdflib.NORMALIZE_LITERALS``): ``"01"^^xsd:integer``
becomes ``"1"``, ``"1"^^xsd:boolean`` becomes ``"true"``, and an ill-typed
``"none"^^xsd:boolean`` becomes ``"false"``, the very term of a valid literal, so that two
triples become one and a datatype violation is lost. The reader builds every literal with
``normalize=False`` (per call: thread-safe), and importing this module turns the global off for
the whole process, once, so that the libraries working on what it read (pyshacl copying a data
graph, owlrl) do not rewrite literals either. Nothing in the project relies on normalisation:
no literal of the shipped files has a non-canonical form (``tests/test_cli_validate_shapes.py``
checks it). rdflib also collapses the whitespace of ``xsd:token`` and ``xsd:normalizedString``
literals whatever the setting: :func:`literal` keeps their text too (such a text is ill-typed).
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from pathlib import Path

import pyoxigraph as ox
import rdflib
from rdflib import BNode, Dataset, Graph, Literal, URIRef
from rdflib.graph import DATASET_DEFAULT_GRAPH_ID
from rdflib.term import IdentifiedNode, Node

from imtkg.core.errors import InputError
from imtkg.rdf.formats import BY_SUFFIX, RDF_SYNTAXES
from imtkg.rdf.jsonld_input import ContextSource, no_contexts, shipped_contexts, to_quads

# once, at import, never changed back: see the module docstring ("Literals are kept as written")
rdflib.NORMALIZE_LITERALS = False

#: file suffix -> rdflib parser name
SUFFIX_FORMATS: dict[str, str] = {suffix: s.rdflib for suffix, s in BY_SUFFIX.items()}

#: media type -> rdflib parser name (the ``Content-Type`` of a body; no ``Accept``-only alias)
MEDIA_TYPE_FORMATS: dict[str, str] = {
    media_type: s.rdflib for s in RDF_SYNTAXES for media_type in (s.media_type, *s.aliases)
}

#: rdflib parser names of the syntaxes that keep named graphs
QUAD_FORMATS = frozenset(s.rdflib for s in RDF_SYNTAXES if s.dataset)

#: rdflib parser name -> Oxigraph format (JSON-LD goes through :mod:`imtkg.rdf.jsonld_input`)
OXIGRAPH_FORMATS: dict[str, ox.RdfFormat] = {
    s.rdflib: s.oxigraph for s in RDF_SYNTAXES if s.oxigraph != ox.RdfFormat.JSON_LD
}
#: rdflib parser name -> what people call the format
FORMAT_NAMES: dict[str, str] = {s.rdflib: s.label for s in RDF_SYNTAXES}

#: a file's DTD entity may expand to at most this many characters in all (see _check_entities)
MAX_ENTITY_EXPANSION = 16 * 1024 * 1024
#: how often (in quads) a parse looks at its deadline
_DEADLINE_EVERY = 2048

_OXIGRAPH_WHERE = re.compile(
    r"^Parser error (?:at line \d+ (?:column \d+|between columns \d+ and \d+)"
    r"|between line \d+ column \d+ and line \d+ column \d+): "
)
_OXIGRAPH_LINE = re.compile(r" \((?:[^()]*, )?line \d+\)$")
_DOCTYPE = re.compile(rb"<!DOCTYPE", re.IGNORECASE)
_ENTITY = re.compile(
    rb"<!ENTITY\s+(%\s+)?([^\s\"'%&;<>]+)\s+(?:\"([^\"]*)\"|'([^']*)'|(SYSTEM|PUBLIC)\b)",
    re.IGNORECASE,
)
_ANY_ENTITY = re.compile(rb"<!ENTITY", re.IGNORECASE)


class ParseError(InputError):
    """An :class:`InputError` that also knows the column (``file:line:column: message``).

    :param column: the 1-based column (in characters) of the problem, when known.
    """

    def __init__(
        self, source: str, message: str, line: int | None = None, column: int | None = None
    ) -> None:
        super().__init__(source, message, line)
        self.column = column
        if line is not None and column is not None:
            self.args = (f"{source}:{line}:{column}: {message}",)


def format_for_path(path: Path) -> str:
    """Return the rdflib parser name for a file, from its suffix.

    :raises InputError: when the suffix is not an RDF format the project reads.
    """
    fmt = SUFFIX_FORMATS.get(path.suffix.lower())
    if fmt is None:
        known = ", ".join(sorted(SUFFIX_FORMATS))
        raise InputError(
            str(path), f"unknown RDF file type {path.suffix!r} (expected one of {known})"
        )
    return fmt


def located_decode(data: bytes, source: str, what: str) -> str:
    """Return ``data`` decoded as UTF-8, else raise a :class:`ParseError` at its first bad byte."""
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise _not_utf8(data, exc.start, source, what) from None


def _not_utf8(data: bytes, start: int, source: str, what: str) -> ParseError:
    """Return the error for the byte at ``start`` of ``data``, which starts no UTF-8 character."""
    line_start = data.rfind(b"\n", 0, start) + 1
    column = len(data[line_start:start].decode("utf-8", "replace")) + 1
    return ParseError(
        source,
        f"{what} error: the text is not UTF-8 (byte 0x{data[start]:02x}); "
        "save it as UTF-8 (a Latin-1 or Windows-1252 file needs converting)",
        data.count(b"\n", 0, start) + 1,
        column,
    )


def read_quads(
    data: bytes | Path,
    fmt: str,
    source: str,
    base_iri: str | None = None,
    *,
    contexts: ContextSource = no_contexts,
    trusted: bool = True,
    deadline: float | None = None,
) -> Iterator[ox.Quad]:
    """Yield the quads of ``data`` (bytes, or a file read as it goes) in rdflib format ``fmt``.

    Blank nodes are renamed apart (two inputs' ``_:b`` are two nodes, as rdflib parses them).

    :param source: the file name or ``<request body>``, for errors.
    :param base_iri: the base IRI of relative IRIs (a file's ``file:`` URI).
    :param contexts: the JSON-LD contexts a document may name by URL (none by default).
    :param trusted: false for request bodies: RDF/XML may then declare no DTD entity.
    :param deadline: a :func:`time.monotonic` time past which the parse stops with an error.
    :raises InputError: naming ``source`` (and the line, column, IRI or byte) on any failure.
    """
    if fmt == "json-ld":
        raw = _read_bytes(data, source) if isinstance(data, Path) else data
        yield from to_quads(raw, source, base_iri, contexts)
        return
    oxigraph_format = OXIGRAPH_FORMATS.get(fmt)
    if oxigraph_format is None:
        raise InputError(source, f"unknown RDF format {fmt!r}")
    if fmt == "xml":
        data = _read_bytes(data, source) if isinstance(data, Path) else data
        _check_entities(data, source, trusted)
    count = 0
    try:
        if isinstance(data, Path):
            parser = ox.parse(
                path=data, format=oxigraph_format, base_iri=base_iri, rename_blank_nodes=True
            )
        else:
            parser = ox.parse(
                data, format=oxigraph_format, base_iri=base_iri, rename_blank_nodes=True
            )
        for quad in parser:
            count += 1
            if (
                deadline is not None
                and count % _DEADLINE_EVERY == 0
                and time.monotonic() > deadline
            ):
                raise InputError(source, f"{FORMAT_NAMES[fmt]} input takes too long to read")
            yield quad
    except SyntaxError as exc:
        raise _syntax_error(exc, data, fmt, source) from None
    except MemoryError as exc:  # Oxigraph's cap on one token (a literal or IRI of 16 MiB)
        raise InputError(source, f"{FORMAT_NAMES[fmt]} error: too large to read ({exc})") from None
    except OSError as exc:
        raise InputError(source, f"cannot read file: {exc.strerror or exc}") from None


def _read_bytes(path: Path, source: str) -> bytes:
    try:
        return path.read_bytes()
    except OSError as exc:
        raise InputError(source, f"cannot read file: {exc.strerror or exc}") from None


def _check_entities(data: bytes, source: str, trusted: bool) -> None:
    """Refuse RDF/XML whose DTD entities could expand without bound (all of them, untrusted).

    Oxigraph expands entities, nested ones too: a few hundred bytes can expand to gigabytes.
    A file may declare small entities (the namespace abbreviations of ontology editors) that
    name no other entity, as long as their references expand to at most
    :data:`MAX_ENTITY_EXPANSION` characters in all.
    """
    doctype = _DOCTYPE.search(data)
    if doctype is None:
        return
    if not trusted:
        raise InputError(
            source,
            "RDF/XML error: the document has a <!DOCTYPE>; DTD entity declarations "
            "(<!ENTITY …>) are not read in uploads: write the IRIs and text in full",
        )
    declarations = list(_ENTITY.finditer(data, doctype.start()))
    if len(declarations) != len(_ANY_ENTITY.findall(data, doctype.start())):
        raise InputError(source, "RDF/XML error: a <!ENTITY> declaration that cannot be read")
    total = 0
    for found in declarations:
        parameter, name, double, single, external = found.groups()
        value = double if double is not None else single
        if parameter or external or value is None or b"&" in value or b"%" in value:
            raise InputError(
                source,
                f"RDF/XML error: the <!ENTITY {name.decode('utf-8', 'replace')}> is not read "
                "(only internal entities naming no other entity are)",
            )
        total += len(value) * data.count(b"&" + name + b";")
    if total > MAX_ENTITY_EXPANSION:
        raise InputError(
            source, f"RDF/XML error: the DTD entities expand to over {MAX_ENTITY_EXPANSION} bytes"
        )


def _syntax_error(exc: SyntaxError, data: bytes | Path, fmt: str, source: str) -> InputError:
    """Translate Oxigraph's :class:`SyntaxError` into a located error naming the bad text."""
    what = FORMAT_NAMES[fmt]
    message = _OXIGRAPH_LINE.sub("", _OXIGRAPH_WHERE.sub("", str(exc)))
    line, column = exc.lineno, exc.offset
    if line is None:
        return InputError(source, f"{what} syntax error: {message}")
    text = _line_bytes(data, line)
    if text is not None and "Invalid UTF-8" in message:
        bad = _first_bad_byte(text)
        if bad is not None:
            start = _line_offset(data, line) if isinstance(data, bytes) else None
            if isinstance(data, bytes) and start is not None:
                return _not_utf8(data, start + bad, source, what)
            column = len(text[:bad].decode("utf-8", "replace")) + 1
            return ParseError(
                source,
                f"{what} error: the text is not UTF-8 (byte 0x{text[bad]:02x}); "
                "save it as UTF-8 (a Latin-1 or Windows-1252 file needs converting)",
                line,
                column,
            )
    if text is not None and column is not None:
        decoded = text.decode("utf-8", "replace")
        end = exc.end_offset if exc.end_lineno == line and exc.end_offset else None
        span = decoded[column - 1 : end - 1] if end and end > column else ""
        if "IRI" in message and (span.startswith("<") or ":" in span):
            message += f" in {span.strip()}"
    return ParseError(source, f"{what} syntax error: {message}", line, column)


def _line_offset(data: bytes, line: int) -> int | None:
    """Return where the 1-based ``line`` starts in ``data``."""
    start = 0
    for _ in range(line - 1):
        start = data.find(b"\n", start) + 1
        if start == 0:
            return None
    return start


def _line_bytes(data: bytes | Path, line: int) -> bytes | None:
    """Return the bytes of the 1-based ``line`` of ``data`` (a file is read up to it)."""
    if isinstance(data, bytes):
        start = _line_offset(data, line)
        if start is None:
            return None
        end = data.find(b"\n", start)
        return data[start : end if end >= 0 else len(data)]
    try:
        with data.open("rb") as stream:
            for number, text in enumerate(stream, 1):
                if number == line:
                    return text.rstrip(b"\r\n")
    except OSError:
        return None
    return None


def _first_bad_byte(text: bytes) -> int | None:
    try:
        text.decode("utf-8")
    except UnicodeDecodeError as exc:
        return exc.start
    return None


# -- Into rdflib ---------------------------------------------------------------------------------

XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"


def literal(lexical: str, datatype: str | None = None, lang: str | None = None) -> Literal:
    """Return the rdflib literal of exactly this text, datatype and language (never rewritten).

    An ill-typed text stays as it is (``Literal.ill_typed`` is then true, as pyshacl's
    ``sh:datatype`` test expects).
    """
    made = Literal(lexical, lang=lang, datatype=datatype, normalize=False)
    if str(made) == lexical:
        return made
    # rdflib rewrote the whitespace of an xsd:token or xsd:normalizedString text, which means the
    # text is not in the datatype's lexical space: keep the text, mark the literal ill-typed
    kept = str.__new__(Literal, lexical)
    kept._language, kept._datatype, kept._value = made.language, made.datatype, made.value
    kept._ill_typed = True
    return kept


def oxigraph_term(term: Node) -> ox.NamedNode | ox.BlankNode | ox.Literal:
    """Return the Oxigraph term of an rdflib IRI, blank node or literal (its text as it is).

    :raises ValueError: for anything else (a variable, a quoted graph).
    """
    if isinstance(term, URIRef):
        return ox.NamedNode(str(term))
    if isinstance(term, BNode):
        return ox.BlankNode(str(term))
    if isinstance(term, Literal):
        if term.language:
            return ox.Literal(str(term), language=term.language)
        if term.datatype is not None:
            return ox.Literal(str(term), datatype=ox.NamedNode(str(term.datatype)))
        return ox.Literal(str(term))
    raise ValueError(f"not an RDF term: {term!r}")


def oxigraph_triple(subject: Node, predicate: Node, object_: Node) -> ox.Triple:
    """Return the Oxigraph triple of an rdflib triple (terms as they are).

    :raises ValueError: when the triple is not RDF (a literal subject, a predicate not an IRI).
    """
    s, p, o = oxigraph_term(subject), oxigraph_term(predicate), oxigraph_term(object_)
    if isinstance(s, ox.Literal) or not isinstance(p, ox.NamedNode):
        raise ValueError(f"not an RDF triple: {subject!r} {predicate!r} {object_!r}")
    return ox.Triple(s, p, o)


#: a term Oxigraph reads
_OxTerm = ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple


class _Terms:
    """Oxigraph terms made rdflib terms, each distinct term once (they repeat a lot)."""

    def __init__(self, source: str) -> None:
        self.source = source
        self.made: dict[_OxTerm, Node] = {}

    def __call__(self, term: _OxTerm) -> Node:
        made = self.made.get(term)
        if made is None:
            made = self.made[term] = self._convert(term)
        return made

    def _convert(self, term: _OxTerm) -> Node:
        if isinstance(term, ox.NamedNode):
            return URIRef(term.value)
        if isinstance(term, ox.BlankNode):
            return BNode(term.value)
        if isinstance(term, ox.Literal):
            if term.language:
                return literal(term.value, lang=term.language)
            datatype = term.datatype.value
            # plain literals stay without a datatype, as rdflib's parsers make them
            return literal(term.value, None if datatype == XSD_STRING else datatype)
        raise InputError(self.source, f"RDF 1.2 triple terms are not supported ({term})")


def _into_graph(quads: Iterator[ox.Quad], graph: Graph, source: str) -> None:
    """Add the triples of ``quads`` to ``graph`` (whatever graph each quad names)."""
    term = _Terms(source)
    graph.addN((term(q.subject), term(q.predicate), term(q.object), graph) for q in quads)


def _into_dataset(quads: Iterator[ox.Quad], dataset: Dataset, source: str) -> None:
    """Add ``quads`` to ``dataset``, each to its named graph (the default graph's to its own)."""
    term = _Terms(source)
    graphs: dict[ox.NamedNode | ox.BlankNode | ox.DefaultGraph, Graph] = {}

    def context(name: ox.NamedNode | ox.BlankNode | ox.DefaultGraph) -> Graph:
        graph = graphs.get(name)
        if graph is None:
            identifier: IdentifiedNode = (
                DATASET_DEFAULT_GRAPH_ID
                if isinstance(name, ox.DefaultGraph)
                else URIRef(name.value)
                if isinstance(name, ox.NamedNode)
                else BNode(name.value)
            )
            graph = graphs[name] = dataset.graph(identifier)
        return graph

    dataset.addN(
        (term(q.subject), term(q.predicate), term(q.object), context(q.graph_name)) for q in quads
    )


def _checked_first(path: Path, fmt: str, source: str, base_iri: str) -> None:
    """Read a whole file once, keeping nothing, so that a syntax error is found before memory
    goes into rdflib terms (a 50 MB file's error then costs seconds and no memory)."""
    if fmt in OXIGRAPH_FORMATS and fmt != "xml":
        for _ in read_quads(path, fmt, source, base_iri):
            pass


def parse_file(
    path: Path,
    graph: Graph | None = None,
    fmt: str | None = None,
    contexts: ContextSource = shipped_contexts,
) -> Graph:
    """Parse one RDF file into ``graph`` (a new :class:`Graph` by default) and return it.

    :param contexts: the JSON-LD contexts a JSON-LD file may name by URL (the project's).
    :raises InputError: naming the file, line and column when the file cannot be read or parsed.
    """
    fmt = fmt or format_for_path(path)
    target = graph if graph is not None else Graph()
    base_iri = path.resolve().as_uri()
    _checked_first(path, fmt, str(path), base_iri)
    quads = read_quads(path, fmt, str(path), base_iri, contexts=contexts)
    _into_graph(quads, target, str(path))
    return target


def parse_quads_file(
    path: Path,
    dataset: Dataset,
    fmt: str | None = None,
    contexts: ContextSource = shipped_contexts,
) -> Dataset:
    """Parse a quad file (TriG, N-Quads, JSON-LD) into ``dataset``, keeping its named graphs."""
    fmt = fmt or format_for_path(path)
    base_iri = path.resolve().as_uri()
    _checked_first(path, fmt, str(path), base_iri)
    quads = read_quads(path, fmt, str(path), base_iri, contexts=contexts)
    _into_dataset(quads, dataset, str(path))
    return dataset


def parse_text(
    data: str | bytes,
    fmt: str,
    source: str = "<request body>",
    *,
    contexts: ContextSource = no_contexts,
    deadline: float | None = None,
) -> Dataset:
    """Parse RDF sent from outside (a request body) in rdflib format ``fmt`` into a new dataset.

    Triple formats land in the dataset's default graph, quad formats keep their named graphs.
    The text is untrusted: RDF/XML may declare no DTD entity, JSON-LD may name only the
    ``contexts`` given.

    :raises InputError: naming ``source``, the line and column when the text cannot be parsed.
    """
    raw = data.encode("utf-8") if isinstance(data, str) else data
    quads = read_quads(raw, fmt, source, contexts=contexts, trusted=False, deadline=deadline)
    dataset = Dataset()
    _into_dataset(quads, dataset, source)
    return dataset
