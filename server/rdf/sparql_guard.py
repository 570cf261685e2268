"""Read a query before it runs, as Oxigraph reads it: update? ``SERVICE``? ``FROM``? too deep?

Oxigraph executes ``SERVICE`` by an HTTP request, so a query that uses it is refused before it
runs. A guard with a parser of its own would disagree with Oxigraph on some text (rdflib ends a
``#`` comment at a line feed only, Oxigraph at a carriage return too; Oxigraph matches keywords
without a word boundary, so ``SERVICEx:y`` is ``SERVICE x:y``), so the question is put to
Oxigraph itself, which parses without running anything when it is given a substitution for a
variable the query does not have (it refuses the substitution after parsing, before evaluation):

* a query that does not parse never runs, so it calls nothing;
* a query that parses calls ``SERVICE`` exactly when it stops parsing once every ``service`` in
  it (any case, wherever it is) is changed into another word of the same length: in a string, an
  IRI, a comment, a variable or a prefixed name the change makes no difference to the parse.

``FROM`` (a dataset clause) is found the same way. pyoxigraph does not apply ``\\uXXXX`` escapes
to the query text before parsing (SPARQL 1.1 says to; Oxigraph 0.5 leaves it out), so the text
is checked as it is; for engines that do (a remote engine, :mod:`imtkg.query.remote`), the text
with its escapes applied is checked too.

Oxigraph's parser is recursive: 3,000 nested groups overflow the stack and kill the process.
Before anything parses the query (Oxigraph here included) :func:`measure` bounds how deep its
brackets nest and how long a chain of operators or group elements one level holds, reading the
text as Oxigraph tokenizes it (comments end at CR or LF, strings and IRIs as in its grammar)
and, where a ``<`` may be an IRI or a "less than", both ways.
"""

from __future__ import annotations

import bisect
import heapq
import re
from dataclasses import dataclass

import pyoxigraph as ox

from imtkg.core.namespaces import PREFIXES

#: brackets (``{ ( [ <<``) nested in one another, prefix operators (``! - ^``) counted in; the
#: parser crashes at 839 nested ``FILTER EXISTS { }`` (the construct with the largest stack
#: frame found; groups at 2,226, function calls at 956) on an 8 MiB stack
MAX_DEPTH = 64
#: operators, separators and group elements (UNION, OPTIONAL, BIND, groups...) on one bracket
#: level: long chains make deep trees too; Oxigraph crashes at 2,000 to 3,000 BINDs in a group,
#: 6,656 UNIONs, 8,000 OPTIONALs, 16,000 FILTERs or groups in a row
MAX_CHAIN = 1000

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
_PROLOGUE = re.compile(r"\s*(?:(?:BASE\s*)|(?:PREFIX\s+[\w.-]*:\s*))", re.IGNORECASE)
_FIRST_WORD = re.compile(r"\s*([A-Za-z]+)")

#: the words an update operation starts with (SPARQL 1.1 Update, section 3)
UPDATE_KEYWORDS = frozenset(
    {"INSERT", "DELETE", "LOAD", "CLEAR", "DROP", "CREATE", "ADD", "MOVE", "COPY", "WITH"}
)


@dataclass(frozen=True)
class QueryAnalysis:
    """What the guard found in a query.

    :param is_update: the text is a SPARQL Update request, not a query.
    :param uses_service: the query contains a ``SERVICE`` clause (federated query).
    :param has_dataset_clause: the query has ``FROM`` or ``FROM NAMED`` clauses.
    :param refusal: why the query must not be parsed or run, other than ``SERVICE`` (nesting
        too deep, a reading the guard cannot check), or ``None``.
    """

    is_update: bool
    uses_service: bool
    has_dataset_clause: bool
    refusal: str | None = None


@dataclass(frozen=True)
class Shape:
    """How deep a query's brackets nest and how long its longest chain is (upper bounds).

    :param depth: brackets (and prefix operators) open at the deepest point.
    :param chain: operators, separators and group elements on one bracket level, at most.
    :param line: the line (from 1) where the depth is reached.
    """

    depth: int
    chain: int
    line: int


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


# -- the shape of a query, as Oxigraph's grammar tokenizes it ------------------------------

_WHITESPACE = re.compile(r"[ \t\r\n]+")  # Oxigraph's only whitespace (U+2028, U+0085: no)
_PLAIN_CHARS = r"[^ \t\r\n#'\"<>{}()\[\]\\!^+\-*/|&=.;,]"
#: a word: a name, a number, a prefixed name (dots inside it are its own, not separators)
_PLAIN = re.compile(rf"{_PLAIN_CHARS}+(?:\.+(?=[\w:%-]){_PLAIN_CHARS}+)*|.", re.DOTALL)
_COMMENT = re.compile(r"#[^\r\n]*")  # Oxigraph ends a comment at CR or LF, nothing else
_STRINGS = (
    ("'''", re.compile(r"'''(?:(?:''|')?(?:[^'\\]|\\.))*'''", re.DOTALL)),
    ('"""', re.compile(r'"""(?:(?:""|")?(?:[^"\\]|\\.))*"""', re.DOTALL)),
    ("'", re.compile(r"'(?:[^'\\\r\n]|\\.)*'", re.DOTALL)),
    ('"', re.compile(r'"(?:[^"\\\r\n]|\\.)*"', re.DOTALL)),
)
#: characters Oxigraph never accepts in an IRI reference (it takes ``<`` up to the first ``>``
#: and parses that as an IRI): where one comes first, that ``<`` is no IRI
_NOT_IN_IRI = re.compile(r'[\x00-\x20<"{}|^`]')
#: the words that add an element to a group (each one a node of the algebra tree)
_GROUP_WORDS = re.compile(
    r"(?<![\w?$:])(?:UNION|OPTIONAL|MINUS|BIND|FILTER|GRAPH|SERVICE|LATERAL|VALUES)(?![\w:])",
    re.IGNORECASE | re.ASCII,
)
_OPENERS = "{(["
_CLOSERS = "})]"
_PREFIX_OPERATORS = "!^+-"
_LINKS = "*/|&=.;,<>"


class _Positions:
    """Where the ``>`` and the characters no IRI holds are, for the IRI reading of a ``<``."""

    def __init__(self, text: str) -> None:
        self.closing = [i for i, c in enumerate(text) if c == ">"]
        self.bad = [m.start() for m in _NOT_IN_IRI.finditer(text)]

    def iri_end(self, start: int) -> int | None:
        """Return the index after the ``>`` closing an IRI that opens at ``start``, if any."""
        k = bisect.bisect_right(self.closing, start)
        if k == len(self.closing):
            return None
        end = self.closing[k]
        b = bisect.bisect_right(self.bad, start)
        if b < len(self.bad) and self.bad[b] < end:
            return None
        return end + 1


def measure(query: str, limits: tuple[int, int] | None = None, forks: bool = True) -> Shape:
    """Return upper bounds of the nesting depth and chain length of ``query``, as Oxigraph reads it.

    The text is scanned token by token with Oxigraph's lexical rules. Where a ``<`` may start an
    IRI or be a comparison (inside parentheses, after an operand: only the parser's context
    decides) both readings are followed; a position two readings reach keeps the larger values.

    :param limits: (depth, chain): stop as soon as a reading goes past one of them (the values
        returned are then those reached so far, past the limit).
    :param forks: follow both readings of a ``<``; without, the IRI reading only (cheaper, a
        lower bound: to say how deep a query found too deep is).
    """
    size = len(query)
    positions = _Positions(query)
    start = _State(0, 0, False, _Level("top", 0, None))
    states: dict[int, _State] = {0: start}
    heap = [0] if size else []
    best_depth, best_chain, best_at = 0, 0, 0
    while heap:
        i = heapq.heappop(heap)
        state = states.pop(i)
        for j, kind in _moves(query, i, positions, state, forks):
            after = _step(state, kind, query, i, j)
            if after.depth + after.run > best_depth:
                best_depth, best_at = after.depth + after.run, i
            best_chain = max(best_chain, after.level.chain)
            if limits and (best_depth > limits[0] or best_chain > limits[1]):
                return Shape(best_depth, best_chain, query.count("\n", 0, best_at) + 1)
            if j >= size:
                continue
            if j in states:
                states[j] = _merge(states[j], after)
            else:
                states[j] = after
                heapq.heappush(heap, j)
    return Shape(best_depth, best_chain, query.count("\n", 0, best_at) + 1)


@dataclass(frozen=True)
class _Level:
    """An open bracket (or the top level): its kind, the links counted in it, the one outside."""

    kind: str
    chain: int
    outer: _Level | None

    def counted(self, links: int) -> _Level:
        return _Level(self.kind, self.chain + links, self.outer)


@dataclass(frozen=True)
class _State:
    """A reading at a token boundary: open brackets, prefix operators in a row, last token."""

    depth: int
    run: int
    operand: bool  # the last token may end an operand (a "<" after it may be a comparison)
    level: _Level


def _levels(level: _Level | None) -> list[_Level]:
    out = []
    while level is not None:
        out.append(level)
        level = level.outer
    return out[::-1]  # outermost first


def _merge(a: _State, b: _State) -> _State:
    """A state bounding both ``a`` and ``b``: the deeper stack, each level's larger count."""
    deep, shallow = (a, b) if a.depth >= b.depth else (b, a)
    other = _levels(shallow.level)
    level: _Level | None = None
    for k, cell in enumerate(_levels(deep.level)):
        chain = max(cell.chain, other[k].chain) if k < len(other) else cell.chain
        kind = "(" if k < len(other) and other[k].kind == "(" else cell.kind
        level = _Level(kind, chain, level)
    if level is None:  # never: a state has at least its top level
        raise ValueError("a reading without a top level")
    return _State(deep.depth, max(a.run, b.run), a.operand or b.operand, level)


def _end(pattern: re.Pattern[str], text: str, i: int) -> int:
    """Return where ``pattern`` (which matches wherever it is tried) ends, tried at ``i``."""
    match = pattern.match(text, i)
    if match is None:  # never: _PLAIN matches any character, _COMMENT any "#"
        raise ValueError(f"{pattern.pattern!r} does not match at {i}")
    return match.end()


def _moves(
    text: str, i: int, positions: _Positions, state: _State, forks: bool = True
) -> list[tuple[int, str]]:
    """Return the tokens that may start at ``i``: (position after it, kind) for each reading."""
    char = text[i]
    if match := _WHITESPACE.match(text, i):
        return [(match.end(), "space")]
    if char == "#":
        return [(_end(_COMMENT, text, i), "space")]
    if char in "'\"":
        for opener, pattern in _STRINGS:
            if text.startswith(opener, i):
                match = pattern.match(text, i)
                if match:
                    return [(match.end(), "term")]
                if len(opener) == 3:
                    return []  # an unterminated long string: Oxigraph reads no further
        return [(i + 1, "term")]
    if char == "<":
        # a comparison only inside parentheses, after an operand; else an IRI or "<<"
        compare = [(i + 1, "link")] if forks and state.operand and state.level.kind == "(" else []
        if text.startswith("<<", i):
            return [(i + 2, "open"), *compare]
        end = positions.iri_end(i)
        return [(end, "term"), *compare] if end is not None else [(i + 1, "link")]
    if char == ">" and text.startswith(">>", i):
        return [(i + 2, "close")]
    if char in _OPENERS:
        return [(i + 1, "open")]
    if char in _CLOSERS:
        return [(i + 1, "close")]
    if char == "\\":
        return [(i + 2, "word")]  # an escape in a prefixed name (Oxigraph stops otherwise)
    if char in _PREFIX_OPERATORS:
        return [(i + 1, "prefix")]
    if char in _LINKS:
        return [(i + 1, "link")]
    return [(_end(_PLAIN, text, i), "word")]


def _step(state: _State, kind: str, text: str, i: int, j: int) -> _State:
    """Return the state after a token of ``kind`` spanning ``text[i:j]``."""
    level = state.level
    if kind == "space":
        return state
    if kind == "open":
        # a group is an element of the group around it (a join: "{ } { }" chains as UNION does)
        outer = level.counted(1) if text[i] == "{" else level
        return _State(state.depth + 1, 0, False, _Level(text[i], 0, outer))
    if kind == "close":
        outer = level.outer if level.outer is not None else _Level("top", 0, None)
        return _State(max(0, state.depth - 1), 0, True, outer)
    if kind == "prefix":
        return _State(state.depth, state.run + 1, False, level.counted(1))
    if kind == "link":
        return _State(state.depth, 0, False, level.counted(1))
    if kind == "word":
        words = len(_GROUP_WORDS.findall(text, i, j))
        return _State(state.depth, 0, not words, level.counted(words) if words else level)
    return _State(state.depth, 0, True, level)  # a term: string, IRI


# -- Oxigraph's own reading ----------------------------------------------------------------

_STORE = ox.Store()  # empty, in memory: only its parser is used
_PROBE_NAMES = ("imtkgGuardProbe", "imtkgGuardProbe2", "imtkgGuardProbe3")
_RENAMINGS = {
    "service": ("servicq", "servicz", "servixq", "servqzq"),
    "from": ("frqm", "frzm", "fqzm", "xqzm"),
}


def parse_error(query: str, prefixes: dict[str, str] | None = None) -> str | None:
    """Parse ``query`` with Oxigraph without running it; return its syntax error, or ``None``.

    Only for a query :func:`measure` has found within bounds: Oxigraph's parser is recursive.
    """
    name = next((n for n in _PROBE_NAMES if n.lower() not in query.lower()), None)
    if name is None:
        return "the query uses the guard's own variable names"
    try:
        # a substitution of a variable the query lacks is refused after parsing, before
        # anything is evaluated; with none, an ASK or an aggregate would be computed here
        _STORE.query(
            query,
            prefixes=dict(PREFIXES) if prefixes is None else prefixes,
            substitutions={ox.Variable(name): ox.Literal(0)},
        )
    except SyntaxError as exc:
        return str(exc)
    except (RuntimeError, ValueError, OSError):
        return None  # parsed; refused afterwards, as intended
    return None


def _renamed(query: str, word: str, prefixes: dict[str, str]) -> tuple[str, dict[str, str]] | None:
    """Return ``query`` and ``prefixes`` with every ``word`` (ASCII, any case) replaced."""
    lowered = query.lower()
    replacement = next((r for r in _RENAMINGS[word] if r not in lowered), None)
    if replacement is None:
        return None
    pattern = re.compile(word, re.IGNORECASE | re.ASCII)
    renamed = {pattern.sub(replacement, p): iri for p, iri in prefixes.items()}
    return pattern.sub(replacement, query), renamed


def uses_keyword(query: str, word: str, prefixes: dict[str, str] | None = None) -> bool | None:
    """Tell whether Oxigraph reads the keyword ``word`` (``service``, ``from``) in ``query``.

    :returns: ``None`` when ``query`` does not parse (it then runs nothing at all).
    """
    prefixes = dict(PREFIXES) if prefixes is None else prefixes
    if not re.search(word, query, re.IGNORECASE | re.ASCII):
        return False
    if parse_error(query, prefixes) is not None:
        return None
    renamed = _renamed(query, word, prefixes)
    if renamed is None:
        return True  # every spare word is taken: assume the worst
    return parse_error(*renamed) is not None


def plainly_within_limits(query: str) -> bool:
    """Tell, from character counts alone, that :func:`measure` cannot find ``query`` past
    :data:`MAX_DEPTH` or :data:`MAX_CHAIN` (``False``: it may, so measure it).

    Every level of depth a reading counts is a token starting with a character of
    ``{([<`` or a prefix operator, and every link of a chain a token starting with ``{``, a
    prefix operator or a link character, or a group word; each token is a different place in
    the text, whichever way a ``<`` is read. So those characters (wherever they are: strings
    and IRIs included) and the group words bound both. Counting costs microseconds where
    measuring a short query costs a hundred.
    """
    depth = sum(map(query.count, _OPENERS + "<" + _PREFIX_OPERATORS))
    if depth > MAX_DEPTH:
        return False
    chain = depth + sum(map(query.count, _LINKS.replace("<", "")))
    return chain + len(_GROUP_WORDS.findall(query)) <= MAX_CHAIN


def shape_refusal(query: str) -> str | None:
    """Return why ``query`` is too deep or too long to hand to a parser, or ``None``."""
    if plainly_within_limits(query):
        return None
    shape = measure(query, limits=(MAX_DEPTH, MAX_CHAIN))
    if shape.depth <= MAX_DEPTH and shape.chain <= MAX_CHAIN:
        return None
    seen = measure(query, forks=False)  # how far past the limit, as the text plainly reads
    if shape.depth > MAX_DEPTH:
        depth = max(shape.depth, seen.depth)
        return (
            f"the query nests {depth} levels deep (brackets {{ ( [ << and prefix operators "
            f"! - ^, deepest on line {seen.line if seen.depth == depth else shape.line}); "
            f"the limit is {MAX_DEPTH}"
        )
    return (
        f"the query chains {max(shape.chain, seen.chain)} operators, separators or group "
        f"elements (UNION, OPTIONAL, FILTER...) on one level; the limit is {MAX_CHAIN}"
    )


ESCAPES_REFUSAL = (
    "the query reads differently once its \\u escapes are applied (as SPARQL engines other "
    "than Oxigraph do) and that reading cannot be checked for SERVICE; write the characters "
    "themselves"
)


def analyse(query: str, escapes: bool = True) -> QueryAnalysis:
    """Analyse a query text: update or query, ``SERVICE`` calls, ``FROM`` clauses, its shape.

    :param escapes: also check the text with its ``\\u`` escapes applied, as an engine that
        follows SPARQL 1.1 there reads it (Oxigraph does not: ``False`` for it alone).
    """
    if looks_like_update(query):
        return QueryAnalysis(is_update=True, uses_service=False, has_dataset_clause=False)
    readings = [query]
    if escapes and (spec := unescape(query)) != query:
        readings.append(spec)
    for text in readings:
        refusal = shape_refusal(text)
        if refusal:
            return QueryAnalysis(False, False, False, refusal)
    service = uses_keyword(query, "service")
    for text in readings[1:]:
        found = uses_keyword(text, "service")
        if found is None and re.search("service", text, re.IGNORECASE | re.ASCII):
            return QueryAnalysis(False, False, False, ESCAPES_REFUSAL)
        service = service or bool(found)
    return QueryAnalysis(
        is_update=False,
        uses_service=bool(service),
        has_dataset_clause=bool(uses_keyword(query, "from")),
    )
