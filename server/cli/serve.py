"""``imtkg serve``: load, validate and reason over the graph, then serve it (granian or waitress).

Every option also reads an ``IMTKG_<NAME>`` environment variable (``IMTKG_PORT``...); the
options win over the environment, which wins over the defaults of :mod:`imtkg.core.config`.
"""

from __future__ import annotations

import json
import logging
import signal
import sys
import time
from pathlib import Path

import click

from imtkg.core.config import DEFAULTS, ENV_PREFIX
from imtkg.shacl.conformance import INVALID
from imtkg.web.state import EXTENSION_KEY, ImtKgState

log = logging.getLogger("imtkg.cli.serve")


def _option(name: str, *flags: str, **kwargs):
    """A click option for setting ``name``, read from ``IMTKG_<name>`` when not given."""
    return click.option(
        *flags, name.lower(), envvar=ENV_PREFIX + name, default=None, show_envvar=True, **kwargs
    )


def validate(state: ImtKgState) -> str:
    """Validate the served dataset with the shapes (:func:`imtkg.shacl.conformance.conformance`).

    An on-disk or remote store was validated when it was built or pushed: its recorded outcome
    is used rather than loading the dataset again. Otherwise the outcome comes from the
    validation cache while the dataset, the shapes and the code are unchanged
    (:mod:`imtkg.shacl.outcome_cache`), and the dataset is loaded and validated only on a miss.

    :returns: a short outcome for the summary line.
    :raises click.ClickException: when the data does not conform.
    """
    if state.validation is not None:
        if state.validation == INVALID:
            raise click.ClickException(
                "the store was built from data that does not conform to the shapes "
                "(run `imtkg validate`, or serve with --skip-validation)"
            )
        return f"{state.validation} when the store was built"
    from imtkg.shacl.outcome_cache import cached_conformance

    started = time.monotonic()
    outcome, text, cached = cached_conformance(state.version.digest, state.asserted_dataset)
    state.extra["validate_seconds"] = time.monotonic() - started
    if outcome == INVALID:
        raise click.ClickException(f"the data does not conform to the shapes:\n{text}")
    return f"{outcome} (cached)" if cached else outcome


def prepare_search(state: ImtKgState) -> None:
    """Open the search index's cached file, or build it, before the serving process is forked
    (a search then never builds it); a failure is logged and left to the first search.

    A remote engine whose guard processes start only in the serving process (granian) cannot
    answer yet: without a cached file, its index is built by the first search (and cached).
    """
    from imtkg.core.errors import ImtKgError
    from imtkg.store.startup_cache import search_index_path
    from imtkg.web.endpoints.search import prepare_index

    guard = getattr(state.engine, "guard", None)
    cached = search_index_path(state.version.digest)
    unstarted = guard is not None and not guard.started and state.loaded_kg is None
    if unstarted and (cached is None or not cached.is_file()):
        log.info("search index: built by the first search (the remote engine is not started)")
        return
    try:
        index = prepare_index(state)
    except (ImtKgError, OSError) as exc:
        log.warning("search index not built at start (%s); the first search builds it", exc)
        return
    log.info(
        "search index: %d resources, %s in %.2f s",
        len(index),
        "built" if state.extra.get("search_index_built") else "reopened",
        state.extra.get("search_index_seconds", 0.0),
    )


def startup_phases(state: ImtKgState, total: float) -> dict[str, float]:
    """Return where the start went, in seconds: the store's build steps (``load``, ``reason``,
    ``write``; absent when the cached store was reopened), ``validate``, ``engine`` (the rest of
    making the engine: cache checks, workers) and ``total`` (since the app was created)."""
    build = state.extra.get("build_seconds", {})
    phases = {step: round(seconds, 3) for step, seconds in build.items()}
    phases["engine"] = round(state.load_seconds - sum(build.values()), 3)
    phases["validate"] = round(state.extra.get("validate_seconds", 0.0), 3)
    phases["total"] = round(total, 3)
    return phases


def configure_logging() -> None:
    """Log to stderr: one plain line per event, and the access log as bare JSON lines."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    access = logging.getLogger("imtkg.access")
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(message)s"))
    access.addHandler(handler)
    access.propagate = False


def http_server(app, max_body: int, **options):
    """Return a waitress server of ``app`` that refuses request bodies over ``max_body`` bytes.

    waitress refuses a body of ``max_request_body_size`` bytes *or more*, so it is given
    ``max_body + 1``; its 413 would then state that figure ("exceeds max_body of 262145"), so
    its parser's error is restated with the limit as configured.

    :param options: the other keyword arguments of :func:`waitress.server.create_server`.
    """
    from waitress.channel import HTTPChannel
    from waitress.parser import HTTPRequestParser
    from waitress.server import create_server
    from waitress.utilities import RequestEntityTooLarge

    class Parser(HTTPRequestParser):
        error: Exception | None

        def received(self, data: bytes) -> int:
            consumed = super().received(data)
            if isinstance(self.error, RequestEntityTooLarge):
                self.error = RequestEntityTooLarge(
                    f"the request body exceeds the limit of {max_body} bytes"
                )
            return consumed

    class Channel(HTTPChannel):
        parser_class = Parser

    listeners: dict = {}
    server = create_server(app, map=listeners, max_request_body_size=max_body + 1, **options)
    for listener in list(listeners.values()):  # the listening sockets (several for some hosts)
        listener.channel_class = Channel
    return server


#: file descriptors kept beyond MAX_CONNECTIONS: the store, worker pipes, logs, the listener
SPARE_FILES = 256


def raise_open_file_limit(connections: int) -> int:
    """Raise this process's soft limit of open files to cover ``connections`` client
    connections and :data:`SPARE_FILES` more, within the hard limit; return the soft limit.

    A soft limit of 256 (some systems' default) let 300 silent connections take every file
    descriptor until the header timeout closed them, and ``/health`` could not be answered
    meanwhile. Where the hard limit is too low, a warning names it and the setting.
    """
    try:
        import resource
    except ImportError:  # not a POSIX system
        return -1
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    wanted = connections + SPARE_FILES
    if hard != resource.RLIM_INFINITY:
        wanted = min(wanted, hard)
    if soft != resource.RLIM_INFINITY and soft < wanted:
        resource.setrlimit(resource.RLIMIT_NOFILE, (wanted, hard))
        soft = wanted
    if soft != resource.RLIM_INFINITY and soft < connections + SPARE_FILES:
        log.warning(
            "only %d files may be open (hard limit): fewer than MAX_CONNECTIONS=%d connections "
            "and %d spare; raise the limit (ulimit -Hn) or lower MAX_CONNECTIONS",
            soft,
            connections,
            SPARE_FILES,
        )
    return soft


@click.command()
@_option("HOST", "--host", help=f"Interface to listen on [default: {DEFAULTS['HOST']}].")
@_option("PORT", "--port", type=int, help=f"TCP port [default: {DEFAULTS['PORT']}].")
@_option("THREADS", "--threads", type=int, help="Threads running the app.")
@_option(
    "HTTP_SERVER",
    "--http-server",
    type=click.Choice(["granian", "waitress"]),
    help="HTTP server [default: granian].",
)
@_option(
    "RESPONSE_CACHE_MB",
    "--response-cache-mb",
    type=int,
    help="Megabytes of repeated public responses kept in memory (0: off) [default: 64].",
)
@_option("WORKERS", "--workers", type=int, help="Query worker processes.")
@_option("QUERY_TIMEOUT", "--query-timeout", type=float, help="Seconds a query may run.")
@_option("RESULT_LIMIT", "--result-limit", type=int, help="Maximum rows/triples per result.")
@_option("MAX_BODY", "--max-body", type=int, help="Maximum request body in bytes.")
@_option("PUBLIC_BASE", "--public-base", help="Public base IRI (e.g. https://kg.example.org/).")
@_option(
    "ALLOWED_HOSTS",
    "--allowed-hosts",
    help="Host header values answered, comma-separated (.example.org: subdomains); 400 for others.",
)
@_option(
    "ONTOLOGY_DIR",
    "--ontology-dir",
    type=click.Path(file_okay=False, path_type=Path),
    help="Ontology folder (the shipped one by default).",
)
@_option(
    "GRAPH_DIR",
    "--graph-dir",
    type=click.Path(file_okay=False, path_type=Path),
    help="Instance-data folder (the shipped one by default).",
)
@_option(
    "DATASET",
    "--dataset",
    type=click.Path(dir_okay=False, exists=True, path_type=Path),
    help="Serve this dataset file (.nq/.trig, or .nt/.ttl) instead of the folders.",
)
@_option(
    "STORE",
    "--store",
    help="memory (default), oxigraph:PATH (on-disk, kept between runs) or sparql:URL (remote).",
)
@click.option(
    "--skip-validation", is_flag=True, help="Serve even data that fails SHACL validation."
)
def serve(skip_validation: bool, **options) -> None:
    """Serve the knowledge graph: SPARQL 1.1 endpoint at /sparql, readiness at /health."""
    from imtkg.web.app import close_app, create_app

    configure_logging()
    # a SIGTERM (service manager, container stop) unwinds like Ctrl-C so that the workers stop
    # and their temporary store is deleted
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    config = {key.upper(): value for key, value in options.items() if value is not None}
    started = time.monotonic()
    use_granian = (config.get("HTTP_SERVER") or DEFAULTS["HTTP_SERVER"]) == "granian"
    # under granian the query workers start in its serving process (imtkg.web.granian)
    app = create_app(config, start_engine=not use_granian)
    state: ImtKgState = app.extensions[EXTENSION_KEY]
    try:
        outcome = "validation skipped" if skip_validation else validate(state)
        prepare_search(state)
        sizes = ", ".join(f"{iri.rsplit('/', 1)[-1]} {n}" for iri, n in state.graph_sizes.items())
        if len(state.graph_sizes) > 20:
            sizes = f"{len(state.graph_sizes)} graphs"
        log.info(
            "ready: %d triples in %d graphs (%s); %s; loaded in %.2f s",
            sum(state.graph_sizes.values()),
            len(state.graph_sizes),
            sizes,
            outcome,
            time.monotonic() - started,
        )
        log.info("startup: %s", json.dumps(startup_phases(state, time.monotonic() - started)))
        host, port = app.config["HOST"], int(app.config["PORT"])
        header_timeout = max(1, int(app.config["HEADER_TIMEOUT"]))
        max_connections = max(1, int(app.config["MAX_CONNECTIONS"]))
        raise_open_file_limit(max_connections)
        log.info("serving http://%s:%d/sparql", host, port)
        if use_granian:
            from imtkg.web.granian import run_granian

            run_granian(
                app,
                host,
                port,
                int(app.config["THREADS"]),
                header_timeout=header_timeout,
                max_connections=max_connections,
            )
            return
        server = http_server(
            app,
            int(app.config["MAX_BODY"]),
            host=host,
            port=port,
            threads=int(app.config["THREADS"]),
            ident="imtkg",
            channel_timeout=header_timeout,
            cleanup_interval=max(1, min(30, header_timeout // 2)),
            connection_limit=max_connections,
        )
        server.print_listen("Serving on http://{}:{}")
        server.run()
    finally:
        close_app(app)
