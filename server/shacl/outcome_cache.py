"""The SHACL outcome of a dataset cached on disk, so that an unchanged dataset is not validated
again at every start (issue 7).

The outcome (:mod:`imtkg.shacl.conformance`: ``valid`` or ``invalid`` and the report's text) of the
dataset of version digest ``D`` is kept in ``<cache dir>/validation/<key>.json``, where ``key``
digests ``D``, the shapes files (names and bytes), the source of every module a SHACL outcome
depends on (the subpackages core, rdf, data and shacl, whole: :func:`code_version`) and the
versions of the libraries. The file carries its key and a SHA-256 of its content; a file that is
unreadable, of another key or whose digest does not match is deleted and the dataset validated
again. Files are written atomically (temporary + rename).
Looking an outcome up imports neither pyshacl nor rdflib's parsers: a warm start stays fast.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Callable
from pathlib import Path

from imtkg.core.atomic_files import keep_newest, remove_quietly, write_atomically
from imtkg.core.code_digest import VALIDATION_LAYERS, code_digest
from imtkg.core.paths import default_cache_dir, resource_dir, turtle_files
from imtkg.shacl.conformance import NOT_VALIDATED, conformance

log = logging.getLogger(__name__)

VALIDATION_DIR = "validation"
#: libraries whose versions can change a SHACL outcome
LIBRARIES = ("pyoxigraph", "rdflib", "pyshacl")
#: outcome files kept (the most recent ones)
KEEP_FILES = 16


def code_version() -> str:
    """Return a digest of the code a SHACL outcome depends on (the subpackages of
    :data:`imtkg.core.code_digest.VALIDATION_LAYERS`, whole) and of the libraries' versions."""
    return code_digest(VALIDATION_LAYERS, LIBRARIES)


def validation_key(dataset_digest: str, shapes_dir: Path | None = None) -> str:
    """Return the cache key of the outcome of validating dataset ``dataset_digest``."""
    sha = hashlib.sha256(f"{dataset_digest} {code_version()}".encode())
    for path in turtle_files(shapes_dir or resource_dir("shapes")):
        sha.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    return sha.hexdigest()


def _content_digest(outcome: str, text: str) -> str:
    return hashlib.sha256(f"{outcome}\0{text}".encode()).hexdigest()


def read_outcome(path: Path, key: str) -> tuple[str, str] | None:
    """Return the outcome stored in ``path`` for ``key``; ``None`` (and delete it) if damaged."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        outcome, text = data["outcome"], data["text"]
        if data["key"] != key or data["sha256"] != _content_digest(outcome, text):
            raise ValueError("key or digest mismatch")
        return outcome, text
    except FileNotFoundError:
        return None
    except (OSError, ValueError, KeyError, TypeError) as exc:
        deleted = "deleted" if remove_quietly(path) else "left (the folder is read-only)"
        log.warning("validation cache %s is damaged (%s): %s, validating again", path, exc, deleted)
        return None


def write_outcome(path: Path, key: str, outcome: str, text: str) -> None:
    """Write an outcome atomically; warn (only) when it cannot be written."""
    document = {"key": key, "outcome": outcome, "text": text}
    document["sha256"] = _content_digest(outcome, text)
    try:
        write_atomically(path, json.dumps(document).encode("utf-8"), prefix=".validation-")
    except OSError as exc:
        log.warning("validation cache %s cannot be written: %s", path.parent, exc)
        return
    keep_newest(path.parent.glob("*.json"), KEEP_FILES)


def cached_conformance(dataset_digest: str, load_dataset: Callable) -> tuple[str, str, bool]:
    """Return the SHACL outcome of the dataset of digest ``dataset_digest``, and its text.

    :param load_dataset: returns the rdflib dataset to validate, called only on a cache miss.
    :returns: the outcome, the report's text (empty unless invalid), and whether it came from
        the cache.
    """
    root = default_cache_dir()
    if root is None:
        return (*conformance(load_dataset()), False)
    key = validation_key(dataset_digest)
    path = root / VALIDATION_DIR / f"{key[:32]}.json"
    found = read_outcome(path, key)
    if found is not None:
        return (*found, True)
    outcome, text = conformance(load_dataset())
    if outcome != NOT_VALIDATED:
        write_outcome(path, key, outcome, text)
    return outcome, text, False
