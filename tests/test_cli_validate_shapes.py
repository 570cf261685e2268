"""``imtkg validate --shapes``: a person's files against a person's shapes, nothing else mixed in.

Exit statuses 0 (no violation), 1 (violations), 2 (unreadable input, unusable shapes), 3 (a
forced engine declines a feature); the standard report's results compared as sets of (focus
node, path, constraint component, severity, value); literals kept exactly as written.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pyoxigraph as ox
import pytest
import rdflib
from click.testing import CliRunner
from rdflib import Literal, URIRef
from rdflib.namespace import RDF, XSD

from imtkg.cli import main
from imtkg.core.namespaces import SH
from imtkg.core.paths import resource_dir, turtle_files
from imtkg.rdf.reading import literal, parse_file, parse_text

EX = "http://example.org/"
PREFIXES = """@prefix ex: <http://example.org/> .
@prefix sh: <http://www.w3.org/ns/shacl#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
"""
#: an ill-typed boolean beside a valid one: rdflib's normalisation would merge the two
BOOLEANS = PREFIXES + 'ex:a ex:p "none"^^xsd:boolean , "false"^^xsd:boolean .\n'
BOOLEAN_SHAPE = (
    PREFIXES
    + "ex:S a sh:NodeShape ; sh:targetSubjectsOf ex:p ;\n"
    + "  sh:property [ sh:path ex:p ; sh:datatype xsd:boolean ] .\n"
)
#: a person shape: a name required (violation), an age an integer, a mail recommended (warning)
PERSON_SHAPES = (
    PREFIXES
    + """ex:PersonShape a sh:NodeShape ; sh:targetClass ex:Person ;
  sh:property ex:PersonShape-name , ex:PersonShape-age , ex:PersonShape-mail .
ex:PersonShape-name sh:path ex:name ; sh:minCount 1 .
ex:PersonShape-age sh:path ex:age ; sh:datatype xsd:integer ; sh:maxCount 1 .
ex:PersonShape-mail sh:path ex:mail ; sh:minCount 1 ; sh:severity sh:Warning .
"""
)
PEOPLE = (
    PREFIXES
    + """ex:ann a ex:Person ; ex:name "Ann" ; ex:age 41 ; ex:mail "ann@example.org" .
ex:bob a ex:Person ; ex:age "forty"^^xsd:integer , 40 .
"""
)
ENGINES = ("auto", "oxigraph", "pyshacl")
#: a W3C SHACL test (data and shapes in one file) the Oxigraph engine declines
DECLINED_TEST = (
    Path(__file__).parent / "w3c" / "shacl-test-suite" / "sparql" / "component" / "optional-001.ttl"
)


def ex(name: str) -> URIRef:
    """Return the IRI ``ex:name``."""
    return URIRef(EX + name)


def write(folder: Path, name: str, text: str) -> Path:
    """Write a file of the test and return its path."""
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def run(*args: str | Path, stdin: str | None = None):
    """Run ``imtkg validate ARGS`` in process (stdout and stderr kept apart)."""
    return CliRunner().invoke(main, ["validate", *map(str, args)], input=stdin)


def results(report_text: str, fmt: str = "turtle") -> set[tuple]:
    """Return the results of a printed report: (focus, path, component, severity, value)."""
    report = parse_text(report_text, fmt).default_graph
    return {
        (
            report.value(r, SH.focusNode),
            report.value(r, SH.resultPath),
            report.value(r, SH.sourceConstraintComponent),
            report.value(r, SH.resultSeverity),
            report.value(r, SH.value),
        )
        for r in report.objects(None, SH.result)
    }


def conforms(report_text: str, fmt: str = "turtle") -> Literal | None:
    """Return the ``sh:conforms`` of the printed report's ``sh:ValidationReport``."""
    report = parse_text(report_text, fmt).default_graph
    node = report.value(None, RDF.type, SH.ValidationReport)
    return report.value(node, SH.conforms)


# -- literals as written -------------------------------------------------------------------------


@pytest.mark.filterwarnings("ignore:Parsing weird boolean:UserWarning")
def test_reader_keeps_an_ill_typed_literal_apart_from_a_valid_one(tmp_path):
    """``"none"^^xsd:boolean`` and ``"false"^^xsd:boolean`` stay two triples, texts as written."""
    graph = parse_file(write(tmp_path, "b.ttl", BOOLEANS))
    assert sorted(str(o) for o in graph.objects(ex("a"), ex("p"))) == ["false", "none"]
    assert rdflib.NORMALIZE_LITERALS is False
    assert [str(literal(text, str(XSD.integer))) for text in ("01", "+1", "1")] == ["01", "+1", "1"]


def test_token_whitespace_is_kept_and_the_literal_is_ill_typed():
    """rdflib collapses xsd:token whitespace whatever the setting: the reader keeps the text."""
    kept = literal(" a  b", str(XSD.token))
    assert str(kept) == " a  b" and kept.ill_typed is True
    assert kept == literal(" a  b", str(XSD.token)) != literal("a b", str(XSD.token))
    assert literal("a b", str(XSD.token)).ill_typed is False


def test_no_shipped_literal_relies_on_normalisation():
    """Every typed literal of the shipped files is already in rdflib's normal form, so reading
    them without normalisation changes nothing the project built on."""
    files = [*turtle_files(resource_dir("ontology")), *turtle_files(resource_dir("graph"))]
    files += turtle_files(resource_dir("shapes"))
    changed, typed = [], 0
    for path in files:
        for quad in ox.parse(path=path, format=ox.RdfFormat.TURTLE):
            term = quad.object
            if isinstance(term, ox.Literal) and not term.language:
                typed += 1
                normal = Literal(term.value, datatype=term.datatype.value, normalize=True)
                if str(normal) != term.value:
                    changed.append((path.name, term))
    assert typed > 400  # 467 when written
    assert changed == []


@pytest.mark.filterwarnings("ignore:Parsing weird boolean:UserWarning")
@pytest.mark.parametrize("engine", ENGINES)
def test_ill_typed_boolean_is_reported_by_each_engine(tmp_path, engine):
    """The datatype violation of ``"none"^^xsd:boolean`` is found by every engine, its value
    written as it was sent (rdflib's writer would print a bare ``none``)."""
    data = write(tmp_path, "data.ttl", BOOLEANS)
    shapes = write(tmp_path, "shapes.ttl", BOOLEAN_SHAPE)
    result = run("--shapes", shapes, "--engine", engine, "--format", "turtle", data)
    assert result.exit_code == 1, result.output
    none = Literal("none", datatype=XSD.boolean, normalize=False)
    assert results(result.stdout) == {
        (ex("a"), ex("p"), SH.DatatypeConstraintComponent, SH.Violation, none)
    }
    assert '"none"^^xsd:boolean' in result.stdout
    assert conforms(result.stdout) == Literal(False)


# -- reports and exit statuses -------------------------------------------------------------------


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("fmt", ["turtle", "json-ld"])
def test_violations_and_warnings_exit_1_with_the_standard_report(tmp_path, engine, fmt):
    """Violations give status 1 and the report's results, exactly; JSON-LD parses back alike."""
    data = write(tmp_path, "people.ttl", PEOPLE)
    shapes = write(tmp_path, "shapes.ttl", PERSON_SHAPES)
    result = run("-s", shapes, "--engine", engine, "--format", fmt, data)
    assert result.exit_code == 1, result.output
    forty = Literal("forty", datatype=XSD.integer, normalize=False)
    assert results(result.stdout, fmt) == {
        (ex("bob"), ex("name"), SH.MinCountConstraintComponent, SH.Violation, None),
        (ex("bob"), ex("age"), SH.DatatypeConstraintComponent, SH.Violation, forty),
        (ex("bob"), ex("age"), SH.MaxCountConstraintComponent, SH.Violation, None),
        (ex("bob"), ex("mail"), SH.MinCountConstraintComponent, SH.Warning, None),
    }


def test_warnings_alone_exit_0_but_the_report_does_not_conform(tmp_path):
    """The project's gate lets warnings pass (status 0), while the report's ``sh:conforms`` is
    the spec's: false, since the report has a result."""
    data = write(tmp_path, "ann.ttl", PREFIXES + 'ex:ann a ex:Person ; ex:name "Ann" .\n')
    shapes = write(tmp_path, "shapes.ttl", PERSON_SHAPES)
    result = run("-s", shapes, "--format", "turtle", data)
    assert result.exit_code == 0, result.output
    assert results(result.stdout) == {
        (ex("ann"), ex("mail"), SH.MinCountConstraintComponent, SH.Warning, None)
    }
    assert conforms(result.stdout) == Literal(False)


def test_conforming_data_exits_0_with_a_conforming_report(tmp_path):
    """No result at all: status 0, ``sh:conforms true``, and the text says so."""
    data = write(
        tmp_path, "ann.ttl", PREFIXES + 'ex:ann a ex:Person ; ex:name "Ann" ; ex:mail "a" .'
    )
    shapes = write(tmp_path, "shapes.ttl", PERSON_SHAPES)
    turtle = run("-s", shapes, "--format", "turtle", data)
    assert turtle.exit_code == 0 and results(turtle.stdout) == set()
    assert conforms(turtle.stdout) == Literal(True)
    text = run("-s", shapes, data)
    assert text.exit_code == 0
    assert text.stdout == "SHACL validation: the data conforms (0 violations, 0 warnings).\n"
    assert text.stderr == "(engine: oxigraph, inference: none)\n"


def test_text_report_names_the_file(tmp_path, monkeypatch):
    """The readable listing gives each result's severity, path, value and the file stating it."""
    monkeypatch.chdir(tmp_path)
    data = write(tmp_path, "people.ttl", PEOPLE)
    shapes = write(tmp_path, "shapes.ttl", PERSON_SHAPES)
    result = run("-s", shapes, data)
    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    assert lines[0] == "SHACL validation: the data does NOT conform (3 violations, 1 warning)."
    assert lines[2] == "<http://example.org/bob>"
    assert '  Violation <http://example.org/age> = "forty"^^xsd:integer' in lines
    assert lines[-1] == (
        "            in people.ttl; <http://example.org/PersonShape-mail> "
        "(sh:MinCountConstraintComponent)"
    )
    assert sum(line.startswith("            in people.ttl; ") for line in lines) == 4


def test_shapes_from_several_files_and_formats(tmp_path):
    """Repeated --shapes are merged (Turtle and N-Triples here), and the data may be TriG."""
    shape = write(tmp_path, "node.ttl", PREFIXES + "ex:S sh:targetNode ex:a ; sh:property ex:P .")
    prop = write(
        tmp_path,
        "property.nt",
        f'<{EX}P> <{SH.path}> <{EX}q> .\n<{EX}P> <{SH.minCount}> "1"^^<{XSD.integer}> .\n',
    )
    data = write(tmp_path, "data.trig", PREFIXES + "ex:g { ex:a ex:p ex:b . }\n")
    result = run("-s", shape, "-s", prop, "--format", "turtle", data)
    assert result.exit_code == 1, result.output
    assert results(result.stdout) == {
        (ex("a"), ex("q"), SH.MinCountConstraintComponent, SH.Violation, None)
    }


def test_data_from_standard_input(tmp_path):
    """``-`` reads the data as Turtle from standard input."""
    shapes = write(tmp_path, "shapes.ttl", PERSON_SHAPES)
    result = run("-s", shapes, "--format", "turtle", "-", stdin=PREFIXES + "ex:x a ex:Person .")
    assert result.exit_code == 1, result.output
    assert {(r[0], r[1], r[3]) for r in results(result.stdout)} == {
        (ex("x"), ex("name"), SH.Violation),
        (ex("x"), ex("mail"), SH.Warning),
    }


def test_nothing_of_the_project_is_mixed_in(tmp_path):
    """The project's ontology is not added: a school is no higher education institution unless
    the files say so (with the ontology, ``ex:x`` would be a focus node and fail)."""
    data = write(
        tmp_path, "x.ttl", "<http://example.org/x> a <https://w3id.org/imt-kg/ontology#School> ."
    )
    shapes = write(
        tmp_path,
        "shapes.ttl",
        PREFIXES
        + "ex:S sh:targetClass <https://w3id.org/imt-kg/ontology#HigherEducationInstitution> ;"
        + " sh:property [ sh:path rdfs:label ; sh:minCount 1 ] .",
    )
    result = run("-s", shapes, "--format", "turtle", data)
    assert result.exit_code == 0, result.output
    assert results(result.stdout) == set()


@pytest.mark.parametrize("engine", ENGINES)
def test_inference_adds_what_rdfs_infers(tmp_path, engine):
    """--inference rdfs types ``ex:x`` from the domain of ``ex:attends``: then it is a focus node
    without a name; with no inference (the default) there is no focus node."""
    data = write(
        tmp_path,
        "d.ttl",
        PREFIXES + "ex:attends rdfs:domain ex:Person . ex:x ex:attends ex:school .",
    )
    shapes = write(tmp_path, "s.ttl", PERSON_SHAPES)
    plain = run("-s", shapes, "--engine", engine, "--format", "turtle", data)
    assert plain.exit_code == 0 and results(plain.stdout) == set()
    rdfs = run("-s", shapes, "--engine", engine, "--inference", "rdfs", "--format", "turtle", data)
    assert rdfs.exit_code == 1, rdfs.output
    assert {(r[0], r[1], r[3]) for r in results(rdfs.stdout)} == {
        (ex("x"), ex("name"), SH.Violation),
        (ex("x"), ex("mail"), SH.Warning),
    }


# -- errors --------------------------------------------------------------------------------------


@pytest.mark.parametrize("broken", ["data", "shapes"])
def test_turtle_syntax_error_exits_2_naming_file_and_line(tmp_path, monkeypatch, broken):
    """A syntax error in a data or shapes file: status 2, the file, line and column named."""
    monkeypatch.chdir(tmp_path)
    bad = PREFIXES + "ex:a ex:p ex:b ;\n  ex:q .\n"
    data = write(tmp_path, "data.ttl", bad if broken == "data" else BOOLEANS)
    shapes = write(tmp_path, "shapes.ttl", bad if broken == "shapes" else BOOLEAN_SHAPE)
    result = run("-s", "shapes.ttl", "data.ttl")
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr.startswith(f"error: {broken}.ttl:6:8: Turtle syntax error: ")
    assert data.exists() and shapes.exists()


def test_shapes_with_service_are_refused_with_status_2(tmp_path):
    """Shapes whose SPARQL would open a connection are refused before anything runs."""
    shapes = write(
        tmp_path,
        "s.ttl",
        PREFIXES
        + """ex:S a sh:NodeShape ; sh:targetNode ex:a ; sh:sparql [ sh:select \"\"\"
  SELECT $this WHERE { SERVICE <http://example.org/sparql> { $this ?p ?o } }\"\"\" ] .""",
    )
    data = write(tmp_path, "d.ttl", BOOLEANS)
    for engine in ENGINES:
        result = run("-s", shapes, "--engine", engine, data)
        assert result.exit_code == 2, result.output
        assert result.stderr.startswith("error: the shapes cannot be used: ")
        assert "SERVICE" in result.stderr


def test_forced_oxigraph_engine_declines_with_status_3():
    """W3C test sparql/component/optional-001 defines its own constraint component: the forced
    Oxigraph engine declines it (status 3, the feature named), auto hands it to pyshacl."""
    declined = run("-s", DECLINED_TEST, "--engine", "oxigraph", DECLINED_TEST)
    assert declined.exit_code == 3
    assert declined.stdout == ""
    assert declined.stderr == (
        "error: the oxigraph engine cannot validate this: sh:ConstraintComponent "
        "(http://datashapes.org/sh/tests/sparql/component/optional-001.test"
        "#TestConstraintComponent)\n"
    )
    auto = run("-s", DECLINED_TEST, "--format", "turtle", DECLINED_TEST)
    assert auto.exit_code == 1, auto.output
    assert auto.stderr == "(engine: pyshacl, inference: none)\n"


def test_option_misuse_is_a_usage_error(tmp_path):
    """--shapes needs data files and does not go with --with-shipped; --inference needs
    --shapes: each a usage error (status 2) saying so."""
    shapes = write(tmp_path, "s.ttl", BOOLEAN_SHAPE)
    data = write(tmp_path, "d.ttl", BOOLEANS)
    assert "give the data FILES" in run("-s", shapes).stderr
    assert "cannot go with --shapes" in run("-s", shapes, "--with-shipped", data).stderr
    assert "--inference goes with --shapes" in run("--inference", "rdfs", data).stderr
    assert {run("-s", shapes).exit_code, run("--inference", "rdfs", data).exit_code} == {2}


def test_exit_statuses_of_the_real_command(tmp_path):
    """The installed command, run as a process, exits 0, 1, 2 and 3 as documented."""
    good = write(tmp_path, "good.ttl", PREFIXES + 'ex:a ex:p "false"^^xsd:boolean .')
    wrong = write(tmp_path, "wrong.ttl", BOOLEANS)
    broken = write(tmp_path, "broken.ttl", PREFIXES + "ex:a ex:p .\n")
    shapes = write(tmp_path, "shapes.ttl", BOOLEAN_SHAPE)

    def status(*args: str | Path) -> tuple[int, str]:
        done = subprocess.run(
            [sys.executable, "-m", "imtkg.cli", "validate", *map(str, args)],
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        return done.returncode, done.stderr

    assert status("-s", shapes, good)[0] == 0
    assert status("-s", shapes, wrong)[0] == 1
    code, stderr = status("-s", shapes, broken)
    assert code == 2 and stderr.startswith(f"error: {broken}:5:11: Turtle syntax error"), stderr
    code, stderr = status("-s", DECLINED_TEST, "--engine", "oxigraph", DECLINED_TEST)
    assert code == 3 and "sh:ConstraintComponent" in stderr
