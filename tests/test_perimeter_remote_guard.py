"""The remote-store mode's SPARQL guard is bounded in time and runs off the HTTP threads.

In ``STORE=sparql:URL`` mode the guard's Oxigraph parse (for a query containing ``service`` or
``from``) runs in guard processes (:mod:`imtkg.query.guard_pool`): a query that Oxigraph takes far
longer than the time limit to parse gets 504 at about the limit while ``/health`` and cheap
queries keep answering, its guard process is killed and replaced, and SERVICE is still refused
before anything reaches the engine. The engine is a real Oxigraph server on loopback holding the
endpoint fixture data (``imtkg push``); the app runs behind waitress, or ``imtkg serve`` (granian).
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path

import pytest
from click.testing import CliRunner
from sparql_support import (
    CITIES,
    CITY_QUERY,
    GRAPH,
    GRAPH_DIR,
    ONTOLOGY_DIR,
    PROLOGUE,
    LoopbackListener,
    live_server,
    require_slow_tier,
    wait_until,
)

from imtkg.cli import main
from imtkg.query.errors import QueryTimeout
from imtkg.query.guard_pool import GuardPool, needs_parse
from imtkg.query.oxigraph_server import OxigraphServer, free_port
from imtkg.query.remote import RemoteQueryEngine
from imtkg.query.worker import SERVICE_MESSAGE
from imtkg.rdf.sparql_guard import shape_refusal
from imtkg.store.oxigraph_store import ASSERTED_UNION
from imtkg.web.app import close_app, create_app
from imtkg.web.overload import admitted_requests

#: the app's query time limit in these tests (seconds)
QUERY_TIMEOUT = 2.0
#: guard processes (setting WORKERS)
WORKERS = 2
#: an answer past the limit comes within this many seconds more (a loaded 2-core machine)
MARGIN = 10.0
#: lists nested 62 deep (the query's group makes 63, the guard's limit is 64), one after the
#: other: Oxigraph's parse time grows steeply with their number (measured on the project's
#: 2-core machine: 1 list 0.15 s, 2 lists 0.9 s, 3 lists 3.4 s, 5 lists 20-30 s, 10 lists 281 s)
_LIST = "( " * 62 + ")" * 62
#: within the guard's nesting and chain limits, but slow to parse; "service" in a comment makes
#: the guard ask Oxigraph's parser (a query with neither "service" nor "from" needs no parse)
SLOW_TO_PARSE = "SELECT * WHERE { " + f"?s ?p {_LIST} . " * 5 + "} # no service here\n"
#: a query the guard parses (FROM) and that answers at once: the campuses' cities
FROM_QUERY = (
    PROLOGUE + f"SELECT ?city FROM <{GRAPH}campuses> WHERE {{ ?c imt:city ?city }} ORDER BY ?city"
)


def http_get(base: str, path: str, timeout: float = 30.0) -> tuple[int, bytes]:
    """GET ``base + path``; return the status and the body (error statuses included)."""
    request = urllib.request.Request(
        base + path, headers={"Accept": "application/sparql-results+json"}
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


def sparql(base: str, query: str, timeout: float = 30.0) -> tuple[int, bytes]:
    """GET /sparql with ``query``; return the status and the body."""
    return http_get(base, "/sparql?" + urllib.parse.urlencode({"query": query}), timeout)


def cities(body: bytes) -> list[str]:
    """The ``?city`` values of a SPARQL JSON results document."""
    return [row["city"]["value"] for row in json.loads(body)["results"]["bindings"]]


def running(pid: int) -> bool:
    """Tell whether ``pid`` is a live process (a zombie is not)."""
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii", errors="replace") as stat:
            return stat.read().rsplit(")", 1)[1].split()[0] not in ("Z", "X")
    except OSError:
        return False


@pytest.fixture(scope="module")
def engine_server(tmp_path_factory):
    """An Oxigraph server on loopback holding the endpoint fixture data, pushed by imtkg."""
    require_slow_tier("an Oxigraph server")
    folder = tmp_path_factory.mktemp("remote-guard")
    with OxigraphServer(folder / "db", timeout_s=30) as server:
        fixture = ["--ontology-dir", str(ONTOLOGY_DIR), "--graph-dir", str(GRAPH_DIR)]
        result = CliRunner().invoke(main, ["push", server.query_url, *fixture, "--skip-validation"])
        assert result.exit_code == 0, result.output
        yield server


@pytest.fixture(scope="module")
def remote_app(engine_server):
    """Our app in remote mode before the engine: WORKERS guard processes, a 2-second limit."""
    app = create_app(
        {
            "STORE": "sparql:" + engine_server.query_url,
            "ONTOLOGY_DIR": ONTOLOGY_DIR,
            "GRAPH_DIR": GRAPH_DIR,
            "WORKERS": WORKERS,
            "QUERY_TIMEOUT": QUERY_TIMEOUT,
            "PUBLIC_BASE": None,
        }
    )
    yield app
    close_app(app)


@pytest.fixture(scope="module")
def base(remote_app) -> Iterator[str]:
    """The base URL of a live server (waitress, 8 threads) running the remote-mode app."""
    with live_server(remote_app, threads=8) as url:
        yield url


@pytest.fixture()
def guard(remote_app) -> GuardPool:
    """The app's guard pool, all of its processes ready."""
    pool = remote_app.extensions["imt_kg"].engine.guard
    pool.wait_ready(30)
    return pool


def test_the_slow_query_is_within_the_guard_limits_and_parses_slowly_here():
    """The test query is no deep-nesting refusal; Oxigraph's parser alone, in a child process,
    is still at it after twice the time limit (what the guard would spend in an HTTP thread)."""
    assert shape_refusal(SLOW_TO_PARSE) is None
    assert needs_parse(SLOW_TO_PARSE)
    code = (
        "import sys\nfrom imtkg.rdf.sparql_guard import parse_error\nparse_error(sys.stdin.read())"
    )
    child = subprocess.Popen([sys.executable, "-c", code], stdin=subprocess.PIPE)
    try:
        child.stdin.write(SLOW_TO_PARSE.encode())
        child.stdin.close()
        with pytest.raises(subprocess.TimeoutExpired):
            child.wait(timeout=2 * QUERY_TIMEOUT)  # the parse must not end this soon
    finally:
        child.kill()
        child.wait(10)


def test_only_service_or_from_needs_a_parse():
    """The words are matched as the guard matches them: ASCII letters in any case, also once
    ``\\u`` escapes are applied; Unicode look-alikes ("ſ", the long s) are no keyword."""
    assert not needs_parse(CITY_QUERY)
    assert needs_parse("SELECT * WHERE { ?s ?p ?o } # SeRvIcE")
    assert needs_parse("SELECT * FROM <urn:g> WHERE { ?s ?p ?o }")
    assert needs_parse("SELECT * WHERE { \\u0053ERVICE <urn:x> { } }")
    assert needs_parse("SELECT * \\u0046rom <urn:g> WHERE { }")
    assert not needs_parse("SELECT * WHERE { ?s ?p ?o } # \u017fervice")


def test_a_slow_guard_is_504_while_health_and_cheap_queries_answer(base, guard):
    """WORKERS slow-to-parse queries at once: each gets 504 naming the limit within the limit
    plus a margin; meanwhile, with every guard process busy, /health and a query that needs no
    parse answer 200 with the exact cities."""
    before = guard.pids()
    with ThreadPoolExecutor(max_workers=WORKERS) as pool:
        started = time.monotonic()
        slow = [
            pool.submit(sparql, base, SLOW_TO_PARSE, QUERY_TIMEOUT + MARGIN) for _ in range(WORKERS)
        ]
        wait_until(lambda: guard.idle == 0, "the slow queries reach every guard process")
        health = http_get(base, "/health", timeout=QUERY_TIMEOUT + MARGIN)
        cheap = sparql(base, CITY_QUERY, timeout=QUERY_TIMEOUT + MARGIN)
        busy_meanwhile = not any(future.done() for future in slow)
        answers = [future.result() for future in slow]
        elapsed = time.monotonic() - started
    assert health[0] == 200, health
    assert cheap[0] == 200 and cities(cheap[1]) == CITIES
    assert busy_meanwhile, "the slow queries were answered before /health and the cheap query"
    limit_message = f"the query exceeded the {QUERY_TIMEOUT:g}-second time limit and was stopped"
    for status, body in answers:
        assert status == 504
        assert body.decode("utf-8") == limit_message + "\n"
    assert elapsed < QUERY_TIMEOUT + MARGIN
    # each stopped guard process was replaced: new pids, the old ones gone, and guarding works
    wait_until(lambda: not any(running(pid) for pid in before), "the stopped guards exit")
    after = guard.pids()
    assert len(after) == WORKERS and not set(after) & set(before)
    status, body = sparql(base, FROM_QUERY)
    assert status == 200 and cities(body) == CITIES


def test_the_remote_engine_admits_a_bounded_number_and_health_stays_free(engine_server):
    """In remote mode too, at most THREADS - 1 requests are inside the engine (being checked,
    sent or read): with THREADS=4 three slow queries fill it, a fourth is refused at once with
    503, and /health answers 200 meanwhile; nothing waits past the time limit."""
    app = create_app(
        {
            "STORE": "sparql:" + engine_server.query_url,
            "ONTOLOGY_DIR": ONTOLOGY_DIR,
            "GRAPH_DIR": GRAPH_DIR,
            "THREADS": 4,
            "WORKERS": WORKERS,
            "QUERY_TIMEOUT": QUERY_TIMEOUT,
            "PUBLIC_BASE": None,
        }
    )
    try:
        engine = app.extensions["imt_kg"].engine
        assert engine.admitted == admitted_requests(4, engine.size) == 3
        engine.guard.wait_ready(30)
        with live_server(app, threads=4) as url, ThreadPoolExecutor(max_workers=3) as pool:
            slow = [
                pool.submit(sparql, url, SLOW_TO_PARSE, QUERY_TIMEOUT + MARGIN) for _ in range(3)
            ]
            wait_until(lambda: engine.inside == 3, "three slow queries inside the engine")
            refused = sparql(url, CITY_QUERY, timeout=QUERY_TIMEOUT + MARGIN)
            health = http_get(url, "/health", timeout=QUERY_TIMEOUT + MARGIN)
            busy_meanwhile = not any(future.done() for future in slow)
            answers = sorted(future.result()[0] for future in slow)
            assert sparql(url, CITY_QUERY)[0] == 200  # the engine empties after the limit
    finally:
        close_app(app)
    assert refused[0] == 503 and b"the server is at capacity" in refused[1], refused
    assert health[0] == 200, health
    assert busy_meanwhile, "the slow queries were answered before the refusal and /health"
    # two were stopped in a guard process at the limit; the third found none free in time
    assert answers in ([503, 504, 504], [504, 504, 504]), answers


def test_guard_processes_have_no_network_access(guard):
    """Each guard process runs under the sandbox's seccomp filter, as query workers do."""
    for pid in guard.pids():
        with open(f"/proc/{pid}/status", encoding="ascii") as status:
            fields = dict(line.split(":\t", 1) for line in status.read().splitlines())
        assert fields["Seccomp"].strip() == "2", pid  # 2: a filter is installed
        assert fields["NoNewPrivs"].strip() == "1", pid


@pytest.mark.parametrize(
    "template",
    [
        "SELECT * WHERE {{ SERVICE <{url}> {{ ?a ?b ?c }} }}",
        "SELECT ?a WHERE {{ ?s ?p ?o #c\rSERVICE <{url}> {{ ?a ?b ?c }} }} LIMIT 1",
    ],
    ids=["service", "cr-comment"],
)
def test_service_is_refused_before_the_engine_sees_it(base, engine_server, template):
    """SERVICE, also hidden after a comment ended by a carriage return, is 400 in remote mode and
    the canary sees no connection. The same text sent to Oxigraph itself calls the canary: that
    call, made after ours, is the fence (connections are accepted in order) and the control."""
    listener = LoopbackListener()
    try:
        query = template.format(url=listener.url)
        status, body = sparql(base, query)
        assert status == 400
        assert body.decode("utf-8") == SERVICE_MESSAGE + "\n"
        direct = urllib.parse.urlencode({"query": query, "default-graph-uri": ASSERTED_UNION})
        request = urllib.request.Request(
            engine_server.query_url,
            data=direct.encode(),
            headers={"Content-Type": "application/x-www-form-urlencoded"},
        )
        with urllib.request.urlopen(request, timeout=30) as response:
            response.read()
        wait_until(lambda: listener.connections >= 1, "Oxigraph itself calls the canary")
        assert listener.connections == 1  # the control's call, none from our server
    finally:
        listener.close()


def test_direct_engine_call_replaces_a_stopped_guard(engine_server):
    """RemoteQueryEngine.execute past its timeout in the guard raises QueryTimeout; the one
    guard process is replaced and the next query it guards is answered."""
    engine = RemoteQueryEngine(engine_server.query_url, graphs=None, guard_workers=1)
    try:
        engine.wait_ready(30)
        (before,) = engine.guard.pids()
        with pytest.raises(QueryTimeout, match="the 0.5-second time limit"):
            engine.execute(SLOW_TO_PARSE, timeout=0.5)
        (after,) = engine.guard.pids()
        assert after != before
        wait_until(lambda: not running(before), "the stopped guard exits")
        rows = engine.select(FROM_QUERY)["results"]["bindings"]
        assert [row["city"]["value"] for row in rows] == CITIES
    finally:
        engine.close()
    assert engine.guard.pids() == []


GUARDS_OF_A_KILLED_PARENT = textwrap.dedent(
    """
    import sys, time
    from imtkg.query.guard_pool import GuardPool

    if __name__ == "__main__":
        pool = GuardPool(2)
        pool.wait_ready(30)
        print(" ".join(map(str, pool.pids())), flush=True)
        time.sleep(120)
    """
)


def test_guard_processes_die_with_their_parent(tmp_path):
    """A process killed with SIGKILL leaves no guard process behind."""
    script = tmp_path / "guards.py"
    script.write_text(GUARDS_OF_A_KILLED_PARENT, encoding="utf-8")
    parent = subprocess.Popen([sys.executable, str(script)], stdout=subprocess.PIPE, text=True)
    try:
        pids = [int(pid) for pid in parent.stdout.readline().split()]
        assert len(pids) == 2 and all(running(pid) for pid in pids)
    finally:
        parent.kill()
        parent.wait(10)
        parent.stdout.close()
    wait_until(lambda: not any(running(pid) for pid in pids), "the guards exit with the parent")


@contextmanager
def imtkg_serve(tmp_path: Path, query_url: str) -> Iterator[str]:
    """Run ``imtkg serve`` (granian) in remote mode until /health answers 200; yield its URL."""
    require_slow_tier("`imtkg serve`")
    port = free_port()
    env = dict(
        os.environ,
        IMTKG_HOST="127.0.0.1",
        IMTKG_PORT=str(port),
        IMTKG_STORE="sparql:" + query_url,
        IMTKG_ONTOLOGY_DIR=str(ONTOLOGY_DIR),
        IMTKG_GRAPH_DIR=str(GRAPH_DIR),
        IMTKG_WORKERS="1",
        IMTKG_QUERY_TIMEOUT=str(QUERY_TIMEOUT),
    )
    base = f"http://127.0.0.1:{port}"
    log_path = tmp_path / "serve.log"
    with open(log_path, "wb") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "imtkg.cli", "serve", "--skip-validation"],
            stdout=log,
            stderr=subprocess.STDOUT,
            env=env,
            cwd=tmp_path,
        )
        try:

            def healthy() -> bool:
                assert process.poll() is None, log_path.read_text()[-2000:]
                try:
                    return http_get(base, "/health", timeout=2)[0] == 200
                except OSError:
                    return False

            wait_until(healthy, "imtkg serve answers /health", seconds=60, step=0.2)
            yield base
        finally:
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
            process.wait(30)


def test_granian_serving_process_runs_its_own_guard(engine_server, tmp_path):
    """Under granian the guard processes start in the serving process: a slow parse gets 504
    twice in a row (the replacement comes from that process's own forkserver) and a guarded
    query answers after each."""
    with imtkg_serve(tmp_path, engine_server.query_url) as base:
        for _ in range(2):
            status, body = sparql(base, SLOW_TO_PARSE, timeout=QUERY_TIMEOUT + MARGIN)
            assert status == 504, body
            status, body = sparql(base, FROM_QUERY)
            assert status == 200, body
            assert cities(body) == CITIES
        assert http_get(base, "/health")[0] == 200
