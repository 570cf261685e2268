"""Run the Oxigraph server (the ``oxigraph`` command of the ``oxigraph`` PyPI package) on loopback.

Used by the tests of the remote-store mode and by the benchmarks: a real SPARQL 1.1 engine with
the Protocol at ``/query`` and the Graph Store Protocol at ``/store``::

    with OxigraphServer(location) as server:
        print(server.query_url, server.store_url)
"""

from __future__ import annotations

import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import IO, TypeVar

import urllib3

from imtkg.core.errors import ImtKgError


class OxigraphNotFound(ImtKgError):
    """The ``oxigraph`` command is not installed."""


def oxigraph_binary() -> str:
    """Return the path of the ``oxigraph`` command: next to this Python's, else on ``PATH``.

    :raises OxigraphNotFound: when it is in neither place (``pip install oxigraph``).
    """
    beside = Path(sys.executable).with_name("oxigraph")
    if beside.is_file():
        return str(beside)
    found = shutil.which("oxigraph")
    if found is None:
        raise OxigraphNotFound(
            "the oxigraph command is not installed (pip install oxigraph, or the [test] extra)"
        )
    return found


def free_port() -> int:
    """Return a TCP port free on the loopback interface right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


_Server = TypeVar("_Server", bound="ServerProcess")


class ServerProcess:
    """A server run as a child process (``process``, its stderr kept in ``_log``): stopping it,
    and ``with`` that starts and stops it. Subclasses define :meth:`start`."""

    process: subprocess.Popen | None
    _log: IO[bytes]

    def start(self: _Server) -> _Server:
        """Start the server and return ``self`` once it answers."""
        raise NotImplementedError

    def stop(self) -> None:
        """Stop the server (SIGTERM, then SIGKILL after 10 s). Safe to call twice."""
        if self.process is None:
            return
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(10)
        self._log.close()
        self.process = None

    def __enter__(self: _Server) -> _Server:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()


class OxigraphServer(ServerProcess):
    """An Oxigraph server process on a free loopback port, stopped on exit.

    :param location: the store directory (created if missing).
    :param read_only: run ``serve-read-only`` (the store must exist) instead of ``serve``.
    :param timeout_s: the server's own query time limit (``--timeout-s``), if any.
    """

    def __init__(
        self, location: Path, read_only: bool = False, timeout_s: int | None = None
    ) -> None:
        self.location = Path(location)
        self.port = free_port()
        self.base_url = f"http://127.0.0.1:{self.port}"
        command = [
            oxigraph_binary(),
            "serve-read-only" if read_only else "serve",
            "--location",
            str(self.location),
            "--bind",
            f"127.0.0.1:{self.port}",
        ]
        if timeout_s is not None:
            command += ["--timeout-s", str(timeout_s)]
        self.command = command
        self.process: subprocess.Popen | None = None

    @property
    def query_url(self) -> str:
        """The SPARQL 1.1 Protocol endpoint."""
        return self.base_url + "/query"

    @property
    def store_url(self) -> str:
        """The SPARQL 1.1 Graph Store Protocol endpoint."""
        return self.base_url + "/store"

    def start(self, wait: float = 30.0) -> OxigraphServer:
        """Start the server and wait until it answers a query.

        :raises ImtKgError: when it exits or does not answer within ``wait`` seconds.
        """
        # a file, not a pipe: a pipe nobody reads would block a talkative server
        self._log = tempfile.TemporaryFile()
        self.process = subprocess.Popen(self.command, stdout=subprocess.DEVNULL, stderr=self._log)
        http = urllib3.PoolManager(retries=False)
        deadline = time.monotonic() + wait
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                self._log.seek(0)
                error = self._log.read().decode("utf-8", "replace")
                self.stop()
                raise ImtKgError(f"the Oxigraph server exited: {error.strip()[:500]}")
            try:
                answer = http.request("GET", self.query_url, fields={"query": "ASK {}"}, timeout=2)
                if answer.status == 200:
                    return self
            except urllib3.exceptions.HTTPError:
                pass
            time.sleep(0.05)
        self.stop()
        raise ImtKgError(f"the Oxigraph server did not answer within {wait:g} s")
