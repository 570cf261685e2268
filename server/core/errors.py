"""Errors that carry a message meant for a person: what is wrong and where."""

from __future__ import annotations


class ImtKgError(Exception):
    """Base class of the project's errors; ``str(error)`` is shown to users as it is."""


class InputError(ImtKgError):
    """Unreadable input: a file or request body that cannot be parsed.

    :param source: the file name (or ``<request body>``) that could not be read.
    :param line: the 1-based line of the problem, when the parser knows it.
    :param message: what the parser said is wrong.
    """

    def __init__(self, source: str, message: str, line: int | None = None) -> None:
        self.source = source
        self.line = line
        self.message = message
        where = f"{source}:{line}" if line is not None else source
        super().__init__(f"{where}: {message}")
