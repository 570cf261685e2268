"""Cache files written so that a reader never sees half a file, and pruned to the newest few.

Several servers may share a cache folder: a file another one deleted meanwhile, or a folder
that cannot be written (read-only, full disk), never stops a start. The caches stay optional.
"""

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
    """Delete all but the ``keep`` most recently modified of ``files``, as far as possible.

    A file that vanished meanwhile (another server pruned it) or that cannot be deleted (a
    read-only folder) is skipped.
    """
    newest_first = sorted(files, key=_modified, reverse=True)
    for old in newest_first[keep:]:
        remove_quietly(old)


def remove_quietly(path: Path) -> bool:
    """Delete the file ``path`` if the folder allows it; tell whether it is gone."""
    try:
        path.unlink(missing_ok=True)
    except OSError:
        return False
    return True


def _modified(path: Path) -> float:
    """Return the modification time of ``path``; 0 (oldest) when it is gone."""
    try:
        return path.stat().st_mtime
    except OSError:
        return 0.0
