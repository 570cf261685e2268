"""Releases: ``imtkg release`` makes them (or refuses), ``imtkg diff`` compares them exactly.

The shipped releases are 1.0.0 (the data when releases began) and 1.1.0 (the citation metadata
of the sources); their diff is asserted statement by statement. Refusals are shown on copies of
the shipped graph in a temporary folder.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import shutil
from datetime import date
from pathlib import Path

import pyoxigraph as ox
import pytest
from click.testing import CliRunner

from imtkg.cli import main
from imtkg.core.paths import resource_dir
from imtkg.releases.diff import diff_quads, nquads_patch, rdf_patch
from imtkg.releases.history import ReleaseHistory, verified_bytes
from imtkg.releases.making import ReleaseInputs, make_release, update_citation_file
from imtkg.releases.records import ReleaseError, parse_version, read_record

ROOT = Path(__file__).resolve().parents[1]
SHIPPED = resource_dir("releases")
GRAPH = "https://w3id.org/imt-kg/graph/"
ID = "https://w3id.org/imt-kg/id/"
SCHEMA = "https://schema.org/"
DCTERMS = "http://purl.org/dc/terms/"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"

#: what 1.1.0 added to the catalogue of sources, as N-Quads lines
SOURCES_ADDED_IN_1_1_0 = sorted(
    f"{line} <{GRAPH}sources> ."
    for line in (
        f"<{ID}periodical/voccitanie> <{DCTERMS}publisher> <{ID}cci-occitanie>",
        f'<{ID}periodical/voccitanie> <{DCTERMS}title> "Voccitanie"',
        f"<{ID}periodical/voccitanie> <{RDF_TYPE}> <{SCHEMA}Periodical>",
        f'<{ID}periodical/voccitanie> <{RDFS}label> "Voccitanie"@en',
        f'<{ID}periodical/voccitanie> <{RDFS}label> "Voccitanie"@fr',
        f'<{ID}source/imt-mines-ales-interview-2022> <{SCHEMA}articleSection> "Formation"@fr',
        f"<{ID}source/imt-mines-ales-interview-2022> <{SCHEMA}isPartOf> "
        f"<{ID}periodical/voccitanie>",
    )
)
INFERRED_ADDED_IN_1_1_0 = [
    f"<{ID}periodical/voccitanie> <{RDF_TYPE}> <{SCHEMA}CreativeWork> <{GRAPH}inferred> .",
    f"<{ID}source/imt-mines-ales-interview-2022> <{DCTERMS}isPartOf> "
    f"<{ID}periodical/voccitanie> <{GRAPH}inferred> .",
]


@pytest.fixture(scope="module")
def history() -> ReleaseHistory:
    return ReleaseHistory.from_folder(SHIPPED)


def lines(quads) -> list[str]:
    return [f"{q} ." for q in quads]


# -- The shipped releases -------------------------------------------------------------------------


def test_shipped_releases_form_a_chain(history):
    """1.0.0 then 1.1.0, each dated, the second following the first, with exact counts."""
    assert [(r.version, r.previous, r.issued) for r in history] == [
        ("1.0.0", None, date(2026, 12, 7)),
        ("1.1.0", "1.0.0", date(2026, 12, 7)),
    ]
    first, second = history.releases
    assert first.statements == 17314
    assert second.statements == 17334
    assert first.changes == {}
    assert {g: (c.added, c.removed) for g, c in second.changes.items()} == {
        f"{GRAPH}inferred": (2, 0),
        f"{GRAPH}ontology": (11, 0),
        f"{GRAPH}sources": (7, 0),
    }


def test_each_release_keeps_compressed_dumps_with_checksums(history):
    """A release folder holds its two dumps (tens of kilobytes), SHA256SUMS in the format of
    ``sha256sum --check`` and the record; the N-Quads dump holds what the record counts."""
    for release in history:
        names = sorted(p.name for p in release.folder.iterdir())
        assert names == ["SHA256SUMS", "imt-kg.nq.gz", "imt-kg.trig.gz", "release.json"]
        sums = (release.folder / "SHA256SUMS").read_text(encoding="ascii").splitlines()
        for line in sums:
            digest, name = line.split("  ")
            data = (release.folder / name).read_bytes()
            assert hashlib.sha256(data).hexdigest() == digest == release.files[name].sha256
            assert len(data) < 250_000
        quads = list(
            ox.parse(
                gzip.decompress(verified_bytes(release, "imt-kg.trig.gz")), format=ox.RdfFormat.TRIG
            )
        )
        assert len(quads) == release.statements == len(history.quads(release))


def test_diff_of_the_shipped_releases_is_exact(history):
    """1.0.0 -> 1.1.0: the seven catalogue statements, the eleven ontology ones and two
    inferences, nothing removed."""
    first, second = history.releases
    diff = diff_quads(history.quads(first), history.quads(second), "1.0.0", "1.1.0")
    assert [g.graph for g in diff.graphs] == [
        f"{GRAPH}ontology",
        f"{GRAPH}sources",
        f"{GRAPH}inferred",
    ]
    by_graph = {g.graph: g for g in diff.graphs}
    assert lines(by_graph[f"{GRAPH}sources"].added) == SOURCES_ADDED_IN_1_1_0
    assert lines(by_graph[f"{GRAPH}inferred"].added) == INFERRED_ADDED_IN_1_1_0
    assert len(by_graph[f"{GRAPH}ontology"].added) == 11
    assert diff.removed() == ()
    assert diff.inferred is by_graph[f"{GRAPH}inferred"]
    assert diff.touched_resources() == {
        f"{ID}cci-occitanie": (f"{GRAPH}sources",),
        f"{ID}periodical/voccitanie": (f"{GRAPH}sources",),
        f"{ID}source/imt-mines-ales-interview-2022": (f"{GRAPH}sources",),
    }


def test_patches_turn_one_release_into_the_other(history):
    """old - removed + added = new, with the patches read back by a real N-Quads parser; the
    RDF Patch has one A row per addition inside a transaction."""
    first, second = history.releases
    diff = diff_quads(history.quads(second), history.quads(first), "1.1.0", "1.0.0")
    added = set(ox.parse(nquads_patch(diff.added()).encode(), format=ox.RdfFormat.N_QUADS))
    removed = set(ox.parse(nquads_patch(diff.removed()).encode(), format=ox.RdfFormat.N_QUADS))
    assert added == set()
    assert len(removed) == 20
    assert (set(history.quads(second)) - removed) | added == set(history.quads(first))
    patch = rdf_patch(diff).splitlines()
    assert patch[0] == "TX ." and patch[-1] == "TC ."
    assert sorted(row[:2] for row in patch[1:-1]) == ["D "] * 20


def test_cli_diff_text_and_exit_status():
    """``imtkg diff`` prints the summary then each statement, and exits 1 when they differ."""
    result = CliRunner().invoke(main, ["diff", "1.0.0", "1.1.0"])
    assert result.exit_code == 1, result.output
    out = result.output.splitlines()
    assert out[:5] == [
        "# imtkg diff 1.0.0 1.1.0",
        "# 20 statements added, 0 removed",
        f"# <{GRAPH}ontology>: +11 -0",
        f"# <{GRAPH}sources>: +7 -0",
        f"# <{GRAPH}inferred> (inferred): +2 -0",
    ]
    assert [line[2:] for line in out if line.startswith("+ ") and "/graph/sources>" in line] == (
        SOURCES_ADDED_IN_1_1_0
    )
    same = CliRunner().invoke(main, ["diff", "1.1.0", "1.1.0", "--format", "summary"])
    assert (same.exit_code, same.output) == (
        0,
        "# imtkg diff 1.1.0 1.1.0\n# no statement added or removed\n",
    )


def test_cli_diff_json_and_patch_files(tmp_path):
    """``--format json`` gives the counts and the resources touched; ``--added/--removed``
    write N-Quads patches."""
    result = CliRunner().invoke(
        main,
        [
            "diff",
            "1.0.0",
            "latest",
            "--format",
            "json",
            "--added",
            str(tmp_path / "added.nq"),
            "--removed",
            str(tmp_path / "removed.nq"),
        ],
    )
    assert result.exit_code == 1, result.output
    body = json.loads(result.output)
    assert body["from"] == "1.0.0" and body["to"] == "1.1.0"
    assert [(g["graph"], g["inferred"], g["added"], g["removed"]) for g in body["graphs"]] == [
        (f"{GRAPH}ontology", False, 11, 0),
        (f"{GRAPH}sources", False, 7, 0),
        (f"{GRAPH}inferred", True, 2, 0),
    ]
    assert [r["iri"] for r in body["resources"]] == [
        f"{ID}cci-occitanie",
        f"{ID}periodical/voccitanie",
        f"{ID}source/imt-mines-ales-interview-2022",
    ]
    added = (tmp_path / "added.nq").read_text(encoding="utf-8")
    assert len(list(ox.parse(added.encode(), format=ox.RdfFormat.N_QUADS))) == 20
    assert (tmp_path / "removed.nq").read_text(encoding="utf-8") == ""


def test_the_working_files_are_the_latest_release():
    """The shipped inputs, loaded and reasoned, hold exactly the statements of the latest
    release: a change to ontology/ or graph/ is released (``imtkg release``) with the change.
    This also proves that the dumps' canonical blank node labels are reproducible."""
    result = CliRunner().invoke(main, ["diff", "latest", "working", "--format", "summary"])
    assert (result.exit_code, result.output) == (
        0,
        "# imtkg diff 1.1.0 working\n# no statement added or removed\n",
    ), "the working data differs from the latest release: run `imtkg diff latest working`"


def test_cli_diff_refuses_unknown_sides():
    """An unknown release or a malformed version is one line naming it, exit status 2."""
    unknown = CliRunner().invoke(main, ["diff", "1.0.0", "9.9.9"])
    assert unknown.exit_code == 2
    assert unknown.output.strip() == "error: no release 9.9.9 (releases: 1.0.0, 1.1.0)"
    malformed = CliRunner().invoke(main, ["diff", "1.0", "1.1.0"])
    assert malformed.exit_code == 2
    assert "'1.0' is not a release version" in malformed.output


def test_resource_history_across_the_shipped_releases(history):
    """Since which release a resource is described, and in which it last changed."""
    periodical = history.resource_history(f"{ID}periodical/voccitanie")
    assert (periodical.since.version, periodical.last_changed.version) == ("1.1.0", "1.1.0")
    interview = history.resource_history(f"{ID}source/imt-mines-ales-interview-2022")
    assert (interview.since.version, interview.last_changed.version) == ("1.0.0", "1.1.0")
    school = history.resource_history(f"{ID}imt-mines-ales")
    assert (school.since.version, school.last_changed.version, school.in_latest) == (
        "1.0.0",
        "1.0.0",
        True,
    )
    nobody = history.resource_history(f"{ID}no-such-thing")
    assert (nobody.since, nobody.last_changed, nobody.in_latest) == (None, None, False)


def test_citation_file_names_the_latest_release(history):
    """CITATION.cff carries the version and date of the latest release and its IRI."""
    text = (ROOT / "CITATION.cff").read_text(encoding="utf-8")
    latest = history.latest
    assert f'version: "{latest.version}"' in text.splitlines()
    assert f'date-released: "{latest.issued.isoformat()}"' in text.splitlines()
    assert f"https://w3id.org/imt-kg/releases/{latest.version}" in text


# -- Making releases on a copy of the data --------------------------------------------------------


@pytest.fixture(scope="module")
def work(tmp_path_factory) -> Path:
    """A copy of the shipped graph and an empty releases folder."""
    root = tmp_path_factory.mktemp("release-work")
    shutil.copytree(resource_dir("graph"), root / "graph")
    return root


def inputs_of(graph: Path) -> ReleaseInputs:
    return ReleaseInputs(graph_dir=graph)


def copy_graph(work: Path, name: str) -> Path:
    target = work / name
    shutil.copytree(work / "graph", target)
    return target


def test_make_release_then_refusals(work):
    """The first release of a copy is made; then the same version, an older one, an earlier
    date and unchanged data are each refused with a message, and nothing is written."""
    releases = work / "releases"
    made, diff = make_release(
        "0.1.0", releases, date(2026, 1, 2), "first", inputs_of(work / "graph")
    )
    assert diff is None
    assert (made.version, made.previous, made.statements) == ("0.1.0", None, 17334)
    assert read_record(releases / "0.1.0") == made
    refusals = [
        ("0.1.0", date(2026, 1, 3), "version 0.1.0 is not newer than the latest release, 0.1.0"),
        ("0.0.9", date(2026, 1, 3), "version 0.0.9 is not newer than the latest release, 0.1.0"),
        (
            "0.2.0",
            date(2026, 1, 1),
            "date 2026-01-01 is before that of the latest release (0.1.0, 2026-01-02)",
        ),
        ("0.2.0", date(2026, 1, 2), "nothing changed since release 0.1.0: no release to make"),
    ]
    for version, day, message in refusals:
        with pytest.raises(ReleaseError) as caught:
            make_release(version, releases, day, "", inputs_of(work / "graph"))
        assert str(caught.value) == message
    assert sorted(p.name for p in releases.iterdir()) == ["0.1.0"]


def test_invalid_data_is_not_released(work):
    """A shape violation is refused, naming the count, the focus node and the command."""
    graph = copy_graph(work, "invalid-graph")
    with (graph / "sources.ttl").open("a", encoding="utf-8") as out:
        out.write('\nid:periodical\\/voccitanie dcterms:title "A second title" .\n')
    releases = work / "invalid-releases"
    with pytest.raises(ReleaseError) as caught:
        make_release("1.0.0", releases, date(2026, 1, 2), "", inputs_of(graph))
    assert str(caught.value) == (
        "the data does not conform to the shapes (1 violations, the first on "
        f"{ID}periodical/voccitanie: A periodical has one title (dcterms:title).); "
        "`imtkg validate` lists them"
    )
    assert not releases.exists()


def test_inconsistent_data_is_not_released(work):
    """An OWL RL clash (a school typed a person too) is refused."""
    graph = copy_graph(work, "inconsistent-graph")
    with (graph / "sources.ttl").open("a", encoding="utf-8") as out:
        out.write("\nid:telecom-nancy a schema:Event .\n")
    with pytest.raises(ReleaseError) as caught:
        make_release(
            "1.0.0", work / "inconsistent-releases", date(2026, 1, 2), "", inputs_of(graph)
        )
    assert str(caught.value).startswith("OWL RL finds the data inconsistent (")


def test_second_release_records_its_changes_and_a_removed_resource(work):
    """Removing a resource and making 0.2.0: the record counts the change per graph and the
    history knows the resource is gone and which release last had it."""
    releases = work / "chain"
    make_release("0.1.0", releases, date(2026, 1, 2), "", inputs_of(work / "graph"))
    graph = copy_graph(work, "graph-without-periodical")
    sources = graph / "sources.ttl"
    text = sources.read_text(encoding="utf-8")
    kept = [
        line
        for line in text.splitlines()
        if not line.startswith("id:periodical\\/voccitanie")
        and "schema:isPartOf id:periodical" not in line
    ]
    sources.write_text("\n".join(kept) + "\n", encoding="utf-8")
    made, diff = make_release("0.2.0", releases, date(2026, 1, 3), "", inputs_of(graph))
    assert made.previous == "0.1.0"
    assert {g: (c.added, c.removed) for g, c in made.changes.items()} == {
        f"{GRAPH}inferred": (0, 2),
        f"{GRAPH}sources": (0, 6),
    }
    assert diff.counts() == {f"{GRAPH}sources": (0, 6), f"{GRAPH}inferred": (0, 2)}
    chain = ReleaseHistory.from_folder(releases)
    gone = chain.removed_resources(chain.descriptions(chain.latest))
    assert {iri: r.version for iri, r in gone.items()} == {f"{ID}periodical/voccitanie": "0.1.0"}
    cff = work / "CITATION.cff"
    cff.write_text('version: "0.1.0"\ndate-released: "2026-01-02"\nurl: x/releases/0.1.0\n')
    assert update_citation_file(cff, made)
    assert (
        cff.read_text() == 'version: "0.2.0"\ndate-released: "2026-01-03"\nurl: x/releases/0.2.0\n'
    )


def test_damaged_dump_is_refused_by_name(work, tmp_path):
    """A dump whose bytes do not match the record is never read: the error names the file."""
    folder = tmp_path / "0.1.0"
    shutil.copytree(work / "releases" / "0.1.0", folder)
    data = bytearray((folder / "imt-kg.nq.gz").read_bytes())
    data[100] ^= 0xFF
    (folder / "imt-kg.nq.gz").write_bytes(bytes(data))
    damaged = ReleaseHistory.from_folder(tmp_path)
    with pytest.raises(ReleaseError) as caught:
        damaged.quads(damaged.latest)
    assert str(caught.value) == (
        f"{folder / 'imt-kg.nq.gz'}: does not match the SHA-256 that release 0.1.0 records "
        "(release.json); the file was damaged or edited"
    )


def test_malformed_records_and_versions(tmp_path):
    """A record that is not JSON, names another version, or a chain with a missing link."""
    (tmp_path / "1.0.0").mkdir()
    (tmp_path / "1.0.0" / "release.json").write_text("{", encoding="utf-8")
    with pytest.raises(ReleaseError, match="not a readable release record"):
        ReleaseHistory.from_folder(tmp_path)
    record = {"version": "2.0.0", "issued": "2026-01-01", "files": {}, "graphs": {}}
    (tmp_path / "1.0.0" / "release.json").write_text(json.dumps(record), encoding="utf-8")
    with pytest.raises(ReleaseError, match="records version 2.0.0 in folder 1.0.0"):
        ReleaseHistory.from_folder(tmp_path)
    record = {**record, "version": "1.0.0", "previous": "0.9.0"}
    (tmp_path / "1.0.0" / "release.json").write_text(json.dumps(record), encoding="utf-8")
    with pytest.raises(ReleaseError, match="follows 0.9.0, which is not in the folder"):
        ReleaseHistory.from_folder(tmp_path)
    for bad in ("1.0", "v1.0.0", "01.0.0", "1.0.0-rc1", "1.0.0 "):
        with pytest.raises(ReleaseError):
            parse_version(bad)
