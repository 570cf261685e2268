"""Cache files written so that a reader never sees half a file, and pruned to the newest few."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterable
from pathlib import Path


def write_atomically(path: Path, data: bytes, prefix: str) -> None:
    """Write ``data`` to ``path`` through a flushed temporary file beside it, then rename it.

    :param prefix: the temporary file's name prefix (a dot-file in ``path``'s folder).
    :raises OSError: when the folder or the file cannot be written; no temporary file is left.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=prefix)
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def keep_newest(files: Iterable[Path], keep: int) -> None:
    """Delete all but the ``keep`` most recently modified of ``files``."""
    newest_first = sorted(files, key=lambda p: p.stat().st_mtime, reverse=True)
    for old in newest_first[keep:]:
        old.unlink(missing_ok=True)
