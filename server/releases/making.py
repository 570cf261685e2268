"""``imtkg release``: freeze the current inputs as a numbered, dated release.

A release is refused, with a message saying why and nothing written, when:

* the version is not ``MAJOR.MINOR.PATCH`` or not newer than the latest release, or the date is
  before the latest release's;
* the data does not conform to the SHACL shapes, or OWL RL finds it inconsistent;
* nothing changed since the latest release (a release number must mean different data).

The folder is written under a temporary name and renamed into place once complete, so an
interrupted release leaves no half-written version behind.
"""

from __future__ import annotations

import gzip
import re
import shutil
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path

import pyoxigraph as ox

from imtkg import __version__
from imtkg.releases.diff import DatasetDiff, diff_quads
from imtkg.releases.history import ReleaseHistory
from imtkg.releases.records import (
    CHECKSUMS,
    NQUADS_DUMP,
    RELEASE_DUMPS,
    FileRecord,
    GraphChange,
    Release,
    ReleaseError,
    parse_version,
    write_record,
)


@dataclass(frozen=True)
class ReleaseInputs:
    """The folders a release is made from (the shipped ones when ``None``)."""

    ontology_dir: Path | None = None
    graph_dir: Path | None = None
    shapes_dir: Path | None = None


def check_new_version(history: ReleaseHistory, version: str, issued: date) -> None:
    """Refuse ``version`` unless it is newer than the latest release and not dated before it."""
    wanted = parse_version(version)
    latest = history.latest
    if latest is None:
        return
    if wanted <= latest.sort_key:
        raise ReleaseError(
            f"version {version} is not newer than the latest release, {latest.version}"
        )
    if issued < latest.issued:
        raise ReleaseError(
            f"date {issued.isoformat()} is before that of the latest release "
            f"({latest.version}, {latest.issued.isoformat()})"
        )


def check_valid(inputs: ReleaseInputs) -> None:
    """Refuse data that does not conform to the shapes.

    :raises ReleaseError: with the number of violations and the command that lists them.
    """
    from imtkg.data.dataset import load_dataset
    from imtkg.shacl.shapes_loading import load_shapes
    from imtkg.shacl.validation import validate_dataset

    dataset = load_dataset(inputs.ontology_dir, inputs.graph_dir)
    outcome = validate_dataset(dataset, shapes=load_shapes(inputs.shapes_dir))
    if not outcome.conforms:
        first = outcome.results[0]
        raise ReleaseError(
            f"the data does not conform to the shapes ({outcome.violations} violations, the first "
            f"on {first.focus_node}: {first.message}); `imtkg validate` lists them"
        )


def make_release(
    version: str,
    releases_dir: Path,
    issued: date,
    notes: str = "",
    inputs: ReleaseInputs | None = None,
) -> tuple[Release, DatasetDiff | None]:
    """Make release ``version`` of the inputs in ``releases_dir/<version>/``.

    :returns: the release and its diff from the previous one (``None`` for the first).
    :raises ReleaseError: when the release is refused (see the module's docstring).
    :raises InputError: naming the file and line of an input that cannot be parsed.
    """
    from imtkg.store.dumps import build_dumps
    from imtkg.store.knowledge import load_knowledge_graph

    inputs = inputs or ReleaseInputs()
    history = ReleaseHistory.from_folder(releases_dir)
    check_new_version(history, version, issued)
    target = releases_dir / version
    if target.exists():
        raise ReleaseError(f"{target} already exists")
    check_valid(inputs)
    kg = load_knowledge_graph(inputs.ontology_dir, inputs.graph_dir, reason=True)
    if kg.inconsistencies:
        raise ReleaseError(
            f"OWL RL finds the data inconsistent ({len(kg.inconsistencies)} clashes); "
            "`imtkg validate` lists them"
        )
    dumps = {d.name: d for d in build_dumps(kg.store, inputs.shapes_dir)}
    quads = frozenset(
        ox.parse(gzip.decompress(dumps[NQUADS_DUMP].data), format=ox.RdfFormat.N_QUADS)
    )
    graphs: dict[str, int] = {}
    for quad in quads:
        name = quad.graph_name.value if isinstance(quad.graph_name, ox.NamedNode) else ""
        graphs[name] = graphs.get(name, 0) + 1
    latest = history.latest
    diff = None
    if latest is not None:
        diff = diff_quads(history.quads(latest), quads, latest.version, version)
        if diff.is_empty:
            raise ReleaseError(
                f"nothing changed since release {latest.version}: no release to make"
            )
    release = Release(
        version=version,
        issued=issued,
        previous=latest.version if latest else None,
        folder=target,
        files={
            name: FileRecord(name, len(dumps[name].data), dumps[name].sha256)
            for name in RELEASE_DUMPS
        },
        graphs=graphs,
        changes={g: GraphChange(added, removed) for g, (added, removed) in diff.counts().items()}
        if diff
        else {},
        notes=notes.strip(),
        code_version=__version__,
    )
    _write_folder(release, {name: dumps[name].data for name in RELEASE_DUMPS})
    return release, diff


def _write_folder(release: Release, files: dict[str, bytes]) -> None:
    """Write the release's files into a temporary folder, then rename it into place."""
    target = release.folder
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.parent / f".{target.name}.partial"
    if partial.exists():
        shutil.rmtree(partial)
    partial.mkdir()
    sums = "".join(f"{release.files[name].sha256}  {name}\n" for name in RELEASE_DUMPS)
    for name, data in files.items():
        (partial / name).write_bytes(data)
    (partial / CHECKSUMS).write_text(sums, encoding="ascii")
    write_record(replace(release, folder=partial))
    partial.rename(target)


_CFF_VERSION = re.compile(r"^version: .*$", re.MULTILINE)
_CFF_DATE = re.compile(r"^date-released: .*$", re.MULTILINE)
_CFF_RELEASE_IRI = re.compile(r"/releases/[0-9]+\.[0-9]+\.[0-9]+")


def update_citation_file(path: Path, release: Release) -> bool:
    """Set ``version`` and ``date-released`` of the ``CITATION.cff`` at ``path`` to the
    release's; return whether the file was there to update."""
    if not path.is_file():
        return False
    text = path.read_text(encoding="utf-8")
    text = _CFF_VERSION.sub(f'version: "{release.version}"', text, count=1)
    text = _CFF_DATE.sub(f'date-released: "{release.issued.isoformat()}"', text, count=1)
    text = _CFF_RELEASE_IRI.sub(f"/releases/{release.version}", text)
    path.write_text(text, encoding="utf-8")
    return True
