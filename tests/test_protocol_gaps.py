"""Gaps in the SPARQL protocol and in dereferencing that outside checks found (issue 10), each
asked of the seed dataset served by gunicorn."""

from __future__ import annotations

import urllib.parse

from rdflib import Graph, Literal, URIRef

from tests.test_web_sparql import http


def test_an_unknown_things_iri_answers_404_not_a_303_to_a_404(site: str) -> None:
    status, headers, _ = http(site + "id/person/nobody-of-that-name", headers={"Accept": "text/turtle"})
    assert status == 404
    assert "Location" not in headers
    status, _, _ = http(site + "vocab/topics/no-such-topic", headers={"Accept": "text/html"})
    assert status == 404
    status, headers, _ = http(site + "id/person/to-lam", headers={"Accept": "text/turtle"})
    assert status == 303 and headers["Location"] == "/doc/person/to-lam.ttl"


def test_relative_iris_resolve_against_the_endpoint(site: str) -> None:
    """The W3C protocol test query_content_type_construct: CONSTRUCT { <s> <p> 1 } WHERE {}."""
    query = urllib.parse.quote("CONSTRUCT { <s> <p> 1 } WHERE {}")
    status, _, body = http(f"{site}sparql?query={query}", headers={"Accept": "text/turtle"})
    assert status == 200
    graph = Graph().parse(data=body.decode("utf-8"), format="turtle")
    assert (URIRef(site + "s"), URIRef(site + "p"), Literal(1)) in graph


def test_an_update_by_get_is_refused(site: str) -> None:
    update = urllib.parse.quote("INSERT DATA { <http://a.example/s> <http://a.example/p> 1 }")
    status, _, body = http(f"{site}sparql?update={update}", headers={"Accept": "text/html"})
    assert status == 403
    assert b"read-only" in body


def test_an_update_sent_as_a_query_gets_the_documented_403(site: str) -> None:
    update = urllib.parse.quote("DELETE WHERE { ?s ?p ?o }")
    status, _, body = http(f"{site}sparql?query={update}", headers={"Accept": "application/sparql-results+json"})
    assert status == 403
    assert b"update" in body
    # a query that is simply wrong is still a 400
    status, _, _ = http(f"{site}sparql?query={urllib.parse.quote('SELEKT * WHERE {}')}",
                        headers={"Accept": "application/sparql-results+json"})
    assert status == 400


def test_a_browser_opening_a_query_url_reads_a_table(site: str) -> None:
    browser = {"Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"}
    query = urllib.parse.quote("SELECT ?p ?label WHERE { ?p a <http://schema.org/Person> ; "
                               "<http://www.w3.org/2000/01/rdf-schema#label> ?label } ORDER BY ?label")
    status, headers, body = http(f"{site}sparql?query={query}", headers=browser)
    assert status == 200 and headers["Content-Type"].startswith("text/html")
    page = body.decode("utf-8")
    assert "<table" in page and "To Lam" in page and "<sparql" not in page
    # a program asking for XML still gets the protocol's XML, and ?format= still wins
    status, headers, _ = http(f"{site}sparql?query={query}", headers={"Accept": "application/sparql-results+xml"})
    assert headers["Content-Type"].startswith("application/sparql-results+xml")
    status, headers, _ = http(f"{site}sparql?query={query}&format=json", headers=browser)
    assert headers["Content-Type"].startswith("application/sparql-results+json")
