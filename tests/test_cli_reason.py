"""``imtkg reason FILES``: the OWL 2 RL inferences and clash check of a person's files only.

Exact inferred triples for a small ontology (each engine, each format), clashes on standard
error with exit status 1, a syntax error with status 2 naming file and line, a declining forced
engine with status 3.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from rdflib import Dataset, URIRef
from rdflib.namespace import OWL, RDF, RDFS

from imtkg.cli import main
from imtkg.rdf.reading import parse_file, parse_text
from imtkg.reasoning.closure import reason

EX = "http://example.org/"
ONTOLOGY = """@prefix ex: <http://example.org/> .
@prefix owl: <http://www.w3.org/2002/07/owl#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
ex:Student rdfs:subClassOf ex:Person .
ex:Person owl:disjointWith ex:Building .
ex:attends rdfs:domain ex:Student ; owl:inverseOf ex:hasStudent .
ex:alice ex:attends ex:school .
"""
CLASH = "<http://example.org/alice> a <http://example.org/Building> .\n"


def ex(name: str) -> URIRef:
    """Return the IRI ``ex:name``."""
    return URIRef(EX + name)


#: what OWL 2 RL adds to ONTOLOGY, without the noise (owl:Thing, reflexive axioms...)
INFERRED = {
    (ex("alice"), RDF.type, ex("Student")),  # prp-dom
    (ex("alice"), RDF.type, ex("Person")),  # cax-sco
    (ex("school"), ex("hasStudent"), ex("alice")),  # prp-inv1
    (ex("attends"), RDFS.domain, ex("Person")),  # scm-dom1
}


def write(folder: Path, name: str, text: str) -> Path:
    """Write a file of the test and return its path."""
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def run(*args: str | Path, stdin: str | None = None):
    """Run ``imtkg reason ARGS`` in process (stdout and stderr kept apart)."""
    return CliRunner().invoke(main, ["reason", *map(str, args)], input=stdin)


@pytest.fixture()
def ontology(tmp_path) -> Path:
    """The small ontology, as a Turtle file."""
    return write(tmp_path, "ontology.ttl", ONTOLOGY)


@pytest.mark.parametrize("engine", ["auto", "fast", "owlrl"])
@pytest.mark.parametrize("fmt", ["nt", "turtle", "json-ld"])
def test_inferred_triples_of_the_files_only(ontology, engine, fmt):
    """The inferred triples of the file and nothing of the project, the same from each engine,
    in each RDF format; status 0 (consistent), nothing on standard error."""
    result = run("--engine", engine, "--format", fmt, ontology)
    assert result.exit_code == 0, result.output
    assert set(parse_text(result.stdout, fmt).default_graph) == INFERRED
    assert result.stderr == ""


def test_turtle_is_the_default_with_files_and_uses_prefixes(ontology):
    """With FILES the default format is Turtle, with only the prefixes it needs."""
    result = run(ontology)
    assert result.exit_code == 0
    assert result.stdout.splitlines()[:2] == [
        "@prefix rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#> .",
        "@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .",
    ]
    assert set(parse_text(result.stdout, "turtle").default_graph) == INFERRED


def test_text_lists_one_triple_a_line_in_order(ontology):
    """--format text: each inferred triple on its line, sorted."""
    result = run("--format", "text", ontology)
    assert result.exit_code == 0
    assert result.stdout == (
        "<http://example.org/alice> rdf:type <http://example.org/Person>\n"
        "<http://example.org/alice> rdf:type <http://example.org/Student>\n"
        "<http://example.org/attends> rdfs:domain <http://example.org/Person>\n"
        "<http://example.org/school> <http://example.org/hasStudent> <http://example.org/alice>\n"
    )


def test_summary_counts_per_predicate(ontology):
    """--format summary: how many, which engine, then the count per predicate."""
    result = run("--format", "summary", ontology)
    lines = result.stdout.splitlines()
    assert lines[0].startswith("4 inferred triples in ") and lines[0].endswith("(engine: fast)")
    assert lines[1:] == [
        "       2  rdf:type",
        "       1  <http://example.org/hasStudent>",
        "       1  rdfs:domain",
    ]


@pytest.mark.parametrize("engine", ["auto", "owlrl"])
def test_full_closure_keeps_the_noise(ontology, engine):
    """--full prints the whole closure: the filtered inferences and the tautologies (eq-ref)."""
    result = run("--full", "--engine", engine, "--format", "nt", ontology)
    assert result.exit_code == 0, result.output
    closure = set(parse_text(result.stdout, "nt").default_graph)
    assert INFERRED < closure
    assert (ex("alice"), OWL.sameAs, ex("alice")) in closure
    asserted = set(parse_file(Path(ontology)))
    assert not closure & asserted


def test_clash_exits_1_naming_the_rule_and_triples(tmp_path, ontology):
    """A member of two disjoint classes: status 1, the inferences still printed, the clash on
    standard error with its rule, its triples and the asserted triples (and files) behind."""
    clash = write(tmp_path, "clash.ttl", CLASH)
    result = run("--format", "nt", ontology, clash)
    assert result.exit_code == 1
    assert set(parse_text(result.stdout, "nt").default_graph) == INFERRED
    lines = result.stderr.splitlines()
    assert lines[:2] == [
        "1 inconsistencies:",
        "cax-dw: <http://example.org/alice> is an instance of <http://example.org/Person> and of "
        "<http://example.org/Building>, disjoint classes (owl:disjointWith)",
    ]
    assert (
        "  offending triple: <http://example.org/alice> rdf:type <http://example.org/Building>"
        in lines
    )
    assert (
        "  stated as: <http://example.org/alice> rdf:type <http://example.org/Building>  "
        f"(in <{clash.resolve().as_uri()}>)" in lines
    )


def test_clash_found_by_owlrl_is_named_too(tmp_path, ontology):
    """The owlrl engine's clashes are read back into the same rule names."""
    clash = write(tmp_path, "clash.ttl", CLASH)
    result = run("--engine", "owlrl", "--format", "nt", ontology, clash)
    assert result.exit_code == 1
    assert result.stderr.splitlines()[1].startswith("cax-dw: Disjoint classes ")


def test_syntax_error_exits_2_naming_file_and_line(tmp_path, monkeypatch):
    """A Turtle syntax error: status 2, file, line and column on standard error."""
    monkeypatch.chdir(tmp_path)
    write(tmp_path, "bad.ttl", "<http://example.org/a> <http://example.org/p> .\n")
    result = run("bad.ttl")
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr.startswith("error: bad.ttl:1:47: Turtle syntax error: ")


def dataset_of(path: Path) -> Dataset:
    """Return the dataset ``imtkg reason`` reads from one Turtle file."""
    dataset = Dataset()
    parse_file(path, dataset.graph(URIRef(path.resolve().as_uri())))
    return dataset


@pytest.mark.parametrize("full", [False, True])
def test_forced_fast_engine_declines_or_answers_as_the_api_does(tmp_path, full):
    """Input with owl:sameAs, the closure filtered or whole: the forced fast engine either
    declines it as the reasoning API does (status 3, the API's reason on standard error) or
    answers exactly the API's inferences (status 0)."""
    same = write(
        tmp_path,
        "same.ttl",
        "@prefix ex: <http://example.org/> . @prefix owl: <http://www.w3.org/2002/07/owl#> .\n"
        "ex:a owl:sameAs ex:b . ex:a ex:p ex:c .\n",
    )
    result = run("--engine", "fast", "--format", "nt", *(["--full"] if full else []), same)
    try:
        expected = reason(dataset_of(same), full=full, engine="fast")
    except ValueError as exc:
        assert (result.exit_code, result.stdout, result.stderr) == (3, "", f"error: {exc}\n")
        return
    if expected.engine != "fast":
        assert result.exit_code == 3
        assert result.stderr.startswith("error: the fast engine does not compute the whole")
        return
    assert result.exit_code == 0, result.output
    assert set(parse_text(result.stdout, "nt").default_graph) == expected.inferred
    assert (ex("b"), ex("p"), ex("c")) in expected.inferred


def test_a_declining_engine_gives_status_3(monkeypatch, ontology):
    """When the reasoning API refuses a forced engine (a ValueError naming the construct), the
    command prints it and exits 3 (simulated: the fast engine is being extended to every OWL 2
    RL rule, so real input it refuses may soon not exist)."""
    import imtkg.cli.reason as command

    def declining(dataset, full=False, engine="auto"):
        raise ValueError("the fast engine cannot reason over this input: it uses ex:construct")

    monkeypatch.setattr(command, "run_reasoning", declining)
    result = run("--engine", "fast", ontology)
    assert (result.exit_code, result.stdout) == (3, "")
    assert result.stderr == (
        "error: the fast engine cannot reason over this input: it uses ex:construct\n"
    )


def test_standard_input_is_read_as_turtle():
    """``-`` reads Turtle from standard input."""
    result = run("--format", "nt", "-", stdin=ONTOLOGY)
    assert result.exit_code == 0, result.output
    assert set(parse_text(result.stdout, "nt").default_graph) == INFERRED


def test_exit_statuses_of_the_real_command(tmp_path, ontology):
    """The command run as a process exits 0, 1 and 2 as documented (3: see above)."""
    clash = write(tmp_path, "clash.ttl", CLASH)
    bad = write(tmp_path, "bad.ttl", "<http://example.org/a> .\n")

    def status(*args: str | Path) -> tuple[int, str]:
        done = subprocess.run(
            [sys.executable, "-m", "imtkg.cli", "reason", *map(str, args)],
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        return done.returncode, done.stderr

    assert status(ontology) == (0, "")
    code, stderr = status(ontology, clash)
    assert code == 1 and "cax-dw: " in stderr
    code, stderr = status(bad)
    assert code == 2 and stderr.startswith(f"error: {bad}:1:"), stderr
    assert status("--engine", "owlrl", "--format", "nt", ontology)[0] == 0
