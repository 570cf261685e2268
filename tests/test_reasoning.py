"""OWL RL reasoning: the fast engine against owlrl, the noise filter, inconsistencies, the cache."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner
from rdflib import BNode, Literal, Namespace, URIRef
from rdflib.namespace import FOAF, OWL, RDF, RDFS, XSD

from imtkg.cli import main
from imtkg.core.namespaces import GRAPH, ID, IMT, INFERRED_GRAPH, ORG, SCHEMA
from imtkg.data.dataset import graph_files, load_dataset, ontology_files
from imtkg.reasoning import closure as reasoning
from imtkg.reasoning import closure_cache
from imtkg.reasoning.closure import asserted_triples, compute_inferences, is_noise, reason
from imtkg.reasoning.closure_cache import ClosureCache, add_inferred_graph_cached, cache_key
from imtkg.reasoning.consistency import (
    InconsistentGraphError,
    find_inconsistencies,
    inconsistencies_of,
)
from imtkg.reasoning.rl_reasoner import unsupported_constructs
from imtkg.web.app import create_app

DATA = Path(__file__).resolve().parent / "data" / "reasoning"
EX = Namespace("http://example.org/rules#")
BAD = Namespace("http://example.org/inconsistent#")
UNS = Namespace("http://example.org/unsupported#")

#: what the OWL 2 RL rules add to tests/data/reasoning/rules, worked out by hand
RULES_FIXTURE_INFERENCES = {
    (EX.A, RDFS.subClassOf, EX.C),  # scm-sco
    (EX.D, RDFS.subClassOf, EX.E),  # scm-eqc1
    (EX.E, RDFS.subClassOf, EX.D),  # scm-eqc1
    (EX.E, OWL.equivalentClass, EX.D),  # scm-eqc2
    (EX.e1, RDFS.subPropertyOf, EX.e2),  # scm-eqp1
    (EX.e2, RDFS.subPropertyOf, EX.e1),  # scm-eqp1
    (EX.e2, OWL.equivalentProperty, EX.e1),  # scm-eqp2
    (EX.q, RDFS.domain, EX.B),  # scm-dom1
    (EX.q, RDFS.domain, EX.C),  # scm-dom1
    (EX.p, RDFS.domain, EX.A),  # scm-dom2
    (EX.p, RDFS.domain, EX.B),  # scm-dom2
    (EX.p, RDFS.domain, EX.C),  # scm-dom2
    (EX.rInv, RDFS.range, EX.E),  # scm-rng1
    (EX.x1, EX.q, EX.x2),  # prp-spo1
    (EX.x1, RDF.type, EX.A),  # prp-dom
    (EX.x1, RDF.type, EX.B),  # cax-sco
    (EX.x1, RDF.type, EX.C),  # cax-sco
    (EX.x3, EX.rInv, EX.x2),  # prp-inv1
    (EX.x2, RDF.type, EX.D),  # prp-rng
    (EX.x2, RDF.type, EX.E),  # cax-eqc1
    (EX.x7, RDF.type, EX.E),  # cax-eqc1
    (EX.x9, RDF.type, EX.D),  # prp-rng on "v" ex:rInv ex:x9 (not RDF itself)
    (EX.x9, RDF.type, EX.E),  # cax-eqc1
    (EX.x3, EX.t, EX.x5),  # prp-trp
    (EX.x6, EX.s, EX.x1),  # prp-symp
    (EX.x1, EX.chained, EX.x4),  # prp-spo2 (p r t)
    (EX.x1, EX.chained, EX.x5),  # prp-spo2 (p r t, with the transitive t)
    (EX.x1, EX.e2, EX.x8),  # prp-eqp1
}


def fixture(name: str, shipped_ontology: bool = False):
    """Load the reasoning fixture ``name`` (with the shipped ontology if asked)."""
    ontology = None if shipped_ontology else DATA / name / "ontology"
    return load_dataset(ontology, DATA / name / "graph")


@pytest.fixture(scope="module")
def shipped():
    """The shipped ontology and graph, without inferences."""
    return load_dataset()


def test_fast_engine_gives_owlrls_inferred_graph_on_the_shipped_graph(shipped):
    """On the shipped data the fast engine and owlrl give the same filtered inferred graph."""
    fast = reason(shipped, engine="fast")
    reference = reason(shipped, engine="owlrl")
    assert (fast.engine, reference.engine) == ("fast", "owlrl")
    assert fast.inferred == reference.inferred
    assert (ID["mines-nancy"], ORG.memberOf, ID["imt-grand-est"]) in fast.inferred
    assert fast.violations == [] and reference.owlrl_errors == []


def test_fast_engine_applies_each_rule_like_owlrl():
    """On a fixture with one axiom per rule both engines infer exactly the hand-derived triples."""
    dataset = fixture("rules")
    assert reason(dataset, engine="fast").inferred == RULES_FIXTURE_INFERENCES
    assert reason(dataset, engine="owlrl").inferred == RULES_FIXTURE_INFERENCES


def test_inferred_graph_holds_no_asserted_triple_and_no_noise(kg):
    """graph:inferred of the shipped graph repeats no asserted triple and holds no noise."""
    inferred = set(kg.dataset.graph(INFERRED_GRAPH))
    asserted = asserted_triples(kg.dataset)
    assert inferred and not inferred & asserted
    assert [t for t in inferred if is_noise(t)] == []
    assert not any(t[2] == OWL.Thing or t[1] == OWL.sameAs for t in inferred)


@pytest.mark.parametrize(
    ("triple", "noise"),
    [
        ((ID.x, OWL.sameAs, ID.x), True),
        ((ID.x, RDF.type, OWL.Thing), True),
        ((IMT.School, RDFS.subClassOf, OWL.Thing), True),
        ((IMT.School, RDFS.subClassOf, IMT.School), True),
        ((IMT.School, OWL.equivalentClass, IMT.School), True),
        ((IMT.hasSchool, RDFS.subPropertyOf, IMT.hasSchool), True),
        ((IMT.hasSchool, OWL.equivalentProperty, IMT.hasSchool), True),
        ((IMT.value, RDFS.domain, OWL.Thing), True),
        ((XSD.decimal, RDF.type, RDFS.Datatype), True),
        ((RDFS.label, RDF.type, OWL.AnnotationProperty), True),
        ((OWL.Nothing, RDFS.subClassOf, IMT.School), True),
        ((Literal("3.0", datatype=XSD.decimal), RDF.type, XSD.decimal), True),
        ((IMT.hasSchool, RDF.type, OWL.ObjectProperty), True),
        ((ID.x, BNode(), ID.y), True),
        ((ID.x, RDF.type, IMT.School), False),
        ((IMT.EngineeringSchool, RDFS.subClassOf, ORG.Organization), False),
        ((IMT.isSchoolOf, RDFS.domain, ORG.Organization), False),
        ((ID.x, ORG.memberOf, ID.x), False),
        ((ID.figure, SCHEMA.value, Literal("3.0", datatype=XSD.decimal)), False),
    ],
)
def test_noise_filter(triple, noise):
    """Tautologies, built-in vocabulary and non-RDF triples are noise; knowledge is not."""
    assert is_noise(triple) is noise


def test_full_closure_keeps_what_the_filter_drops():
    """``full`` keeps owlrl's whole closure: the filtered triples plus the tautologies."""
    dataset = fixture("rules")
    full = set(compute_inferences(dataset, full=True))
    assert RULES_FIXTURE_INFERENCES < full
    assert {(EX.A, RDFS.subClassOf, OWL.Thing), (EX.x1, RDF.type, OWL.Thing)} <= full
    assert (EX.A, RDFS.subClassOf, EX.A) in full
    assert not any(isinstance(s, Literal) for s, _, _ in full)


def test_auto_reasons_with_the_fast_engine_on_any_vocabulary():
    """A functional property (prp-fp) is the fast engine's too: ``auto`` no longer hands it to
    owlrl, and both engines infer the same sameAs pair."""
    dataset = fixture("unsupported")
    result = reason(dataset)
    assert (result.engine, result.fallback) == ("fast", [])
    assert result.inferred == {(UNS.hq1, OWL.sameAs, UNS.hq2), (UNS.hq2, OWL.sameAs, UNS.hq1)}
    assert reason(dataset, engine="owlrl").inferred == result.inferred
    with pytest.raises(ValueError, match="unknown reasoning engine"):
        reason(dataset, engine="pellet")


@pytest.mark.parametrize(
    "triple",
    [
        (ID.a, OWL.sameAs, ID.b),
        (ID.r, RDF.type, OWL.Restriction),
        (OWL.Thing, RDFS.subClassOf, IMT.School),
        (IMT.School, RDFS.subClassOf, OWL.Nothing),
    ],
)
def test_no_construct_is_unsupported(triple):
    """What the engine used to hand to owlrl is its own now: nothing is named unsupported."""
    assert unsupported_constructs([triple]) == []


def test_inconsistencies_name_rule_triples_and_sources():
    """The fixture's three problems are found with their rule, offending triples and sources."""
    dataset = fixture("inconsistent", shipped_ontology=True)
    found = {(i.rule, i.triples[-1][0]): i for i in find_inconsistencies(dataset)}
    # the ill-typed "2025-02-30T10:00:00"^^xsd:dateTime is no clash: nothing types it, and
    # dt-not-type needs ``lt rdf:type dt`` (owlrl reports the bare literal; the tables do not)
    assert set(found) == {("cax-adc", BAD.school), ("cax-adc", BAD.fair)}

    school = found[("cax-adc", BAD.school)]
    assert school.triples[1:] == (
        (BAD.school, RDF.type, FOAF.Person),
        (BAD.school, RDF.type, ORG.Organization),
    )
    assert school.triples[0][1] == OWL.members  # the owl:AllDisjointClasses axiom
    assert school.message == (
        "<http://example.org/inconsistent#school> is an instance of foaf:Person and of "
        "org:Organization, disjoint classes (owl:AllDisjointClasses)"
    )
    assert school.grounds == (
        ((BAD.school, RDF.type, FOAF.Person), (GRAPH.people,)),
        ((BAD.school, RDF.type, IMT.EngineeringSchool), (GRAPH.schools,)),
    )

    fair = found[("cax-adc", BAD.fair)]
    assert fair.triples[1:] == (
        (BAD.fair, RDF.type, SCHEMA.Event),
        (BAD.fair, RDF.type, SCHEMA.Place),
    )
    hydrogen = URIRef(str(ID) + "concept/field/hydrogen")
    assert fair.grounds == (
        ((BAD.fair, RDF.type, IMT.Exhibition), (GRAPH.schools,)),
        ((BAD.fair, IMT.keySector, hydrogen), (GRAPH.schools,)),
    )


def test_owlrl_reports_the_same_inconsistencies():
    """owlrl, the reference, finds the same three problems, and infers the same triples."""
    dataset = fixture("inconsistent", shipped_ontology=True)
    owlrl_run = reason(dataset, engine="owlrl")
    assert owlrl_run.inferred == reason(dataset, engine="fast").inferred
    reference = inconsistencies_of(owlrl_run, dataset)
    assert sorted((i.rule, i.triples) for i in reference) == [
        ("cax-dw", ((BAD.fair, RDF.type, SCHEMA.Event), (BAD.fair, RDF.type, SCHEMA.Place))),
        ("cax-dw", ((BAD.school, RDF.type, FOAF.Person), (BAD.school, RDF.type, ORG.Organization))),
        ("dt-not-type", ()),
    ]


def test_shipped_graph_is_consistent(shipped):
    """The shipped ontology and data contradict nothing."""
    assert find_inconsistencies(shipped) == []


def test_server_refuses_to_start_on_an_inconsistent_graph():
    """create_app raises InconsistentGraphError naming the offending triples and their graphs."""
    with pytest.raises(InconsistentGraphError) as error:
        create_app({"GRAPH_DIR": DATA / "inconsistent" / "graph", "WORKERS": 1})
    message = str(error.value)
    assert message.startswith("the knowledge graph is inconsistent under OWL 2 RL (2 problems)")
    assert (
        "  offending triple: <http://example.org/inconsistent#school> rdf:type foaf:Person"
        in message.splitlines()
    )
    assert (
        "  stated as: <http://example.org/inconsistent#school> rdf:type imt:EngineeringSchool"
        "  (in graph:schools)" in message.splitlines()
    )


def test_cache_is_written_then_served(tmp_path, monkeypatch):
    """A second load reads the inferred graph from the cache instead of reasoning."""
    files = rules_files()
    first = fixture("rules")
    assert add_inferred_graph_cached(first, files, tmp_path) == []
    written = list(tmp_path.glob("closure-*.nt"))
    assert [p.name for p in written] == [f"closure-{cache_key(files)}.nt"]

    monkeypatch.setattr(closure_cache, "reason", _must_not_reason)
    second = fixture("rules")
    assert add_inferred_graph_cached(second, files, tmp_path) == []
    assert set(second.graph(INFERRED_GRAPH)) == RULES_FIXTURE_INFERENCES


def rules_files() -> list[Path]:
    """The files of the rules fixture (the cache key's input)."""
    return [*ontology_files(DATA / "rules" / "ontology"), *graph_files(DATA / "rules" / "graph")]


def _must_not_reason(*args, **kwargs):
    raise AssertionError("the cache should have answered")


@pytest.mark.parametrize(
    "damage",
    [
        lambda data: data[: len(data) // 2],  # a partial write
        lambda data: data.replace(b"rules#x1", b"rules#xX", 1),  # a changed triple
        lambda data: b"not a cache file\n" + data,  # a foreign header
        lambda data: b"",  # an empty file
    ],
)
def test_corrupt_cache_is_detected_deleted_and_rebuilt(tmp_path, damage):
    """A damaged cache file is never served: it is replaced by a fresh, complete one."""
    files = rules_files()
    key = cache_key(files)
    good = fixture("rules")
    add_inferred_graph_cached(good, files, tmp_path)
    path = ClosureCache(tmp_path).path(key)
    original = path.read_bytes()
    path.write_bytes(damage(original))
    assert ClosureCache(tmp_path).load(key) is None
    assert not path.exists()
    again = fixture("rules")
    add_inferred_graph_cached(again, files, tmp_path)
    assert set(again.graph(INFERRED_GRAPH)) == RULES_FIXTURE_INFERENCES
    assert path.read_bytes() == original


def test_cache_key_changes_with_inputs_and_code(tmp_path, monkeypatch):
    """Editing an input file or the reasoning code changes the key."""
    source = tmp_path / "data.ttl"
    source.write_text("<urn:a> <urn:b> <urn:c> .\n", encoding="utf-8")
    before = cache_key([source])
    source.write_text("<urn:a> <urn:b> <urn:d> .\n", encoding="utf-8")
    after_edit = cache_key([source])
    monkeypatch.setattr(closure_cache, "code_version", lambda: "another engine")
    assert len({before, after_edit, cache_key([source])}) == 3
    assert cache_key([source], full=True) != cache_key([source])


def test_inconsistent_graph_is_not_cached(tmp_path):
    """The inferred graph of an inconsistent dataset is not written to the cache."""
    files = [*ontology_files(), *graph_files(DATA / "inconsistent" / "graph")]
    dataset = fixture("inconsistent", shipped_ontology=True)
    assert len(add_inferred_graph_cached(dataset, files, tmp_path)) == 2
    assert list(tmp_path.glob("closure-*")) == []


def test_cache_directory_from_the_environment(monkeypatch, tmp_path):
    """IMTKG_CACHE_DIR chooses the cache directory; ``off`` disables the cache."""
    monkeypatch.setenv("IMTKG_CACHE_DIR", str(tmp_path))
    assert closure_cache.default_cache_dir() == tmp_path
    monkeypatch.setenv("IMTKG_CACHE_DIR", "off")
    assert closure_cache.default_cache_dir() is None
    monkeypatch.delenv("IMTKG_CACHE_DIR")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    assert closure_cache.default_cache_dir() == tmp_path / "imtkg"


def test_reason_command_summarises_the_shipped_inferences(shipped):
    """``imtkg reason`` prints the number of inferences, the engine and counts per predicate."""
    expected = reason(shipped)
    result = CliRunner().invoke(main, ["reason"])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0].startswith(f"{len(expected.inferred)} inferred triples in ")
    assert lines[0].endswith(" s (engine: fast)")
    member_of = sum(1 for t in expected.inferred if t[1] == ORG.memberOf)
    assert f"  {member_of:>6}  org:memberOf" in lines


def test_reason_command_prints_the_triples(shipped):
    """``imtkg reason --format ntriples`` prints exactly the inferred triples."""
    result = CliRunner().invoke(main, ["reason", "--format", "ntriples"])
    assert result.exit_code == 0
    printed = {line for line in result.output.splitlines() if line.strip()}
    assert len(printed) == len(reason(shipped).inferred)
    assert (
        "<https://w3id.org/imt-kg/id/mines-nancy> <http://www.w3.org/ns/org#memberOf> "
        "<https://w3id.org/imt-kg/id/imt-grand-est> ." in printed
    )


def test_add_inferred_graph_replaces_the_inferred_graph():
    """add_inferred_graph stores exactly the inferences, replacing a previous content."""
    dataset = fixture("rules")
    dataset.graph(INFERRED_GRAPH).add((EX.stale, EX.stale, EX.stale))
    reasoning.add_inferred_graph(dataset)
    assert set(dataset.graph(INFERRED_GRAPH)) == RULES_FIXTURE_INFERENCES


@pytest.mark.parametrize("name", ["rules", "shipped"])
def test_planned_rounds_derive_what_every_rule_derives(name, shipped, monkeypatch):
    """The per-predicate plans of a round (RLClosure._plan) give the closure, round by round,
    that passing every triple through every rule gives."""
    from imtkg.reasoning.rl_reasoner import RLClosure

    triples = asserted_triples(shipped if name == "shipped" else fixture("rules"))
    planned = RLClosure(triples).run()
    monkeypatch.setattr(RLClosure, "_plan", lambda self, p: None)
    general = RLClosure(triples).run()
    assert planned.rank == general.rank and len(planned.rank) > len(triples)
