"""The dataset as a citable work: a release (version, date, licence, IRI), or the working data.

Title, creator and licence are those of the DCAT catalogue (:mod:`imtkg.releases.catalogue`,
the same as ``CITATION.cff``); version and date come from the release's record. The working
data (what is served when it holds statements no release has yet) is cited as "the working
data after release X", with no version and no date of its own: it has neither.
"""

from __future__ import annotations

from imtkg.citations.model import Citation, PartialDate, Work
from imtkg.core.namespaces import BASE
from imtkg.releases.catalogue import DATASET_CREATOR, DATASET_TITLE, LICENSE
from imtkg.releases.history import ReleaseHistory
from imtkg.releases.records import Release, release_iri

#: the stem of the citation keys and file names of the dataset
KEY = "imt-kg"


def release_work(release: Release, notes: tuple[str, ...] = ()) -> Work:
    """Return release ``release`` of the dataset as a work."""
    issued = release.issued
    return Work(
        key=f"{KEY}-{release.version}",
        kind="dataset",
        title=DATASET_TITLE["en"],
        iri=release_iri(release.version),
        url=release_iri(release.version),
        authors=(DATASET_CREATOR,),
        organisation_authors=True,
        issued=PartialDate(issued.year, issued.month, issued.day),
        languages=("en", "fr"),
        version=release.version,
        licence=LICENSE,
        notes=notes,
    )


def working_work(after: Release | None, notes: tuple[str, ...] = ()) -> Work:
    """Return the working data (statements after ``after``, or before any release) as a work."""
    if after is None:
        what = "Working data of the dataset, before its first release"
    else:
        what = f"Working data of the dataset after release {after.version}, not released yet"
    return Work(
        key=f"{KEY}-working" if after is None else f"{KEY}-after-{after.version}",
        kind="dataset",
        title=DATASET_TITLE["en"],
        iri=BASE,
        url=BASE,
        authors=(DATASET_CREATOR,),
        organisation_authors=True,
        languages=("en", "fr"),
        licence=LICENSE,
        notes=(what, *notes),
    )


def dataset_citation(history: ReleaseHistory, version: str | None = None) -> Citation:
    """Return the citation of release ``version`` (the latest when ``None``; the working data
    when there is no release).

    :raises ReleaseError: when there is no release ``version`` (or it is not a version).
    """
    if version is None and history.latest is None:
        work = working_work(None)
    else:
        release = history.get(version) if version is not None else history.latest
        assert release is not None
        work = release_work(release)
    label = f"{work.title} {work.version}" if work.version else work.title
    return Citation(label=label, works=(work,), filename=work.key)
