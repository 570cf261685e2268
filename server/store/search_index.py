"""The search index: resources found by their names and descriptions, in French and English.

SQLite's FTS5 (Python's standard library) does the matching, with the ``unicode61`` tokenizer
folding case and accents (``remove_diacritics 2``): "ales" finds "Alès", "evry" "Évry". One row
per resource holds its names (:data:`NAME_PROPERTIES`) and descriptions
(:data:`DESCRIPTION_PROPERTIES`) by language; a literal without a language counts for both.
The data has no acronym property of its own: short names are written as ``skos:altLabel`` or
``schema:alternateName``, both indexed as names.

A query's words are matched as prefixes (autocompletion), all of them; a word of
:data:`SYNONYMS` also matches its other spellings ("st" and "saint"). Results are ranked: an
exact name first, then a name match, then a description match, each by bm25 with names weighing
:data:`NAME_WEIGHT` times a description.

The index is built from rows (:data:`SEARCH_QUERY`'s), so it can be filled from the local
store (:meth:`SearchIndex.from_store`) or from a remote engine's answers. It is one SQLite
database (:func:`build_database`), kept as a file by the start-up cache
(:func:`imtkg.store.startup_cache.cached_search_index`) and read through one read-only
connection per thread.
"""

from __future__ import annotations

import json
import os
import re
import sqlite3
import tempfile
import threading
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox

from imtkg.core.namespaces import sparql_prologue

#: properties whose literals are names of a resource
NAME_PROPERTIES = (
    "http://www.w3.org/2000/01/rdf-schema#label",
    "http://www.w3.org/2004/02/skos/core#prefLabel",
    "http://www.w3.org/2004/02/skos/core#altLabel",
    "http://www.w3.org/2004/02/skos/core#hiddenLabel",
    "https://schema.org/alternateName",
)
#: properties whose literals describe a resource
DESCRIPTION_PROPERTIES = (
    "http://www.w3.org/2000/01/rdf-schema#comment",
    "http://purl.org/dc/terms/description",
    "http://www.w3.org/2004/02/skos/core#definition",
    "https://schema.org/description",
)
#: the languages indexed apart (a literal in another language, or none, counts for both)
LANGUAGES = ("fr", "en")
#: how much more a name weighs than a description in bm25
NAME_WEIGHT = 10.0
#: words that stand for one another in a query (abbreviations of place names)
SYNONYMS: dict[str, tuple[str, ...]] = {
    "st": ("saint",),
    "saint": ("st",),
    "ste": ("sainte",),
    "sainte": ("ste",),
}
#: the most words of a query that are used (the rest is ignored)
MAX_QUERY_WORDS = 12
#: separates the names (or descriptions) of one column; a separator for the tokenizer too
_JOIN = "\x1f"
_OPEN, _CLOSE = "\x02", "\x03"
_WORD = re.compile(r"\w+")
_COLUMNS = ("names_fr", "names_en", "descriptions_fr", "descriptions_en")

#: the rows an index is built from: ?s, ?p (a name or description property), ?o (a literal)
SEARCH_QUERY = f"""SELECT DISTINCT ?s ?p ?o WHERE {{
  VALUES ?p {{ {" ".join(f"<{p}>" for p in NAME_PROPERTIES + DESCRIPTION_PROPERTIES)} }}
  ?s ?p ?o .
  FILTER(isIRI(?s) && isLiteral(?o))
}}"""
#: the types of the resources that have a name or a description
TYPES_QUERY = f"""SELECT DISTINCT ?s ?type WHERE {{
  VALUES ?p {{ {" ".join(f"<{p}>" for p in NAME_PROPERTIES + DESCRIPTION_PROPERTIES)} }}
  ?s ?p ?o .
  ?s a ?type .
  FILTER(isIRI(?s) && isIRI(?type))
}}"""


def fold(text: str) -> str:
    """Lower-case ``text`` and take its accents off, as the index's tokenizer does."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def words(text: str) -> list[str]:
    """The folded words of ``text`` (what the tokenizer would index)."""
    return _WORD.findall(fold(text))


def match_expression(query: str) -> str | None:
    """The FTS5 expression of a person's query: every word as a prefix, with its synonyms.

    ``None`` when the query has no word. Words are quoted, so no FTS5 syntax gets through.
    """
    terms = []
    for word in words(query)[:MAX_QUERY_WORDS]:
        spellings = (word, *SYNONYMS.get(word, ()))
        terms.append("(" + " OR ".join(f'"{s}"*' for s in spellings) + ")")
    return " AND ".join(terms) if terms else None


def _exact_key(text: str) -> str:
    return " ".join(SYNONYMS.get(w, (w,))[0] if w in ("st", "ste") else w for w in words(text))


@dataclass
class Entry:
    """What the index knows of one resource while it is built."""

    names: dict[str, list[str]] = field(default_factory=lambda: {lang: [] for lang in LANGUAGES})
    descriptions: dict[str, list[str]] = field(
        default_factory=lambda: {lang: [] for lang in LANGUAGES}
    )
    labels: dict[str, str] = field(default_factory=dict)
    types: set[str] = field(default_factory=set)


@dataclass(frozen=True)
class Hit:
    """One result of a search.

    :param iri: the resource.
    :param types: its types (IRIs, sorted).
    :param labels: its label by language (``fr``, ``en``) when it has one.
    :param descriptions: its first description by language.
    :param field: what matched: ``name`` or ``description``.
    :param lang: the language of what matched.
    :param text: the text that matched (one name, or an extract of a description).
    :param marks: the ``(start, end)`` offsets in :attr:`text` of the matched words.
    :param exact: whether the query is exactly one of the resource's names.
    """

    iri: str
    types: tuple[str, ...]
    labels: dict[str, str]
    descriptions: dict[str, str]
    field: str
    lang: str
    text: str
    marks: tuple[tuple[int, int], ...]
    exact: bool


def _add_literal(entry: Entry, prop: str, literal: ox.Literal) -> None:
    lang = literal.language.split("-")[0].lower() if literal.language else None
    langs = (lang,) if lang in LANGUAGES else LANGUAGES
    text = " ".join(literal.value.split())
    if not text:
        return
    for one in langs:
        if prop in NAME_PROPERTIES:
            if text not in entry.names[one]:
                entry.names[one].append(text)
            if prop == NAME_PROPERTIES[0] or one not in entry.labels:
                entry.labels.setdefault(one, text)
        elif text not in entry.descriptions[one]:
            entry.descriptions[one].append(text)


def _unmark(marked: str) -> tuple[str, tuple[tuple[int, int], ...]]:
    """Take the markers out of FTS5's highlighted text; return the text and the marked spans."""
    text, marks, start = [], [], 0
    length = 0
    for char in marked:
        if char == _OPEN:
            start = length
        elif char == _CLOSE:
            marks.append((start, length))
        else:
            text.append(char)
            length += 1
    return "".join(text), tuple(marks)


def build_database(entries: dict[str, Entry]) -> sqlite3.Connection:
    """An in-memory SQLite database indexing ``entries`` (IRI -> names, descriptions, labels
    and types): an FTS5 table, the exact names, the types and the resources' display fields."""
    db = sqlite3.connect(":memory:", check_same_thread=False)
    try:
        db.execute(
            "CREATE VIRTUAL TABLE search USING fts5("
            + ", ".join(_COLUMNS)
            + ", tokenize='unicode61 remove_diacritics 2')"
        )
        db.execute("CREATE TABLE exact (doc INTEGER, name TEXT)")
        db.execute("CREATE TABLE types (doc INTEGER, type TEXT)")
        db.execute(
            "CREATE TABLE resources (doc INTEGER PRIMARY KEY, iri TEXT, types TEXT, labels TEXT,"
            " descriptions TEXT)"
        )
        for doc, (iri, entry) in enumerate(sorted(entries.items())):
            firsts = {lang: d[0] for lang, d in entry.descriptions.items() if d}
            db.execute(
                "INSERT INTO resources VALUES (?, ?, ?, ?, ?)",
                (
                    doc,
                    iri,
                    json.dumps(sorted(entry.types)),
                    json.dumps(entry.labels, ensure_ascii=False),
                    json.dumps(firsts, ensure_ascii=False),
                ),
            )
            db.execute(
                "INSERT INTO search (rowid, " + ", ".join(_COLUMNS) + ") VALUES (?, ?, ?, ?, ?)",
                (
                    doc,
                    *(_JOIN.join(entry.names[lang]) for lang in LANGUAGES),
                    *(_JOIN.join(entry.descriptions[lang]) for lang in LANGUAGES),
                ),
            )
            keys = {_exact_key(n) for names in entry.names.values() for n in names}
            db.executemany("INSERT INTO exact VALUES (?, ?)", [(doc, k) for k in keys])
            db.executemany("INSERT INTO types VALUES (?, ?)", [(doc, t) for t in entry.types])
        db.execute("CREATE INDEX exact_name ON exact (name)")
        db.execute("CREATE INDEX type_doc ON types (type, doc)")
        db.commit()
    except BaseException:
        db.close()
        raise
    return db


class SearchIndex:
    """An FTS5 index of the resources' names and descriptions, read-only once built.

    It reads either a database file (:meth:`open`: each thread opens its own read-only
    connection, so a process forked after the index was opened gets its own) or a database
    held in memory (each thread gets its own copy).
    """

    def __init__(self, memory: sqlite3.Connection | None = None, path: Path | None = None) -> None:
        """Read the in-memory database ``memory`` (:func:`build_database`'s) or file ``path``."""
        if (memory is None) == (path is None):
            raise ValueError("give the index's database or its file, not both")
        self.memory = memory
        self.path = path
        self._local = threading.local()
        self._lock = threading.Lock()
        self._length: int | None = None

    @classmethod
    def open(cls, path: Path) -> SearchIndex:
        """The index in the database file ``path`` (read-only)."""
        return cls(path=Path(path).resolve())

    def save(self, path: Path, prefix: str = ".search-") -> None:
        """Write the in-memory index to ``path`` atomically: a temporary file beside it (named
        ``prefix``...) is filled, flushed and renamed; none is left on failure.

        :raises OSError: when the folder cannot be written.
        """
        assert self.memory is not None, "only an index built in memory is saved"
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=prefix)
        os.close(handle)
        try:
            target = sqlite3.connect(temporary)
            try:
                with self._lock:
                    self.memory.backup(target)
            finally:
                target.close()
            with open(temporary, "rb+") as written:
                os.fsync(written.fileno())
            os.replace(temporary, path)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise

    def readable(self) -> bool:
        """Tell whether the index's file opens as an index (through a connection closed at once,
        so none is carried into a forked process)."""
        if self.path is None:
            return True
        try:
            db = sqlite3.connect(self.path.as_uri() + "?mode=ro&immutable=1", uri=True)
            try:
                db.execute("SELECT count(*) FROM resources").fetchone()
                db.execute("SELECT rowid FROM search WHERE search MATCH 'a*' LIMIT 1").fetchall()
            finally:
                db.close()
        except sqlite3.DatabaseError:
            return False
        return True

    def _connection(self) -> sqlite3.Connection:
        """This thread's connection to the index."""
        db = getattr(self._local, "db", None)
        if db is None:
            if self.path is not None:
                uri = self.path.as_uri() + "?mode=ro&immutable=1"
                db = sqlite3.connect(uri, uri=True, check_same_thread=False)
            else:
                assert self.memory is not None
                db = sqlite3.connect(":memory:", check_same_thread=False)
                with self._lock:
                    self.memory.backup(db)
            self._local.db = db
        return db

    def __len__(self) -> int:
        if self._length is None:
            count = self._connection().execute("SELECT count(*) FROM resources").fetchone()
            self._length = int(count[0])
        return self._length

    @classmethod
    def from_rows(
        cls, rows: Iterable[tuple[str, str, ox.Literal]], types: Iterable[tuple[str, str]] = ()
    ) -> SearchIndex:
        """Build the index from ``(subject IRI, property IRI, literal)`` rows and
        ``(subject IRI, type IRI)`` pairs (the answers of :data:`SEARCH_QUERY` and
        :data:`TYPES_QUERY`)."""
        entries: dict[str, Entry] = {}
        for iri, prop, literal in sorted(rows, key=lambda r: (r[0], r[1], str(r[2]))):
            _add_literal(entries.setdefault(iri, Entry()), prop, literal)
        for iri, type_iri in types:
            if iri in entries:
                entries[iri].types.add(type_iri)
        return cls(memory=build_database(entries))

    @classmethod
    def from_store(cls, store: ox.Store) -> SearchIndex:
        """Build the index from an Oxigraph store (its default graph: the union of the graphs)."""
        found = []
        for query in (SEARCH_QUERY, TYPES_QUERY):
            solutions = store.query(sparql_prologue() + query, use_default_graph_as_union=True)
            assert isinstance(solutions, ox.QuerySolutions)
            found.append(list(solutions))
        rows = [(s["s"].value, s["p"].value, s["o"]) for s in found[0]]
        types = [(s["s"].value, s["type"].value) for s in found[1]]
        return cls.from_rows(rows, types)

    def search(
        self,
        query: str,
        limit: int = 20,
        offset: int = 0,
        type_iri: str | None = None,
        lang: str | None = None,
    ) -> tuple[list[Hit], int]:
        """Find the resources matching ``query``; return one page of hits and their number.

        :param type_iri: only resources of this type (inferred types included).
        :param lang: only names and descriptions in this language (``fr`` or ``en``).
        """
        expression = match_expression(query)
        if expression is None:
            return [], 0
        columns = [c for c in _COLUMNS if lang is None or c.endswith("_" + lang)]
        names = [c for c in columns if c.startswith("names")]
        match = "{" + " ".join(columns) + "} : (" + expression + ")"
        name_match = "{" + " ".join(names) + "} : (" + expression + ")"
        weights = ", ".join(str(NAME_WEIGHT if c.startswith("names") else 1.0) for c in _COLUMNS)
        type_filter = "AND rowid IN (SELECT doc FROM types WHERE type = :type)" if type_iri else ""
        sql = f"""
            SELECT rowid,
                   rowid IN (SELECT doc FROM exact WHERE name = :exact) AS exact,
                   rowid IN (SELECT rowid FROM search WHERE search MATCH :names) AS by_name,
                   {", ".join(f"highlight(search, {i}, :open, :close)" for i in range(2))},
                   {", ".join(f"snippet(search, {i}, :open, :close, '…', 24)" for i in (2, 3))}
            FROM search WHERE search MATCH :match {type_filter}
            ORDER BY exact DESC, by_name DESC, bm25(search, {weights}), rowid
            LIMIT :limit OFFSET :offset
        """
        count_sql = f"SELECT count(*) FROM search WHERE search MATCH :match {type_filter}"
        params = {
            "exact": _exact_key(query),
            "names": name_match,
            "match": match,
            "open": _OPEN,
            "close": _CLOSE,
            "type": type_iri,
            "limit": limit,
            "offset": offset,
        }
        db = self._connection()  # highlights and snippets only for the page asked
        rows = db.execute(sql, params).fetchall()
        (total,) = db.execute(count_sql, params).fetchone()
        return [self._hit(db, row, columns) for row in rows], total

    def _hit(self, db: sqlite3.Connection, row: tuple, columns: list[str]) -> Hit:
        doc, exact, _, *texts = row
        iri, types_json, labels_json, descriptions_json = db.execute(
            "SELECT iri, types, labels, descriptions FROM resources WHERE doc = ?", (doc,)
        ).fetchone()
        types = tuple(json.loads(types_json))
        labels, descriptions = json.loads(labels_json), json.loads(descriptions_json)
        for column, marked in zip(_COLUMNS, texts, strict=True):
            if column not in columns or not marked or _OPEN not in marked:
                continue
            kind, lang = column.split("_")
            if kind == "names":
                marked = next(part for part in marked.split(_JOIN) if _OPEN in part)
            else:
                marked = marked.replace(_JOIN, " … ")
            text, marks = _unmark(marked)
            field_name = "name" if kind == "names" else "description"
            return Hit(iri, types, labels, descriptions, field_name, lang, text, marks, bool(exact))
        raise AssertionError(f"FTS5 matched {iri} but marked nothing")  # pragma: no cover
