"""The releases of a folder, oldest first, and what they say of a statement or a resource.

The statements of a release are read from its ``imt-kg.nq.gz`` after checking its SHA-256
against the record: a damaged or edited dump is refused with a message naming it, never read.
Statements are compared as pyoxigraph quads with the canonical blank node labels of the dumps
(:func:`imtkg.store.dumps.canonical_dataset`), so the working data compares with a release the
same way two releases compare.
"""

from __future__ import annotations

import gzip
import hashlib
import threading
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox

from imtkg.core.namespaces import ID, INFERRED_GRAPH
from imtkg.releases.records import (
    NQUADS_DUMP,
    RECORD,
    Release,
    ReleaseError,
    parse_version,
    read_record,
)

#: the graph whose statements are derived, not asserted: left out of a resource's history
_INFERRED = ox.NamedNode(str(INFERRED_GRAPH))
_ID = str(ID)
#: what ``imtkg diff`` and the pages call the current input files
WORKING = "working"


def verified_bytes(release: Release, name: str) -> bytes:
    """Return the bytes of the file ``name`` of ``release`` after checking size and SHA-256.

    :raises ReleaseError: naming the file when it is missing or does not match the record.
    """
    record = release.files.get(name)
    path = release.folder / name
    if record is None:
        raise ReleaseError(f"release {release.version} records no file {name}")
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ReleaseError(f"{path}: cannot read the dump of release {release.version}") from exc
    if len(data) != record.size or hashlib.sha256(data).hexdigest() != record.sha256:
        raise ReleaseError(
            f"{path}: does not match the SHA-256 that release {release.version} records "
            f"({RECORD}); the file was damaged or edited"
        )
    return data


def read_release_quads(release: Release) -> frozenset[ox.Quad]:
    """Return the statements of ``release`` (its verified N-Quads dump)."""
    data = gzip.decompress(verified_bytes(release, NQUADS_DUMP))
    return frozenset(ox.parse(data, format=ox.RdfFormat.N_QUADS))


@dataclass(frozen=True)
class ResourceHistory:
    """What the releases say of one resource.

    :param since: the first release that describes it (a statement with it as subject).
    :param last_changed: the latest release in which its description differs from the release
        before (the first release counts as a change).
    :param in_latest: whether the latest release describes it.
    """

    since: Release | None
    last_changed: Release | None
    in_latest: bool


class ReleaseHistory:
    """The releases in a folder (``<folder>/<version>/release.json``), oldest first.

    The statements of each release are read on first use and kept (a release of the shipped
    graph is about 17,000 statements).
    """

    def __init__(self, releases: Iterable[Release]) -> None:
        self.releases: list[Release] = sorted(releases, key=lambda r: r.sort_key)
        self._by_version = {r.version: r for r in self.releases}
        self._quads: dict[str, frozenset[ox.Quad]] = {}
        self._descriptions: dict[str, dict[str, frozenset[ox.Quad]]] = {}
        self._lock = threading.Lock()
        for release in self.releases:
            if release.previous is not None and release.previous not in self._by_version:
                raise ReleaseError(
                    f"release {release.version} follows {release.previous}, "
                    "which is not in the folder"
                )

    @classmethod
    def from_folder(cls, folder: Path | None) -> ReleaseHistory:
        """Read every release of ``folder``; an absent folder (or ``None``) has none."""
        if folder is None or not folder.is_dir():
            return cls([])
        return cls(read_record(p.parent) for p in sorted(folder.glob(f"*/{RECORD}")))

    def __iter__(self) -> Iterator[Release]:
        return iter(self.releases)

    def __len__(self) -> int:
        return len(self.releases)

    @property
    def latest(self) -> Release | None:
        """The newest release, or ``None`` when there is none."""
        return self.releases[-1] if self.releases else None

    def get(self, version: str) -> Release:
        """Return release ``version``.

        :raises ReleaseError: when there is no such release (listing those there are).
        """
        parse_version(version)
        try:
            return self._by_version[version]
        except KeyError:
            known = ", ".join(r.version for r in self.releases) or "none"
            raise ReleaseError(f"no release {version} (releases: {known})") from None

    def next_of(self, release: Release) -> Release | None:
        """Return the release that follows ``release``, if any."""
        for candidate in self.releases:
            if candidate.previous == release.version:
                return candidate
        return None

    def quads(self, release: Release) -> frozenset[ox.Quad]:
        """Return the statements of ``release`` (read and verified once)."""
        with self._lock:
            if release.version not in self._quads:
                self._quads[release.version] = read_release_quads(release)
            return self._quads[release.version]

    def descriptions(self, release: Release) -> dict[str, frozenset[ox.Quad]]:
        """Return, for each resource of the graph's own IRI space, its asserted statements as
        subject in ``release`` (every named graph but the inferences)."""
        quads = self.quads(release)
        with self._lock:
            if release.version not in self._descriptions:
                self._descriptions[release.version] = described_resources(quads)
            return self._descriptions[release.version]

    def release_of(self, quad: ox.Quad) -> Release | None:
        """Return the latest release that holds ``quad`` (canonical blank node labels)."""
        for release in reversed(self.releases):
            if quad in self.quads(release):
                return release
        return None

    def first_release_of(self, quad: ox.Quad) -> Release | None:
        """Return the first release that holds ``quad``."""
        for release in self.releases:
            if quad in self.quads(release):
                return release
        return None

    def resource_history(self, iri: str) -> ResourceHistory:
        """Return since which release ``iri`` is described and in which it last changed."""
        since = last_changed = None
        before: frozenset[ox.Quad] = frozenset()
        for release in self.releases:
            now = self.descriptions(release).get(iri, frozenset())
            if now and since is None:
                since = release
            if now != before:
                last_changed = release
            before = now
        return ResourceHistory(since, last_changed, bool(before))

    def removed_resources(self, current: Iterable[str]) -> dict[str, Release]:
        """Return the resources some release describes and ``current`` (the IRIs the served
        data describes) does not, each with the last release that described it."""
        present = set(current)
        gone: dict[str, Release] = {}
        for release in self.releases:
            for iri in self.descriptions(release):
                if iri not in present:
                    gone[iri] = release
        return gone


def described_resources(quads: Iterable[ox.Quad]) -> dict[str, frozenset[ox.Quad]]:
    """Group the asserted statements of ``quads`` whose subject is one of the graph's own IRIs
    (under ``id/``) by that subject."""
    grouped: dict[str, set[ox.Quad]] = defaultdict(set)
    for quad in quads:
        subject = quad.subject
        if (
            quad.graph_name != _INFERRED
            and isinstance(subject, ox.NamedNode)
            and subject.value.startswith(_ID)
        ):
            grouped[subject.value].add(quad)
    return {iri: frozenset(found) for iri, found in grouped.items()}
