"""The ontology and the vocabularies as documentation, served by gunicorn: every term and concept
is on its page with what a reader needs, the diagrams are drawn from the ontology and the data,
and every term dereferences in HTML and in RDF. Expectations come from the Turtle files in
ontology/, read here with rdflib, not from the code that renders the pages."""

from __future__ import annotations

import html
import re
import urllib.parse
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import OWL, RDF, RDFS, SKOS

from coopld.vocab import COOP, ONTOLOGY_IRI
from coopld.web import create_app
from tests.conftest import Built
from tests.test_web_sparql import http

RDF_DOCS = {"ttl": ("text/turtle", "turtle"), "jsonld": ("application/ld+json", "json-ld"),
            "nt": ("application/n-triples", "nt"), "rdf": ("application/rdf+xml", "xml")}
SCHEMES = ["topics", "event-kinds", "ranks", "roles"]
VOCAB = "https://w3id.org/coopld/vocab/"


@pytest.fixture(scope="module")
def page(site: str) -> str:
    status, headers, body = http(site + "ontology.html")
    assert status == 200 and headers["Content-Type"].startswith("text/html")
    return body.decode("utf-8")


def text(fragment: str) -> str:
    """What a reader sees of an HTML fragment: tags dropped, entities decoded, spaces collapsed."""
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", fragment)).split())


def section(page: str, anchor: str) -> str:
    """The HTML of one term's block on a page, from its id to the next block."""
    start = page.index(f'id="{anchor}"')
    following = re.search(r'<div class="(term|concept)" id=', page[start + 1:])
    return page[start:start + 1 + following.start()] if following else page[start:]


def terms(ontology: Graph) -> list[URIRef]:
    return sorted(s for s in set(ontology.subjects(RDF.type, None))
                  if isinstance(s, URIRef) and str(s).startswith(str(COOP._NS)))


def test_every_term_is_documented(page: str, ontology: Graph) -> None:
    for term in terms(ontology):
        block = text(section(page, term.rsplit("#", 1)[1]))
        label = str(ontology.value(term, RDFS.label))
        assert label in block and str(ontology.value(term, RDFS.comment)) in block, term
        for axis, name in ((RDFS.domain, "domain"), (RDFS.range, "range")):
            for value in ontology.objects(term, axis):
                if isinstance(value, URIRef):
                    shown = (str(ontology.value(value, RDFS.label)) if str(value).startswith(str(COOP._NS))
                             else ontology.namespace_manager.normalizeUri(value))
                    assert f"{name} " in block and shown.replace("schema1:", "schema:") in block, (term, name, value)
        for sup in ontology.objects(term, RDFS.subClassOf):
            if str(sup).startswith(str(COOP._NS)):
                assert str(ontology.value(sup, RDFS.label)) in block, (term, sup)


def test_super_and_sub_terms_and_alignments(page: str, ontology: Graph) -> None:
    agreement = text(section(page, "Agreement"))
    for sub in ("memorandum of understanding", "cooperation programme", "cooperation agreement"):
        assert sub in agreement
    event = text(section(page, "CooperationEvent"))
    assert "sub-class of sem:Event" in event and "sub-class of schema:Event" in event
    table = text(page[page.index('id="alignment-table"'):])
    aligned = [(term, other) for relation in (RDFS.subClassOf, RDFS.subPropertyOf)
               for term, other in ontology.subject_objects(relation)
               if str(term).startswith(str(COOP._NS)) and not str(other).startswith(str(COOP._NS))]
    assert len(aligned) > 25
    for term, other in aligned:
        shown = ontology.namespace_manager.normalizeUri(other).replace("schema1:", "schema:")
        assert f"coop:{term.rsplit('#', 1)[1]} sub-" in table and shown in table, (term, other)
    for prefix in ("sem", "org", "prov", "schema", "CAMEO"):
        assert re.search(rf"<th[^>]*>{prefix}</th>", page), prefix


def test_cameo_alignment_lists_every_coded_event_kind(page: str, vocabularies: Graph) -> None:
    coded = {(str(vocabularies.value(k, SKOS.prefLabel)), str(code))
             for k, code in vocabularies.subject_objects(COOP.cameoCode)}
    assert len(coded) >= 10
    table = page[page.index('id="alignment-table"'):]
    for label, code in coded:
        assert re.search(rf">{re.escape(label)}</a></td><td>CAMEO code</td><td>{code}</td>", table), (label, code)


def test_examples_come_from_the_data(page: str, seeds: Built) -> None:
    events = text(section(page, "CooperationEvent"))
    assert "15 things" in events, "the count is what SPARQL counts"
    first = seeds.select("SELECT ?e ?l WHERE { ?e a <https://w3id.org/coopld/ontology#CooperationEvent> ; "
                         "<http://www.w3.org/2000/01/rdf-schema#label> ?l } ORDER BY ?e LIMIT 1")[0]
    assert first["l"] in events
    uses = seeds.select("SELECT (COUNT(*) AS ?n) WHERE { ?s <https://w3id.org/coopld/ontology#signedAt> ?o }")[0]["n"]
    assert f"{uses} statement" in text(section(page, "signedAt"))
    assert "not used by the data yet" not in text(section(page, "hasParticipation"))


def test_the_class_diagram_is_drawn_from_the_ontology(page: str, ontology: Graph) -> None:
    svg = page[page.index('id="ontology-diagram"'):page.index('id="example"')]
    assert "<svg" in svg
    drawn = text(svg)
    for cls in ontology.subjects(RDF.type, OWL.Class):
        if str(cls).startswith(str(COOP._NS)):
            assert cls.rsplit("#", 1)[1] in drawn, cls
    for prop in ontology.subjects(RDF.type, OWL.ObjectProperty):
        if str(prop).startswith(str(COOP._NS)) and isinstance(ontology.value(prop, RDFS.domain), URIRef) \
                and isinstance(ontology.value(prop, RDFS.range), URIRef):
            assert re.search(rf"\b{prop.rsplit('#', 1)[1]}\b", drawn), prop
            assert f'href="#{prop.rsplit("#", 1)[1]}"' in svg or f'xlink:href="#{prop.rsplit("#", 1)[1]}"' in svg


def test_the_worked_example_draws_one_event_from_the_data(page: str, seeds: Built) -> None:
    block = page[page.index('id="example"'):page.index('id="classes"')]
    event = re.search(r'The event <a href="/id/(event/[^"]+)">', block)
    assert event, "the example names its event and links to it"
    iri = "https://w3id.org/coopld/id/" + event.group(1)
    drawn = text(block[block.index("<svg"):])
    people = seeds.select("PREFIX coop: <https://w3id.org/coopld/ontology#> SELECT ?name WHERE { "
                          f"<{iri}> coop:hasParticipation/coop:participant/<http://www.w3.org/2000/01/rdf-schema#label> ?name }}")
    assert people
    for row in people:
        assert row["name"] in drawn
    date = seeds.select(f"SELECT ?d WHERE {{ <{iri}> <https://w3id.org/coopld/ontology#date> ?d }}")[0]["d"]
    assert str(date) in drawn and "coop:eventKind" in drawn and "coop:hasParticipation" in drawn


def test_the_ontology_page_without_graphviz_says_why(seeds: Built, monkeypatch: pytest.MonkeyPatch,
                                                      tmp_path: Path) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))  # a machine where Debian's graphviz is not installed
    client = create_app({"COOPLD_BUILD": str(seeds.settings.out)}).test_client()
    response = client.get("/ontology.html")
    assert response.status_code == 200
    body = response.get_data(as_text=True)
    assert "Graphviz's 'dot' is not installed" in text(body) and "<svg" not in body
    assert 'id="CooperationEvent"' in body, "the rest of the documentation is still there"


@pytest.mark.parametrize("scheme", SCHEMES)
def test_every_concept_is_on_its_schemes_page(site: str, vocabularies: Graph, scheme: str) -> None:
    status, _h, body = http(site + f"vocab/{scheme}", headers={"Accept": "text/html"})
    assert status == 303
    status, _h, body = http(site + f"doc/vocab/{scheme}.html")
    assert status == 200
    page = body.decode("utf-8")
    root = URIRef(VOCAB + scheme)
    assert text(str(vocabularies.value(root, SKOS.prefLabel))) in text(page)
    concepts = sorted(c for c in vocabularies.subjects(SKOS.inScheme, root) if isinstance(c, URIRef))
    assert concepts
    hierarchy = page[page.index('id="hierarchy"'):page.index('<div class="concept"')]
    for concept in concepts:
        block = text(section(page, concept.rsplit("/", 1)[1]))
        assert str(vocabularies.value(concept, SKOS.prefLabel)) in block, concept
        assert str(vocabularies.value(concept, SKOS.definition)) in block, concept
        for broader in vocabularies.objects(concept, SKOS.broader):
            assert f"broader {vocabularies.value(broader, SKOS.prefLabel)}" in block, (concept, broader)
        code = vocabularies.value(concept, COOP.cameoCode)
        if code is not None:
            assert f"CAMEO code {code}" in block
        assert f'href="#{concept.rsplit("/", 1)[1]}"' in hierarchy


def test_concept_examples_come_from_the_data(site: str, seeds: Built) -> None:
    page = http(site + "doc/vocab/event-kinds.html")[2].decode("utf-8")
    talks = text(section(page, "talks"))
    n = seeds.select("SELECT (COUNT(DISTINCT ?e) AS ?n) WHERE { ?e ?p <https://w3id.org/coopld/vocab/event-kinds/talks> "
                     "FILTER(STRSTARTS(STR(?e), 'https://w3id.org/coopld/id/')) }")[0]["n"]
    assert int(n) > 0 and f"{n} thing" in talks


def rdf_of(site: str, path: str, ext: str) -> Graph:
    status, headers, body = http(site + f"{path}.{ext}")
    assert status == 200, (path, ext, status)
    assert headers["Content-Type"].startswith(RDF_DOCS[ext][0])
    return Graph().parse(data=body, format=RDF_DOCS[ext][1], publicID=site + path)


def test_every_ontology_and_vocabulary_term_dereferences_in_html_and_rdf(site: str, page: str, ontology: Graph,
                                                                         vocabularies: Graph,
                                                                         request: pytest.FixtureRequest) -> None:
    """The walk: each coop: term (a hash IRI: /ontology answers for it) is in every RDF format
    of the ontology with its label, and has its block on the HTML page; each scheme and concept
    answers 303 to a document in HTML and every RDF format that holds its label (from a remote
    store, whose documents are found the same way for every concept: three of each scheme)."""
    for ext in RDF_DOCS:
        served = rdf_of(site, "ontology", ext)
        for term in terms(ontology):
            assert (term, RDFS.label, ontology.value(term, RDFS.label)) in served, (term, ext)
            assert f'id="{term.rsplit("#", 1)[1]}"' in page
    status, headers, _ = http(site + "ontology", headers={"Accept": "application/rdf+xml"})
    assert status == 200 and headers["Content-Location"] == "/ontology.rdf"
    concepts = sorted({c for c in vocabularies.subjects(RDF.type, SKOS.Concept) if isinstance(c, URIRef)}
                      | {URIRef(VOCAB + s) for s in SCHEMES})
    if request.node.callspec.params["site"] != "embedded":
        by_scheme: dict[str, list[URIRef]] = {}
        for concept in concepts:
            by_scheme.setdefault(str(concept)[len(VOCAB):].split("/")[0], []).append(concept)
        concepts = [c for members in by_scheme.values() for c in members[:3]]

    def walk(concept: URIRef) -> list[str]:
        path = "vocab/" + str(concept)[len(VOCAB):]
        problems = []
        status, headers, _ = http(site + path, headers={"Accept": "text/turtle"})
        if status != 303 or headers.get("Location") != f"/doc/{path}.ttl":
            return [f"{concept}: {status} {headers.get('Location')}"]
        label = vocabularies.value(concept, SKOS.prefLabel)
        status, _h, body = http(site + f"doc/{path}.html")
        if status != 200 or str(label) not in html.unescape(body.decode("utf-8")):  # "Chargé d'Affaires": &#39;
            problems.append(f"{concept}: HTML {status}")
        for ext in RDF_DOCS:
            if (concept, SKOS.prefLabel, label) not in rdf_of(site, "doc/" + path, ext):
                problems.append(f"{concept}: .{ext} lacks its label")
        return problems

    with ThreadPoolExecutor(max_workers=4) as pool:
        problems = [p for found in pool.map(walk, concepts) for p in found]
    assert len(concepts) > (100 if request.node.callspec.params["site"] == "embedded" else 10) and problems == []


def test_the_version_iri_resolves_to_that_version(site: str, ontology: Graph) -> None:
    version = ontology.value(URIRef(ONTOLOGY_IRI), OWL.versionIRI)
    path = str(version)[len("https://w3id.org/coopld/"):]
    served = rdf_of(site, path, "ttl")
    assert (URIRef(ONTOLOGY_IRI), OWL.versionIRI, version) in served
    assert (URIRef(ONTOLOGY_IRI), OWL.versionInfo, Literal(path.rsplit("/", 1)[1])) in served
    status, _h, body = http(site + path + ".html")
    assert status == 200 and str(version).encode() in body
    assert http(site + urllib.parse.quote("ontology/0.0.1") + ".ttl")[0] == 404
