"""The version of the served data: a digest of the input files and of the code version, and
the time of the newest input file. ETags, manifests and the start-up cache are keyed by it."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from imtkg import __version__
from imtkg.data.dataset import digest_files


@dataclass(frozen=True)
class DatasetVersion:
    """The version of the served data: a digest and the time of the newest input file."""

    digest: str
    last_modified: datetime


def dataset_version(files: Iterable[Path], code_version: str = __version__) -> DatasetVersion:
    """Return the version of the dataset built from ``files`` by code version ``code_version``."""
    paths = list(files)
    newest = max((p.stat().st_mtime for p in paths), default=0.0)
    return DatasetVersion(
        digest=digest_files(paths, extra=code_version),
        last_modified=datetime.fromtimestamp(int(newest), tz=timezone.utc),
    )
