"""The three servers the benchmark compares, as child processes on free loopback ports.

* ours: ``imtkg serve`` (the shipped folders, or ``--dataset FILE``), with its own cache folder,
  so that a first start is cold (nothing cached) and a second one warm (nothing changed);
* Oxigraph: ``oxigraph load`` of the served dataset into a store, then ``oxigraph
  serve-read-only`` on it (the ``oxigraph`` command of the PyPI package of that name);
* the naive baseline: ``bench/naive_server.py`` (Flask + rdflib).

Each :class:`Server` samples the resident memory of its process and of all its children (query
workers...) every :data:`SAMPLE_S` seconds with psutil, from its start to its stop, and keeps
the peaks.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode

import psutil
import urllib3

from imtkg.core.namespaces import INFERRED_GRAPH
from imtkg.query.oxigraph_server import free_port, oxigraph_binary
from imtkg.store.oxigraph_store import ASSERTED_UNION

HERE = Path(__file__).resolve().parent
SAMPLE_S = 0.1
#: the dataset our server queries by default, named for Oxigraph's protocol endpoint
OXIGRAPH_DATASET = [
    ("default-graph-uri", ASSERTED_UNION),
    ("default-graph-uri", str(INFERRED_GRAPH)),
]
_STARTUP_LINE = re.compile(r"imtkg\.cli\.serve INFO startup: (\{.*\})")


class MemorySampler(threading.Thread):
    """Samples the RSS of a process (and of its children) until stopped; keeps the peaks."""

    def __init__(self, pid: int) -> None:
        super().__init__(daemon=True)
        self.process = psutil.Process(pid)
        self.peak_main = 0
        self.peak_largest = 0
        self.peak_total = 0
        self.last_total = 0
        self._done = threading.Event()

    def sample(self) -> None:
        """Take one sample."""
        try:
            main = self.process.memory_info().rss
            total = largest = main
            for child in self.process.children(recursive=True):
                try:
                    rss = child.memory_info().rss
                except psutil.Error:
                    continue
                total += rss
                largest = max(largest, rss)
        except psutil.Error:
            return
        self.peak_main = max(self.peak_main, main)
        self.peak_largest = max(self.peak_largest, largest)
        self.peak_total = max(self.peak_total, total)
        self.last_total = total

    def run(self) -> None:
        while not self._done.is_set():
            self.sample()
            self._done.wait(SAMPLE_S)

    def stop(self) -> None:
        """Stop sampling."""
        self._done.set()
        self.join(5)


@dataclass
class Server:
    """A running server: its process, endpoint, start-up figures and memory sampler."""

    name: str
    process: subprocess.Popen
    endpoint: str
    log_path: Path
    fields: list[tuple[str, str]] = field(default_factory=list)
    startup: dict[str, float] = field(default_factory=dict)
    sampler: MemorySampler | None = None

    def url(self, query: str) -> str:
        """Return the GET URL of ``query`` on this server."""
        return self.endpoint + "?" + urlencode([("query", query), *self.fields])

    def memory(self) -> dict[str, float]:
        """Return the peak RSS in MB of the main process, of the largest process of its tree (our
        serving process runs under granian's supervisor) and of the tree's sum."""
        sampler = self.sampler
        return {
            "peak_main_mb": round(sampler.peak_main / 2**20, 1),
            "peak_largest_mb": round(sampler.peak_largest / 2**20, 1),
            "peak_total_mb": round(sampler.peak_total / 2**20, 1),
        }

    def stop(self) -> None:
        """Terminate the process (then kill it after 20 s) and stop sampling."""
        if self.sampler is not None:
            self.sampler.sample()
            self.sampler.stop()
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(10)


def _launch(command: list[str], log_path: Path, env: dict | None = None) -> subprocess.Popen:
    with open(log_path, "wb") as log:  # the child keeps its own descriptor
        return subprocess.Popen(
            command, stdout=log, stderr=subprocess.STDOUT, env=env or dict(os.environ)
        )


def wait_ready(server: Server, ready_url: str, budget: float) -> float:
    """Wait until ``ready_url`` answers 200; return the seconds since the process started.

    :raises RuntimeError: when the process exits or ``budget`` seconds pass (it is stopped).
    """
    started = time.monotonic()
    http = urllib3.PoolManager(retries=False)
    while time.monotonic() - started < budget:
        if server.process.poll() is not None:
            break
        try:
            if http.request("GET", ready_url, timeout=2).status == 200:
                return time.monotonic() - started
        except urllib3.exceptions.HTTPError:
            pass
        time.sleep(0.02)
    server.stop()
    tail = server.log_path.read_text(errors="replace")[-1500:]
    raise RuntimeError(f"{server.name} did not become ready within {budget:g} s:\n{tail}")


def start_ours(
    name: str,
    dataset_file: Path | None,
    cache_dir: Path,
    work: Path,
    validate: bool,
    budget: float,
    settings: dict[str, str] | None = None,
) -> Server:
    """Start ``imtkg serve`` (on ``dataset_file``, else the shipped folders) with ``cache_dir``.

    ``settings`` are environment variables (``IMTKG_THREADS``...) set for this server only, over
    the benchmark's own.

    ``startup`` gets ``ready_s`` (command to /health) and the server's own phases (``load``,
    ``reason``, ``write``, ``validate``, ``engine``, ``total``).
    """
    port = free_port()
    # Enough app threads that the load generator's highest concurrency (32) is admitted
    # rather than shed with 503 (the admission bound is THREADS - 2, imtkg.web.overload).
    env = dict(
        os.environ, IMTKG_CACHE_DIR=str(cache_dir), IMTKG_QUERY_TIMEOUT="60", IMTKG_THREADS="40"
    )
    env.update(settings or {})
    command = [sys.executable, "-m", "imtkg.cli", "serve", "--port", str(port)]
    if dataset_file is not None:
        command += ["--dataset", str(dataset_file)]
    if not validate:
        command.append("--skip-validation")
    log_path = work / f"{name}-{port}.log"
    started = time.monotonic()
    server = Server(
        name, _launch(command, log_path, env), f"http://127.0.0.1:{port}/sparql", log_path
    )
    server.sampler = MemorySampler(server.process.pid)
    server.sampler.start()
    ready = wait_ready(server, f"http://127.0.0.1:{port}/health", budget)
    server.startup = {"ready_s": round(ready, 3)}
    found = _STARTUP_LINE.search(log_path.read_text(errors="replace"))
    if found:
        server.startup.update(json.loads(found.group(1)))
    server.startup["wall_s"] = round(time.monotonic() - started, 3)
    return server


def start_oxigraph(served_file: Path, work: Path, budget: float) -> Server:
    """Load ``served_file`` with ``oxigraph load``, then start ``oxigraph serve-read-only``.

    ``startup`` gets ``load_s`` (the load command), ``ready_s`` (serve to answering) and
    ``total_s``; the memory peaks cover the load and the server.
    """
    binary = oxigraph_binary()
    location = work / "oxigraph-store"
    log_path = work / "oxigraph-load.log"
    started = time.monotonic()
    loader = Server(
        "oxigraph load",
        _launch(
            [binary, "load", "--location", str(location), "--file", str(served_file)], log_path
        ),
        "",
        log_path,
    )
    loader.sampler = MemorySampler(loader.process.pid)
    loader.sampler.start()
    try:
        code = loader.process.wait(budget)
    except subprocess.TimeoutExpired:
        loader.stop()
        raise RuntimeError(f"oxigraph load took more than {budget:g} s") from None
    loader.stop()
    if code != 0:
        raise RuntimeError(f"oxigraph load failed: {log_path.read_text(errors='replace')[-800:]}")
    load_s = time.monotonic() - started
    port = free_port()
    command = [
        binary,
        "serve-read-only",
        "--location",
        str(location),
        "--bind",
        f"127.0.0.1:{port}",
    ]
    log_path = work / f"oxigraph-{port}.log"
    server = Server(
        "oxigraph",
        _launch(command, log_path),
        f"http://127.0.0.1:{port}/query",
        log_path,
        fields=list(OXIGRAPH_DATASET),
    )
    server.sampler = MemorySampler(server.process.pid)
    server.sampler.peak_total = loader.sampler.peak_total
    server.sampler.start()
    ready = wait_ready(server, server.url("ASK {}"), budget)
    server.startup = {
        "load_s": round(load_s, 3),
        "ready_s": round(ready, 3),
        "total_s": round(load_s + ready, 3),
    }
    return server


def start_naive(served_file: Path, work: Path, budget: float) -> Server:
    """Start the Flask + rdflib baseline on ``served_file``; ``startup`` gets ``ready_s``."""
    port = free_port()
    command = [
        sys.executable,
        str(HERE / "naive_server.py"),
        "--dataset",
        str(served_file),
        "--port",
        str(port),
        "--drop-graph",
        ASSERTED_UNION,
    ]
    log_path = work / f"naive-{port}.log"
    server = Server(
        "naive", _launch(command, log_path), f"http://127.0.0.1:{port}/sparql", log_path
    )
    server.sampler = MemorySampler(server.process.pid)
    server.sampler.start()
    ready = wait_ready(server, f"http://127.0.0.1:{port}/health", budget)
    server.startup = {"ready_s": round(ready, 3), "total_s": round(ready, 3)}
    return server
