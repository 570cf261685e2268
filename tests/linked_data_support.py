"""Helpers of the linked-data tests: one app on the shipped graph, strict HTML, RDF parsing back.

The tests of dereferencing, pages and ontology docs share one app (loading and reasoning take a
few seconds): :func:`shipped_app` builds it on first use and closes it at exit.
"""

from __future__ import annotations

import atexit
import functools
import json
import re
import warnings
import xml.etree.ElementTree as ET

import html5lib
from flask import Flask
from flask.testing import FlaskClient
from rdflib import Dataset, Graph

from imtkg.web.app import close_app, create_app

BASE = "https://w3id.org/imt-kg/"
ID = BASE + "id/"
IMT = BASE + "ontology#"
GRAPH = BASE + "graph/"
SERVED = "http://localhost/"

#: extension -> (media type, rdflib parser format, whether it holds named graphs)
RDF_FORMATS = {
    "ttl": ("text/turtle", "turtle", False),
    "nt": ("application/n-triples", "nt", False),
    "rdf": ("application/rdf+xml", "xml", False),
    "jsonld": ("application/ld+json", None, True),
    "trig": ("application/trig", "trig", True),
    "nq": ("application/n-quads", "nquads", True),
}


@functools.cache
def shipped_app() -> Flask:
    """The app on the shipped graph (no public base: served at http://localhost/)."""
    with warnings.catch_warnings():
        # rdflib 7.6 deprecates Dataset APIs its own serialisers still call while loading
        warnings.filterwarnings("ignore", category=DeprecationWarning, module="rdflib")
        app = create_app({"WORKERS": 2, "QUERY_TIMEOUT": 10.0, "PUBLIC_BASE": None})
    atexit.register(close_app, app)
    return app


def client() -> FlaskClient:
    """A new test client of :func:`shipped_app` (its own cookies)."""
    return shipped_app().test_client()


def select(query: str) -> list[dict[str, str]]:
    """Answer a SELECT with the app's engine; rows as ``{variable: value}``."""
    from imtkg.web.state import EXTENSION_KEY

    engine = shipped_app().extensions[EXTENSION_KEY].engine
    rows = engine.select(query)["results"]["bindings"]
    return [{k: v["value"] for k, v in row.items()} for row in rows]


# -- HTML ----------------------------------------------------------------------------------------


def parse_html(body: bytes | str) -> ET.Element:
    """Parse a page with html5lib in strict mode: any HTML5 parse error fails the test."""
    parser = html5lib.HTMLParser(strict=True, namespaceHTMLElements=False)
    return parser.parse(body)


def text_of(element: ET.Element) -> str:
    """Return the text of an element with its (ASCII) whitespace collapsed; the tooltips of
    SVG elements (``<title>`` children) are left out."""
    parts = []

    def walk(node: ET.Element) -> None:
        if node.tag.rpartition("}")[2] == "title" and node is not element:
            return
        parts.append(node.text or "")
        for child in node:
            walk(child)
            parts.append(child.tail or "")

    walk(element)
    return re.sub(r"[ \t\n\r\f]+", " ", "".join(parts)).strip()


def elements(root: ET.Element, tag: str) -> list[ET.Element]:
    """Return the elements named ``tag`` (``*`` for any) under ``root``, HTML or inline SVG
    (html5lib puts SVG elements in the SVG namespace)."""
    return [e for e in root.iter() if tag == "*" or e.tag.rpartition("}")[2] == tag]


def first(root: ET.Element, tag: str) -> ET.Element:
    """Return the first element named ``tag`` under ``root`` (fails if there is none)."""
    found = elements(root, tag)
    assert found, f"no <{tag}> element"
    return found[0]


def find_all(doc: ET.Element, tag: str, **attributes: str) -> list[ET.Element]:
    """Return the elements ``tag`` (``*`` for any) whose attributes have the given values."""
    return [
        e
        for e in elements(doc, tag)
        if all(e.get(k.rstrip("_").replace("_", "-")) == v for k, v in attributes.items())
    ]


def by_id(doc: ET.Element, ident: str) -> ET.Element:
    """Return the element with ``id`` ``ident`` (fails if there is none)."""
    found = find_all(doc, "*", id=ident)
    assert len(found) == 1, f"expected one element with id {ident!r}, found {len(found)}"
    return found[0]


def links(element: ET.Element) -> dict[str, str]:
    """Return ``{link text: href}`` of the ``<a>`` elements under ``element``."""
    return {text_of(a): a.get("href") for a in elements(element, "a") if a.get("href")}


def outside_resources(doc: ET.Element) -> list[str]:
    """Return the scripts, styles, images and frames a page loads from outside the app."""
    found = []
    for tag, attribute in (("script", "src"), ("link", "href"), ("img", "src"), ("iframe", "src")):
        for element in doc.iter(tag):
            if tag == "link" and element.get("rel") not in ("stylesheet", "icon", "preload"):
                continue
            url = element.get(attribute)
            if url and not (url.startswith("/") or url.startswith(SERVED)):
                found.append(url)
    return found


# -- RDF -----------------------------------------------------------------------------------------


def document_loader(test_client: FlaskClient):
    """Return a PyLD document loader that answers from the app and refuses the network."""

    def load(url: str, options: dict | None = None) -> dict:
        if not url.startswith(SERVED):
            raise AssertionError(f"the JSON-LD document asked for an outside URL: {url}")
        response = test_client.get(url[len(SERVED) - 1 :])
        assert response.status_code == 200, url
        return {"contextUrl": None, "documentUrl": url, "document": json.loads(response.data)}

    return load


def jsonld_to_nquads(body: bytes, test_client: FlaskClient) -> str:
    """Expand a JSON-LD document with PyLD (context from the app) and return it as N-Quads."""
    from pyld import jsonld

    options = {"format": "application/n-quads", "documentLoader": document_loader(test_client)}
    return jsonld.to_rdf(json.loads(body), options)


def parse_quads(body: bytes, extension: str, test_client: FlaskClient) -> set[tuple]:
    """Parse a served RDF document with rdflib; return its quads (triple formats: graph None)."""
    if extension == "jsonld":
        body, extension = jsonld_to_nquads(body, test_client).encode("utf-8"), "nq"
    media_type, parser, is_dataset = RDF_FORMATS[extension]
    if not is_dataset:
        graph = Graph()
        graph.parse(data=body, format=parser)
        return {(s, p, o, None) for s, p, o in graph}
    with warnings.catch_warnings():
        # rdflib 7.6's dataset parsers and accessors call its own deprecated Dataset API
        warnings.filterwarnings("ignore", category=DeprecationWarning, module="rdflib")
        dataset = Dataset()
        dataset.parse(data=body, format=parser)
        return {(s, p, o, g) for s, p, o, g in dataset.quads((None, None, None, None))}


def parse_rdf(body: bytes, extension: str, test_client: FlaskClient) -> Graph:
    """Parse a served RDF document with rdflib and return the merge of its graphs."""
    graph = Graph()
    for s, p, o, _ in parse_quads(body, extension, test_client):
        graph.add((s, p, o))
    return graph
