"""Progress of long work (loading, reasoning, validating a large graph): a bar or log lines.

On a terminal, :func:`progress` shows a tqdm bar with the count and the rate; otherwise (a
service, a log file, CI) it logs a plain line when the step starts, about every
:data:`LOG_EVERY_S` seconds while it runs, and when it ends, with the count and the rate::

    with progress("reasoning", unit="triples", total=n) as bar:
        for ...:
            bar.update(1000)
"""

from __future__ import annotations

import logging
import sys
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import Protocol, TypeVar

log = logging.getLogger("imtkg.core.progress")

#: seconds between two log lines of a step that is still running (not on a terminal)
LOG_EVERY_S = 10.0

T = TypeVar("T")


class ProgressBar(Protocol):
    """What :func:`progress` yields: a tqdm bar or a :class:`LogProgress`."""

    def update(self, n: int = 1) -> object:
        """Count ``n`` more items."""

    def close(self) -> object:
        """End the step."""


class LogProgress:
    """Progress as log lines: start, every :data:`LOG_EVERY_S` seconds, end."""

    def __init__(self, description: str, unit: str, total: int | None) -> None:
        self.description, self.unit, self.total = description, unit, total
        self.count = 0
        self.started = self.last = time.monotonic()
        log.info("%s: started%s", description, f" ({total:,} {unit})" if total else "")

    def update(self, n: int = 1) -> None:
        """Count ``n`` more items; log a line if the last one is old enough."""
        self.count += n
        now = time.monotonic()
        if now - self.last >= LOG_EVERY_S:
            self.last = now
            log.info("%s: %s", self.description, self._figures(now))

    def close(self) -> None:
        """Log the final count and rate."""
        log.info("%s: done, %s", self.description, self._figures(time.monotonic()))

    def _figures(self, now: float) -> str:
        elapsed = max(now - self.started, 1e-9)
        of = f"/{self.total:,}" if self.total else ""
        return (
            f"{self.count:,}{of} {self.unit} in {elapsed:.1f} s "
            f"({self.count / elapsed:,.0f} {self.unit}/s)"
        )


def on_terminal() -> bool:
    """Tell whether progress bars can be drawn (stderr is a terminal)."""
    return sys.stderr.isatty()


@contextmanager
def progress(
    description: str, unit: str = "triples", total: int | None = None
) -> Iterator[ProgressBar]:
    """Yield an object with ``update(n)``: a tqdm bar on a terminal, else :class:`LogProgress`."""
    if on_terminal():
        from tqdm import tqdm

        bar: ProgressBar = tqdm(
            desc=description, unit=unit, total=total, unit_scale=True, leave=True
        )
    else:
        bar = LogProgress(description, unit, total)
    try:
        yield bar
    finally:
        bar.close()


def counted(items: Iterable[T], bar: ProgressBar, every: int = 10_000) -> Iterator[T]:
    """Yield ``items``, updating ``bar`` every ``every`` items (and with the rest at the end)."""
    pending = 0
    for item in items:
        yield item
        pending += 1
        if pending == every:
            bar.update(pending)
            pending = 0
    if pending:
        bar.update(pending)
