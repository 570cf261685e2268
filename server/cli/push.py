"""``imtkg push``: load the validated, reasoned dataset into a SPARQL engine, or write bulk files.

Over the Graph Store Protocol, each graph of the layout the server expects is replaced by a
``PUT``: the named graphs (sources, ontology, ``graph:inferred``), the hidden union graph
:data:`imtkg.store.oxigraph_store.ASSERTED_UNION` and, last, the manifest graph
:data:`imtkg.store.oxigraph_store.MANIFEST_GRAPH` (a :class:`DatasetManifest`). The old manifest is
deleted first, so a push cut short leaves an engine a server refuses to start on rather than a mix
it would serve as complete; graphs the previous push listed and this one does not are deleted. The
triples per graph are counted back with a query after the push.

With ``--bulk-dir`` the same quads are written as one gzipped N-Quads file and a
``manifest.json``, for engines whose bulk loader is faster than HTTP (``oxigraph load``,
``tdb2.tdbloader``, Virtuoso's ``ld_dir``, QLever's index builder, Neptune's loader). Blank nodes
keep their identity across graphs in the bulk file; over the Graph Store Protocol each graph is
its own document, so a blank node shared by two graphs becomes two.

An engine whose write endpoint asks for authentication (Virtuoso's ``/sparql-graph-crud-auth``:
HTTP Digest) is answered as ``--user``; the password comes from the ``IMTKG_PUSH_PASSWORD``
environment variable, ``--password-file`` or a prompt, never from the command line, so it shows
neither in the process list nor in a shell's history, and no message or log line quotes it.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import os
import sys
from collections.abc import Hashable, Iterable
from dataclasses import asdict, dataclass
from datetime import datetime
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import IO, cast

import click
import pyoxigraph as ox

from imtkg.core.errors import ImtKgError
from imtkg.query.backends import read_remote_manifest
from imtkg.query.graph_store_client import Credentials, GraphStoreClient
from imtkg.query.remote import RemoteQueryEngine
from imtkg.shacl.conformance import INVALID
from imtkg.store.manifest import DatasetManifest
from imtkg.store.oxigraph_store import MANIFEST_GRAPH
from imtkg.store.prepared import PreparedDataset, prepare_dataset

#: the environment variable holding the password of ``--user``
PASSWORD_VARIABLE = "IMTKG_PUSH_PASSWORD"
XSD = "http://www.w3.org/2001/XMLSchema#"
#: datatypes an engine storing literals by value (Virtuoso 7) keeps as numbers: "3"^^xsd:integer,
#: "3.0"^^xsd:decimal and "3"^^xsd:double are one object there (and true is 1, false 0)
NUMERIC_TYPES = {
    XSD + name
    for name in (
        "integer decimal double float int long short byte nonNegativeInteger positiveInteger "
        "negativeInteger nonPositiveInteger unsignedInt unsignedLong unsignedShort unsignedByte"
    ).split()
}
BULK_FILE = "imtkg.nq.gz"
BULK_MANIFEST = "manifest.json"
#: how to bulk-load the file into each engine (see docs/scaling.md; only Oxigraph's is tested)
BULK_LOADERS: dict[str, str] = {
    "oxigraph": f"oxigraph load --location DB --file {BULK_FILE}",
    "jena-fuseki": f"tdb2.tdbloader --loc DB {BULK_FILE}",
    "virtuoso": f"ld_dir('DIR', '{BULK_FILE}', 'urn:unused'); rdf_loader_run(); checkpoint;",
    "graphdb": f"importrdf preload -i REPOSITORY {BULK_FILE}",
    "qlever": f"zcat {BULK_FILE} | IndexBuilderMain -i INDEX -F nq -f -",
    "neptune": "upload to S3, then POST /loader with format=nquads",
}


class PushError(ImtKgError):
    """A push that did not end with the engine holding the dataset."""


@dataclass(frozen=True)
class PushedGraph:
    """One graph of a push: its IRI, its triples here and (after verification) there."""

    iri: str
    triples: int
    remote: int | None = None
    #: the engine holds fewer triples only because it keeps literals of equal value as one
    by_value: bool = False


def default_graph_store(query_url: str) -> str:
    """Return the Graph Store Protocol URL beside a query URL, in Oxigraph's layout.

    :raises click.UsageError: when ``query_url`` does not end with ``/query``.
    """
    if query_url.rstrip("/").endswith("/query"):
        return query_url.rstrip("/")[: -len("query")] + "store"
    raise click.UsageError(
        "give --gsp, the engine's Graph Store Protocol URL (Fuseki: /<dataset>/data, GraphDB: "
        "/repositories/<id>/rdf-graphs/service, Virtuoso: /sparql-graph-crud-auth with --user); "
        "it is only guessed for Oxigraph's /query"
    )


def graph_triples(store: ox.Store, iri: str):
    """Yield the triples of the named graph ``iri`` of ``store``."""
    for quad in store.quads_for_pattern(None, None, None, ox.NamedNode(iri)):
        yield quad.triple


def push_to_engine(
    prepared: PreparedDataset,
    query_url: str,
    gsp_url: str,
    timeout: float = 600.0,
    credentials: Credentials | None = None,
) -> list[PushedGraph]:
    """Replace the engine's copy of the dataset graph by graph; return the verified counts.

    :param credentials: the user and password the Graph Store endpoint asks for, if it does
        (the query endpoint is read without them).
    :raises PushError: when the engine's counts differ from the dataset's after the push.
    """
    engine = RemoteQueryEngine(query_url, timeout=timeout, row_limit=10**6)
    client = GraphStoreClient(gsp_url, timeout=timeout, credentials=credentials)
    try:
        engine.wait_ready(min(timeout, 30.0))
        previous = _previous_graphs(engine)
        manifest = prepared.manifest()
        client.delete(MANIFEST_GRAPH)
        for iri, count in manifest.graphs.items():
            client.put(iri, graph_triples(prepared.kg.store, iri))
            click.echo(f"  PUT {count:>9} triples  <{iri}>")
        for iri in sorted(previous - set(manifest.graphs)):
            client.delete(iri)
            click.echo(f"  DELETE  <{iri}> (not in this dataset)")
        client.put(MANIFEST_GRAPH, [manifest.quad().triple])
        return verify_counts(engine, manifest, prepared.kg.store)
    finally:
        client.close()
        engine.close()


def read_password(user: str, password_file: Path | None) -> str:
    """Return the password of ``user``: from ``--password-file``, else the environment variable
    :data:`PASSWORD_VARIABLE`, else a prompt that does not echo (only on a terminal).

    :raises click.UsageError: when there is none of these (or the file is empty).
    """
    if password_file is not None:
        lines = password_file.read_text(encoding="utf-8").splitlines()
        if not lines or not lines[0]:
            raise click.UsageError(f"the password file {password_file} is empty")
        return lines[0]
    if os.environ.get(PASSWORD_VARIABLE):
        return os.environ[PASSWORD_VARIABLE]
    if sys.stdin.isatty():
        return str(click.prompt(f"password of {user}", hide_input=True))
    raise click.UsageError(
        f"--user {user} needs a password: set {PASSWORD_VARIABLE}, give --password-file, or run "
        "on a terminal to be asked (it is never taken from the command line)"
    )


def _previous_graphs(engine: RemoteQueryEngine) -> set[str]:
    """Return the graphs the engine's current manifest lists (none if it has none)."""
    try:
        return set(read_remote_manifest(engine).graphs)
    except ImtKgError:
        return set()


def remote_counts(engine: RemoteQueryEngine, graphs: list[str]) -> dict[str, int]:
    """Count the triples of each of ``graphs`` in the engine (a missing graph counts 0)."""
    values = " ".join(f"<{iri}>" for iri in graphs)
    query = (
        f"SELECT ?g (COUNT(*) AS ?n) WHERE {{ VALUES ?g {{ {values} }} "
        "GRAPH ?g { ?s ?p ?o } } GROUP BY ?g"
    )
    rows = engine.select(query)["results"]["bindings"]
    counts = {row["g"]["value"]: int(row["n"]["value"]) for row in rows}
    return {iri: counts.get(iri, 0) for iri in graphs}


def value_key(term: ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple) -> Hashable:
    """Return what identifies ``term`` in an engine that stores literals by value (Virtuoso 7):
    a number of any numeric datatype (or a boolean) by its value, a ``xsd:dateTime`` by its
    instant; any other term as itself."""
    if not isinstance(term, ox.Literal):
        return term
    datatype = term.datatype.value
    try:
        if datatype in NUMERIC_TYPES:
            return ("number", Decimal(term.value))
        if datatype == XSD + "boolean":
            return ("number", Decimal(term.value in ("true", "1")))
        if datatype == XSD + "dateTime":
            instant = datetime.fromisoformat(term.value.replace("Z", "+00:00"))
            return ("instant", instant) if instant.tzinfo else term
    except (InvalidOperation, ValueError):
        return term  # an ill-typed literal is kept as written
    return term


def by_value_count(triples: Iterable[ox.Triple]) -> int:
    """Count ``triples`` as an engine that stores literals by value holds them."""
    return len({(t.subject, t.predicate, value_key(t.object)) for t in triples})


def verify_counts(
    engine: RemoteQueryEngine, manifest: DatasetManifest, store: ox.Store | None = None
) -> list[PushedGraph]:
    """Compare the engine's triples per graph with the manifest's.

    A graph the engine holds fewer triples of is still sound when its count is that of the
    graph's triples by value (:func:`value_key`; ``store`` holds the pushed graphs): the engine
    keeps literals of equal value as one, as Virtuoso 7 does. That is reported, not refused.

    :raises PushError: listing the graphs whose counts differ otherwise.
    """
    expected = {**manifest.graphs, MANIFEST_GRAPH: 1}
    found = remote_counts(engine, list(expected))
    pushed = []
    for iri, triples in expected.items():
        by_value = (
            store is not None
            and iri != MANIFEST_GRAPH
            and found[iri] < triples
            and found[iri] == by_value_count(graph_triples(store, iri))
        )
        pushed.append(PushedGraph(iri, triples, found[iri], by_value))
    wrong = [p for p in pushed if p.remote != p.triples and not p.by_value]
    if wrong:
        lines = "\n".join(f"  <{p.iri}>: {p.triples} pushed, {p.remote} there" for p in wrong)
        raise PushError(f"the engine's counts differ from the dataset's:\n{lines}")
    return pushed


def write_bulk(prepared: PreparedDataset, directory: Path) -> tuple[Path, Path]:
    """Write every quad (manifest graph included) to ``DIR/imtkg.nq.gz`` and ``DIR/manifest.json``.

    Both are written to temporary names and renamed, so a reader never sees half a file.
    """
    directory.mkdir(parents=True, exist_ok=True)
    manifest = prepared.manifest()
    data = directory / BULK_FILE
    partial = directory / f".{BULK_FILE}.partial"
    # mtime=0: the same dataset gives the same bytes (and checksum) every time
    with open(partial, "wb") as raw, gzip.GzipFile(fileobj=raw, mode="wb", mtime=0) as out:
        # a GzipFile is a binary file, though not a typing.IO subclass
        output = cast(IO[bytes], out)
        ox.serialize(prepared.kg.store, output=output, format=ox.RdfFormat.N_QUADS)
        ox.serialize([manifest.quad()], output=output, format=ox.RdfFormat.N_QUADS)
    os.replace(partial, data)
    description = {
        "dataset": asdict(manifest),
        "file": BULK_FILE,
        "bytes": data.stat().st_size,
        "sha256": hashlib.sha256(data.read_bytes()).hexdigest(),
        "quads": sum(manifest.graphs.values()) + 1,
        "load": BULK_LOADERS,
    }
    manifest_path = directory / BULK_MANIFEST
    partial_manifest = directory / f".{BULK_MANIFEST}.partial"
    partial_manifest.write_text(json.dumps(description, indent=2) + "\n", encoding="utf-8")
    os.replace(partial_manifest, manifest_path)
    return data, manifest_path


@click.command()
@click.argument("url", required=False)
@click.option("--gsp", help="Graph Store Protocol URL [default: URL's /query -> /store].")
@click.option(
    "--bulk-dir",
    type=click.Path(file_okay=False, path_type=Path),
    help=f"Write {BULK_FILE} and {BULK_MANIFEST} for an engine's bulk loader.",
)
@click.option(
    "--ontology-dir",
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    help="Ontology folder (the shipped one by default).",
)
@click.option(
    "--graph-dir",
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    help="Instance-data folder (the shipped one by default).",
)
@click.option("--skip-validation", is_flag=True, help="Push even data that fails SHACL validation.")
@click.option(
    "--user",
    envvar="IMTKG_PUSH_USER",
    show_envvar=True,
    help=f"User for the Graph Store endpoint (Digest or Basic, as it asks); the password comes "
    f"from {PASSWORD_VARIABLE}, --password-file or a prompt.",
)
@click.option(
    "--password-file",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="File whose first line is the password of --user.",
)
@click.option(
    "--timeout", type=float, default=600.0, show_default=True, help="Seconds per HTTP request."
)
def push(
    url: str | None,
    gsp: str | None,
    bulk_dir: Path | None,
    ontology_dir: Path | None,
    graph_dir: Path | None,
    skip_validation: bool,
    user: str | None,
    password_file: Path | None,
    timeout: float,
) -> None:
    """Load the reasoned, validated dataset into the SPARQL engine at URL (its query endpoint)."""
    if url is None and bulk_dir is None:
        raise click.UsageError("give the engine's query URL, --bulk-dir, or both")
    if url == "":
        raise click.UsageError("the engine's query URL is empty")
    gsp_url = (gsp or default_graph_store(url)) if url else None
    if password_file is not None and not user:
        raise click.UsageError("--password-file needs --user")
    credentials = Credentials(user, read_password(user, password_file)) if user else None
    prepared = prepare_dataset(ontology_dir, graph_dir, validate=not skip_validation)
    if prepared.validation == INVALID:
        raise PushError(f"the data does not conform to the shapes:\n{prepared.report}")
    click.echo(f"dataset {prepared.version.digest[:16]}: {prepared.validation}")
    if bulk_dir is not None:
        data, manifest_path = write_bulk(prepared, bulk_dir)
        info = json.loads(manifest_path.read_text(encoding="utf-8"))
        graphs = info["dataset"]["graphs"]
        click.echo(
            f"wrote {data} ({info['quads']} quads in {len(graphs) + 1} graphs, "
            f"{info['bytes']} bytes) and {manifest_path}"
        )
    if url is not None and gsp_url is not None:
        click.echo(f"pushing to {gsp_url}")
        pushed = push_to_engine(prepared, url, gsp_url, timeout, credentials)
        total = sum(p.triples for p in pushed)
        merged = [p for p in pushed if p.by_value]
        for p in merged:
            click.echo(
                f"  note: <{p.iri}>: {p.triples} pushed, {p.remote} there: the engine keeps "
                f'literals of equal value as one (e.g. "3"^^xsd:integer and "3"^^xsd:decimal); '
                f"{p.triples - (p.remote or 0)} triples differ from others only so"
            )
        held = f" ({len(merged)} by value, see the notes)" if merged else ""
        click.echo(
            f"pushed {len(pushed)} graphs, {total} triples; verified at {url}: counts match{held}"
        )
