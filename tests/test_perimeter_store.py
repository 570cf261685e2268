"""The on-disk stores on bad days: a second server on the same folder, damaged files, a read-only
folder, a full disk (issue 11).

* A server started with other inputs on the same ``STORE=oxigraph:PATH`` builds its own folder:
  the first keeps answering from its own data, as its ``/health`` and ETags say, even once its
  query worker is replaced, and its build is never pruned while it runs (another process pins
  it).
* Flipped bytes inside a store file (sizes unchanged, so Oxigraph opens it without a word) are
  found by the checksums recorded at build: the next start rebuilds and answers the same.
* A read-only folder or a full disk stops ``imtkg serve`` with one line naming the folder and
  the fix (exit status 2), or, for the start-up cache, falls back to a temporary folder. The
  real conditions are made in a private mount namespace (``unshare``: a read-only bind mount,
  a 64 KiB tmpfs), since the tests may run as root, whom ``chmod`` does not stop; the same
  errors are also injected at the write call, which needs no namespace.
* The closure and validation caches skip a folder they cannot write, leave no half file, and
  keep the previous file whole.
"""

from __future__ import annotations

import errno
import json
import logging
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pyoxigraph as ox
import pytest
from click.testing import CliRunner
from rdflib import URIRef
from sparql_support import CITIES, CITY_QUERY, DATA, GRAPH_DIR, ONTOLOGY_DIR, require_slow_tier

from imtkg.reasoning.closure_cache import ClosureCache
from imtkg.shacl.outcome_cache import read_outcome, write_outcome
from imtkg.store.disk_store import (
    MANIFEST_FILE,
    STORE_DIR,
    open_disk_store,
    read_manifest,
    store_files,
)
from imtkg.store.store_folders import builds, prune, root_lock
from imtkg.web.app import close_app, create_app

FIXTURE = (ONTOLOGY_DIR, GRAPH_DIR)
EDITED_CITIES = ["Alès", "Evry-Courcouronnes", "Palaiseau"]
#: a count over six copies of the default graph: billions of rows, stopped at the time limit
SLOW_QUERY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l . ?m ?n ?o . ?p ?q ?r }"  # noqa: E501
#: what Oxigraph raises when the disk fills while it writes (seen on a full tmpfs)
OXIGRAPH_ENOSPC = (
    "IO error: No space left on device: While appending to file: "
    "/srv/kg/.building-x/store/000012.sst: No space left on device"
)


@pytest.fixture()
def edited(tmp_path) -> tuple[Path, Path]:
    """A copy of the fixture whose Évry campus is renamed: other inputs, other answers."""
    shutil.copytree(DATA, tmp_path / "edited")
    campuses = tmp_path / "edited" / "graph" / "campuses.ttl"
    text = campuses.read_text(encoding="utf-8")
    campuses.write_text(text.replace('"Évry"', '"Evry-Courcouronnes"'), encoding="utf-8")
    return tmp_path / "edited" / "ontology", tmp_path / "edited" / "graph"


def disk_app(path: Path, inputs=FIXTURE, **settings):
    """An app on ``STORE=oxigraph:path`` (close it with close_app)."""
    config = {"ONTOLOGY_DIR": inputs[0], "GRAPH_DIR": inputs[1], "WORKERS": 1, **settings}
    return create_app({"STORE": f"oxigraph:{path}", **config})


def city_answer(app) -> tuple[list[str], str]:
    """The cities the app's /sparql answers, and the response's ETag."""
    response = app.test_client().get("/sparql", query_string={"query": CITY_QUERY})
    assert response.status_code == 200, response.data
    return [b["city"]["value"] for b in response.json["results"]["bindings"]], response.headers[
        "ETag"
    ]


def health(app) -> dict:
    """The app's /health document."""
    response = app.test_client().get("/health")
    assert response.status_code == 200, response.data
    return response.json


def flip_bytes(store_dir: Path) -> Path:
    """Invert 16 bytes of the first data block of the biggest table file; return that file.

    (Data blocks come first in a RocksDB table file; its index and properties, read at open,
    come last.)
    """
    biggest = max(store_dir.glob("*.sst"), key=lambda p: p.stat().st_size)
    with open(biggest, "r+b") as file:
        file.seek(200)
        chunk = file.read(16)
        file.seek(200)
        file.write(bytes(b ^ 0xFF for b in chunk))
    return biggest


# -- Two servers, one store folder ------------------------------------------------------------


def test_a_second_server_never_changes_what_the_first_serves(tmp_path, edited):
    """Server B, started with other inputs on A's store folder, builds beside A's store: A,
    whose worker is then replaced (a query stopped at the time limit), still answers its own
    data with the /health and ETags it had; B answers its own."""
    path = tmp_path / "kg"
    # no response cache: each answer comes from the query worker, not from memory (with the
    # old in-place swap, the replaced worker answered B's cities under A's ETag)
    first = disk_app(path, QUERY_TIMEOUT=1, RESPONSE_CACHE_MB=0)
    try:
        cities, etag = city_answer(first)
        first_health = health(first)
        assert cities == CITIES
        second = disk_app(path, edited, RESPONSE_CACHE_MB=0)
        try:
            assert city_answer(second)[0] == EDITED_CITIES
            assert health(second)["version"] != first_health["version"]
            assert len(builds(path)) == 2  # one build per inputs, side by side
            slow = first.test_client().get("/sparql", query_string={"query": SLOW_QUERY})
            assert slow.status_code == 504  # the worker was stopped; a fresh one replaces it
            assert city_answer(first) == (CITIES, etag)
            assert health(first) == first_health
            again, second_etag = city_answer(second)
            assert again == EDITED_CITIES and second_etag != etag
        finally:
            close_app(second)
    finally:
        close_app(first)


@pytest.mark.live  # runs `imtkg serve`
def test_a_build_a_running_server_reads_is_never_pruned(tmp_path, edited):
    """A build pinned by another process (a running `imtkg serve`) survives a prune that keeps
    nothing, and that server goes on answering from it; unpinned builds are deleted."""
    path = tmp_path / "kg"
    with imtkg_serve(tmp_path, STORE=f"oxigraph:{path}") as (port, log_path):
        assert served_cities(port) == CITIES, log_path.read_text(encoding="utf-8")
        (served,) = builds(path)
        other = open_disk_store(path, *edited)  # pinned by this process
        orphan = path / "0000000000000000-reasoned-00000000"
        shutil.copytree(other.path, orphan)
        (orphan / MANIFEST_FILE).touch()
        with root_lock(path):
            deleted = prune(path, keep=0)
        assert deleted == [orphan]
        assert served.is_dir() and other.path.is_dir()
        assert served_cities(port) == CITIES


# -- Damaged files ----------------------------------------------------------------------------


def test_flipped_bytes_in_a_store_file_are_found_and_the_store_rebuilt(tmp_path, caplog):
    """A table file with flipped bytes, of the same size, opens in Oxigraph without a word; the
    checksums recorded at build find it, the next start rebuilds, and answers the same."""
    path = tmp_path / "kg"
    app = disk_app(path)
    try:
        before = city_answer(app)
        (damaged,) = builds(path)
    finally:
        close_app(app)
    flipped = flip_bytes(damaged / STORE_DIR)
    assert store_files(damaged / STORE_DIR) == read_manifest(damaged).files  # sizes unchanged
    store = ox.Store.read_only(str(damaged / STORE_DIR))  # and RocksDB opens it
    del store
    with caplog.at_level(logging.INFO, logger="imtkg.store.disk_store"):
        app = disk_app(path)
    try:
        assert city_answer(app) == before
    finally:
        close_app(app)
    expected = f"store file {flipped.name} does not match its recorded SHA-256 checksum"
    assert expected in caplog.text
    assert "building the on-disk store" in caplog.text
    # this process still pins the damaged build (its first app ran here): it is left, not served
    assert damaged.is_dir() and len(builds(path)) == 2


def test_flipped_bytes_in_the_start_up_cache_are_found(tmp_path, monkeypatch, caplog):
    """The default mode's cached store is checked the same way: rebuilt, same answers."""
    monkeypatch.setenv("IMTKG_CACHE_DIR", str(tmp_path / "cache"))
    config = {"ONTOLOGY_DIR": ONTOLOGY_DIR, "GRAPH_DIR": GRAPH_DIR, "WORKERS": 1}
    app = create_app(config)
    try:
        before = city_answer(app)
    finally:
        close_app(app)
    (damaged,) = builds(tmp_path / "cache" / "stores")
    flip_bytes(damaged / STORE_DIR)
    with caplog.at_level(logging.INFO, logger="imtkg.store.disk_store"):
        app = create_app(config)
    try:
        assert city_answer(app) == before
    finally:
        close_app(app)
    assert "does not match its recorded SHA-256 checksum" in caplog.text


# -- Read-only folders and full disks, injected at the write call ------------------------------


def test_a_full_disk_while_writing_the_store_is_one_line(tmp_path, monkeypatch):
    """Oxigraph failing to write (disk full) stops `imtkg serve` with exit status 2 and one
    line naming the folder and the fix; the half build is deleted."""

    def full_disk(*args, **kwargs):
        raise OSError(OXIGRAPH_ENOSPC)

    monkeypatch.setattr("imtkg.store.disk_store.build_store", full_disk)
    path = tmp_path / "kg"
    monkeypatch.setenv("IMTKG_STORE", f"oxigraph:{path}")
    result = run_cli(monkeypatch, "serve", "--skip-validation")
    assert result.exit_code == 2
    assert result.stderr.splitlines()[-1] == (
        f"error: cannot write the store in {path}: No space left on device; "
        "free space on its disk or serve another --store oxigraph:PATH"
    )
    assert "Traceback" not in result.stderr
    assert sorted(p.name for p in path.iterdir()) == [".imtkg-store.lock"]


def test_an_unwritable_cache_folder_falls_back_to_a_temporary_store(tmp_path, monkeypatch, caplog):
    """A cache folder that cannot be made (here: below a file) gives one warning, and the
    default mode builds its store in a temporary folder instead."""
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder", encoding="utf-8")
    monkeypatch.setenv("IMTKG_CACHE_DIR", str(blocker / "cache"))
    with caplog.at_level(logging.WARNING):
        app = create_app({"ONTOLOGY_DIR": ONTOLOGY_DIR, "GRAPH_DIR": GRAPH_DIR, "WORKERS": 1})
    try:
        assert city_answer(app)[0] == CITIES
    finally:
        close_app(app)
    warnings = [r.getMessage() for r in caplog.records if r.name == "imtkg.store.startup_cache"]
    assert warnings == [
        f"building the store in {blocker / 'cache' / 'stores'} failed: [Errno 20] Not a "
        f"directory: '{blocker / 'cache' / 'stores'}'; building the store in a temporary "
        "folder instead"
    ]


@pytest.mark.parametrize("cache", ["closure", "validation"])
def test_a_full_disk_leaves_the_cache_file_whole(tmp_path, monkeypatch, caplog, cache):
    """A write that fails (ENOSPC at fsync) is skipped with a warning: the file already there
    is kept whole, and no temporary file is left."""
    folder = tmp_path / cache
    if cache == "closure":
        store = ClosureCache(folder)
        key = "k" * 64
        first = [(URIRef("urn:a"), URIRef("urn:b"), URIRef("urn:c"))]
        store.store(key, first)
        saved = store.path(key).read_bytes()

        def write_again() -> None:
            store.store(key, [*first, (URIRef("urn:d"), URIRef("urn:e"), URIRef("urn:f"))])

        def read_back() -> object:
            return len(store.load(key))

        expected = 1
        written = store.path(key)
    else:
        written = folder / "outcome.json"
        write_outcome(written, "key", "valid", "")
        saved = written.read_bytes()

        def write_again() -> None:
            write_outcome(written, "key", "invalid", "a report")

        def read_back() -> object:
            return read_outcome(written, "key")

        expected = ("valid", "")

    def no_space(fd: int) -> None:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(os, "fsync", no_space)
    with caplog.at_level(logging.WARNING):
        write_again()
    monkeypatch.undo()
    assert "cannot be written: [Errno 28] No space left on device" in caplog.text
    assert written.read_bytes() == saved
    assert read_back() == expected
    assert sorted(p.name for p in folder.iterdir()) == [written.name]


def test_a_damaged_cache_file_in_a_read_only_folder_is_ignored(tmp_path, monkeypatch, caplog):
    """A damaged validation outcome that cannot be deleted (the unlink fails with EROFS) is
    reported and left; the caller validates again, with no exception."""
    written = tmp_path / "outcome.json"
    written.write_text('{"key": "key", "outcome": "valid"', encoding="utf-8")

    def read_only(self, missing_ok: bool = False) -> None:
        raise OSError(errno.EROFS, os.strerror(errno.EROFS), str(self))

    monkeypatch.setattr(Path, "unlink", read_only)
    with caplog.at_level(logging.WARNING):
        assert read_outcome(written, "key") is None
    assert "left (the folder is read-only), validating again" in caplog.text


# -- Read-only folders and full disks, for real (a private mount namespace) -------------------


def namespaces_work() -> bool:
    """Tell whether this machine lets us make a user and mount namespace (``unshare``)."""
    if shutil.which("unshare") is None:
        return False
    try:
        done = subprocess.run(
            ["unshare", "--user", "--map-root-user", "--mount", "true"],
            capture_output=True,
            timeout=20,
        )
    except (OSError, subprocess.TimeoutExpired):
        return False
    return done.returncode == 0


needs_namespaces = pytest.mark.skipif(
    not namespaces_work(), reason="no user and mount namespaces here (unshare)"
)


def in_namespace(condition: str, folder: Path, command: list[str]) -> list[str]:
    """Return ``command`` run where ``folder`` is read-only (``"read-only"``: a read-only bind
    mount of itself) or a full disk (``"full"``: a 64 KiB tmpfs, less than an empty RocksDB
    store takes), in a private user and mount namespace that no other process sees."""
    if condition == "full":
        setup = 'mount -t tmpfs -o size=64k tmpfs "$0"'
    else:
        setup = 'mount --bind "$0" "$0" && mount -o remount,bind,ro "$0"'
    prefix = ["unshare", "--user", "--map-root-user", "--mount", "sh", "-c"]
    return [*prefix, setup + ' && exec "$@"', str(folder), *command]


def serve_env(port: int, **settings: str) -> dict[str, str]:
    """The environment of `imtkg serve` on the fixture data with ``IMTKG_*`` ``settings``."""
    env = dict(os.environ)
    env.update(
        IMTKG_PORT=str(port),
        IMTKG_ONTOLOGY_DIR=str(ONTOLOGY_DIR),
        IMTKG_GRAPH_DIR=str(GRAPH_DIR),
        IMTKG_WORKERS="1",
        IMTKG_HTTP_SERVER="waitress",
        **{"IMTKG_" + name: value for name, value in settings.items()},
    )
    return env


SERVE = [sys.executable, "-m", "imtkg.cli", "serve", "--skip-validation"]


@needs_namespaces
@pytest.mark.parametrize("condition", ["read-only", "full"])
def test_serve_on_an_unwritable_store_folder_stops_with_one_line(tmp_path, condition):
    """`imtkg serve --store oxigraph:PATH` where PATH cannot be written: exit status 2, the
    last line names the folder and the fix, no traceback."""
    folder = tmp_path / "disk"
    folder.mkdir()
    path = folder / "kg"
    command = in_namespace(condition, folder, SERVE)
    done = subprocess.run(
        command,
        env=serve_env(free_port(), STORE=f"oxigraph:{path}"),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 2, done.stderr
    reason, advice = {
        "read-only": ("Read-only file system", "make it writable"),
        "full": ("No space left on device", "free space on its disk"),
    }[condition]
    assert done.stderr.splitlines()[-1] == (
        f"error: cannot write the store in {path}: {reason}; {advice} "
        "or serve another --store oxigraph:PATH"
    )
    assert "Traceback" not in done.stderr
    assert not path.exists() or not any(path.glob(".building-*"))


@pytest.mark.live  # runs `imtkg serve`
@needs_namespaces
def test_a_sound_store_in_a_read_only_folder_is_served(tmp_path):
    """A store built earlier is served from a read-only folder as it is (nothing to write),
    and SIGTERM stops the server with status 0."""
    folder = tmp_path / "disk"
    open_disk_store(folder / "kg", *FIXTURE)
    command = in_namespace("read-only", folder, SERVE)
    with imtkg_serve(tmp_path, command=command, STORE=f"oxigraph:{folder / 'kg'}") as (
        port,
        log_path,
    ):
        assert served_cities(port) == CITIES, log_path.read_text(encoding="utf-8")
    assert "Traceback" not in log_path.read_text(encoding="utf-8")


@pytest.mark.live  # runs `imtkg serve`
@needs_namespaces
@pytest.mark.parametrize("condition", ["read-only", "full"])
def test_an_unwritable_cache_folder_serves_from_a_temporary_store(tmp_path, condition):
    """The default mode with a read-only or full cache folder warns in one line and serves
    from a temporary store; SIGTERM stops it with status 0."""
    folder = tmp_path / "disk"
    folder.mkdir()
    command = in_namespace(condition, folder, SERVE)
    with imtkg_serve(tmp_path, command=command, CACHE_DIR=str(folder / "cache")) as (
        port,
        log_path,
    ):
        assert served_cities(port) == CITIES, log_path.read_text(encoding="utf-8")
    text = log_path.read_text(encoding="utf-8")
    reason = {"read-only": "Read-only file system", "full": "No space left on device"}[condition]
    assert f"cannot write the store in {folder / 'cache'}" in text
    assert f"{reason}; " in text and "building the store in a temporary folder instead" in text
    assert "Traceback" not in text


# -- helpers ----------------------------------------------------------------------------------


def run_cli(monkeypatch, *args: str):
    """Run the `imtkg` command group in this process (monkeypatches apply)."""
    from imtkg.cli import main

    monkeypatch.setenv("IMTKG_ONTOLOGY_DIR", str(ONTOLOGY_DIR))
    monkeypatch.setenv("IMTKG_GRAPH_DIR", str(GRAPH_DIR))
    monkeypatch.setenv("IMTKG_WORKERS", "1")
    return CliRunner().invoke(main, list(args))


def free_port() -> int:
    """Return a TCP port free on loopback right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def http_json(url: str) -> tuple[int, dict]:
    """GET ``url`` (loopback only) and parse its JSON body."""
    with urllib.request.urlopen(url, timeout=10) as response:
        return response.status, json.loads(response.read())


def served_cities(port: int) -> list[str]:
    """The cities `imtkg serve` on ``port`` answers."""
    query = urllib.parse.urlencode({"query": CITY_QUERY})
    status, body = http_json(f"http://127.0.0.1:{port}/sparql?{query}")
    assert status == 200
    return [row["city"]["value"] for row in body["results"]["bindings"]]


@contextmanager
def imtkg_serve(
    tmp_path: Path, command: list[str] = SERVE, **settings: str
) -> Iterator[tuple[int, Path]]:
    """Run ``command`` (`imtkg serve` by default) on the fixture data until /health answers;
    fail loudly if it does not within 90 s; stop it with SIGTERM and check it exits with 0."""
    require_slow_tier("`imtkg serve`")
    port = free_port()
    log_path = tmp_path / f"serve-{port}.log"
    with open(log_path, "wb") as log:
        process = subprocess.Popen(
            command, stdout=log, stderr=subprocess.STDOUT, env=serve_env(port, **settings)
        )
        try:
            deadline = time.monotonic() + 90
            while True:
                try:
                    if http_json(f"http://127.0.0.1:{port}/health")[0] == 200:
                        break
                except OSError:
                    pass
                if process.poll() is not None or time.monotonic() > deadline:
                    pytest.fail(f"imtkg serve did not start:\n{log_path.read_text('utf-8')}")
                time.sleep(0.2)
            yield port, log_path
        finally:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(10)
    assert process.returncode == 0, log_path.read_text(encoding="utf-8")
