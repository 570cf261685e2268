"""Hostile uploads and input files: one reader, nothing fetched or opened, bounded work, precise
errors (issue 11).

The HTTP probes run against a real ``imtkg serve`` on loopback (the endpoint fixture data), with
a canary listener on loopback that would count any connection the server makes; the command
line probes run ``imtkg validate`` and ``imtkg serve`` as users do.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import psutil
import pytest
from click.testing import CliRunner
from rdflib import Graph, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import SH
from sparql_support import GRAPH_DIR, ONTOLOGY_DIR, LoopbackListener, app_context, live_server
from test_sparql_live import imtkg_serve

from imtkg.cli import main
from imtkg.core.errors import InputError
from imtkg.rdf.jsonld_input import CANONICAL_CONTEXT_URL, REFUSED_CONTEXT
from imtkg.rdf.reading import MAX_ENTITY_EXPANSION, parse_file, parse_text, read_quads
from imtkg.web.endpoints.shacl import SLOTS_KEY, VALIDATION_SLOTS
from imtkg.web.state import EXTENSION_KEY

REFUSED_BODY = f"400 Bad Request: <request body>: {REFUSED_CONTEXT}\n"
DOCTYPE_REFUSED = (
    "400 Bad Request: <request body>: RDF/XML error: the document has a <!DOCTYPE>; DTD entity "
    "declarations (<!ENTITY …>) are not read in uploads: write the IRIs and text in full\n"
)
SCHOOL = "https://w3id.org/imt-kg/id/test/uploads/school"
IMT_SCHOOL = "https://w3id.org/imt-kg/ontology#School"

#: 10^6 expansions of one entity in well under a kilobyte ("billion laughs", six levels)
LAUGHS = (
    '<?xml version="1.0"?>\n<!DOCTYPE rdf:RDF [\n<!ENTITY a "aaaaaaaaaa">\n'
    + "".join(f'<!ENTITY {chr(98 + i)} "{f"&{chr(97 + i)};" * 10}">\n' for i in range(6))
    + ']>\n<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" '
    'xmlns:ex="http://example.org/">\n<rdf:Description rdf:about="http://example.org/a">'
    "<ex:p>&g;</ex:p></rdf:Description>\n</rdf:RDF>\n"
)


def post(base: str, body: bytes | str, content_type: str, timeout: float = 60) -> tuple:
    """POST ``body`` to /shacl; return (status, body text, seconds)."""
    data = body.encode("utf-8") if isinstance(body, str) else body
    request = urllib.request.Request(
        base + "/shacl", data=data, headers={"Content-Type": content_type}, method="POST"
    )
    started = time.monotonic()
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            status, text = response.status, response.read().decode("utf-8")
    except urllib.error.HTTPError as error:
        status, text = error.code, error.read().decode("utf-8")
    return status, text, time.monotonic() - started


def server_rss(port: int) -> int:
    """Return the resident memory of the `imtkg serve` on ``port`` and of its processes."""
    total, found = 0, False
    for child in psutil.Process().children(recursive=True):
        try:
            if child.environ().get("IMTKG_PORT") == str(port):
                total += child.memory_info().rss
                found = True
        except (psutil.NoSuchProcess, psutil.AccessDenied):
            continue
    assert found, f"no imtkg serve on port {port} among this test's processes"
    return total


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    """`imtkg serve` (granian) on the endpoint fixture data: (base URL, port)."""
    folder = tmp_path_factory.mktemp("serve")
    with imtkg_serve(folder, CACHE_DIR=str(folder / "cache")) as (port, _log):
        yield f"http://127.0.0.1:{port}", port


@pytest.fixture()
def canary():
    """A loopback listener that counts the connections made to it."""
    listener = LoopbackListener()
    yield listener
    listener.close()


# -- JSON-LD contexts: nothing fetched, nothing opened ---------------------------------------


def test_remote_context_and_import_are_refused_without_a_connection(served, canary):
    """A remote @context, an @import, a scoped context of a term: 400, and no connection made."""
    base, _ = served
    documents = [
        {"@context": canary.url + "context.jsonld", "@id": "http://example.org/a"},
        {"@context": {"@import": canary.url + "i.jsonld"}, "@id": "http://example.org/a"},
        {
            "@context": [{"p": {"@id": "http://example.org/p", "@context": canary.url}}],
            "@id": "http://example.org/a",
            "p": {"@id": "http://example.org/b"},
        },
    ]
    for document in documents:
        status, text, _ = post(base, json.dumps(document), "application/ld+json")
        assert (status, text) == (400, REFUSED_BODY)
    assert canary.settled_connections() == 0


def test_file_contexts_existing_or_not_get_byte_identical_answers(served, tmp_path):
    """A `file:` or path context answers the same bytes whether the file exists or not."""
    base, _ = served
    existing = tmp_path / "exists.jsonld"
    existing.write_text('{"@context": {"p": "http://example.org/p"}}', encoding="utf-8")
    missing = tmp_path / "missing.jsonld"  # the same length as the existing one's name
    answers = []
    for context in (existing.as_uri(), missing.as_uri(), str(existing), str(missing)):
        document = json.dumps({"@context": context, "@id": "http://example.org/a", "p": "x"})
        status, text, _ = post(base, document, "application/ld+json")
        answers.append((status, text))
    assert answers == [(400, REFUSED_BODY)] * 4


def test_dev_zero_context_is_a_quick_400_and_memory_stays_put(served):
    """`/dev/zero` as a context once grew the server without bound: now 400, nothing read."""
    base, port = served
    before = server_rss(port)
    for context in ("/dev/zero", "file:///dev/zero", ["/dev/zero"]):
        document = json.dumps({"@context": context, "@id": "http://example.org/a"})
        status, text, seconds = post(base, document, "application/ld+json", timeout=30)
        assert (status, text) == (400, REFUSED_BODY)
        assert seconds < 20  # generous: it used to be killed at 9.4 GB
    assert server_rss(port) - before < 64 * 1024 * 1024


def test_the_servers_own_context_is_read_without_a_connection(served, canary):
    """A document naming the context this server publishes (or the canonical URL) is read:
    its terms expand (School, label), and the report is about the document's school."""
    base, _ = served
    reports = []
    for url in (base + "/context.jsonld", CANONICAL_CONTEXT_URL):
        document = {"@context": url, "@id": SCHOOL, "@type": "School", "label": {"en": "U"}}
        status, text, _ = post(base, json.dumps(document), "application/ld+json")
        assert status == 200, text
        reports.append(text)
    graphs = [Graph().parse(data=report, format="turtle") for report in reports]
    assert set(graphs[0].objects(None, SH.focusNode)) == {URIRef(SCHOOL)}
    assert isomorphic(graphs[0], graphs[1])
    assert canary.settled_connections() == 0


# -- RDF/XML entities and deep nesting: bounded work -----------------------------------------


def test_rdf_xml_entity_declarations_are_refused_quickly(served):
    """The 700-byte entity bomb is refused, naming the DOCTYPE and ENTITY, before any parse."""
    base, _ = served
    assert len(LAUGHS.encode()) < 1000
    status, text, seconds = post(base, LAUGHS, "application/rdf+xml", timeout=30)
    assert (status, text) == (400, DOCTYPE_REFUSED)
    assert seconds < 20  # it used to take 210 s of CPU
    external = LAUGHS.replace('<!ENTITY a "aaaaaaaaaa">', '<!ENTITY a SYSTEM "file:///etc/hosts">')
    assert post(base, external, "application/rdf+xml")[:2] == (400, DOCTYPE_REFUSED)


@pytest.mark.parametrize(
    "opening,closing",
    [("[ :p ", " ]"), ("( ", " )")],
    ids=["blank-nodes", "collections"],
)
def test_deeply_nested_turtle_is_read_without_recursion(served, opening, closing):
    """30,000 nested `[ [ [` or `( ( (` (200 KB) are read by a parser without recursion: the
    data is validated (200), not a 500 or a stack overflow."""
    base, _ = served
    depth = 30_000
    body = "@prefix : <http://example.org/> .\n:a :p " + opening * depth + "1"
    body += closing * depth + " .\n"
    status, text, _ = post(base, body, "text/turtle")
    assert status == 200, text[:300]


def test_deeply_nested_json_ld_is_refused(served):
    """JSON nested deeper than PyLD's recursion can go is refused with a 400, not a 500."""
    base, _ = served
    body = '{"http://example.org/p": ' * 5000 + "1" + "}" * 5000
    status, text, _ = post(base, body, "application/ld+json")
    assert (status, text) == (
        400,
        "400 Bad Request: <request body>: JSON-LD error: the JSON is nested deeper than 200\n",
    )


def test_the_body_is_parsed_only_once_a_validation_slot_is_free():
    """With every slot taken, even an unparsable body gets 503: parsing waits for a slot (and
    so at most VALIDATION_SLOTS parses run at once); once a slot is free it gets its 400."""
    with app_context() as app, live_server(app) as base:
        # the first POST makes the slots (and is refused: entities are not read in uploads)
        assert post(base, LAUGHS, "application/rdf+xml")[:2] == (400, DOCTYPE_REFUSED)
        semaphore = app.extensions[EXTENSION_KEY].extra[SLOTS_KEY]
        for _ in range(VALIDATION_SLOTS):
            assert semaphore.acquire(blocking=False)
        try:
            status, text, _ = post(base, LAUGHS, "application/rdf+xml")
            assert status == 503 and text.startswith("503 Service Unavailable: every validation")
        finally:
            for _ in range(VALIDATION_SLOTS):
                semaphore.release()
        assert post(base, LAUGHS, "application/rdf+xml")[:2] == (400, DOCTYPE_REFUSED)


def test_a_token_over_16_mib_is_an_input_error():
    """A 17 MiB literal stops Oxigraph's tokenizer: an InputError naming the input, no crash."""
    body = b'<http://example.org/a> <http://example.org/p> "' + b"x" * (17 << 20) + b'" .\n'
    with pytest.raises(InputError) as caught:
        list(read_quads(body, "nt", "<request body>", trusted=False))
    assert str(caught.value).startswith("<request body>: N-Triples error: too large to read (")


def test_a_files_small_entities_are_read_and_nested_ones_refused(tmp_path):
    """An ontology editor's namespace entities are read in a file; nested ones are refused."""
    rdf = (
        '<?xml version="1.0"?>\n<!DOCTYPE rdf:RDF [\n<!ENTITY ex "http://example.org/" >\n]>\n'
        '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" '
        'xmlns:ex="http://example.org/">\n'
        '<rdf:Description rdf:about="&ex;a"><ex:p rdf:resource="&ex;b"/></rdf:Description>\n'
        "</rdf:RDF>\n"
    )
    small = tmp_path / "small.rdf"
    small.write_text(rdf, encoding="utf-8")
    assert [tuple(map(str, t)) for t in parse_file(small)] == [
        ("http://example.org/a", "http://example.org/p", "http://example.org/b")
    ]
    bomb = tmp_path / "bomb.rdf"
    bomb.write_text(LAUGHS, encoding="utf-8")
    with pytest.raises(InputError) as caught:
        parse_file(bomb)
    assert str(caught.value) == (
        f"{bomb}: RDF/XML error: the <!ENTITY b> is not read "
        "(only internal entities naming no other entity are)"
    )
    wide = tmp_path / "wide.rdf"
    value = "x" * 1000
    wide.write_text(
        rdf.replace('"http://example.org/"', f'"{value}"').replace(
            "<ex:p", "<ex:q>" + "&ex;" * (MAX_ENTITY_EXPANSION // 1000 + 1) + "</ex:q><ex:p"
        ),
        encoding="utf-8",
    )
    with pytest.raises(InputError, match="DTD entities expand to over"):
        parse_file(wide)


# -- One reader for validate, serve and uploads: the same precise errors ----------------------

BAD_IRI = '@prefix ex: <http://example.org/> .\nex:a ex:p ex:b .\n<http://a b> ex:p "x" .\n'
BAD_IRI_ERROR = "3:1: Turtle syntax error: Invalid IRI code point ' ' in <http://a b>"


def test_validate_names_the_bad_iri_with_file_line_and_column(tmp_path):
    """`imtkg validate` stops with status 2 on an IRI with a space, naming file, line, column,
    IRI; in JSON-LD too (the triple used to be dropped and the file pass)."""
    runner = CliRunner()
    turtle = tmp_path / "bad.ttl"
    turtle.write_text(BAD_IRI, encoding="utf-8")
    result = runner.invoke(main, ["validate", str(turtle)])
    assert (result.exit_code, result.stdout) == (2, "")
    assert result.stderr == f"error: {turtle}:{BAD_IRI_ERROR}\n"
    document = tmp_path / "bad.jsonld"
    document.write_text(
        '{\n  "@context": {"ex": "http://example.org/"},\n  "@id": "http://a b",\n'
        '  "ex:p": "x"\n}\n',
        encoding="utf-8",
    )
    result = runner.invoke(main, ["validate", str(document)])
    assert (result.exit_code, result.stdout) == (2, "")
    assert result.stderr == (
        f"error: {document}:3:10: JSON-LD error: invalid IRI <http://a b>: "
        "Invalid IRI code point ' '\n"
    )


def test_serve_refuses_the_bad_iri_with_the_same_message(tmp_path):
    """`imtkg serve` on a graph folder holding the same file stops with the same message."""
    graphs = tmp_path / "graph"
    graphs.mkdir()
    (graphs / "bad.ttl").write_text(BAD_IRI, encoding="utf-8")
    env = dict(os.environ)
    env.update(
        IMTKG_PORT="0",
        IMTKG_ONTOLOGY_DIR=str(ONTOLOGY_DIR),
        IMTKG_GRAPH_DIR=str(graphs),
        IMTKG_WORKERS="1",
        IMTKG_CACHE_DIR=str(tmp_path / "cache"),
    )
    done = subprocess.run(
        [sys.executable, "-m", "imtkg.cli", "serve", "--skip-validation"],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        timeout=120,
    )
    assert done.returncode == 2
    assert done.stderr.splitlines()[-1] == f"error: {graphs / 'bad.ttl'}:{BAD_IRI_ERROR}"


def test_upload_names_the_bad_iri_as_validate_does(served):
    """POST /shacl answers the same error for the same Turtle (as `<request body>`)."""
    base, _ = served
    status, text, _ = post(base, BAD_IRI, "text/turtle")
    assert (status, text) == (400, f"400 Bad Request: <request body>:{BAD_IRI_ERROR}\n")


def test_latin1_file_is_reported_at_its_line_and_column(tmp_path):
    """A Latin-1 Turtle file names the file, line and column of the first byte that is not
    UTF-8, and the byte."""
    path = tmp_path / "latin1.ttl"
    path.write_bytes(b'@prefix ex: <http://example.org/> .\nex:a ex:p "caf\xe9" .\n')
    result = CliRunner().invoke(main, ["validate", str(path)])
    assert result.exit_code == 2
    assert result.stderr == (
        f"error: {path}:2:15: Turtle error: the text is not UTF-8 (byte 0xe9); save it as "
        "UTF-8 (a Latin-1 or Windows-1252 file needs converting)\n"
    )


def test_json_ld_file_with_the_canonical_context_is_read_offline(tmp_path):
    """`imtkg validate` reads a JSON-LD file naming the project's canonical context (built
    from the shipped ontology, not fetched); another URL is refused with status 2."""
    document = {"@context": CANONICAL_CONTEXT_URL, "@id": SCHOOL, "@type": "School"}
    path = tmp_path / "school.jsonld"
    path.write_text(json.dumps(document), encoding="utf-8")
    assert [tuple(map(str, t)) for t in parse_file(path)] == [
        (SCHOOL, "http://www.w3.org/1999/02/22-rdf-syntax-ns#type", IMT_SCHOOL)
    ]
    path.write_text(json.dumps({**document, "@context": "http://127.0.0.1:9/c"}), "utf-8")
    result = CliRunner().invoke(main, ["validate", str(path)])
    assert (result.exit_code, result.stderr) == (2, f"error: {path}: {REFUSED_CONTEXT}\n")


def test_request_bodies_refuse_what_files_may_do():
    """parse_text is for outside input: no DTD entity at all, no context but those given."""
    with pytest.raises(InputError, match="the document has a <!DOCTYPE>"):
        parse_text(LAUGHS, "xml")
    document = json.dumps({"@context": CANONICAL_CONTEXT_URL, "@id": SCHOOL, "@type": "School"})
    with pytest.raises(InputError) as caught:
        parse_text(document, "json-ld")
    assert str(caught.value) == f"<request body>: {REFUSED_CONTEXT}"


def test_dataset_graph_folder_is_unchanged_by_the_reader():
    """The fixture folders load as before (the reader changes no accepted data)."""
    from rdflib import Graph
    from rdflib.compare import isomorphic

    paths = [*ONTOLOGY_DIR.glob("*.ttl"), *GRAPH_DIR.glob("*.ttl")]
    assert paths
    for path in paths:
        expected = Graph().parse(path, format="turtle", publicID=path.resolve().as_uri())
        assert isomorphic(parse_file(Path(path)), expected), path
