"""A release's record: its version, date, predecessor, files and checksums (``release.json``).

A release is a folder ``<releases>/<version>/`` that holds:

* ``imt-kg.nq.gz`` and ``imt-kg.trig.gz``: the whole dataset as served (every named graph, the
  inferences included), written by :func:`imtkg.store.dumps.build_dumps`: canonical blank node
  labels, sorted statements, gzip with no time stamp, so the same data gives the same bytes;
* ``SHA256SUMS``: their checksums, in the ``sha256sum --check`` format;
* ``release.json``: this record (:class:`Release`), written last, so that a folder without it is
  not a release.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from packaging.version import InvalidVersion, Version

from imtkg.core.errors import ImtKgError
from imtkg.core.namespaces import BASE

RECORD = "release.json"
CHECKSUMS = "SHA256SUMS"
#: the dumps a release keeps, in the order of its page
RELEASE_DUMPS = ("imt-kg.nq.gz", "imt-kg.trig.gz")
NQUADS_DUMP = "imt-kg.nq.gz"
#: what a version looks like: MAJOR.MINOR.PATCH, digits only (semantic versioning, no suffix)
VERSION_PATTERN = re.compile(r"(0|[1-9][0-9]{0,5})\.(0|[1-9][0-9]{0,5})\.(0|[1-9][0-9]{0,5})")
#: the canonical IRI of the dataset (the subject of its VoID description)
DATASET_IRI = BASE + ".well-known/void#imt-kg"


class ReleaseError(ImtKgError):
    """A release that cannot be made, read or found; the message says which and why."""


def parse_version(text: str) -> Version:
    """Return ``text`` as a version, or raise :class:`ReleaseError` saying what one looks like."""
    if not VERSION_PATTERN.fullmatch(text):
        raise ReleaseError(
            f"{text!r} is not a release version: use MAJOR.MINOR.PATCH, digits only (1.0.0)"
        )
    try:
        return Version(text)
    except InvalidVersion as exc:  # pragma: no cover - the pattern admits only valid versions
        raise ReleaseError(f"{text!r} is not a release version") from exc


def release_iri(version: str, base: str = BASE) -> str:
    """Return the IRI of release ``version`` (its page under ``/releases/``)."""
    return f"{base}releases/{version}"


def dump_iri(version: str, name: str, base: str = BASE) -> str:
    """Return the IRI of the dump ``name`` of release ``version`` (under ``/dumps/``)."""
    return f"{base}dumps/{version}/{name}"


@dataclass(frozen=True)
class FileRecord:
    """A file of a release: its name, size and SHA-256 digest (hex)."""

    name: str
    size: int
    sha256: str


@dataclass(frozen=True)
class GraphChange:
    """How many statements a named graph gained and lost since the previous release."""

    added: int
    removed: int


@dataclass(frozen=True)
class Release:
    """A release as its ``release.json`` records it.

    :param version: ``MAJOR.MINOR.PATCH``.
    :param issued: the release date.
    :param previous: the version it follows, ``None`` for the first.
    :param folder: where its files are.
    :param files: the dumps, by name.
    :param graphs: named-graph IRI -> statements in it.
    :param changes: named-graph IRI -> statements added and removed since ``previous`` (only
        the graphs that changed; empty for the first release).
    :param notes: what the release is, in English, as its maker wrote it.
    :param code_version: the version of ``imtkg`` that made it.
    """

    version: str
    issued: date
    previous: str | None
    folder: Path
    files: dict[str, FileRecord]
    graphs: dict[str, int]
    changes: dict[str, GraphChange] = field(default_factory=dict)
    notes: str = ""
    code_version: str = ""

    @property
    def statements(self) -> int:
        """The number of statements (quads) of the release."""
        return sum(self.graphs.values())

    @property
    def iri(self) -> str:
        """The release's canonical IRI."""
        return release_iri(self.version)

    @property
    def sort_key(self) -> Version:
        """The release's version, for ordering."""
        return Version(self.version)

    def to_json(self) -> dict:
        """Return the record as the JSON object of ``release.json``."""
        return {
            "version": self.version,
            "issued": self.issued.isoformat(),
            "previous": self.previous,
            "notes": self.notes,
            "code_version": self.code_version,
            "files": {
                name: {"size": f.size, "sha256": f.sha256} for name, f in sorted(self.files.items())
            },
            "graphs": dict(sorted(self.graphs.items())),
            "changes": {
                g: {"added": c.added, "removed": c.removed} for g, c in sorted(self.changes.items())
            },
        }


def write_record(release: Release) -> Path:
    """Write ``release.json`` into the release's folder and return its path."""
    path = release.folder / RECORD
    text = json.dumps(release.to_json(), indent=2, ensure_ascii=False) + "\n"
    path.write_text(text, encoding="utf-8")
    return path


def read_record(folder: Path) -> Release:
    """Read the release in ``folder``.

    :raises ReleaseError: naming the file when the record is missing, not JSON, or lacks a field.
    """
    path = folder / RECORD
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise ReleaseError(f"{path}: no release record in this folder") from exc
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ReleaseError(f"{path}: not a readable release record ({exc})") from exc
    try:
        version = str(data["version"])
        parse_version(version)
        if version != folder.name:
            raise ReleaseError(f"{path}: records version {version} in folder {folder.name}")
        previous = data.get("previous")
        return Release(
            version=version,
            issued=date.fromisoformat(data["issued"]),
            previous=str(previous) if previous is not None else None,
            folder=folder,
            files={
                name: FileRecord(name, int(f["size"]), str(f["sha256"]))
                for name, f in data["files"].items()
            },
            graphs={str(g): int(n) for g, n in data["graphs"].items()},
            changes={
                str(g): GraphChange(int(c["added"]), int(c["removed"]))
                for g, c in data.get("changes", {}).items()
            },
            notes=str(data.get("notes", "")),
            code_version=str(data.get("code_version", "")),
        )
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise ReleaseError(f"{path}: malformed release record ({exc!r})") from exc
