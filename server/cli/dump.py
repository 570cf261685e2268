"""``imtkg dump``: write the dumps served under ``/dumps/`` into a folder (same bytes)."""

from __future__ import annotations

from pathlib import Path

import click

from imtkg.core.config import load_settings, path_setting
from imtkg.store.dumps import build_dumps, write_dumps
from imtkg.store.knowledge import load_knowledge_graph


@click.command()
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("dumps"),
    show_default=True,
    help="Folder to write the dumps and their checksums into.",
)
@click.option(
    "--shapes-dir",
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    default=None,
    help="Folder of SHACL shapes .ttl files; the shipped shapes by default.",
)
def dump(out: Path, shapes_dir: Path | None) -> None:
    """Write the dumps served under /dumps/ (same bytes, same settings) into a folder.

    The data is read as imtkg serve reads it: the shipped files, or the folders named by the
    IMTKG_ONTOLOGY_DIR and IMTKG_GRAPH_DIR variables.
    """
    settings = load_settings()
    kg = load_knowledge_graph(
        path_setting(settings, "ONTOLOGY_DIR"),
        path_setting(settings, "GRAPH_DIR"),
        reason=bool(settings.get("REASON", True)),
    )
    files = build_dumps(kg.store, shapes_dir)
    for path in write_dumps(files, out):
        click.echo(str(path))
