"""The fast reasoner (``coopld.infer.Reasoner``) gives exactly the triples of owlrl
(``coopld.infer.OwlrlReasoner``, the reference): on the seed articles as the build maps them, on
generated articles, and on small graphs that exercise each kind of rule it implements; and it
refuses an ontology that uses OWL it does not implement.

The reference takes 0.1-0.8 s an article, so of the 1,000 generated articles a seeded sample is
compared by default (``COOPLD_INFERENCE_SAMPLE``, default 16; ``all`` compares all 1,000, about
ten minutes on one core, for a benchmark or a CI job that has them): an environment variable
rather than a marker, because it sets the size of one comparison rather than selecting tests,
and a marker would have to be registered in pyproject.toml."""

from __future__ import annotations

import itertools
import json
import os
import random
import re
from pathlib import Path

import pytest
from rdflib import Graph, URIRef
from rdflib.namespace import OWL, RDFS, XSD
from rdflib.term import Node

from coopld import infer
from coopld.build_inputs import Resources, load_resources
from coopld.config import load_settings
from coopld.errors import CoopldError
from coopld.infer import OwlrlReasoner, Reasoner
from coopld.mapping import record_to_graph
from tests.conftest import Built

GENERATED = int(os.environ.get("COOPLD_INFERENCE_GENERATED", "300"))  # every generator path occurs in 300
SAMPLE = os.environ.get("COOPLD_INFERENCE_SAMPLE", "8")

PREFIXES = """
@prefix coop: <https://w3id.org/coopld/ontology#> .
@prefix id: <https://w3id.org/coopld/id/test/> .
@prefix owl: <http://www.w3.org/2002/07/owl#> .
@prefix rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix foaf: <http://xmlns.com/foaf/0.1/> .
@prefix org: <http://www.w3.org/ns/org#> .
@prefix sem: <http://semanticweb.cs.vu.nl/2009/11/sem/> .
@prefix schema: <http://schema.org/> .
@prefix ex: <https://example.org/onto#> .
"""
COOP = "https://w3id.org/coopld/ontology#"
ID = "https://w3id.org/coopld/id/test/"


def turtle(text: str) -> Graph:
    return Graph().parse(data=PREFIXES + text, format="turtle")


def triples(text: str) -> set[tuple[Node, Node, Node]]:
    return set(turtle(text))


@pytest.fixture(scope="module")
def res() -> Resources:
    return load_resources(load_settings())


@pytest.fixture(scope="module")
def reference(res: Resources) -> OwlrlReasoner:
    return OwlrlReasoner(res.ontology, res.vocabularies)


def same_as_owlrl(fast: Reasoner, reference: OwlrlReasoner, data: Graph) -> set[tuple[Node, Node, Node]]:
    """The fast reasoner's triples, after checking they are owlrl's."""
    got, expected = set(fast.infer(data)), set(reference.infer(data))
    assert got == expected, (f"only the fast reasoner: {sorted(got - expected)}\n"
                             f"only owlrl: {sorted(expected - got)}")
    return got


# --- (a) the seed articles, as the build maps them --------------------------------------------------

def test_every_seed_article(seeds: Built, res: Resources, reference: OwlrlReasoner) -> None:
    from coopld.build import read_part

    assert seeds.result.generation is not None and len(seeds.result.articles) == 5
    total = 0
    for light in seeds.result.articles:
        article = read_part(seeds.result.generation, light.key)  # what the build kept of the article
        assert article is not None, light.path
        asserted = Graph().parse(data=article.asserted, format="nt")
        got = same_as_owlrl(res.reasoner, reference, asserted)
        assert got == set(Graph().parse(data=article.inferred, format="nt")), article.path  # what the build published
        total += len(got)
    assert total > 500


# --- (b) generated articles --------------------------------------------------------------------------

@pytest.fixture(scope="module")
def generated(res: Resources) -> list[Graph]:
    from bench.generate import Params, records

    made = [record_to_graph(record, res.context, res.settings.id_base)
            for _stem, record in itertools.islice(records(Params(events=5 * GENERATED)), GENERATED)]
    assert len(made) == GENERATED
    return made


def _sample(fast: list[Graph]) -> list[int]:
    """A seeded sample, with every article in which the fast reasoner found an owl:sameAs (the
    rarest path, and the one most likely to differ)."""
    if SAMPLE == "all":
        return list(range(len(fast)))
    chosen = set(random.Random(20261123).sample(range(len(fast)), int(SAMPLE)))
    return sorted(chosen | {i for i, out in enumerate(fast) if (None, OWL.sameAs, None) in out})


def test_generated_articles(generated: list[Graph], res: Resources, reference: OwlrlReasoner) -> None:
    before = res.reasoner.fallbacks
    fast = [res.reasoner.infer(graph) for graph in generated]
    assert res.reasoner.fallbacks == before, "a generated article was handed to owlrl"
    assert sum(len(out) for out in fast) > 50 * GENERATED
    compared = _sample(fast)
    for i in compared:
        expected = set(reference.infer(generated[i]))
        assert set(fast[i]) == expected, (i, sorted(set(fast[i]) - expected), sorted(expected - set(fast[i])))
    assert len(compared) >= min(int(SAMPLE) if SAMPLE != "all" else GENERATED, GENERATED)
    assert any((None, OWL.disjointWith, None) in fast[i] for i in compared), "no sampled article uses two datatypes"


# --- (c) each kind of rule, on small graphs ----------------------------------------------------------

def test_classes_properties_domains_and_ranges(res: Resources, reference: OwlrlReasoner) -> None:
    got = same_as_owlrl(res.reasoner, reference, turtle("""
        id:article coop:reportsEvent id:event . id:event coop:place id:hanoi . id:agency a coop:GovernmentAgency ."""))
    assert triples("""
        id:article coop:mentionsEvent id:event ; coop:mentions id:event ; a coop:Article .
        id:event coop:reportedIn id:article ; coop:mentionedIn id:article ; a coop:CooperationEvent, sem:Event, schema:Event ;
            sem:hasPlace id:hanoi ; schema:location id:hanoi .
        id:hanoi a coop:Place, sem:Place .
        id:agency a org:FormalOrganization, org:Organization, foaf:Agent, schema:GovernmentOrganization .""") <= got


def test_every_inverse(res: Resources, reference: OwlrlReasoner) -> None:
    pairs = sorted(res.ontology.subject_objects(OWL.inverseOf))
    assert len(pairs) == 17
    data, expected = Graph(), set()
    for i, (p, q) in enumerate(pairs):
        data.add((URIRef(f"{ID}s{i}"), p, URIRef(f"{ID}o{i}")))
        data.add((URIRef(f"{ID}t{i}"), q, URIRef(f"{ID}u{i}")))
        expected |= {(URIRef(f"{ID}o{i}"), q, URIRef(f"{ID}s{i}")), (URIRef(f"{ID}u{i}"), p, URIRef(f"{ID}t{i}"))}
    assert expected <= same_as_owlrl(res.reasoner, reference, data)


CHAINS = ["hasParticipant", "involvesOrganization", "involvesCountry", "country", "partyCountry"]


def test_the_chains_tested_are_the_ontologys(res: Resources) -> None:
    assert sorted(str(p).removeprefix(COOP) for p in res.ontology.subjects(OWL.propertyChainAxiom)) == sorted(CHAINS)


@pytest.mark.parametrize("name", CHAINS)
def test_each_property_chain(name: str, res: Resources, reference: OwlrlReasoner) -> None:
    prop = URIRef(COOP + name)
    members = list(res.ontology.items(res.ontology.value(prop, OWL.propertyChainAxiom)))
    assert len(members) >= 2
    nodes = [URIRef(f"{ID}n{i}") for i in range(len(members) + 1)]
    data = Graph()
    for i, member in enumerate(members):
        data.add((nodes[i], member, nodes[i + 1]))
    assert (nodes[0], prop, nodes[-1]) in same_as_owlrl(res.reasoner, reference, data)


def test_a_functional_property_makes_its_values_the_same(res: Resources, reference: OwlrlReasoner) -> None:
    got = same_as_owlrl(res.reasoner, reference, turtle("""
        id:event coop:hasParticipation id:part . id:part coop:participant id:alice, id:alicia .
        id:alice foaf:name "Alice" . id:alicia coop:nameAsStated "Alicia" ."""))
    assert triples("""
        id:alice owl:sameAs id:alicia ; coop:nameAsStated "Alicia" . id:alicia owl:sameAs id:alice ; foaf:name "Alice" .
        id:event coop:hasParticipant id:alice, id:alicia . id:alicia coop:participatedIn id:event .""") <= got


def test_an_inverse_functional_property_makes_its_subjects_the_same(res: Resources, reference: OwlrlReasoner) -> None:
    got = same_as_owlrl(res.reasoner, reference, turtle("""
        id:e1 coop:hasParticipation id:part ; coop:date "2024-01-02"^^xsd:date . id:e2 coop:hasParticipation id:part ."""))
    assert triples("""id:e1 owl:sameAs id:e2 . id:e2 owl:sameAs id:e1 ; coop:date "2024-01-02"^^xsd:date .""") <= got


def test_equality_reaches_the_individuals_of_the_ontology(res: Resources, reference: OwlrlReasoner) -> None:
    """Two statuses of one event make coop:held the same as coop:planned, for every event; a
    resource made the same as coop:held takes what the ontology says of it."""
    got = same_as_owlrl(res.reasoner, reference, turtle("""
        id:e1 coop:status coop:held, coop:planned . id:e2 coop:status coop:held . id:e3 coop:status coop:planned ."""))
    assert triples("id:e2 coop:status coop:planned . id:e3 coop:status coop:held .") <= got
    got = same_as_owlrl(res.reasoner, reference, turtle("id:e1 coop:status coop:held, id:done ."))
    assert triples('id:done owl:sameAs coop:held ; a coop:Status ; rdfs:label "held"@en .') <= got


def test_equal_literals_carry_over_to_other_properties(res: Resources, reference: OwlrlReasoner) -> None:
    got = same_as_owlrl(res.reasoner, reference, turtle("""
        id:agreement coop:collective true, false . id:note coop:reviewed true ."""))
    assert triples("id:note coop:reviewed false .") <= got


def test_a_resource_the_same_as_a_literal_takes_its_datatypes(res: Resources, reference: OwlrlReasoner) -> None:
    got = same_as_owlrl(res.reasoner, reference, turtle("""id:event coop:ordinal "3"^^xsd:positiveInteger, id:third ."""))
    assert triples("""id:third owl:sameAs "3"^^xsd:positiveInteger ; a xsd:nonNegativeInteger, xsd:decimal .""") <= got


def test_the_disjointness_of_the_datatypes_in_use(res: Resources, reference: OwlrlReasoner) -> None:
    both = same_as_owlrl(res.reasoner, reference, turtle("""
        id:agreement coop:collective true . id:span rdf:value "4"^^xsd:nonNegativeInteger ."""))
    assert (XSD.boolean, OWL.disjointWith, XSD.decimal) in both
    one = same_as_owlrl(res.reasoner, reference, turtle("id:agreement coop:collective true ."))
    assert (XSD.boolean, OWL.disjointWith, XSD.decimal) not in one


SMALL_ONTOLOGY = """
ex:near a owl:ObjectProperty, owl:SymmetricProperty .
ex:within a owl:ObjectProperty, owl:TransitiveProperty .
ex:aunt owl:propertyChainAxiom ( ex:parent ex:parent ex:daughter ) .
ex:Car owl:equivalentClass ex:Automobile . ex:Automobile rdfs:subClassOf ex:Vehicle .
ex:drives owl:equivalentProperty ex:steers ; rdfs:range ex:Car .
ex:alias rdfs:subPropertyOf owl:sameAs .
ex:code a owl:DatatypeProperty, owl:FunctionalProperty .
ex:email a owl:DatatypeProperty, owl:InverseFunctionalProperty .
ex:Vehicle owl:disjointWith ex:Person . ex:near owl:propertyDisjointWith ex:within .
"""


def test_the_other_rule_kinds_on_a_small_ontology() -> None:
    """Symmetric, transitive and inverse functional properties, a chain of three, equivalent
    classes and properties, a subproperty of owl:sameAs (and what it stated of a node before and
    after, x likes x becoming y likes y only by joining the later copy); disjointness is accepted
    (owlrl draws only errors from it)."""
    ontology = turtle(SMALL_ONTOLOGY)
    fast, reference = Reasoner(ontology, Graph()), OwlrlReasoner(ontology, Graph())
    got = same_as_owlrl(fast, reference, turtle("""
        id:a ex:near id:b . id:x ex:within id:y . id:y ex:within id:z . id:z ex:within id:w .
        id:me ex:parent id:mum . id:mum ex:parent id:gran . id:gran ex:daughter id:auntie .
        id:ann ex:drives id:herb . id:bob ex:alias id:robert . id:robert ex:code "R" .
        id:herb a id:Thing ; ex:code "H1", "H2" . id:bob ex:likes id:bob .
        id:p1 ex:email "a@example.org" . id:p2 ex:email "a@example.org" ."""))
    assert triples("""
        id:b ex:near id:a . id:x ex:within id:z, id:w . id:y ex:within id:w . id:me ex:aunt id:auntie .
        id:ann ex:steers id:herb . id:herb a ex:Car, ex:Automobile, ex:Vehicle .
        id:bob owl:sameAs id:robert ; ex:code "R" . id:robert ex:likes id:robert, id:bob .
        id:p1 owl:sameAs id:p2 .""") <= got
    assert fast.fallbacks == 0


@pytest.mark.parametrize("data", [
    "id:Town rdfs:subClassOf coop:Place . id:x a id:Town .",                 # a class declared in the data
    'id:a owl:sameAs id:b . id:a foaf:name "A" .',                           # owl:sameAs stated (dt-type2 reads it)
    "id:p a owl:FunctionalProperty . id:x id:p id:y, id:z .",                # a property characteristic
    "id:e coop:eventKind coop:CooperationEvent, id:k .",                     # equality that reaches a class
])
def test_an_article_that_states_schema_goes_to_owlrl(data: str, res: Resources, reference: OwlrlReasoner) -> None:
    before = res.reasoner.fallbacks
    assert same_as_owlrl(res.reasoner, reference, turtle(data))
    assert res.reasoner.fallbacks == before + 1


REFUSED = {
    OWL.hasKey: "coop:Agreement owl:hasKey ( coop:validityPeriod ) .",
    OWL.intersectionOf: "id:C owl:intersectionOf ( coop:Agreement coop:Treaty ) .",
    OWL.unionOf: "id:C owl:unionOf ( coop:Treaty coop:Protocol ) .",
    OWL.someValuesFrom: "id:C owl:onProperty coop:party ; owl:someValuesFrom coop:State .",
    OWL.allValuesFrom: "id:C owl:onProperty coop:party ; owl:allValuesFrom coop:State .",
    OWL.hasValue: "id:C owl:onProperty coop:status ; owl:hasValue coop:held .",
    OWL.maxCardinality: 'id:C owl:onProperty coop:party ; owl:maxCardinality "1"^^xsd:nonNegativeInteger .',
    OWL.maxQualifiedCardinality: 'id:C owl:onProperty coop:party ; owl:onClass coop:State ; '
                                 'owl:maxQualifiedCardinality "1"^^xsd:nonNegativeInteger .',
}
OTHER_REFUSALS = {
    "owl:sameAs between": "coop:Treaty owl:sameAs coop:Protocol .",
    "an axiom on <http://www.w3.org/1999/02/22-rdf-syntax-ns#type>": "rdf:type rdfs:domain coop:Place .",
    "a property that is no IRI": "coop:party owl:inverseOf [ a owl:ObjectProperty ] .",
}


def test_every_unimplemented_construct_is_tested() -> None:
    assert set(infer.UNSUPPORTED) == set(REFUSED)


@pytest.mark.parametrize("named, text", [(p.n3(), text) for p, text in REFUSED.items()] + list(OTHER_REFUSALS.items()))
def test_an_ontology_using_what_is_not_implemented_is_refused(named: str, text: str, res: Resources) -> None:
    ontology = Graph()
    ontology += res.ontology
    ontology += turtle(text)
    with pytest.raises(CoopldError, match=re.escape(named)) as raised:
        Reasoner(ontology, res.vocabularies)
    assert "OwlrlReasoner" in raised.value.message


# --- the closure cache ------------------------------------------------------------------------------

def test_the_ontologys_closure_is_cached_and_never_stale(res: Resources, tmp_path: Path,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    """A second build reads owlrl's closure of the ontology from the cache and gets the same
    triples; an ontology with one axiom more is closed afresh (its own entry, holding that
    axiom's consequence); an unreadable entry is closed again and rewritten, not trusted."""
    monkeypatch.setenv("COOPLD_CACHE_DIR", str(tmp_path))
    fresh = infer.closed(res.ontology)
    [entry] = list(tmp_path.glob("closure-*.json"))
    again = infer.closed(res.ontology)
    assert set(again) == set(fresh) and len(again) > len(res.ontology)
    changed = Graph()
    changed += res.ontology
    changed.add((URIRef(ID + "Summit"), RDFS.subClassOf, URIRef(COOP + "CooperationEvent")))
    extended = infer.closed(changed)
    assert len(list(tmp_path.glob("closure-*.json"))) == 2
    sem_event = URIRef("http://semanticweb.cs.vu.nl/2009/11/sem/Event")
    assert (URIRef(ID + "Summit"), RDFS.subClassOf, sem_event) in set(extended) - set(fresh)
    entry.write_text('[["<broken', encoding="utf-8")
    assert set(infer.closed(res.ontology)) == set(fresh)
    assert json.loads(entry.read_text(encoding="utf-8")), "the broken entry was written again"
