"""The server's settings: names, defaults and help, overridable by ``IMTKG_<NAME>`` variables.

Configuration is data (Datasette's ``Setting`` tuples): :func:`load_settings` merges the defaults,
the environment and an explicit mapping (in that order of precedence, last wins).
"""

from __future__ import annotations

import os
from collections import namedtuple
from collections.abc import Mapping
from pathlib import Path
from typing import SupportsFloat, SupportsInt

Setting = namedtuple("Setting", "name default help")

ENV_PREFIX = "IMTKG_"

SETTINGS: tuple[Setting, ...] = (
    Setting("HOST", "127.0.0.1", "Interface `imtkg serve` listens on."),
    Setting("PORT", 8000, "TCP port `imtkg serve` listens on."),
    Setting("THREADS", 8, "Threads running the app in the HTTP server (granian or waitress)."),
    Setting(
        "HTTP_SERVER",
        "granian",
        "HTTP server of `imtkg serve`: granian (Rust, the fastest) or waitress (pure Python).",
    ),
    Setting("WORKERS", 2, "Query worker processes; a query that times out only costs its worker."),
    Setting(
        "QUERY_TIMEOUT",
        10.0,
        "Seconds a query may run (evaluation and serialisation) before it is stopped.",
    ),
    Setting(
        "RESULT_LIMIT",
        10000,
        "Maximum result rows (SELECT) or triples (CONSTRUCT/DESCRIBE); more are cut off.",
    ),
    Setting(
        "RESULT_MAX_BYTES",
        16 * 1024 * 1024,
        "Approximate maximum size of a result body in bytes; more is cut off.",
    ),
    Setting("MAX_BODY", 256 * 1024, "Maximum request body in bytes (413 above)."),
    Setting(
        "PUBLIC_BASE",
        None,
        "Public base IRI of the server (e.g. https://kg.example.org/); the request's by default.",
    ),
    Setting(
        "ALLOWED_HOSTS",
        None,
        "Host header values the server answers, comma-separated (kg.example.org, "
        ".example.org for its subdomains; any port); other hosts get 400. Any host when unset.",
    ),
    Setting(
        "CACHE_MAX_AGE",
        300,
        "Seconds clients and proxies may cache a query result (Cache-Control max-age).",
    ),
    Setting(
        "RESPONSE_CACHE_MB",
        64,
        "Megabytes of public GET responses the server keeps to answer repeated requests "
        "(imtkg.web.response_cache); 0 turns the cache off. Off for a remote store.",
    ),
    Setting(
        "ONTOLOGY_DIR", None, "Folder of ontology .ttl files; the shipped ontology when unset."
    ),
    Setting("GRAPH_DIR", None, "Folder of instance-data .ttl files; the shipped graph when unset."),
    Setting(
        "RELEASES_DIR",
        None,
        "Folder of the dataset's releases (<version>/release.json with its dumps), served under "
        "/releases/ and /dumps/<version>/; when unset, the shipped releases if the shipped "
        "graph is served, else none.",
    ),
    Setting(
        "DATASET",
        None,
        "A dataset file (.nq or .trig with its named graphs, or .nt/.ttl) served instead of "
        "the ontology and graph folders; loaded by Oxigraph, for large graphs.",
    ),
    Setting("REASON", True, "Compute the OWL RL inferences (the graph:inferred named graph)."),
    Setting(
        "QUERY_MEMORY_MB",
        1024,
        "Megabytes of memory a query worker may hold for one query; past it the query is "
        "stopped with 422 and the worker replaced (0: no ceiling).",
    ),
    Setting(
        "QUERY_QUEUE",
        None,
        "Requests that may wait for a busy query worker; one more gets 503 with Retry-After. "
        "By default THREADS - WORKERS - 2, and never so many that no app thread stays free "
        "for /health, static files and cached answers.",
    ),
    Setting(
        "LONG_QUERY_AFTER",
        0.25,
        "Seconds after which a running query is long: it moves to the long-query lane, and "
        "a worker is added so that WORKERS stay free for short queries. Until then a heavy "
        "query holds a short query's worker (bench/load_mix.py: 0.25 s kept 40 % more "
        "answers per second than 0.5 s, and cheap queries' p99 near their usual).",
    ),
    Setting(
        "LONG_QUERIES",
        2,
        "Long queries (see LONG_QUERY_AFTER) run at once, each on a worker added to the pool; "
        "one more that turns long is stopped with 503 and Retry-After. 0 turns the lane off: "
        "every query keeps its worker until QUERY_TIMEOUT.",
    ),
    Setting(
        "HEADER_TIMEOUT",
        10,
        "Seconds a client has to send a request's headers (and the longest a kept-alive "
        "connection may stay idle) before the server closes the connection.",
    ),
    Setting(
        "MAX_CONNECTIONS",
        1000,
        "Open client connections the HTTP server serves at once (waitress: connection_limit; "
        "granian: requests in progress).",
    ),
    Setting(
        "STORE",
        "memory",
        "Where queries run: memory (loaded at start), oxigraph:PATH (an on-disk store kept "
        "between runs) or sparql:URL (a remote SPARQL 1.1 engine loaded by `imtkg push`).",
    ),
    Setting(
        "METRICS_TOKEN",
        None,
        "Bearer token that opens GET /metrics to any client (Authorization: Bearer TOKEN); "
        "without it, or an address in METRICS_ALLOW, only loopback clients are answered (403).",
    ),
    Setting(
        "METRICS_ALLOW",
        None,
        "Networks answered at GET /metrics besides loopback, comma-separated CIDR "
        "(10.0.0.0/8, 192.0.2.7/32).",
    ),
)

DEFAULTS: dict[str, object] = {s.name: s.default for s in SETTINGS}

#: type a setting's environment value is read as, when its default is None
_TYPES_OF_NONE_DEFAULTS = {
    "ONTOLOGY_DIR": Path,
    "GRAPH_DIR": Path,
    "RELEASES_DIR": Path,
    "DATASET": Path,
    "PUBLIC_BASE": str,
    "QUERY_QUEUE": int,
    "ALLOWED_HOSTS": str,
    "METRICS_TOKEN": str,
    "METRICS_ALLOW": str,
}


def _coerce(name: str, text: str) -> object:
    """Convert the text of environment variable ``IMTKG_<name>`` to the setting's type."""
    default = DEFAULTS[name]
    if isinstance(default, bool):
        if text.strip().lower() in ("1", "true", "yes", "on"):
            return True
        if text.strip().lower() in ("0", "false", "no", "off"):
            return False
        raise ValueError(f"{ENV_PREFIX}{name}={text!r}: expected true or false")
    kind = type(default) if default is not None else _TYPES_OF_NONE_DEFAULTS.get(name, str)
    try:
        return kind(text)
    except ValueError as exc:
        raise ValueError(f"{ENV_PREFIX}{name}={text!r}: expected {kind.__name__}") from exc


def settings_from_env(environ: Mapping[str, str] | None = None) -> dict[str, object]:
    """Return the settings given by ``IMTKG_<NAME>`` variables (empty values are ignored)."""
    environ = os.environ if environ is None else environ
    found: dict[str, object] = {}
    for setting in SETTINGS:
        text = environ.get(ENV_PREFIX + setting.name)
        if text:
            found[setting.name] = _coerce(setting.name, text)
    return found


def load_settings(
    config: Mapping[str, object] | None = None, environ: Mapping[str, str] | None = None
) -> dict[str, object]:
    """Return every setting: the defaults, overridden by the environment, then by ``config``."""
    settings = dict(DEFAULTS)
    settings.update(settings_from_env(environ))
    settings.update(config or {})
    return settings


def int_setting(settings: Mapping[str, object], name: str) -> int:
    """Return the setting ``name`` of ``settings`` as an ``int`` (it may be given as text)."""
    value = settings[name]
    if isinstance(value, (str, SupportsInt)):
        return int(value)
    raise TypeError(f"setting {name} is {value!r}, not an integer")


def float_setting(settings: Mapping[str, object], name: str) -> float:
    """Return the setting ``name`` of ``settings`` as a ``float`` (it may be given as text)."""
    value = settings[name]
    if isinstance(value, (str, SupportsFloat)):
        return float(value)
    raise TypeError(f"setting {name} is {value!r}, not a number")


def path_setting(settings: Mapping[str, object], name: str) -> Path | None:
    """Return the setting ``name`` of ``settings`` as a ``Path``; ``None`` when unset or empty."""
    value = settings.get(name)
    if not value:
        return None
    if isinstance(value, (str, os.PathLike)):
        return Path(value)
    raise TypeError(f"setting {name} is {value!r}, not a path")
