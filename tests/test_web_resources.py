"""Dereferenceable IRIs, downloads, the dataset description and the landing page, under
gunicorn. A walker follows every IRI the dataset mints, and every vocabulary term."""

from __future__ import annotations

import hashlib
import html
import json
import re
import shutil
import urllib.parse
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
from rdflib import Dataset, Graph, URIRef

from coopld.config import VOCAB_ROOT
from coopld.web.downloads import size_for_people
from tests.conftest import ROOT, Built, gunicorn, run_build
from tests.test_web_sparql import http

RDF_DOCS = {"ttl": ("text/turtle", "turtle"), "jsonld": ("application/ld+json", "json-ld"),
            "nt": ("application/n-triples", "nt"), "rdf": ("application/rdf+xml", "xml")}


def minted(seeds: Built) -> set[str]:
    """Every IRI in the dataset that this server should answer for."""
    dataset = Dataset()
    dataset.parse(seeds.settings.out / "coopld.nq", format="nquads")
    found: set[str] = set()
    for s, _p, o, g in dataset.quads():
        for node in (s, o, g):
            if isinstance(node, URIRef) and (str(node).startswith(seeds.settings.id_base) or str(node).startswith(VOCAB_ROOT)):
                found.add(str(node).split("#", 1)[0])
    return found


def local(seeds: Built, iri: str) -> str:
    if iri.startswith(seeds.settings.id_base):
        return "id/" + iri[len(seeds.settings.id_base):]
    if iri.startswith(seeds.settings.graph_base):
        return "graph/" + iri[len(seeds.settings.graph_base):]
    return iri[len(VOCAB_ROOT):]


def parse(body: bytes, fmt: str, base: str) -> Graph:
    graph = Graph()
    graph.parse(data=body, format=fmt, publicID=base)
    return graph


def check_resource(site: str, seeds: Built, iri: str) -> list[str]:
    """Everything wrong with one IRI's dereferencing, as messages (empty when all is well)."""
    problems = []
    path = local(seeds, iri)
    if path.startswith(("ontology", "graph/", ".well-known/", "shapes")):  # documents themselves: no 303
        docs = {ext: f"{path}.{ext}" for ext in ("html", *RDF_DOCS)}
        if path == ".well-known/void":
            docs = {ext: f"{path}?format={fmt}" for ext, (_m, fmt) in {"html": ("", "html"), **RDF_DOCS}.items()}
    else:
        status, headers, _ = http(site + path, headers={"Accept": "text/turtle"})
        if status != 303 or "Location" not in headers:
            return [f"{iri}: {status} instead of 303"]
        doc = headers["Location"].rsplit(".", 1)[0].lstrip("/")
        docs = {ext: f"{doc}.{ext}" for ext in ("html", *RDF_DOCS)}
    for ext, doc in docs.items():
        status, headers, body = http(site + doc)
        if status != 200:
            problems.append(f"{iri} .{ext}: {status}")
            continue
        if ext == "html":
            if b"<h1" not in body:
                problems.append(f"{iri} .html: no title")
            continue
        graph = parse(body, RDF_DOCS[ext][1], site + doc)
        if not path.startswith(("ontology", "graph/", ".well-known/", "shapes")) and (URIRef(iri), None, None) not in graph:
            problems.append(f"{iri} .{ext}: its own triples are missing")
    return problems


def two_of_each_kind(seeds: Built, iris: list[str]) -> list[str]:
    """Two IRIs of each folder (id/event/, id/person/, vocab/ranks/, …)."""
    kept: dict[str, list[str]] = {}
    for iri in iris:
        folder = kept.setdefault(local(seeds, iri).rsplit("/", 1)[0], [])
        if len(folder) < 2:
            folder.append(iri)
    return [iri for folder in kept.values() for iri in folder]


def test_every_minted_iri_and_term_dereferences_in_every_format(site: str, seeds: Built,
                                                                 request: pytest.FixtureRequest) -> None:
    """Every IRI from the embedded store; from a remote store, whose documents are found the same
    way whatever the resource, two of each kind."""
    iris = sorted(minted(seeds))
    assert len(iris) > 150
    if request.node.callspec.params["site"] != "embedded":
        iris = two_of_each_kind(seeds, iris)
        assert len(iris) > 20
    with ThreadPoolExecutor(max_workers=4) as pool:
        problems = [p for found in pool.map(lambda i: check_resource(site, seeds, i), iris) for p in found]
    assert problems == []


def test_303_then_negotiated_document(site: str) -> None:
    status, headers, _ = http(site + "id/person/to-lam", headers={"Accept": "application/rdf+xml"})
    assert (status, headers["Location"], headers["Vary"]) == (303, "/doc/person/to-lam.rdf", "Accept")
    status, headers, _ = http(site + "id/person/to-lam", headers={"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"})
    assert headers["Location"] == "/doc/person/to-lam.html"
    status, headers, body = http(site + "doc/person/to-lam", headers={"Accept": "application/n-triples"})
    assert status == 200 and headers["Content-Type"].startswith("application/n-triples")
    assert headers["Vary"] == "Accept" and headers["Content-Location"] == "/doc/person/to-lam.nt"
    assert '</doc/person/to-lam.ttl>; rel="alternate"; type="text/turtle"' in headers["Link"]
    assert 'rel="describedby"' in headers["Link"]
    graph = parse(body, "nt", site)
    label = graph.value(URIRef("https://w3id.org/coopld/id/person/to-lam"), URIRef("http://www.w3.org/2000/01/rdf-schema#label"))
    assert str(label) == "To Lam"


def test_revalidation(site: str) -> None:
    status, headers, _ = http(site + "doc/event/2017-07-25-talks-russia-vietnam-hanoi.ttl")
    assert status == 200 and headers["ETag"] and headers["Last-Modified"]
    again = http(site + "doc/event/2017-07-25-talks-russia-vietnam-hanoi.ttl", headers={"If-None-Match": headers["ETag"]})
    assert again[0] == 304 and again[2] == b""
    since = http(site + "doc/event/2017-07-25-talks-russia-vietnam-hanoi.ttl",
                 headers={"If-Modified-Since": headers["Last-Modified"]})
    assert since[0] == 304


def test_the_description_carries_labels_of_what_it_links_to(site: str) -> None:
    _s, _h, body = http(site + "doc/participation/2017-07-25-talks-russia-vietnam-hanoi/to-lam.ttl")
    graph = parse(body, "turtle", site)
    rank = URIRef("https://w3id.org/coopld/vocab/ranks/senior-lieutenant-general")
    assert (rank, URIRef("http://www.w3.org/2004/02/skos/core#prefLabel"), None) in graph


@pytest.mark.parametrize("ext, media_type", [("html", "text/html"), ("ttl", "text/turtle"), ("jsonld", "application/ld+json"),
                                             ("nt", "application/n-triples"), ("rdf", "application/rdf+xml")])
def test_unknown_iris_are_404_in_the_format_asked(site: str, ext: str, media_type: str) -> None:
    status, headers, body = http(site + f"doc/person/nobody-at-all.{ext}")
    assert status == 404 and headers["Content-Type"].startswith(media_type)
    assert b"nobody-at-all" in body
    if ext != "html":
        parse(body, RDF_DOCS[ext][1], site)  # an empty but valid document
    assert http(site + "id/person/nobody-at-all")[0] == 404, "no 303 to a document that is not there"


def test_resource_page_for_people(site: str) -> None:
    status, _h, body = http(site + "doc/event/2017-07-25-talks-russia-vietnam-hanoi.html")
    html = body.decode()
    assert status == 200
    assert '<h1 id="title">Talks between Ministry of Public Security of Vietnam and Security Council' in html
    assert ">cooperation event</a>" in html, "the kind under the title"
    assert '<a href="/id/person/nikolai-patrushev"' in html and ">Nikolai Patrushev</a>" in html
    assert "<th>has participant</th>" in html and "<th>has actor</th>" not in html, "labels, without repeats"
    assert '<mark class="evidence">During his talks with General Nikolai Patrushev' in html
    # each relation once, in its own direction: the article's "reports event" is the event's "reported in"
    assert "Referred to by" not in html and "<th>reported in</th>" in html and "<th>reports event</th>" not in html
    for ext in ("ttl", "jsonld", "nt", "rdf"):
        assert f'href="/doc/event/2017-07-25-talks-russia-vietnam-hanoi.{ext}"' in html
    assert 'href="/.well-known/void"' in html


def test_an_article_page_highlights_every_evidence_sentence(site: str) -> None:
    _s, _h, body = http(site + "doc/article/001-d8ef363ee950f39f.html")
    html = body.decode()
    marks = re.findall(r'<mark class="evidence"[^>]*>([^<]*)</mark>', html)
    assert len(marks) == 3, "the caption and the two sentences that state events"
    assert any(m.startswith("At the working session, the two ministries signed an action coordination") for m in marks)


def test_ontology_and_its_version_dereference(site: str) -> None:
    for ext, (media, fmt) in RDF_DOCS.items():
        status, headers, body = http(site + f"ontology.{ext}")
        assert status == 200 and headers["Content-Type"].startswith(media)
        graph = parse(body, fmt, site)
        assert (URIRef("https://w3id.org/coopld/ontology#CooperationEvent"), None, None) in graph
    status, headers, _ = http(site + "ontology", headers={"Accept": "text/turtle"})
    assert status == 200 and headers["Vary"] == "Accept"
    assert http(site + "ontology/1.0.0.ttl")[0] == 200
    assert http(site + "ontology/9.9.9.ttl")[0] == 404
    status, _h, body = http(site + "ontology.html")
    assert status == 200 and b"cooperation event" in body


def test_paging_of_long_descriptions(seeds: Built) -> None:
    from coopld.web import create_app

    app = create_app({"COOPLD_BUILD": str(seeds.settings.out), "COOPLD_PAGE_SIZE": 10})
    client = app.test_client()
    first = client.get("/doc/article/004-3c8652a5e7475668.ttl")
    assert first.status_code == 200 and 'rel="next"' in first.headers["Link"]
    pages, page = [first], 1
    while 'rel="next"' in pages[-1].headers["Link"]:
        page += 1
        pages.append(client.get(f"/doc/article/004-3c8652a5e7475668.ttl?page={page}"))
        assert pages[-1].status_code == 200 and 'rel="prev"' in pages[-1].headers["Link"]
    assert len(pages) > 3
    assert client.get(f"/doc/article/004-3c8652a5e7475668.ttl?page={page + 1}").status_code == 404
    whole = create_app({"COOPLD_BUILD": str(seeds.settings.out)}).test_client().get("/doc/article/004-3c8652a5e7475668.nt")
    own = {line for line in whole.get_data(as_text=True).splitlines()
           if line.startswith("<https://w3id.org/coopld/id/article/004-3c8652a5e7475668")}
    paged: set[str] = set()
    for n in range(1, page + 1):
        text = client.get(f"/doc/article/004-3c8652a5e7475668.nt?page={n}").get_data(as_text=True)
        paged |= {line for line in text.splitlines() if line.startswith("<https://w3id.org/coopld/id/article/004-")}
    assert paged == own, "the pages together hold the whole description, nothing cut"
    app.extensions.get("coopld_runner") and app.extensions["coopld_runner"].close()


def test_data_minted_under_another_base_is_served_from_loopback(tmp_path: Path) -> None:
    articles = tmp_path / "articles"
    articles.mkdir()
    shutil.copy(ROOT / "data" / "articles" / "002_d895ca261d4fdf71.txt", articles)
    built = run_build(tmp_path, articles, base_iri="https://data.example.org/")
    assert built.result.exit_code == 0
    with gunicorn(built.settings.out) as url:
        status, headers, _ = http(url + "id/event/2023-12-01-reception-china-vietnam-hanoi",
                                  headers={"Accept": "text/turtle"})
        assert status == 303
        _s, _h, body = http(url + headers["Location"].lstrip("/"))
        graph = parse(body, "turtle", url)
        event = URIRef("https://data.example.org/id/event/2023-12-01-reception-china-vietnam-hanoi")
        assert (event, None, None) in graph
        _s, _h, html = http(url + "doc/event/2023-12-01-reception-china-vietnam-hanoi.html")
        assert b'href="/id/person/yang-chunlei"' in html, "links stay on the server that serves them"


def test_downloads(site: str, seeds: Built) -> None:
    status, _h, body = http(site + "downloads/")
    assert status == 200
    summary = json.loads((seeds.settings.out / "build.json").read_text(encoding="utf-8"))
    page = html.unescape(body.decode("utf-8"))
    assert 'rel="license">CC BY 4.0</a>' in page and f"{summary['counts']['asserted_triples']:,} statements" in page
    for name, info in summary["dumps"].items():
        assert name.encode() in body and info["sha256"].encode() in body
        assert info["description"] in page and f">{size_for_people(info['bytes'])}</td>" in page, name
        status, headers, blob = http(site + "downloads/" + name)
        assert status == 200 and headers["Content-Type"].startswith(info["media_type"])
        assert hashlib.sha256(blob).hexdigest() == info["sha256"]
    assert http(site + "downloads/../build.json")[0] == 404
    status, headers, body = http(site + "context.jsonld")
    assert status == 200 and headers["Content-Type"].startswith("application/ld+json")
    assert json.loads(body) == json.loads((ROOT / "mappings" / "context.jsonld").read_text(encoding="utf-8"))


def sparql_count(site: str, query: str) -> Any:
    _s, _h, body = http(site + "sparql?" + urllib.parse.urlencode({"query": query}),
                        headers={"Accept": "application/sparql-results+json"})
    return json.loads(body)["results"]["bindings"]


def test_void_counts_equal_what_sparql_counts(site: str) -> None:
    status, headers, body = http(site + ".well-known/void", headers={"Accept": "text/turtle"})
    assert status == 200 and headers["Content-Type"].startswith("text/turtle")
    void = parse(body, "turtle", site)
    rows = void.query("""PREFIX void: <http://rdfs.org/ns/void#>
        SELECT ?triples ?endpoint WHERE { ?d a void:Dataset ; void:triples ?triples ; void:sparqlEndpoint ?endpoint }""")
    (triples, endpoint), = [(int(r[0]), str(r[1])) for r in rows]
    counted = sparql_count(site, "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")
    assert triples == int(counted[0]["n"]["value"]) and endpoint == site + "sparql"
    partitions = {str(r[0]): int(r[1]) for r in void.query("""PREFIX void: <http://rdfs.org/ns/void#>
        SELECT ?class ?n WHERE { ?d void:classPartition [ void:class ?class ; void:entities ?n ] }""")}
    events = sparql_count(site, "SELECT (COUNT(DISTINCT ?e) AS ?n) WHERE "
                                "{ ?e a <https://w3id.org/coopld/ontology#CooperationEvent> }")
    assert partitions["https://w3id.org/coopld/ontology#CooperationEvent"] == int(events[0]["n"]["value"]) == 15
    media = {str(r[0]) for r in void.query("""PREFIX dcat: <http://www.w3.org/ns/dcat#>
        SELECT ?m WHERE { ?d dcat:distribution [ dcat:mediaType ?m ; dcat:downloadURL ?u ; dcat:byteSize ?b ] }""")}
    assert "https://www.iana.org/assignments/media-types/text/turtle" in media and len(media) >= 5
    linksets = list(void.query("""PREFIX void: <http://rdfs.org/ns/void#>
        SELECT ?t WHERE { ?l a void:Linkset ; void:objectsTarget ?t ; void:linkPredicate ?p ; void:triples ?n }"""))
    assert len(linksets) == 2
    assert http(site + ".well-known/void", headers={"Accept": "application/ld+json"})[0] == 200


def test_landing_page(site: str) -> None:
    status, _h, body = http(site)
    html = body.decode()
    assert status == 200
    assert html.count("<time>") == 15, "a timeline of every event"
    assert "Ministry of Public Security of Vietnam</a>: 10 events" in html
    for link in ('href="/sparql"', 'href="/downloads/"', 'href="/ontology"', 'href="/vocab/topics"',
                 'href="/.well-known/void"'):
        assert link in html
