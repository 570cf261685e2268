"""JSON-LD from outside (uploads, files to validate or serve) read into quads, offline.

A JSON-LD document can name its ``@context`` (or an ``@import``) by URL or path, which a
processor then fetches: a request could make the server connect anywhere, read local files
(``file:``, ``/dev/zero``) or learn whether they exist. Here PyLD processes the document with a
document loader that resolves only the project's own published context (``/context.jsonld``,
handed in by the caller as a :data:`ContextSource`); inline contexts need no loading, and any
other reference is refused with one message whatever it names, so the answer reveals nothing.

Every IRI of the expanded document is checked as Oxigraph checks IRIs, and a bad one is
reported with its line and column in the document, instead of its triples being dropped as the
JSON-LD algorithms do. The quads are parsed back by Oxigraph from PyLD's N-Quads.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import lru_cache
from urllib.parse import urljoin

import pyoxigraph as ox

from imtkg.core.errors import InputError
from imtkg.core.namespaces import BASE, ONTOLOGY_GRAPH
from imtkg.core.paths import resource_dir, turtle_files
from imtkg.rdf.jsonld_context import JsonObject, store_context

#: what a document may name as its context: URL -> the context document, or ``None`` (refused)
ContextSource = Callable[[str], "JsonObject | None"]

#: the path the server publishes its context at, below its base
CONTEXT_PATH = "context.jsonld"
#: the canonical URL of the project's context
CANONICAL_CONTEXT_URL = BASE + CONTEXT_PATH

#: the one answer to any context the loader will not load (it must not depend on the target)
REFUSED_CONTEXT = (
    "JSON-LD error: a remote @context or @import is not loaded; write the context inline "
    f"or use the project's own context ({CANONICAL_CONTEXT_URL})"
)

#: JSON nested deeper than this is refused before PyLD (a recursive processor) sees it
MAX_DEPTH = 200

_TOO_DEEP = f"JSON-LD error: the JSON is nested deeper than {MAX_DEPTH}"
_JSON_STRING = re.compile(r'"(?:[^"\\\n]|\\.)*"')


class ContextRefused(Exception):
    """The document names a context the loader does not load (carries no detail on purpose)."""


@dataclass(frozen=True)
class BadIri(Exception):
    """An IRI of the expanded document that Oxigraph refuses."""

    iri: str
    why: str


def no_contexts(url: str) -> JsonObject | None:
    """A :data:`ContextSource` that loads nothing: only inline contexts are read."""
    return None


def shipped_contexts(url: str) -> JsonObject | None:
    """A :data:`ContextSource` for files: the project's context at its canonical URL only."""
    return shipped_context() if url == CANONICAL_CONTEXT_URL else None


@lru_cache(maxsize=1)
def shipped_context() -> JsonObject:
    """Return the context the server publishes for the shipped ontology (built once)."""
    store = ox.Store()
    for path in turtle_files(resource_dir("ontology")):
        store.load(
            path=str(path),
            format=ox.RdfFormat.TURTLE,
            base_iri=path.resolve().as_uri(),
            to_graph=ox.NamedNode(str(ONTOLOGY_GRAPH)),
        )
    return store_context(store)


def to_quads(
    data: bytes, source: str, base_iri: str | None = None, contexts: ContextSource = no_contexts
) -> list[ox.Quad]:
    """Read the JSON-LD document ``data`` into Oxigraph quads (blank nodes renamed apart).

    :param source: the file name or ``<request body>``, for errors.
    :param base_iri: the document's base IRI (its file's URI), if it has one.
    :param contexts: the contexts a document may refer to by URL; nothing else is loaded.
    :raises InputError: naming ``source``, and the line and column when known.
    """
    from pyld import jsonld  # imported here: only JSON-LD input needs it
    from pyld.context_resolver import ContextResolver

    from imtkg.rdf.reading import ParseError, located_decode

    text = located_decode(data, source, "JSON-LD")
    try:
        document = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ParseError(source, f"JSON syntax error: {exc.msg}", exc.lineno, exc.colno) from None
    except RecursionError:
        raise InputError(source, _TOO_DEEP) from None
    if not isinstance(document, dict | list):
        raise InputError(source, "JSON-LD error: the document is not a JSON object or array")
    if _depth(document) > MAX_DEPTH:
        raise InputError(source, _TOO_DEEP)

    for reference in _context_references(document):
        if contexts(urljoin(base_iri or "", reference)) is None:
            raise InputError(source, REFUSED_CONTEXT)

    def loader(url: str, options: JsonObject) -> JsonObject:
        found = contexts(url) if isinstance(url, str) else None
        if found is None:
            raise ContextRefused()
        return {"contextUrl": None, "documentUrl": url, "document": found}

    options = {
        "base": base_iri or "",
        "documentLoader": loader,
        # a resolver of its own: PyLD's shared cache would keep contexts across documents
        "contextResolver": ContextResolver({}, loader),
    }
    try:
        expanded = jsonld.expand(document, options)
        for iri in _iris(expanded):
            _check_iri(iri)
        nquads = jsonld.to_rdf(expanded, {**options, "format": "application/n-quads"})
    except BadIri as bad:
        line, column = _position(text, bad.iri)
        raise ParseError(
            source, f"JSON-LD error: invalid IRI <{bad.iri}>: {bad.why}", line, column
        ) from None
    except RecursionError:
        raise InputError(source, "JSON-LD error: the document is nested too deeply") from None
    except Exception as exc:  # noqa: BLE001 - PyLD raises JsonLdError, ValueError, TypeError...
        if _refused(exc):
            raise InputError(source, REFUSED_CONTEXT) from None
        raise InputError(source, f"JSON-LD error: {_first_message(exc)}") from None
    try:
        return list(ox.parse(nquads, format=ox.RdfFormat.N_QUADS, rename_blank_nodes=True))
    except SyntaxError as exc:  # PyLD wrote a term Oxigraph refuses (a bad literal or language)
        why = str(exc).split(": ", 1)[-1]
        raise InputError(source, f"JSON-LD error: {why}") from None


def _context_references(document: object) -> Iterator[str]:
    """Yield every context the document names by URL or path: ``@context`` strings (alone or
    in an array, scoped contexts of term definitions included) and ``@import`` strings.

    Every object is looked at, wherever it is: refusing a reference PyLD would not have read
    costs nothing, loading one it reads is what must not happen.
    """
    stack = [document]
    while stack:
        item = stack.pop()
        if isinstance(item, list):
            stack.extend(item)
        elif isinstance(item, dict):
            for key, value in item.items():
                if key == "@context":
                    for entry in value if isinstance(value, list) else [value]:
                        if isinstance(entry, str):
                            yield entry
                elif key == "@import" and isinstance(value, str):
                    yield value
                stack.append(value)


def _depth(value: object) -> int:
    """Return how deeply ``value`` nests (iteratively, so any depth is measured)."""
    deepest, stack = 0, [(value, 1)]
    while stack:
        item, depth = stack.pop()
        deepest = max(deepest, depth)
        if deepest > MAX_DEPTH:
            return deepest
        if isinstance(item, dict):
            stack.extend((child, depth + 1) for child in item.values())
        elif isinstance(item, list):
            stack.extend((child, depth + 1) for child in item)
    return deepest


def _refused(exc: BaseException | None) -> bool:
    """Tell whether the loader's refusal is behind ``exc`` (PyLD wraps it in its own errors)."""
    seen = 0
    while exc is not None and seen < 50:
        if isinstance(exc, ContextRefused):
            return True
        exc = getattr(exc, "cause", None) or exc.__cause__ or exc.__context__
        seen += 1
    return False


def _first_message(exc: BaseException) -> str:
    """Return PyLD's message of ``exc`` without its details (which may quote the input)."""
    message = getattr(exc, "message", None) or str(exc)
    return str(message).splitlines()[0].strip() or type(exc).__name__


def _iris(expanded: object) -> Iterator[str]:
    """Yield the IRIs an expanded JSON-LD document makes terms of (ids, properties, types)."""
    stack = [expanded]
    while stack:
        item = stack.pop()
        if isinstance(item, list):
            stack.extend(item)
            continue
        if not isinstance(item, dict):
            continue
        if "@value" in item:
            kind = item.get("@type")
            if isinstance(kind, str) and kind != "@json":
                yield kind
            continue
        for key, value in item.items():
            if key == "@id" and isinstance(value, str):
                yield value
            elif key == "@type":
                yield from (t for t in (value if isinstance(value, list) else [value]))
            elif not key.startswith("@"):
                yield key
                stack.append(value)
            elif key in ("@graph", "@list", "@set", "@included"):
                stack.append(value)
            elif key == "@reverse" and isinstance(value, dict):
                yield from value
                stack.extend(value.values())


def _check_iri(iri: object) -> None:
    """Raise :class:`BadIri` unless ``iri`` is a blank node label or an IRI Oxigraph accepts."""
    if not isinstance(iri, str) or iri.startswith("_:"):
        return
    try:
        ox.NamedNode(iri)
    except ValueError as exc:
        raise BadIri(iri, str(exc)) from None


def _position(text: str, iri: str) -> tuple[int | None, int | None]:
    """Return the line and column of the JSON string that wrote ``iri`` (whole, or its end)."""
    best, longest = None, 0
    for match in _JSON_STRING.finditer(text):
        try:
            value = json.loads(match.group(0))
        except ValueError:
            continue
        if value == iri:
            best = match
            break
        local = value.split(":", 1)[1] if ":" in value else value
        if len(local) > longest and iri.endswith(local):
            best, longest = match, len(local)
    if best is None:
        return None, None
    start = best.start()
    line = text.count("\n", 0, start) + 1
    return line, start - (text.rfind("\n", 0, start) + 1) + 1
