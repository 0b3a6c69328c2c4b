"""The ontology and its vocabularies: complete, documented, and used the way the code says."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import OWL, RDF, RDFS, SKOS

from coopld.build_inputs import load_resources
from coopld.ontology_profile import namespace_of, pitfalls, rl_violations
from coopld.vocab import COOP, KIND, ONTOLOGY_IRI, TOPIC
from tests.conftest import ROOT, Built

VANN = "http://purl.org/vocab/vann/"


def test_ontology_header(ontology: Graph) -> None:
    node = URIRef(ONTOLOGY_IRI)
    assert (node, RDF.type, OWL.Ontology) in ontology
    assert ontology.value(node, OWL.versionIRI) == URIRef(ONTOLOGY_IRI + "/1.0.0")
    assert ontology.value(node, URIRef(VANN + "preferredNamespacePrefix")) == Literal("coop")
    for p in ("title", "description", "license", "modified"):
        assert ontology.value(node, URIRef("http://purl.org/dc/terms/" + p)) is not None, p


def test_every_term_in_code_is_declared_labelled_and_commented(ontology: Graph) -> None:
    declared = {str(s) for s in ontology.subjects() if str(s).startswith(str(COOP._NS))}
    in_code = {str(COOP._NS) + name for name in COOP.__annotations__}
    assert declared == in_code
    for term in declared:
        node = URIRef(term)
        labels = list(ontology.objects(node, RDFS.label))
        assert labels and all(isinstance(x, Literal) and x.language == "en" for x in labels), term
        assert ontology.value(node, RDFS.comment) is not None, term
        assert ontology.value(node, RDFS.isDefinedBy) == URIRef(ONTOLOGY_IRI), term
        assert ontology.value(node, RDF.type) is not None, term


def test_no_term_is_used_without_being_declared(ontology: Graph) -> None:
    declared = {s for s, _, o in ontology.triples((None, RDF.type, None))
                if o in (OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty, OWL.AnnotationProperty)}
    for p in (RDFS.subClassOf, RDFS.subPropertyOf, RDFS.domain, RDFS.range, OWL.inverseOf):
        for s, o in ontology.subject_objects(p):
            assert s in declared, (s, p)
            if isinstance(o, URIRef) and not str(o).startswith(str(RDFS)) and o not in (OWL.Thing,):
                assert o in declared or str(o).startswith("http://www.w3.org/2001/XMLSchema#"), (s, p, o)


def test_the_topic_scheme(vocabularies: Graph) -> None:
    concepts = {c for c in vocabularies.subjects(SKOS.inScheme, URIRef("https://w3id.org/coopld/vocab/topics"))}
    assert len(concepts) >= 25
    required = {"cybercrime", "high-tech-crime", "drug-crime", "new-psychotropic-substances", "human-trafficking",
                "terrorism", "transnational-crime", "organised-crime", "mutual-legal-assistance", "extradition",
                "fugitive-hunting", "information-exchange", "personnel-training", "equipment-and-technology",
                "protection-of-diplomatic-missions", "protection-of-citizens-abroad", "cross-border-gambling",
                "cyber-fraud", "interpol-coordination"}
    assert {TOPIC[k] for k in required} <= concepts
    for concept in concepts:
        assert vocabularies.value(concept, SKOS.prefLabel).language == "en"
        assert vocabularies.value(concept, SKOS.definition) is not None
        broader = list(vocabularies.objects(concept, SKOS.broader))
        assert broader or (concept, SKOS.topConceptOf, None) in vocabularies, concept
        for b in broader:
            assert (b, SKOS.narrower, concept) in vocabularies
    assert (TOPIC["new-psychotropic-substances"], SKOS.broader, TOPIC["drug-crime"]) in vocabularies


def test_every_event_kind_has_a_cameo_code(vocabularies: Graph) -> None:
    kinds = set(vocabularies.subjects(RDF.type, COOP.EventKind))
    assert len(kinds) >= 10
    for kind in kinds:
        assert vocabularies.value(kind, COOP.cameoCode) is not None, kind
    assert vocabularies.value(KIND["signing-ceremony"], COOP.cameoCode) == Literal("057")
    assert vocabularies.value(KIND["talks"], COOP.cameoCode) == Literal("040")


def test_inference_per_article_equals_inference_over_the_whole_dataset(seeds: Built) -> None:
    """Closing each article on its own yields what closing all of them at once would."""
    res = load_resources(seeds.settings)
    data = Graph()
    per_article = Graph()
    for path in sorted(Path(seeds.settings.records).glob("*.json")):
        import json

        from coopld.mapping import record_to_graph

        graph = record_to_graph(json.loads(path.read_text(encoding="utf-8")), res.context, seeds.settings.id_base)
        data += graph
        per_article += res.reasoner.infer(graph)
    whole = res.reasoner.infer(data)
    whole -= data  # a triple one article infers may be stated by another
    per_article -= data
    assert set(whole) == set(per_article)
    assert len(whole) > 500


def test_the_ontology_and_vocabularies_are_in_owl2_rl_without_pitfalls(ontology: Graph, vocabularies: Graph) -> None:
    both = ontology + vocabularies
    assert rl_violations(both) == []
    assert pitfalls(both, str(COOP._NS)) == []


def test_the_checks_find_every_planted_fault() -> None:
    """A check that finds nothing in our ontology must still be able to find something: the
    fixture plants one fault of each kind."""
    flawed = Graph().parse(ROOT / "tests" / "fixtures" / "flawed-ontology.ttl")
    ns = namespace_of(flawed)
    assert ns == "https://example.org/flawed#"
    rl = "\n".join(rl_violations(flawed))
    for culprit in ("UnionAbove", "SomeAbove", "AtLeastTwo", "minimum cardinalities", "dateValued", "reflexive"):
        assert culprit in rl, culprit
    assert "#Good " not in rl and "#linksTo" not in rl, "sound axioms are not reported"
    found = pitfalls(flawed, ns)
    expected = {"P06": "CycleA", "P08": "Unlabelled has no rdfs:label", "P13": "linkedFromNowhere",
                "P19": "twoDomains", "P22": "lowerClass"}
    for code, culprit in expected.items():
        assert any(f.startswith(code) and culprit in f for f in found), (code, found)
    assert any("Uncommented has no rdfs:comment" in f for f in found)
    assert any("NeverDeclared is used but not declared" in f for f in found)
    assert not any("#Good" in f.split()[1] for f in found if f.startswith("P"))


def test_check_ontology_command(tmp_path: Path) -> None:
    ok = subprocess.run([sys.executable, "-m", "coopld", "check-ontology"], cwd=ROOT, capture_output=True, text=True,
                        timeout=120)
    assert ok.returncode == 0 and "in OWL 2 RL, no pitfalls" in ok.stdout
    bad = subprocess.run([sys.executable, "-m", "coopld", "check-ontology", "tests/fixtures/flawed-ontology.ttl"],
                         cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert bad.returncode == 1 and "finding(s)" in bad.stdout and "P06" in bad.stdout
    broken = tmp_path / "broken.ttl"
    broken.write_text("@prefix ex: <https://example.org/> .\nex:a ex:b", encoding="utf-8")
    failed = subprocess.run([sys.executable, "-m", "coopld", "check-ontology", str(broken)], cwd=ROOT,
                            capture_output=True, text=True, timeout=120)
    assert failed.returncode == 2 and "broken.ttl" in failed.stderr
