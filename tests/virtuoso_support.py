"""Run Virtuoso Open Source 7 (Debian's ``virtuoso-opensource``) on loopback for the tests.

Not the system service: :class:`VirtuosoServer` writes its own ``virtuoso.ini`` into a private
folder (the database, its log and lock files there too), on two free loopback ports (SQL and
HTTP), starts ``virtuoso-t -f +configfile INI`` in the foreground, waits until ``/sparql``
answers, and stops it. :meth:`VirtuosoServer.add_push_user` sets the graph-level permissions a
public deployment needs (docs/scaling.md): anonymous ``/sparql`` reads every graph and writes
none; one authenticated user may write through ``/sparql-graph-crud-auth`` (HTTP Digest).

``.ci/run`` installs the package (``apt-get install virtuoso-opensource``) when it is missing;
without ``virtuoso-t`` the Virtuoso tests fail, they are not skipped.
"""

from __future__ import annotations

import shutil
import signal
import subprocess
import tempfile
import time
from pathlib import Path

import urllib3

from imtkg.core.errors import ImtKgError
from imtkg.query.oxigraph_server import ServerProcess, free_port
from imtkg.query.worker_pool import set_parent_death_signal

#: Debian's server binary and SQL client (package virtuoso-opensource-7-bin)
VIRTUOSO = "virtuoso-t"
ISQL = "isql-vt"
#: the SQL administrator of a new database (its password is the default of a fresh database:
#: this database lives in a temporary folder and listens on loopback only)
DBA = ("dba", "dba")

INI = """\
[Database]
DatabaseFile = {folder}/virtuoso.db
ErrorLogFile = {folder}/virtuoso.log
LockFile = {folder}/virtuoso.lck
TransactionFile = {folder}/virtuoso.trx
xa_persistent_file = {folder}/virtuoso.pxa
ErrorLogLevel = 7
FileExtend = 200
Striping = 0
TempStorage = TempDatabase

[TempDatabase]
DatabaseFile = {folder}/virtuoso-temp.db
TransactionFile = {folder}/virtuoso-temp.trx
Striping = 0

[Parameters]
ServerPort = 127.0.0.1:{sql_port}
DisableUnixSocket = 1
MaxClientConnections = 10
CheckpointInterval = 60
DirsAllowed = .
NumberOfBuffers = 10000
MaxDirtyBuffers = 6000
ThreadsPerQuery = 2

[HTTPServer]
ServerPort = 127.0.0.1:{http_port}
ServerRoot = {folder}
MaxClientConnections = 10
ServerThreads = 10
EnabledDavVSP = 0
Charset = UTF-8

[SPARQL]
ResultSetMaxRows = {max_rows}
MaxQueryExecutionTime = {timeout_s}
"""


def virtuoso_binary() -> str:
    """Return the path of ``virtuoso-t``.

    :raises ImtKgError: when Debian's virtuoso-opensource is not installed.
    """
    found = shutil.which(VIRTUOSO)
    if found is None:
        raise ImtKgError(
            "virtuoso-t is not installed: apt-get install virtuoso-opensource (.ci/run does)"
        )
    return found


class VirtuosoServer(ServerProcess):
    """A Virtuoso server on free loopback ports with a private database folder.

    :param folder: where the ini, the database and its log go (created if missing).
    :param timeout_s: ``MaxQueryExecutionTime``, the engine's own query time limit.
    :param max_rows: ``ResultSetMaxRows``, the most rows one answer of ``/sparql`` holds.
    """

    def __init__(self, folder: Path, timeout_s: int = 5, max_rows: int = 100000) -> None:
        self.folder = Path(folder)
        self.sql_port = free_port()
        self.http_port = free_port()
        self.base_url = f"http://127.0.0.1:{self.http_port}"
        self.ini = self.folder / "virtuoso.ini"
        self.timeout_s = timeout_s
        self.max_rows = max_rows
        self.process: subprocess.Popen | None = None

    @property
    def query_url(self) -> str:
        """The SPARQL 1.1 Protocol endpoint (anonymous, read-only)."""
        return self.base_url + "/sparql"

    @property
    def store_url(self) -> str:
        """The Graph Store Protocol endpoint that asks for HTTP Digest authentication."""
        return self.base_url + "/sparql-graph-crud-auth"

    def start(self, wait: float = 60.0) -> VirtuosoServer:
        """Write the ini, start the server and wait until ``/sparql`` answers.

        :raises ImtKgError: when it exits or does not answer within ``wait`` seconds.
        """
        self.folder.mkdir(parents=True, exist_ok=True)
        self.ini.write_text(
            INI.format(
                folder=self.folder,
                sql_port=self.sql_port,
                http_port=self.http_port,
                max_rows=self.max_rows,
                timeout_s=self.timeout_s,
            ),
            encoding="utf-8",
        )
        self._log = tempfile.TemporaryFile()
        self.process = subprocess.Popen(
            [virtuoso_binary(), "-f", "+configfile", str(self.ini)],
            cwd=self.folder,
            stdout=self._log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            # a test run that dies (killed, crashed) takes its Virtuoso with it
            preexec_fn=lambda: set_parent_death_signal(signal.SIGKILL),
        )
        http = urllib3.PoolManager(retries=False)
        deadline = time.monotonic() + wait
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                self._log.seek(0)
                error = self._log.read().decode("utf-8", "replace")
                self.stop()
                raise ImtKgError(f"Virtuoso exited: {error.strip()[-800:]}")
            try:
                answer = http.request("GET", self.query_url, fields={"query": "ASK {}"}, timeout=2)
                if answer.status == 200:
                    return self
            except urllib3.exceptions.HTTPError:
                pass
            time.sleep(0.1)
        self.stop()
        raise ImtKgError(f"Virtuoso did not answer within {wait:g} s")

    def sql(self, statements: str) -> str:
        """Run SQL statements as the administrator (given on standard input, not the command
        line); return isql's output.

        :raises ImtKgError: when isql reports an error.
        """
        done = subprocess.run(
            [ISQL, f"127.0.0.1:{self.sql_port}", *DBA],
            input=statements + "\n",
            capture_output=True,
            text=True,
            timeout=60,
        )
        if done.returncode != 0 or "*** Error" in done.stdout + done.stderr:
            raise ImtKgError(f"isql failed: {(done.stdout + done.stderr).strip()[-800:]}")
        return done.stdout

    def add_push_user(self, user: str, password: str) -> None:
        """Create ``user``, the only one who may write graphs, and keep anonymous reads
        read-only: ``SPARQL_UPDATE`` for it alone, graph permissions read (1) for ``nobody``
        and read-write (3) for it."""
        self.sql(
            f"DB.DBA.USER_CREATE('{user}', '{password}');\n"
            f'GRANT SPARQL_UPDATE TO "{user}";\n'
            "DB.DBA.RDF_DEFAULT_USER_PERMS_SET('nobody', 1);\n"
            f"DB.DBA.RDF_DEFAULT_USER_PERMS_SET('{user}', 3);"
        )
