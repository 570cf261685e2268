"""``imtkg release VERSION`` and ``imtkg diff A B``: make a release, compare two versions.

A side of ``imtkg diff`` is a release version (``1.0.0``), ``latest``, ``working`` (the input
files, loaded and reasoned as ``imtkg serve`` does) or the path of an N-Quads file (``.nq`` or
``.nq.gz``, a dump). Exit status, as diff(1): 0 the same statements, 1 different, 2 an error.
"""

from __future__ import annotations

import json
import sys
from datetime import date
from pathlib import Path

import click
import pyoxigraph as ox

from imtkg.core.config import load_settings, path_setting
from imtkg.core.paths import resource_dir
from imtkg.releases.diff import (
    diff_quads,
    diff_text,
    nquads_patch,
    parse_nquads_file,
    rdf_patch,
    working_quads,
)
from imtkg.releases.history import WORKING, ReleaseHistory
from imtkg.releases.making import ReleaseInputs, make_release, update_citation_file
from imtkg.releases.records import ReleaseError

_RELEASES_DIR = click.option(
    "--releases-dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Folder of the releases; the shipped one (releases/) by default.",
)


def _releases_dir(given: Path | None) -> Path:
    return given or resource_dir("releases")


def _inputs() -> ReleaseInputs:
    settings = load_settings()
    return ReleaseInputs(
        path_setting(settings, "ONTOLOGY_DIR"),
        path_setting(settings, "GRAPH_DIR"),
        None,
    )


@click.command()
@click.argument("version")
@click.option(
    "--date",
    "issued",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    default=None,
    help="The release date (YYYY-MM-DD); today by default.",
)
@click.option("--notes", default="", help="What the release is, in a sentence or two.")
@click.option(
    "--citation-file",
    type=click.Path(dir_okay=False, path_type=Path),
    default=Path("CITATION.cff"),
    show_default=True,
    help="A CITATION.cff whose version and date-released to update (skipped when absent).",
)
@_RELEASES_DIR
def release(
    version: str,
    issued: object,
    notes: str,
    citation_file: Path,
    releases_dir: Path | None,
) -> None:
    """Make release VERSION (MAJOR.MINOR.PATCH) of the current inputs.

    The inputs are those imtkg serve reads (the shipped files, or IMTKG_ONTOLOGY_DIR and
    IMTKG_GRAPH_DIR). A release is refused when the data violates the shapes or is inconsistent,
    when VERSION is not newer than the latest release, or when nothing changed.
    """
    day = issued.date() if hasattr(issued, "date") else date.today()
    folder = _releases_dir(releases_dir)
    made, diff = make_release(version, folder, day, notes, _inputs())
    click.echo(
        f"release {made.version} of {made.issued.isoformat()}: {made.statements} statements "
        f"in {len(made.graphs)} graphs, in {made.folder}"
    )
    if diff is not None:
        click.echo(diff_text(diff, statements=False), nl=False)
    if update_citation_file(citation_file, made):
        click.echo(f"{citation_file}: version {made.version}, date-released {made.issued}")


def _side(name: str, history: ReleaseHistory) -> tuple[str, frozenset[ox.Quad]]:
    """Return the label and the statements of one side of a diff."""
    if name == WORKING:
        settings = load_settings()
        return WORKING, working_quads(
            path_setting(settings, "ONTOLOGY_DIR"), path_setting(settings, "GRAPH_DIR")
        )
    if name == "latest":
        if history.latest is None:
            raise ReleaseError("there is no release yet")
        return history.latest.version, history.quads(history.latest)
    path = Path(name)
    if path.suffix in {".nq", ".gz"} or path.exists():
        return name, parse_nquads_file(path)
    return name, history.quads(history.get(name))


@click.command()
@click.argument("old")
@click.argument("new")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "summary", "rdf-patch", "json"]),
    default="text",
    show_default=True,
    help="text: each statement, + added and - removed, per graph; summary: the counts only; "
    "rdf-patch: an RDF Patch (A/D rows); json: the counts and the resources touched.",
)
@click.option(
    "--added",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Also write the added statements to this N-Quads file.",
)
@click.option(
    "--removed",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Also write the removed statements to this N-Quads file.",
)
@_RELEASES_DIR
def diff(
    old: str,
    new: str,
    fmt: str,
    added: Path | None,
    removed: Path | None,
    releases_dir: Path | None,
) -> None:
    """List the statements added and removed from OLD to NEW, per named graph, the inferences
    apart.

    OLD and NEW are each a release version, latest, working (the current input files) or an
    N-Quads file. Exit status 0 when they hold the same statements, 1 when they differ.
    """
    history = ReleaseHistory.from_folder(_releases_dir(releases_dir))
    old_label, old_quads = _side(old, history)
    new_label, new_quads = _side(new, history)
    result = diff_quads(old_quads, new_quads, old_label, new_label)
    if fmt == "json":
        click.echo(json.dumps(result.to_json(), indent=2, ensure_ascii=False))
    elif fmt == "rdf-patch":
        click.echo(rdf_patch(result), nl=False)
    else:
        click.echo(diff_text(result, statements=fmt == "text"), nl=False)
    if added is not None:
        added.write_text(nquads_patch(result.added()), encoding="utf-8")
    if removed is not None:
        removed.write_text(nquads_patch(result.removed()), encoding="utf-8")
    sys.exit(0 if result.is_empty else 1)
