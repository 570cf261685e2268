"""A small HTTP/1.1 load generator: one GET URL, N keep-alive clients, bounded in time and count.

Run as its own process (so that the client's CPU is not the measured server's), it prints one
JSON object::

    python bench/loadgen.py --url 'http://127.0.0.1:8000/sparql?query=...' \\
        --concurrency 8 --duration 3 [--max-requests 20000] [--accept MEDIA_TYPE]

    {"name": "", "requests": 5120, "errors": 0, "median_ms": 1.4, "p99_ms": 3.9, ...}

With ``--distinct`` every request is a different text: the ``query`` parameter ends with a
comment holding a counter, so no cache (ours, a proxy's) can answer it, as for a stream of
researchers' queries. Or, to save a process start per measurement, it runs the JSON list of
jobs read from stdin (``--jobs -``) one after the other, printing one line each.

Each client holds one connection and sends the next request when the previous answer is read
(``Content-Length`` or chunked bodies), so ``concurrency`` is the number of requests in flight.
Requests are pre-encoded bytes and answers are read with asyncio streams: the generator costs a
few tens of microseconds per request, far less than urllib3. A short warm-up (one request per
client) is not counted. It stops at ``--duration`` seconds or ``--max-requests``, whichever comes
first; a non-2xx answer counts as an error (the first one's status and body start are reported).
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import statistics
import sys
import time
from urllib.parse import urlsplit

DEFAULT_ACCEPT = "application/sparql-results+json, text/turtle;q=0.9"


class HttpError(Exception):
    """A non-2xx answer."""


#: what :func:`build_request` puts where a distinct request's counter goes
COUNTER = "{counter}"
#: appended to the ``query`` parameter of a distinct request: a line feed, then ``# N`` (a
#: SPARQL comment), URL-encoded; the counter makes every request's text different
DISTINCT_SUFFIX = "%0A%23+" + COUNTER


def build_request(
    url: str, accept: str, no_cache: bool = False, distinct: bool = False
) -> tuple[str, int, bytes]:
    """Return the host, port and bytes of a keep-alive GET of ``url``.

    :param no_cache: send ``Cache-Control: no-cache``, so that a server's cache of responses
        must not answer and every request runs the query.
    :param distinct: end the ``query`` parameter with a comment holding :data:`COUNTER`, for
        :class:`Client` to replace by a number of its own on each request (no two requests
        have the same text, so no cache can answer one).
    """
    parts = urlsplit(url)
    query = parts.query
    if distinct:
        fields = query.split("&")
        at = next((i for i, f in enumerate(fields) if f.startswith("query=")), None)
        if at is None:
            raise ValueError(f"a distinct request needs a query parameter: {url}")
        fields[at] += DISTINCT_SUFFIX
        query = "&".join(fields)
    target = parts.path + (f"?{query}" if query else "")
    extra = "Cache-Control: no-cache\r\n" if no_cache else ""
    request = (
        f"GET {target} HTTP/1.1\r\nHost: {parts.netloc}\r\nAccept: {accept}\r\n"
        f"Accept-Encoding: identity\r\n{extra}Connection: keep-alive\r\n\r\n"
    )
    return parts.hostname or "127.0.0.1", parts.port or 80, request.encode("ascii")


async def read_head(reader: asyncio.StreamReader) -> tuple[int, dict[bytes, bytes]]:
    """Read a response's status line and headers (names and values lower-cased)."""
    head = await reader.readuntil(b"\r\n\r\n")
    lines = head.split(b"\r\n")
    status = int(lines[0].split(b" ", 2)[1])
    headers = {}
    for line in lines[1:]:
        name, _, value = line.partition(b":")
        headers[name.strip().lower()] = value.strip().lower()
    return status, headers


async def read_body(reader: asyncio.StreamReader, headers: dict[bytes, bytes]) -> bytes:
    """Read the body that ``headers`` announce (chunked or ``Content-Length``); return its
    first 300 bytes."""
    if headers.get(b"transfer-encoding") == b"chunked":
        body = bytearray()
        while True:
            size = int((await reader.readuntil(b"\r\n")).split(b";")[0], 16)
            if size == 0:
                while (await reader.readuntil(b"\r\n")) != b"\r\n":  # trailers
                    pass
                break
            chunk = await reader.readexactly(size + 2)
            if len(body) < 300:
                body += chunk[:-2]
    else:
        body = await reader.readexactly(int(headers.get(b"content-length", b"0")))
    return bytes(body[:300])


async def read_response(reader: asyncio.StreamReader) -> tuple[int, bytes, bool]:
    """Read one response; return its status, the start of its body and whether it closes."""
    status, headers = await read_head(reader)
    body = await read_body(reader, headers)
    return status, body, headers.get(b"connection") == b"close"


class Client:
    """One keep-alive connection sending the same request again and again, or (when the
    request holds :data:`COUNTER`) a new text each time: the counter replaced by a number no
    other request of the run uses."""

    numbers = itertools.count()  # shared by every client of the process

    def __init__(self, host: str, port: int, request: bytes) -> None:
        self.host, self.port, self.request = host, port, request
        head, marker, tail = request.partition(COUNTER.encode("ascii"))
        self._parts = (head, tail) if marker else None
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    def next_request(self) -> bytes:
        """Return the bytes of the next request."""
        if self._parts is None:
            return self.request
        head, tail = self._parts
        return head + str(next(Client.numbers)).encode("ascii") + tail

    async def send(self) -> float:
        """Send the request, read the answer, return the seconds it took."""
        if self.writer is None:
            self.reader, self.writer = await asyncio.open_connection(self.host, self.port)
        started = time.perf_counter()
        self.writer.write(self.next_request())
        status, body, closing = await read_response(self.reader)
        elapsed = time.perf_counter() - started
        if closing:
            await self.close()
        if not 200 <= status < 300:
            raise HttpError(f"HTTP {status}: {body[:200]!r}")
        return elapsed

    async def close(self) -> None:
        """Close the connection (if open)."""
        if self.writer is not None:
            self.writer.close()
            try:
                await self.writer.wait_closed()
            except OSError:
                pass
        self.reader = self.writer = None


async def run(
    url: str,
    concurrency: int,
    duration: float,
    max_requests: int,
    accept: str,
    no_cache: bool = False,
    distinct: bool = False,
) -> dict:
    """Load ``url`` with ``concurrency`` clients; return the figures (see the module docstring).

    :param distinct: every request a different text (see :func:`build_request`).
    """
    host, port, request = build_request(url, accept, no_cache, distinct)
    clients = [Client(host, port, request) for _ in range(concurrency)]
    errors: list[str] = []
    await asyncio.gather(*(c.send() for c in clients))  # warm-up: connections, first plans
    latencies: list[float] = []
    deadline = time.perf_counter() + duration

    async def loop(client: Client) -> None:
        while time.perf_counter() < deadline and len(latencies) + len(errors) < max_requests:
            try:
                latencies.append(await client.send())
            except (HttpError, OSError, asyncio.IncompleteReadError, ValueError) as exc:
                errors.append(str(exc))
                await client.close()

    started = time.perf_counter()
    await asyncio.gather(*(loop(c) for c in clients))
    elapsed = time.perf_counter() - started
    await asyncio.gather(*(c.close() for c in clients))
    return summarise(latencies, errors, elapsed)


def percentile(sorted_values: list[float], fraction: float) -> float:
    """Return the ``fraction`` quantile of sorted values (nearest rank)."""
    index = min(len(sorted_values) - 1, max(0, int(round(fraction * len(sorted_values))) - 1))
    return sorted_values[index]


def summarise(latencies: list[float], errors: list[str], elapsed: float) -> dict:
    """Return the JSON figures of a run."""
    ordered = sorted(latencies)
    figures = {
        "requests": len(ordered),
        "errors": len(errors),
        "seconds": round(elapsed, 3),
        "throughput_rps": round(len(ordered) / elapsed, 1) if elapsed > 0 else 0.0,
    }
    if ordered:
        figures["median_ms"] = round(statistics.median(ordered) * 1000, 3)
        figures["p99_ms"] = round(percentile(ordered, 0.99) * 1000, 3)
    if errors:
        figures["first_error"] = errors[0][:300]
    return figures


async def run_jobs(jobs: list[dict]) -> None:
    """Run each job in turn (keys: url, concurrency, duration, max_requests, accept, no_cache,
    distinct) and print one JSON line per job: the job's ``name`` and its figures."""
    for job in jobs:
        figures = await run(
            job["url"],
            int(job.get("concurrency", 1)),
            float(job.get("duration", 3.0)),
            int(job.get("max_requests", 100_000)),
            job.get("accept", DEFAULT_ACCEPT),
            bool(job.get("no_cache", False)),
            bool(job.get("distinct", False)),
        )
        print(json.dumps({"name": job.get("name", ""), **figures}), flush=True)


def main() -> None:
    """Run one measurement from the arguments, or the jobs of ``--jobs -`` (a JSON list on
    stdin), and print the JSON figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url")
    parser.add_argument("--jobs", help="'-': read a JSON list of jobs from stdin")
    parser.add_argument("--concurrency", type=int, default=1)
    parser.add_argument("--duration", type=float, default=3.0, help="seconds of load")
    parser.add_argument("--max-requests", type=int, default=100_000)
    parser.add_argument("--accept", default=DEFAULT_ACCEPT)
    parser.add_argument(
        "--no-cache", action="store_true", help="send Cache-Control: no-cache (run every query)"
    )
    parser.add_argument(
        "--distinct",
        action="store_true",
        help="a different query text on every request (a counter in a trailing comment)",
    )
    args = parser.parse_args()
    if args.jobs:
        asyncio.run(run_jobs(json.load(sys.stdin)))
        return
    if not args.url:
        parser.error("--url or --jobs is required")
    job = {
        "url": args.url,
        "concurrency": args.concurrency,
        "duration": args.duration,
        "max_requests": args.max_requests,
        "accept": args.accept,
        "no_cache": args.no_cache,
        "distinct": args.distinct,
    }
    asyncio.run(run_jobs([job]))


if __name__ == "__main__":
    main()
