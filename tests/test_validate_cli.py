"""``imtkg validate``: reports grouped by focus node, standard reports, exit statuses 0, 1 and 2."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF

from imtkg.cli import main
from imtkg.core.namespaces import GRAPH, SH
from imtkg.rdf.reading import parse_text
from imtkg.shacl.results import IMTSH

ID = "https://w3id.org/imt-kg/id/"
PREFIXES = """@prefix id: <https://w3id.org/imt-kg/id/> .
@prefix imt: <https://w3id.org/imt-kg/ontology#> .
@prefix foaf: <http://xmlns.com/foaf/0.1/> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix schema: <https://schema.org/> .
"""
#: a city inside a place nothing describes: a wrong value class and a dangling reference
CITY = (
    PREFIXES
    + """
id:test\\/cli\\/city a imt:City ;
    rdfs:label "CLI city"@en , "Ville CLI"@fr ;
    schema:containedInPlace id:test\\/cli\\/nowhere .
"""
)
#: a catalogue that describes graph:city as derived from a described document
CATALOGUE = (
    PREFIXES
    + """
@prefix graph: <https://w3id.org/imt-kg/graph/> .
@prefix dcterms: <http://purl.org/dc/terms/> .
@prefix prov: <http://www.w3.org/ns/prov#> .
graph:city a imt:SourceGraph ; rdfs:label "CLI city facts"@en , "Faits de la ville CLI"@fr ;
    prov:wasDerivedFrom id:test\\/cli\\/document .
id:test\\/cli\\/document a imt:SourceDocument ; rdfs:label "CLI document"@en , "Document CLI"@fr ;
    dcterms:title "CLI document"@en .
"""
)


@pytest.fixture()
def runner() -> CliRunner:
    """A click runner (stdout and stderr kept apart)."""
    return CliRunner()


def write(folder: Path, name: str, text: str) -> Path:
    """Write a file of the test and return its path."""
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def city_files(tmp_path_factory) -> tuple[Path, Path]:
    """The city file and its catalogue, in a folder of their own."""
    folder = tmp_path_factory.mktemp("cli")
    return write(folder, "city.ttl", CITY), write(folder, "sources.ttl", CATALOGUE)


def test_shipped_graph_conforms_with_status_0(runner):
    """Without arguments the shipped graph is validated; it conforms (warnings allowed)."""
    result = runner.invoke(main, ["validate"])
    assert result.exit_code == 0, result.output
    assert result.output.startswith("SHACL validation: the data conforms (0 violations, ")
    assert "OWL RL inconsistencies" not in result.output


def test_report_is_grouped_by_focus_node_with_file_and_graph(runner, city_files):
    """Violations give status 1 and a report per focus node: label, path, value, message,
    severity, named graph and file, shape and constraint component."""
    city, sources = city_files
    result = runner.invoke(main, ["validate", str(city), str(sources)])
    assert result.exit_code == 1
    where = f"in graph:city ({city.resolve()})"
    assert result.output == "\n".join(
        [
            "SHACL validation: the data does NOT conform (2 violations, 0 warnings).",
            "",
            "id:test/cli/city — CLI city",
            "  Violation schema:containedInPlace = id:test/cli/nowhere",
            "            id:test/cli/nowhere is used as the value of schema:containedInPlace but "
            "described nowhere: fix the IRI or describe the resource.",
            f"            {where}; imtsh:DanglingReferenceShape (sh:SPARQLConstraintComponent)",
            "  Violation schema:containedInPlace = id:test/cli/nowhere",
            "            The value of schema:containedInPlace must be a place (schema:Place); the "
            "linked resource has no such type.",
            f"            {where}; imtsh:PlaceShape-containedInPlace-class "
            "(sh:ClassConstraintComponent)",
            "",
        ]
    )


@pytest.mark.parametrize("fmt,rdflib_format", [("turtle", "turtle"), ("json-ld", "json-ld")])
def test_standard_report_in_turtle_and_json_ld(runner, city_files, fmt, rdflib_format):
    """--format turtle|json-ld prints the standard sh:ValidationReport, which parses back."""
    result = runner.invoke(main, ["validate", "--format", fmt, *map(str, city_files)])
    assert result.exit_code == 1
    if fmt == "json-ld":
        json.loads(result.stdout)
    report = parse_text(result.stdout, rdflib_format).default_graph
    node = report.value(None, RDF.type, SH.ValidationReport)
    assert report.value(node, SH.conforms) == Literal(False)
    results = list(report.objects(node, SH.result))
    assert sorted(str(report.value(r, SH.sourceShape)) for r in results) == [
        str(IMTSH.DanglingReferenceShape),
        str(IMTSH["PlaceShape-containedInPlace-class"]),
    ]
    assert {report.value(r, SH.focusNode) for r in results} == {URIRef(ID + "test/cli/city")}


def test_file_alone_needs_the_catalogue_and_with_shipped_adds_the_graph(runner, tmp_path):
    """A file linking to the shipped graph: alone its links dangle; --with-shipped they resolve,
    and its named graph must still be in the catalogue."""
    goal = write(
        tmp_path,
        "goal.ttl",
        PREFIXES + 'id:test\\/cli\\/goal a imt:Goal ; rdfs:label "Goal"@en , "Objectif"@fr ;\n'
        "    imt:statedBy id:imt-mines-ales .\n",
    )
    alone = runner.invoke(main, ["validate", "--format", "turtle", str(goal)])
    shipped = runner.invoke(main, ["validate", "--format", "turtle", "--with-shipped", str(goal)])
    assert (alone.exit_code, shipped.exit_code) == (1, 1)

    def shapes_of(output: str) -> list[tuple[str, str]]:
        """Return (focus node, source shape) of the violations (the shipped graph warns)."""
        report = Graph().parse(data=output, format="turtle")
        return sorted(
            (str(report.value(r, SH.focusNode)), str(report.value(r, SH.sourceShape)))
            for r in report.objects(None, SH.result)
            if report.value(r, SH.resultSeverity) == SH.Violation
        )

    assert shapes_of(alone.stdout) == [
        (str(GRAPH.goal), str(IMTSH.NamedGraphShape)),
        (str(GRAPH.goal), str(IMTSH["NamedGraphShape-wasDerivedFrom"])),
        (ID + "test/cli/goal", str(IMTSH.DanglingReferenceShape)),
        (ID + "test/cli/goal", str(IMTSH["DataResourceShape-statedBy-class"])),
    ]
    assert shapes_of(shipped.stdout) == [
        (str(GRAPH.goal), str(IMTSH.NamedGraphShape)),
        (str(GRAPH.goal), str(IMTSH["NamedGraphShape-wasDerivedFrom"])),
    ]


def test_trig_keeps_its_named_graphs(runner, tmp_path):
    """A TriG file's named graphs are validated as such: an uncatalogued one is reported."""
    trig = write(
        tmp_path,
        "facts.trig",
        PREFIXES + "<https://w3id.org/imt-kg/graph/trig-facts> {\n"
        '    id:test\\/cli\\/town a imt:City ; rdfs:label "Town"@en , "Bourg"@fr .\n}\n',
    )
    result = runner.invoke(main, ["validate", str(trig)])
    assert result.exit_code == 1
    assert result.output.splitlines()[:3] == [
        "SHACL validation: the data does NOT conform (2 violations, 0 warnings).",
        "",
        "graph:trig-facts",
    ]
    assert f"in graph:trig-facts ({trig.resolve()}); imtsh:NamedGraphShape " in result.output


def test_owl_rl_inconsistencies_are_reported_with_status_1(runner, tmp_path, city_files):
    """A resource of two disjoint classes is an OWL RL inconsistency, listed with its triples."""
    both = write(
        tmp_path,
        "city.ttl",
        PREFIXES + "id:test\\/cli\\/both a foaf:Person , imt:City ;\n"
        '    rdfs:label "Both"@en , "Les deux"@fr .\n',
    )
    result = runner.invoke(main, ["validate", str(both), str(city_files[1])])
    assert result.exit_code == 1
    assert result.output.startswith(
        "SHACL validation: the data conforms (0 violations, 0 warnings)."
    )
    assert result.output.endswith(
        "OWL RL inconsistencies (1):\n"
        "  cax-adc: id:test/cli/both is an instance of foaf:Person and of schema:Place, disjoint "
        "classes (owl:AllDisjointClasses)\n"
        "      id:test/cli/both rdf:type foaf:Person  in graph:city\n"
        "      id:test/cli/both rdf:type imt:City  in graph:city\n"
    )


def test_unreadable_file_gives_status_2_with_file_and_line(runner, tmp_path):
    """A syntax error stops validation with status 2 and names the file, line and column."""
    broken = write(
        tmp_path, "broken.ttl", PREFIXES + "\nid:a imt:b id:c .\nid:d imt:e id:f id:g .\n"
    )
    result = runner.invoke(main, ["validate", str(broken)])
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr == (
        f"error: {broken}:8:17: Turtle syntax error: A dot is expected at the end of statements\n"
    )


@pytest.mark.parametrize(
    "name,message",
    [
        ("data.csv", "unknown RDF file type '.csv'"),
        ("missing.ttl", "cannot read file: No such file or directory"),
    ],
)
def test_unknown_or_missing_file_gives_status_2(runner, tmp_path, name, message):
    """A file that is not RDF by its suffix, or does not exist, gives status 2 and says why."""
    path = tmp_path / name
    if name.endswith(".csv"):
        path.write_text("a,b\n", encoding="utf-8")
    result = runner.invoke(main, ["validate", str(path)])
    assert result.exit_code == 2
    assert result.stderr.startswith(f"error: {path}: {message}")
