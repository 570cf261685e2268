"""The releases the app serves (:class:`~imtkg.releases.history.ReleaseHistory`), read once.

Which folder: the ``RELEASES_DIR`` setting; when it is unset, the shipped releases if the app
serves the shipped graph (no ``ONTOLOGY_DIR``, ``GRAPH_DIR`` or ``DATASET``), else none: the
releases of the shipped data say nothing of other data.
"""

from __future__ import annotations

from pathlib import Path

from flask import current_app

from imtkg.core.paths import resource_dir
from imtkg.releases.history import ReleaseHistory
from imtkg.web.state import current_state

_KEY = "releases.history"


def releases_folder(config: dict) -> Path | None:
    """Return the folder of the releases the app with ``config`` serves, if any."""
    if config.get("RELEASES_DIR"):
        return Path(str(config["RELEASES_DIR"]))
    if any(config.get(name) for name in ("ONTOLOGY_DIR", "GRAPH_DIR", "DATASET")):
        return None
    return resource_dir("releases")


def served_history() -> ReleaseHistory:
    """Return the releases of the current app (read on first use, kept for the app's life).

    :raises ReleaseError: naming the record of a release folder that cannot be read.
    """
    config = dict(current_app.config)
    return current_state().shared.get(
        _KEY, lambda: ReleaseHistory.from_folder(releases_folder(config))
    )
