"""The floor of a Python front on this machine: empty routes under granian, no query at all.

    python bench/front_floor.py [--duration 3] [--threads 8]

Starts granian (one process, HTTP/1.1, ``--threads`` app threads: what ``imtkg serve`` runs)
on three apps that answer a fixed 60-byte SPARQL JSON body, one after the other, and loads each
with :mod:`loadgen` at concurrency 8:

* ``flask``: a Flask route (Flask's request and response objects, routing, no extensions);
* ``wsgi``: a plain WSGI callable (what :mod:`imtkg.web.fast_sparql` is built on);
* ``rsgi``: granian's native Rust interface, no WSGI environ at all.

Whatever a Python server does per request costs at least this much; :mod:`run` prints it next
to the query figures (``docs/benchmarks.md``).
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path

import urllib3

if not __package__:  # run as `python bench/front_floor.py`
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from imtkg.query.oxigraph_server import free_port  # noqa: E402

HERE = Path(__file__).resolve().parent
BODY = b'{"head":{"vars":["s"]},"results":{"bindings":[]}}'.ljust(60)
HEADERS = [
    ("Content-Type", "application/sparql-results+json; charset=utf-8"),
    ("Content-Length", str(len(BODY))),
]


def flask_app():
    """An app with one Flask route answering :data:`BODY`."""
    from flask import Flask, Response

    app = Flask(__name__)

    @app.route("/sparql", methods=["GET", "POST"])
    def sparql() -> Response:
        return Response(BODY, content_type=HEADERS[0][1])

    return app


def wsgi_app(environ: dict, start_response) -> list[bytes]:
    """A plain WSGI callable answering :data:`BODY`."""
    start_response("200 OK", HEADERS)
    return [BODY]


class RsgiApp:
    """A granian RSGI app answering :data:`BODY`."""

    async def __call__(self, scope, protocol) -> None:
        protocol.response_bytes(200, HEADERS, BODY)


rsgi_app = RsgiApp()

#: name -> (granian interface, app target, factory?)
FRONTS = {
    "flask": ("wsgi", "bench.front_floor:flask_app", True),
    "wsgi": ("wsgi", "bench.front_floor:wsgi_app", False),
    "rsgi": ("rsgi", "bench.front_floor:rsgi_app", False),
}


def measure(name: str, threads: int, duration: float) -> dict:
    """Start granian on front ``name``, load it at concurrency 8, stop it; return the figures."""
    interface, target, factory = FRONTS[name]
    port = free_port()
    command = [
        sys.executable,
        "-m",
        "granian",
        "--interface",
        interface,
        "--http",
        "1",
        "--workers",
        "1",
        # granian runs an async (RSGI) app on its event loop: one blocking thread only
        "--blocking-threads",
        str(threads if interface == "wsgi" else 1),
        "--port",
        str(port),
        "--log-level",
        "error",
        *(["--factory"] if factory else []),
        target,
    ]
    server = subprocess.Popen(command, cwd=HERE.parent, stdout=subprocess.DEVNULL)
    try:
        url = f"http://127.0.0.1:{port}/sparql?query=ASK%7B%7D"
        http = urllib3.PoolManager(retries=False)
        deadline = time.monotonic() + 30
        while True:
            try:
                if http.request("GET", url, timeout=1).status == 200:
                    break
            except urllib3.exceptions.HTTPError:
                pass
            if server.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"granian ({name}) did not start")
            time.sleep(0.05)
        job = {"name": name, "url": url, "concurrency": 8, "duration": duration}
        done = subprocess.run(
            [sys.executable, str(HERE / "loadgen.py"), "--jobs", "-"],
            input=json.dumps([job]),
            capture_output=True,
            text=True,
            check=True,
            timeout=duration + 60,
        )
        figures = json.loads(done.stdout.strip().splitlines()[-1])
        figures.pop("name", None)
        return figures
    finally:
        server.terminate()
        try:
            server.wait(10)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait(5)


def floor(threads: int = 8, duration: float = 3.0) -> dict[str, dict]:
    """Measure every front of :data:`FRONTS`; return name -> loadgen figures."""
    return {name: measure(name, threads, duration) for name in FRONTS}


def main() -> None:
    """Measure and print the figures as JSON."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=float, default=3.0)
    parser.add_argument("--threads", type=int, default=8)
    args = parser.parse_args()
    print(json.dumps(floor(args.threads, args.duration), indent=2))


if __name__ == "__main__":
    main()
