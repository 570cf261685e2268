"""Bad days at the perimeter: slow queries, memory hogs, slow clients and a killed server.

Each test runs `imtkg serve` as a subprocess on the fixture data, on loopback:

* slow queries fill the query worker and its queue: ``/health`` still answers 200 while they
  run, and one more query gets 503 with ``Retry-After`` at once;
* a heavy query that runs long moves to the long-query lane: cheap queries are answered while
  it runs, a second one turning long gets 503 naming ``LONG_QUERIES``, and the pool of worker
  processes grows by one for it and shrinks back when it ends;
* an app made by ``create_app`` and served by another WSGI server (waitress in a thread) has
  the same admission bound, and its 503s (``/sparql``, a view such as VoID) carry
  ``Retry-After``;
* a query that needs more memory than ``QUERY_MEMORY_MB`` gets 422 naming the limit, and the
  next query is answered by a fresh worker;
* a client that sends no headers is disconnected after ``HEADER_TIMEOUT``;
* after ``kill -9`` of `imtkg serve`, none of its processes (granian's serving process, the
  query workers, the forkserver) stays alive.
"""

from __future__ import annotations

import http.client
import json
import os
import resource
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.parse
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from sparql_support import (
    ASSERTED_TRIPLES,
    CITIES,
    CITY_QUERY,
    COUNT_QUERY,
    GRAPH_DIR,
    ONTOLOGY_DIR,
    app_context,
    live_server,
    require_slow_tier,
)

from imtkg.query.errors import RETRY_AFTER_SECONDS
from imtkg.query.worker_pool import SPARE_WORKERS, WORKER_PROCESS_NAME
from imtkg.web.overload import admitted_requests
from imtkg.web.state import EXTENSION_KEY

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")

QUERY_TIMEOUT = 8.0
#: a cross join counted: runs past the time limit on any machine (stopped at QUERY_TIMEOUT)
SLOW = (
    "SELECT (COUNT(*) AS ?n) WHERE {{ ?s1 ?p1 ?o1 . ?s2 ?p2 ?o2 . ?s3 ?p3 ?o3 . "
    "?s4 ?p4 ?o4 . ?s5 ?p5 ?o5 . ?s6 ?p6 ?o6 FILTER(?o1 != {n}) }}"
)
#: a 10-character string doubled 27 times: more than a gigabyte, from a query of 900 bytes
MEMORY_HOG = (
    'SELECT (STRLEN(?s27) AS ?n) WHERE { BIND("0123456789" AS ?s0)'
    + "".join(f" BIND(CONCAT(?s{i - 1}, ?s{i - 1}) AS ?s{i})" for i in range(1, 28))
    + " }"
)


def free_port() -> int:
    """A TCP port free on loopback right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def get(port: int, path: str, timeout: float = 30.0) -> tuple[int, dict[str, str], bytes]:
    """GET ``path``; return the status, the headers (lower-case names) and the body."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        connection.request("GET", path, headers={"Accept": "application/sparql-results+json"})
        response = connection.getresponse()
        headers = {name.lower(): value for name, value in response.getheaders()}
        return response.status, headers, response.read()
    finally:
        connection.close()


def query_path(query: str) -> str:
    """The GET path of ``query``."""
    return "/sparql?" + urllib.parse.urlencode({"query": query})


@contextmanager
def imtkg_serve(
    tmp_path: Path, open_files: int | None = None, **settings: str
) -> Iterator[tuple[subprocess.Popen, int]]:
    """Run `imtkg serve --skip-validation` on the fixture data with ``IMTKG_*`` ``settings``
    until /health answers 200 (or fail after 60 s); yield the process and its port.

    :param open_files: start it with this soft limit of open files (``ulimit -S -n``).
    """
    require_slow_tier("`imtkg serve`")
    port = free_port()
    env = dict(os.environ)
    env.update(
        IMTKG_HOST="127.0.0.1",
        IMTKG_PORT=str(port),
        IMTKG_ONTOLOGY_DIR=str(ONTOLOGY_DIR),
        IMTKG_GRAPH_DIR=str(GRAPH_DIR),
        IMTKG_RESPONSE_CACHE_MB="0",
        **{"IMTKG_" + name: value for name, value in settings.items()},
    )
    with open(tmp_path / "serve.log", "wb") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "imtkg.cli", "serve", "--skip-validation"],
            stdout=log,
            stderr=subprocess.STDOUT,
            env=env,
            cwd=tmp_path,
            preexec_fn=None if open_files is None else lambda: soft_open_files(open_files),
        )
        try:
            deadline = time.monotonic() + 60
            while True:
                assert process.poll() is None, (tmp_path / "serve.log").read_text()[-2000:]
                try:
                    if get(port, "/health", timeout=2)[0] == 200:
                        break
                except OSError:
                    pass
                assert time.monotonic() < deadline, "imtkg serve did not answer within 60 s"
                time.sleep(0.2)
            yield process, port
        finally:
            if process.poll() is None:
                process.terminate()
            process.wait(30)


def soft_open_files(limit: int) -> None:
    """Set this (child) process's soft limit of open files, keeping the hard one."""
    _, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (limit, hard))


@pytest.mark.parametrize("http_server", ["granian", "waitress"])
def test_silent_connections_beyond_a_low_file_limit_leave_health_answering(tmp_path, http_server):
    """Started with a soft limit of 256 open files, `imtkg serve` raises it (within the hard
    limit) before it listens: 300 connections that never finish their headers then leave
    /health answering at once (before, under waitress, it timed out until the header timeout
    closed them; granian's runtime raises the limit by itself)."""
    with imtkg_serve(tmp_path, open_files=256, HTTP_SERVER=http_server) as (process, port):
        limits = (Path("/proc") / str(process.pid) / "limits").read_text()
        (line,) = [row for row in limits.splitlines() if row.startswith("Max open files")]
        assert int(line.split()[3]) > 256, line
        silent = []
        try:
            for _ in range(300):
                connection = socket.create_connection(("127.0.0.1", port), timeout=5)
                connection.sendall(b"GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n")
                silent.append(connection)
            for _ in range(3):
                status, _, body = get(port, "/health", timeout=5)
                assert status == 200, body
        finally:
            for connection in silent:
                connection.close()


def process_table() -> dict[int, tuple[int, str]]:
    """Every process: its parent's pid and its state letter (``/proc/PID/stat``)."""
    table = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", encoding="ascii", errors="replace") as stat:
                fields = stat.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        table[int(entry)] = (int(fields[1]), fields[0])
    return table


def descendants(pid: int) -> set[int]:
    """The pids of every live descendant of ``pid``."""
    table = process_table()
    found: set[int] = set()
    frontier = {pid}
    while frontier:
        children = {p for p, (parent, _) in table.items() if parent in frontier}
        frontier = children - found
        found |= children
    return found


def alive(pids: set[int]) -> set[int]:
    """Those of ``pids`` that still run (zombies are dead)."""
    table = process_table()
    return {pid for pid in pids if pid in table and table[pid][1] not in ("Z", "X")}


@pytest.fixture(scope="module")
def small_server(tmp_path_factory) -> Iterator[int]:
    """granian with 4 app threads and 1 query worker (so 2 requests admitted: the worker's and
    one waiting), a 200 MB memory limit per query; yield its port."""
    settings = dict(
        THREADS="4", WORKERS="1", QUERY_TIMEOUT=str(QUERY_TIMEOUT), QUERY_MEMORY_MB="200"
    )
    with imtkg_serve(tmp_path_factory.mktemp("small"), **settings) as (_, port):
        yield port


def assert_count_answered(port: int) -> None:
    """The count query answers 200 with more triples than the asserted ones."""
    status, _, body = get(port, query_path(COUNT_QUERY))
    assert status == 200, body
    count = int(json.loads(body)["results"]["bindings"][0]["n"]["value"])
    assert count > ASSERTED_TRIPLES  # the inferred triples come on top


def test_a_full_queue_leaves_health_free_and_refuses_one_more_with_retry_after(small_server):
    port = small_server
    outcomes: dict[int, tuple[int, dict[str, str], bytes]] = {}

    def slow(n: int) -> None:
        outcomes[n] = get(port, query_path(SLOW.format(n=n)))

    # three slow queries for two places (the worker's and one waiting): one is refused at once
    threads = {n: threading.Thread(target=slow, args=(n,)) for n in (1, 2, 3)}
    for thread in threads.values():
        thread.start()
    deadline = time.monotonic() + QUERY_TIMEOUT * 3
    while not outcomes:
        assert time.monotonic() < deadline, "no slow query was answered"
        time.sleep(0.05)
    (refused_n, (status, headers, body)), *others = list(outcomes.items())
    assert not others, outcomes  # the two admitted ones still run
    assert status == 503
    assert_refused(headers, body)
    running = [thread for n, thread in threads.items() if n != refused_n]
    # /health does not queue behind them: it answers while both slow queries still run
    status, _, body = get(port, "/health", timeout=10)
    assert status == 200 and json.loads(body)["status"] == "ready"
    # and one more query, however cheap, is refused at once
    status, headers, body = get(port, query_path("ASK { ?s ?p 1 }"))
    assert status == 503
    assert_refused(headers, body)
    assert all(thread.is_alive() for thread in running)
    for thread in running:
        thread.join(QUERY_TIMEOUT * 3)
    # the one holding the worker was stopped at the limit; the waiting one waited no longer
    # than the limit in all (503 when it got no worker in time, or 504)
    statuses = sorted(outcomes[n][0] for n in threads if n != refused_n)
    assert statuses in ([503, 504], [504, 504]), outcomes
    assert_count_answered(port)


def assert_refused(headers: dict[str, str], body: bytes) -> None:
    """A refusal for capacity: ``Retry-After: 2``, a plain-text reason, no stack trace."""
    assert int(headers["retry-after"]) == RETRY_AFTER_SECONDS == 2
    assert headers["content-type"].startswith("text/plain")
    text = body.decode()
    assert "at capacity" in text and "try again" in text and "Traceback" not in text


def test_a_memory_hog_gets_422_naming_the_limit_and_the_next_query_works(small_server):
    port = small_server
    status, headers, body = get(port, query_path(MEMORY_HOG))
    assert status == 422
    assert headers["content-type"].startswith("text/plain")
    assert "200 MB memory limit" in body.decode() and "QUERY_MEMORY_MB" in body.decode()
    assert_count_answered(port)


@pytest.mark.parametrize("http_server", ["granian", "waitress"])
def test_silent_client_is_disconnected_and_kill_9_leaves_no_process(tmp_path, http_server):
    with imtkg_serve(tmp_path, HTTP_SERVER=http_server, WORKERS="2", HEADER_TIMEOUT="2") as (
        process,
        port,
    ):
        # a client that connects and sends nothing is closed after the header timeout
        with socket.create_connection(("127.0.0.1", port), timeout=30) as silent:
            assert silent.recv(1024) == b""  # end of file, not a timeout (which raises)
        assert_count_answered(port)
        family = descendants(process.pid)
        workers = [pid for pid in family if "imtkg" in Path(f"/proc/{pid}/cmdline").read_text()]
        assert len(workers) >= 2, family  # at least the two query workers
        process.send_signal(signal.SIGKILL)
        process.wait(10)
        deadline = time.monotonic() + 20
        for _ in range(200):
            left = alive(family)
            if not left:
                break
            assert time.monotonic() < deadline, f"still alive after kill -9: {sorted(left)}"
            time.sleep(0.1)
        assert not alive(family)


LANE_TIMEOUT = 6.0
LANE_WORKERS = 2


def query_workers(pid: int) -> set[int]:
    """The live query worker processes under ``pid`` (they name themselves ``imtkg-query``)."""
    found = set()
    for child in alive(descendants(pid)):
        try:
            with open(f"/proc/{child}/comm", encoding="utf-8") as comm:
                if comm.read().strip() == WORKER_PROCESS_NAME:
                    found.add(child)
        except OSError:
            continue
    return found


def wait_for_workers(pid: int, expected: int, budget: float = 30.0) -> None:
    """Poll until exactly ``expected`` query workers run under ``pid``; fail after ``budget`` s."""
    deadline = time.monotonic() + budget
    seen: list[int] = []
    for _ in range(int(budget / 0.05) + 1):
        seen.append(len(query_workers(pid)))
        if seen[-1] == expected:
            return
        if time.monotonic() > deadline:
            break
        time.sleep(0.05)
    raise AssertionError(f"expected {expected} query workers, counted {sorted(set(seen))}")


def assert_cities(port: int) -> None:
    """The cheap city query answers 200 with exactly the fixture's cities, in order."""
    status, _, body = get(port, query_path(CITY_QUERY))
    assert status == 200, body
    assert [row["city"]["value"] for row in json.loads(body)["results"]["bindings"]] == CITIES


@pytest.fixture(scope="module")
def lane_server(tmp_path_factory) -> Iterator[tuple[subprocess.Popen, int]]:
    """granian with 2 query workers and a long-query lane of 1 (a query is long after 0.5 s),
    a 6 s query time limit; yield the process and its port."""
    settings = dict(
        THREADS="8",
        WORKERS=str(LANE_WORKERS),
        LONG_QUERIES="1",
        LONG_QUERY_AFTER="0.5",
        QUERY_TIMEOUT=str(LANE_TIMEOUT),
    )
    with imtkg_serve(tmp_path_factory.mktemp("lane"), **settings) as served:
        yield served


def test_a_long_query_leaves_the_workers_to_cheap_ones_and_a_second_is_refused(lane_server):
    process, port = lane_server
    pool = LANE_WORKERS + SPARE_WORKERS  # the pool and the warm spare
    wait_for_workers(process.pid, pool)
    heavy: dict[str, tuple[int, dict[str, str], bytes]] = {}

    def run_heavy() -> None:
        heavy["a"] = get(port, query_path(SLOW.format(n=1)))

    first = threading.Thread(target=run_heavy)
    first.start()
    try:
        # past LONG_QUERY_AFTER it is long: a worker joins the pool in its place
        wait_for_workers(process.pid, pool + 1)
        for _ in range(6):
            assert_cities(port)
        assert first.is_alive(), heavy  # they were answered while it ran (it runs 6 s)
        # a second heavy query turning long while the lane is full is stopped
        status, headers, body = get(port, query_path(SLOW.format(n=2)))
        assert status == 503, body
        assert int(headers["retry-after"]) == RETRY_AFTER_SECONDS
        assert headers["content-type"].startswith("text/plain")
        text = body.decode()
        assert "already running 1 long query" in text, text
        assert "setting LONG_QUERIES" in text and "setting LONG_QUERY_AFTER" in text
        assert "Traceback" not in text
        assert_cities(port)  # its worker was replaced
    finally:
        first.join(LANE_TIMEOUT * 3)
    # the long query ran to the time limit; its worker then retired: the pool is back to size
    status, _, body = heavy["a"]
    assert status == 504 and b"6-second time limit" in body, heavy["a"]
    wait_for_workers(process.pid, pool)
    assert_cities(port)


def http_get(url: str, timeout: float = 30.0) -> tuple[int, dict[str, str], bytes]:
    """GET ``url`` (loopback); return the status, the headers (lower-case names), the body."""
    parts = urllib.parse.urlsplit(url)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=timeout)
    try:
        connection.request("GET", f"{parts.path}?{parts.query}" if parts.query else parts.path)
        response = connection.getresponse()
        headers = {name.lower(): value for name, value in response.getheaders()}
        return response.status, headers, response.read()
    finally:
        connection.close()


def test_an_app_from_create_app_bounds_its_queue_and_its_503s_say_retry_after():
    """No `imtkg serve`: the app alone, served by waitress in a thread."""
    with app_context(THREADS=4, WORKERS=1, QUERY_TIMEOUT=4.0) as app, live_server(app) as url:
        engine = app.extensions[EXTENSION_KEY].engine
        assert engine.admitted == admitted_requests(4, 1) == 2
        outcomes: dict[int, tuple[int, dict[str, str], bytes]] = {}

        def slow(n: int) -> None:
            outcomes[n] = http_get(url + query_path(SLOW.format(n=n)))

        threads = [threading.Thread(target=slow, args=(n,)) for n in (1, 2)]
        for number, thread in enumerate(threads, 1):
            thread.start()
            # one at a time: a probe inside the engine when a slow query comes would refuse it
            deadline = time.monotonic() + 10
            while engine.inside < number:
                assert time.monotonic() < deadline, f"slow query {number} never came: {outcomes}"
                time.sleep(0.01)
        try:
            # both slow queries are inside the engine: a cheap one is refused at once
            status, headers, body = http_get(url + query_path("ASK { ?s ?p 1 }"))
            assert status == 503, (body, outcomes)
            assert_refused(headers, body)
            # a view that lets the engine's error through (VoID computes its statistics)
            status, headers, body = http_get(url + "/.well-known/void")
            assert status == 503, body
            assert_refused(headers, body)
            assert all(thread.is_alive() for thread in threads), outcomes
        finally:
            for thread in threads:
                thread.join(30)
        assert sorted(outcome[0] for outcome in outcomes.values()) == [504, 504], outcomes
        status, headers, body = http_get(url + "/.well-known/void")
        assert status == 200 and headers["content-type"].startswith("text/turtle"), body
