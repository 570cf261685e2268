"""Write into an Oxigraph store from a background thread while Python works on (issue 7).

Oxigraph's bulk loader spends about 10 µs of CPU a quad (sorting, indexing, writing RocksDB
files) and releases the GIL while it does; the Python side of a build (parsing, encoding,
reasoning) holds the GIL. :class:`StoreWriter` runs the loads one after the other in a thread of
their own, so that both cores work: the caller hands it N-Quads text (:func:`nquads_chunks`),
lists of quads, or functions producing them, and waits only at :meth:`StoreWriter.close`.
Each load of up to a million quads is one batch of Oxigraph's loader, on one core; two writer
threads load two batches at once (as Oxigraph's own loader does with the batches of a big file)
when the Python side waits or a core is free.

Oxigraph renames the blank nodes of every text it loads (``_:b`` in two loads are two nodes), so
text must hold no blank node: a quad with one is handed over as a :class:`pyoxigraph.Quad`
(:meth:`StoreWriter.extend`), which keeps its label.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable, Iterable, Iterator, Sequence

import pyoxigraph as ox

#: quads per N-Quads chunk: each chunk is one bulk load (Oxigraph holds a load in memory)
CHUNK_QUADS = 200_000
#: chunks waiting for the writer, at most (bounds the memory of text not yet loaded: about
#: 35 MB a chunk; a million input quads fit, so parsing never waits for the writer)
PENDING_CHUNKS = 6
#: threads loading at once
WRITER_THREADS = 2

Job = Callable[[ox.Store], None]


def graph_suffix(graph: str | None) -> str:
    """Return the end of an N-Quads line in ``graph`` (an IRI; ``None``: the default graph)."""
    return f" <{graph}> .\n" if graph is not None else " .\n"


def nquads_chunks(
    triples: Iterable[tuple[int, int, int]],
    texts: Sequence[str],
    suffix: str,
    size: int = CHUNK_QUADS,
) -> Iterator[bytes]:
    """Yield the N-Quads text of encoded ``triples``, ``size`` lines a chunk.

    :param texts: the N-Triples text of each term (``str`` of its pyoxigraph term), by code.
    :param suffix: the end of every line (:func:`graph_suffix`).
    """
    lines: list[str] = []
    append = lines.append
    for s, p, o in triples:
        append(f"{texts[s]} {texts[p]} {texts[o]}{suffix}")
        if len(lines) >= size:
            yield "".join(lines).encode()
            lines.clear()
    if lines:
        yield "".join(lines).encode()


class StoreWriter:
    """Loads into ``store`` from ``threads`` threads, each taking the next job handed over.

    The first failure stops the writer: the jobs not yet started are skipped, and
    :meth:`close` (or the next hand-over) raises it. Use as a context manager: leaving the
    block on an error drops the pending jobs and waits for the running ones, so the store is
    never written to after the block.
    """

    def __init__(
        self, store: ox.Store, pending: int = PENDING_CHUNKS, threads: int = WRITER_THREADS
    ) -> None:
        self.store = store
        self._jobs: queue.Queue[Job | None] = queue.Queue(maxsize=pending)
        self._error: BaseException | None = None
        self._cancelled = False
        self._threads = [
            threading.Thread(target=self._run, name=f"imtkg-store-writer-{n}", daemon=True)
            for n in range(threads)
        ]
        for thread in self._threads:
            thread.start()

    def __enter__(self) -> StoreWriter:
        return self

    def __exit__(self, kind, error, trace) -> None:
        if kind is not None:
            self._cancelled = True
        self._stop()

    def submit(self, job: Job) -> None:
        """Run ``job(store)`` in a writer thread once the jobs handed over before it started.

        Blocks while :data:`PENDING_CHUNKS` jobs wait. Raises the writer's failure, if any.
        """
        self._raise()
        self._jobs.put(job)

    def load(self, data: bytes) -> None:
        """Bulk-load N-Quads text without blank nodes, made of valid terms (:func:`load_text`)."""
        self.submit(lambda store: load_text(store, data))

    def load_all(self, chunks: Iterable[bytes]) -> None:
        """Bulk-load every N-Quads chunk of ``chunks`` (as :meth:`load`), the chunks made in
        the writer threads one at a time, so that the text is never all in memory."""
        shared = _Shared(chunks)
        for _ in self._threads:
            self.submit(load_chunks(shared))

    def extend(self, quads: list[ox.Quad]) -> None:
        """Bulk-load quads (they may hold blank nodes: their labels are kept)."""
        self.submit(lambda store: store.bulk_extend(quads))

    def close(self) -> None:
        """Wait for every job; raise the writer's failure, if any."""
        self._stop()
        self._raise()

    def _stop(self) -> None:
        for thread in self._threads:
            if thread.is_alive():
                self._jobs.put(None)  # one stop for each thread still taking jobs
        for thread in self._threads:
            thread.join()

    def _raise(self) -> None:
        if self._error is not None:
            raise self._error

    def _run(self) -> None:
        while True:
            job = self._jobs.get()
            if job is None:
                return
            if self._error is None and not self._cancelled:
                try:
                    job(self.store)
                except BaseException as exc:  # noqa: BLE001 - handed to the caller
                    self._error = exc


class _Shared:
    """An iterator that threads may share: each item goes to one of them."""

    def __init__(self, items: Iterable[bytes]) -> None:
        self._items = iter(items)
        self._lock = threading.Lock()

    def take(self) -> bytes | None:
        with self._lock:
            return next(self._items, None)


def load_chunks(chunks: Iterable[bytes] | _Shared) -> Job:
    """Return a job bulk-loading N-Quads chunks of ``chunks`` in turn until there are none left
    (the same ``chunks`` may be handed to several jobs: each chunk is loaded once)."""
    shared = chunks if isinstance(chunks, _Shared) else _Shared(chunks)

    def job(store: ox.Store) -> None:
        while (chunk := shared.take()) is not None:
            load_text(store, chunk)

    return job


def load_text(store: ox.Store, data: bytes) -> None:
    """Bulk-load N-Quads text written from terms a parser has already checked: Oxigraph is told
    not to validate the IRIs again (a fifth of its time)."""
    store.bulk_load(input=data, format=ox.RdfFormat.N_QUADS, lenient=True)
