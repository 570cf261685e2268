"""A deterministic generator of synthetic IMT-like knowledge graphs, for benchmarks.

``generate(n_triples, seed)`` returns an :class:`rdflib.Dataset` shaped like the shipped one:
``graph:ontology`` (the shipped ontology), one named graph per synthetic source document
(``graph:synthetic-00001``...), and ``graph:sources``, the catalogue that describes each document
and links each graph to it. Every source describes one alliance of the network with the
patterns of the real data:

* organisations: an alliance or network, its founding partners (institution groups and
  universities shared across sources, so that graphs overlap), member schools (engineering and
  business schools) with a city, units (incubators, outreach centres) and governance bodies;
* memberships: ``imt:hasAllianceMember`` / ``imt:hasFoundingPartner`` links, ``imt:hasSchool``
  of the groups, and first-class ``org:Membership`` records with a role, a status and an
  ``org:memberDuring`` interval that begins at a dated ``time:Instant``;
* people: a director per school (``imt:isDirectorOf``, an ``org:Post``);
* events: an event with dates, one programme per school as sub-event, and workshops and
  conferences as sub-sub-events (``schema:subEvent`` / ``schema:superEvent``);
* rankings: entries of yearly editions of a few rankings, with ranks in a country;
* figures: counts and percentages about alliances, schools and events (``imt:Figure``).

Every resource has a French and an English label. IRIs live under ``id:synthetic/``; nothing
here is a fact about the real network. Sources are added until the dataset holds at least
``n_triples`` triples (ontology and catalogue included), so sizes are approximate (within one
source, about 300 triples). The same ``(n_triples, seed)`` always gives the same dataset (up to
the labels of the blank nodes of the ontology, which every parse draws anew).

``python bench/synthetic.py 100000 out/`` writes ``out/ontology`` and ``out/graph`` (N-Triples
in ``.ttl`` files, which are valid Turtle) for ``imtkg serve --ontology-dir/--graph-dir``.
"""

from __future__ import annotations

import argparse
import random
from collections.abc import Iterator
from pathlib import Path

from rdflib import Dataset, Literal, URIRef
from rdflib.graph import DATASET_DEFAULT_GRAPH_ID
from rdflib.namespace import DCTERMS, FOAF, PROV, RDF, RDFS, TIME, XSD

from imtkg.core.namespaces import GRAPH, ID, IMT, ONTOLOGY_GRAPH, ORG, SCHEMA
from imtkg.data.dataset import load_dataset, new_dataset, ontology_files
from imtkg.rdf.reading import parse_file

CONCEPT = ID["concept/"]
SYN = "synthetic/"
Quad = tuple[URIRef, URIRef, object, URIRef]

TOWNS = ("Brest", "Douai", "Nantes", "Rennes", "Lille", "Metz", "Albi", "Évry", "Gardanne")
COUNTRIES = ("France", "Germany", "Italy", "Spain")
RANKINGS = ("impact", "engineering", "employability")


def concept(path: str) -> URIRef:
    """Return the IRI of a concept of the project's vocabularies (``c:unit/count``...)."""
    return URIRef(CONCEPT + path)


def iri(kind: str, number: int) -> URIRef:
    """Return the IRI of the synthetic resource ``kind`` number ``number``."""
    return ID[f"{SYN}{kind}-{number:05d}"]


def labels(node: URIRef, fr: str, en: str, graph: URIRef) -> Iterator[Quad]:
    """Yield a French and an English label."""
    yield (node, RDFS.label, Literal(fr, lang="fr"), graph)
    yield (node, RDFS.label, Literal(en, lang="en"), graph)


class Generator:
    """Adds synthetic sources to a dataset, one alliance per source (see the module docstring)."""

    def __init__(self, seed: int) -> None:
        self.random = random.Random(seed)
        self.counters: dict[str, int] = {}
        self.groups: list[URIRef] = []
        self.universities: list[URIRef] = []
        self.schools: list[URIRef] = []
        self.countries: list[URIRef] = []
        self.editions: dict[tuple[str, int], URIRef] = {}
        #: the source document being written: every figure names it (imtsh:FigureShape-source)
        self.document: URIRef | None = None

    def new(self, kind: str) -> tuple[URIRef, int]:
        """Return a fresh IRI of ``kind`` and its number."""
        number = self.counters.get(kind, 0) + 1
        self.counters[kind] = number
        return iri(kind, number), number

    def shared(self, pool: list[URIRef], kind: str, make, g: URIRef) -> Iterator[Quad | URIRef]:
        """Yield the quads of a new shared resource (one time in four, or if none) and then it."""
        if not pool or self.random.random() < 0.25:
            node, number = self.new(kind)
            yield from make(node, number, g)
            pool.append(node)
            yield node
        else:
            yield self.random.choice(pool)

    # -- shared resources ----------------------------------------------------------------------

    def group(self, node: URIRef, n: int, g: URIRef) -> Iterator[Quad]:
        """Yield an institution group (a founding partner shared by several alliances)."""
        yield (node, RDF.type, IMT.InstitutionGroup, g)
        yield from labels(node, f"Groupe synthétique {n}", f"Synthetic group {n}", g)

    def university(self, node: URIRef, n: int, g: URIRef) -> Iterator[Quad]:
        """Yield a university (a founding partner shared by several alliances)."""
        yield (node, RDF.type, IMT.University, g)
        yield from labels(node, f"Université synthétique {n}", f"Synthetic university {n}", g)

    def country(self, node: URIRef, n: int, g: URIRef) -> Iterator[Quad]:
        """Yield a country (the scope of ranks)."""
        yield (node, RDF.type, IMT.Country, g)
        name = COUNTRIES[(n - 1) % len(COUNTRIES)]
        yield from labels(node, f"{name} {n}", f"{name} {n}", g)

    # -- one source ----------------------------------------------------------------------------

    def source(self, number: int, g: URIRef, catalogue: URIRef) -> Iterator[Quad]:
        """Yield the quads of source ``number`` (graph ``g``) and its catalogue entry."""
        rnd = self.random
        document = iri("source", number)
        self.document = document
        yield (document, RDF.type, IMT.SourceDocument, catalogue)
        fr, en = f"Document synthétique {number}", f"Synthetic document {number}"
        yield from labels(document, fr, en, catalogue)
        yield (document, DCTERMS.title, Literal(en, lang="en"), catalogue)
        issued = Literal(f"{2015 + number % 10}-01-01", datatype=XSD.date)
        yield (document, DCTERMS.issued, issued, catalogue)
        yield (g, RDF.type, IMT.SourceGraph, catalogue)
        fr, en = f"Faits du document {number}", f"Facts from document {number}"
        yield from labels(g, fr, en, catalogue)
        yield (g, PROV.wasDerivedFrom, document, catalogue)
        yield (g, DCTERMS.source, document, catalogue)

        alliance, n = self.new("alliance")
        yield (alliance, RDF.type, IMT.Network if n % 3 == 0 else IMT.Alliance, g)
        yield from labels(alliance, f"Alliance synthétique {n}", f"Synthetic alliance {n}", g)
        region, _ = self.new("region")
        yield (region, RDF.type, IMT.Region, g)
        yield from labels(region, f"Région {n}", f"Region {n}", g)
        yield (alliance, SCHEMA.areaServed, region, g)
        for area in rnd.sample(("training", "visibility", "collaborative-projects"), 2):
            yield (alliance, IMT.areaOfAction, concept(f"area/{area}"), g)

        partners: list[URIRef] = []
        for pool, kind, make in (
            (self.groups, "group", self.group),
            (self.universities, "university", self.university),
        ):
            *quads, partner = self.shared(pool, kind, make, g)
            yield from quads
            partners.append(partner)
        for partner in partners:
            yield (alliance, IMT.hasFoundingPartner, partner, g)
            yield from self.membership(partner, alliance, "founding-partner", number, g)

        start = f"{2000 + number % 25}-{1 + number % 12:02d}-{1 + number % 28:02d}"
        event, _ = self.new("event")
        yield (event, RDF.type, SCHEMA.Event, g)
        yield from labels(event, f"Semaine synthétique {n}", f"Synthetic week {n}", g)
        yield (event, SCHEMA.startDate, Literal(start, datatype=XSD.date), g)
        yield (event, SCHEMA.about, concept("theme/careers-in-industry"), g)

        members = [self.new("school")[0] for _ in range(rnd.randint(4, 7))]
        if self.schools and rnd.random() < 0.5:
            members.append(rnd.choice(self.schools))  # a school in two alliances
        group = partners[0]
        for school in members:
            if school in self.schools:  # already described by an earlier source
                yield (alliance, IMT.hasAllianceMember, school, g)
            else:
                yield from self.school(school, alliance, group, region, event, start, number, g)
        self.schools.extend(m for m in members if m not in self.schools)

        body, _ = self.new("governance-body")
        yield (body, RDF.type, IMT.Committee, g)
        yield from labels(body, f"Comité {n}", f"Committee {n}", g)
        yield (body, IMT.governs, alliance, g)
        yield from self.figure(alliance, "students", rnd.randint(500, 5000), document, g)
        yield from self.figure(alliance, "engineering-schools", len(members), document, g)
        yield from self.ranking(members, number, g)

    def membership(
        self, member: URIRef, organisation: URIRef, role: str, number: int, g: URIRef
    ) -> Iterator[Quad]:
        """Yield a membership record with a role, a status and a dated beginning."""
        record, n = self.new("membership")
        yield (record, RDF.type, ORG.Membership, g)
        yield from labels(record, f"Adhésion {n}", f"Membership {n}", g)
        yield (record, ORG.member, member, g)
        yield (record, ORG.organization, organisation, g)
        yield (record, ORG.role, concept(f"role/{role}"), g)
        status = "in-force" if n % 5 else "announced"
        yield (record, IMT.membershipStatus, concept(f"membership-status/{status}"), g)
        if status == "in-force":  # only a record in force gives org:memberOf (issue 14)
            yield (record, IMT.organizationInForce, organisation, g)
        interval, _ = self.new("interval")
        instant, _ = self.new("instant")
        yield (record, ORG.memberDuring, interval, g)
        yield (interval, RDF.type, TIME.Interval, g)
        yield from labels(interval, f"Depuis {2000 + n % 25}", f"Since {2000 + n % 25}", g)
        yield (interval, TIME.hasBeginning, instant, g)
        yield (instant, RDF.type, TIME.Instant, g)
        yield from labels(instant, f"{2000 + n % 25}", f"{2000 + n % 25}", g)
        yield (instant, TIME.inXSDgYear, Literal(str(2000 + n % 25), datatype=XSD.gYear), g)

    def school(
        self,
        school: URIRef,
        alliance: URIRef,
        group: URIRef,
        region: URIRef,
        event: URIRef,
        start: str,
        number: int,
        g: URIRef,
    ) -> Iterator[Quad]:
        """Yield a member school: its city, director, unit, programme and memberships."""
        rnd = self.random
        n = int(school[-5:])
        yield (school, RDF.type, IMT.BusinessSchool if n % 4 == 0 else IMT.EngineeringSchool, g)
        yield from labels(school, f"École synthétique {n}", f"Synthetic school {n}", g)
        yield (alliance, IMT.hasAllianceMember, school, g)
        if rnd.random() < 0.5:
            yield (group, IMT.hasSchool, school, g)
        if rnd.random() < 0.3:
            yield from self.membership(school, alliance, "member-school", number, g)
        city, _ = self.new("city")
        yield (city, RDF.type, IMT.City, g)
        town = TOWNS[n % len(TOWNS)]
        yield from labels(city, f"{town} {n}", f"{town} {n}", g)
        yield (city, SCHEMA.containedInPlace, region, g)
        yield (school, SCHEMA.location, city, g)

        person, _ = self.new("person")
        yield (person, RDF.type, FOAF.Person, g)
        yield (person, RDF.type, SCHEMA.Person, g)
        yield from labels(person, f"Directrice {n}", f"Director {n}", g)
        yield (person, IMT.isDirectorOf, school, g)
        post, _ = self.new("post")
        yield (person, ORG.holds, post, g)
        yield (post, RDF.type, ORG.Post, g)
        yield from labels(post, f"Direction de l'école {n}", f"Director of school {n}", g)
        yield (post, ORG.postIn, school, g)
        yield (post, ORG.role, concept("role/director"), g)

        unit, _ = self.new("unit")
        yield (unit, RDF.type, IMT.Incubator if n % 2 else IMT.ScienceOutreachCentre, g)
        yield from labels(unit, f"Unité {n}", f"Unit {n}", g)
        yield (unit, ORG.unitOf, school, g)

        programme, _ = self.new("event")
        yield (programme, RDF.type, IMT.EventProgramme, g)
        yield from labels(programme, f"Programme {n}", f"Programme {n}", g)
        yield (event, SCHEMA.subEvent, programme, g)
        yield (programme, SCHEMA.superEvent, event, g)
        yield (programme, SCHEMA.organizer, school, g)
        for kind in rnd.sample((IMT.Workshop, IMT.Conference, IMT.Visit), 2):
            talk, m = self.new("event")
            yield (talk, RDF.type, kind, g)
            yield from labels(talk, f"Séance {m}", f"Session {m}", g)
            yield (programme, SCHEMA.subEvent, talk, g)
            yield (talk, SCHEMA.superEvent, programme, g)
            yield (talk, SCHEMA.organizer, unit if m % 3 == 0 else school, g)
            yield (talk, SCHEMA.startDate, Literal(start, datatype=XSD.date), g)
            yield (talk, SCHEMA.location, city, g)
            yield (talk, SCHEMA.audience, concept("audience/students"), g)
        participants = rnd.randint(20, 2000)
        yield from self.figure(programme, "participants", participants, self.document, g)

    def figure(
        self, subject: URIRef, measure: str, value: int, document, g: URIRef
    ) -> Iterator[Quad]:
        """Yield a figure: a value of a measure about ``subject``, as stated."""
        figure, n = self.new("figure")
        yield (figure, RDF.type, IMT.Figure, g)
        yield from labels(figure, f"Chiffre {n} : {value}", f"Figure {n}: {value}", g)
        yield (figure, IMT.figureOf, subject, g)
        yield (subject, IMT.hasFigure, figure, g)
        yield (figure, IMT.measure, concept(f"measure/{measure}"), g)
        yield (figure, IMT.value, Literal(f"{value}.0", datatype=XSD.decimal), g)
        yield (figure, IMT.unit, concept("unit/count"), g)
        qualifier = "qualifier/more-than" if n % 2 else "qualifier/exact"
        yield (figure, IMT.qualifier, concept(qualifier), g)
        yield (figure, IMT.statedAs, Literal(f"{value}", lang="en"), g)
        if document is not None:
            yield (figure, DCTERMS.source, document, g)

    def ranking(self, members: list[URIRef], number: int, g: URIRef) -> Iterator[Quad]:
        """Yield ranking entries of some members in this year's edition of a ranking."""
        name = RANKINGS[number % len(RANKINGS)]
        year = 2015 + number % 10
        *quads, country = self.shared(self.countries, "country", self.country, g)
        yield from quads
        edition = self.editions.get((name, year))
        if edition is None:
            ranking = ID[f"{SYN}ranking-{name}"]
            edition = self.editions[(name, year)] = ID[f"{SYN}ranking-{name}-{year}"]
            yield (ranking, RDF.type, IMT.Ranking, g)
            yield from labels(ranking, f"Classement {name}", f"{name.title()} ranking", g)
            yield (edition, RDF.type, IMT.RankingEdition, g)
            fr, en = f"Classement {name} {year}", f"{name.title()} ranking {year}"
            yield from labels(edition, fr, en, g)
            yield (edition, IMT.editionOf, ranking, g)
            yield (edition, IMT.editionYear, Literal(str(year), datatype=XSD.gYear), g)
        for rank, school in enumerate(members[:3], start=1):
            entry, _ = self.new("ranking-entry")
            yield (entry, RDF.type, IMT.RankingEntry, g)
            yield from labels(entry, f"Entrée {entry[-5:]}", f"Entry {entry[-5:]}", g)
            yield (entry, IMT.inEdition, edition, g)
            yield (entry, IMT.rankedInstitution, school, g)
            yield (entry, IMT.rankInScope, Literal(str(rank), datatype=XSD.positiveInteger), g)
            yield (entry, IMT.rankScope, country, g)


def generate(n_triples: int, seed: int = 0, with_ontology: bool = True) -> Dataset:
    """Return a synthetic dataset of at least ``n_triples`` triples (see the module docstring).

    :param seed: the seed of the pseudo-random choices; the same seed gives the same dataset.
    :param with_ontology: include the shipped ontology as ``graph:ontology`` (counted).
    """
    dataset = new_dataset()
    total = 0
    if with_ontology:
        ontology = dataset.graph(ONTOLOGY_GRAPH)
        for path in ontology_files():
            parse_file(path, ontology)
        total = len(ontology)
    generator = Generator(seed)
    catalogue = GRAPH["sources"]
    number = 0
    while total < n_triples:
        number += 1
        g = GRAPH[f"synthetic-{number:05d}"]
        quads = list(generator.source(number, g, catalogue))
        before = len(dataset.graph(g)) + len(dataset.graph(catalogue))
        dataset.addN(quads)
        total += len(dataset.graph(g)) + len(dataset.graph(catalogue)) - before
    return dataset


def triple_count(dataset: Dataset) -> int:
    """Return the number of triples in the named graphs of ``dataset``."""
    return sum(len(g) for g in dataset.graphs() if g.identifier != DATASET_DEFAULT_GRAPH_ID)


def write_files(dataset: Dataset, directory: Path) -> tuple[Path, Path]:
    """Write ``dataset`` as ``directory/ontology/*.ttl`` and ``directory/graph/<slug>.ttl``.

    The files are N-Triples (valid Turtle, and quick to write and read).
    :returns: the ontology and graph folders, for ``load_dataset`` or ``imtkg serve``.
    """
    ontology_dir, graph_dir = directory / "ontology", directory / "graph"
    ontology_dir.mkdir(parents=True, exist_ok=True)
    graph_dir.mkdir(parents=True, exist_ok=True)
    for graph in dataset.graphs():
        if graph.identifier == DATASET_DEFAULT_GRAPH_ID or not len(graph):
            continue
        if graph.identifier == ONTOLOGY_GRAPH:
            target = ontology_dir / "ontology.ttl"
        else:
            target = graph_dir / f"{str(graph.identifier)[len(str(GRAPH)) :]}.ttl"
        graph.serialize(destination=target, format="nt", encoding="utf-8")
    return ontology_dir, graph_dir


def main() -> None:
    """Write a synthetic dataset to files: ``python bench/synthetic.py N OUT [--seed S]``."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("n_triples", type=int)
    parser.add_argument("out", type=Path)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    dataset = generate(args.n_triples, args.seed)
    ontology_dir, graph_dir = write_files(dataset, args.out)
    reloaded = load_dataset(ontology_dir, graph_dir)
    print(f"{triple_count(reloaded)} triples written to {ontology_dir} and {graph_dir}")


if __name__ == "__main__":
    main()
