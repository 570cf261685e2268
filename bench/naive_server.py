"""The naive baseline: a plain Flask + rdflib SPARQL endpoint, served by waitress.

What a first version of such a server looks like: the dataset is parsed into an in-memory
:class:`rdflib.Dataset` whose default graph is the union of its named graphs, and every request
runs ``dataset.query(q)`` (rdflib parses, plans and evaluates the query each time) and serialises
the result (SPARQL JSON results, or Turtle for CONSTRUCT/DESCRIBE)::

    python bench/naive_server.py --dataset data.nq --port 8002 [--threads 8]

``GET /health`` answers 200 once the data is loaded (the load time is logged on stderr);
``GET /sparql?query=...`` answers queries.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from flask import Flask, Response, request
from rdflib import Dataset
from waitress import serve

FORMATS = {".nq": "nquads", ".trig": "trig", ".nt": "nt", ".ttl": "turtle"}


def create_app(dataset: Dataset) -> Flask:
    """Return the Flask app answering queries on ``dataset``."""
    app = Flask(__name__)

    @app.route("/health")
    def health() -> Response:
        return Response("ready\n", mimetype="text/plain")

    @app.route("/sparql")
    def sparql() -> Response:
        query = request.args.get("query", "")
        try:
            result = dataset.query(query)
        except Exception as exc:  # noqa: BLE001 - the baseline answers 400 on any failure
            return Response(f"{type(exc).__name__}: {exc}\n", status=400, mimetype="text/plain")
        if result.type in ("CONSTRUCT", "DESCRIBE"):
            body = result.serialize(format="turtle")
            return Response(body, mimetype="text/turtle")
        body = result.serialize(format="json")
        return Response(body, mimetype="application/sparql-results+json")

    return app


def load(path: Path, drop_graph: str | None = None) -> Dataset:
    """Parse a dataset file into a union-default-graph rdflib Dataset.

    :param drop_graph: leave out this graph's quads (an N-Quads file's lines ending with it).
    """
    dataset = Dataset(default_union=True)
    fmt = FORMATS.get(path.suffix, "nquads")
    if drop_graph and fmt == "nquads":
        ending = f"<{drop_graph}> .".encode()
        data = b"".join(
            line
            for line in path.read_bytes().splitlines(keepends=True)
            if not line.rstrip().endswith(ending)
        )
        dataset.parse(data=data, format=fmt)
    else:
        dataset.parse(str(path), format=fmt)
    return dataset


def main() -> None:
    """Load the dataset, then serve it."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dataset", type=Path, required=True)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--threads", type=int, default=8)
    parser.add_argument("--drop-graph", help="a graph of the file not to load")
    args = parser.parse_args()
    started = time.monotonic()
    dataset = load(args.dataset, args.drop_graph)
    print(f"naive: loaded in {time.monotonic() - started:.2f} s", file=sys.stderr, flush=True)
    serve(create_app(dataset), host=args.host, port=args.port, threads=args.threads)


if __name__ == "__main__":
    main()
