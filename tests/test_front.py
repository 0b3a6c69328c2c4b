"""What is answered before Flask: kept answers (``coopld.web.front``) and programs' GET queries
(``coopld.web.query_protocol``). Both exist for speed only, so a client must not be able to tell
them from the Flask app: the same status, headers and body, the right variant for its Accept
header, 304 for its current copy, and nothing kept that must not be."""

from __future__ import annotations

import urllib.parse
from collections.abc import Iterator

import pytest
from flask import Flask

from coopld.web import create_app
from coopld.web.front import ResponseCache
from tests.conftest import Built

DOC = "/doc/event/2017-07-25-talks-russia-vietnam-hanoi"
LOOKUP = ("SELECT ?p WHERE { <https://w3id.org/coopld/id/event/2017-07-25-talks-russia-vietnam-hanoi> "
          "<https://w3id.org/coopld/ontology#hasParticipant> ?p } ORDER BY ?p")
JSON = "application/sparql-results+json"


@pytest.fixture
def app(seeds: Built) -> Iterator[Flask]:
    """The app with a count of the requests Flask itself handled."""
    app = create_app({"COOPLD_BUILD": str(seeds.settings.out)})
    app.config["flask_requests"] = 0

    @app.before_request
    def _count() -> None:
        app.config["flask_requests"] += 1

    yield app


def _same_but_date(first: dict[str, str], second: dict[str, str]) -> None:
    assert {k: v for k, v in first.items() if k != "Date"} == {k: v for k, v in second.items() if k != "Date"}


def test_a_document_is_sent_again_as_flask_made_it_without_flask(app: Flask) -> None:
    """Kept the second time it is asked (a URL asked once is not worth a copy), then sent from
    the copy."""
    client = app.test_client()
    made = client.get(DOC + ".ttl")
    again = client.get(DOC + ".ttl")
    assert app.config["flask_requests"] == 2, "a URL asked for the first time is not kept"
    kept = client.get(DOC + ".ttl")
    assert made.status_code == again.status_code == kept.status_code == 200
    assert kept.data == again.data == made.data and b"talks" in kept.data.lower()
    _same_but_date(dict(made.headers), dict(kept.headers))
    assert app.config["flask_requests"] == 2, "the kept document did not enter Flask"


def test_a_query_asked_once_is_not_kept_and_one_asked_again_is(seeds: Built) -> None:
    """The query lane's answers go through the same cache: a text asked once (most of what a
    program sends) is not copied into it, so it cannot push out what is asked again."""
    app = create_app({"COOPLD_BUILD": str(seeds.settings.out)})
    client = app.test_client()
    url = "/sparql?" + urllib.parse.urlencode({"query": LOOKUP})
    cache = app.wsgi_app
    assert isinstance(cache, ResponseCache)
    first = client.get(url, headers={"Accept": JSON})
    assert first.status_code == 200 and cache.kept_bytes() == 0
    client.get(url, headers={"Accept": JSON})
    kept = cache.kept_bytes()
    assert kept == len(first.data)
    for n in range(20):
        client.get("/sparql?" + urllib.parse.urlencode({"query": f"{LOOKUP} LIMIT {n + 1}"}), headers={"Accept": JSON})
    assert cache.kept_bytes() == kept, "texts asked once were kept"
    assert client.get(url, headers={"Accept": JSON}).data == first.data


def test_each_accept_header_gets_its_own_variant(app: Flask) -> None:
    """The extension-less IRI of a document varies on Accept: what one client was sent is not
    sent to another that asked for something else."""
    client = app.test_client()
    for _ in range(2):
        turtle = client.get(DOC, headers={"Accept": "text/turtle"})
        html = client.get(DOC, headers={"Accept": "text/html"})
        jsonld = client.get(DOC, headers={"Accept": "application/ld+json"})
        assert turtle.mimetype == "text/turtle" and html.mimetype == "text/html"
        assert jsonld.mimetype == "application/ld+json"
        assert turtle.headers["Vary"] == "Accept" and turtle.headers["ETag"] != html.headers["ETag"]


def test_a_current_copy_gets_304_and_a_range_goes_to_flask(app: Flask) -> None:
    client = app.test_client()
    first = client.get(DOC + ".html")
    client.get(DOC + ".html")  # kept from its second request on
    handled = app.config["flask_requests"]
    again = client.get(DOC + ".html", headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304 and again.data == b"" and again.headers["ETag"] == first.headers["ETag"]
    assert "Content-Type" not in again.headers and again.headers["X-Content-Type-Options"] == "nosniff"
    assert app.config["flask_requests"] == handled
    stale = client.get(DOC + ".html", headers={"If-None-Match": '"not-this-one"'})
    assert stale.status_code == 200 and stale.data == first.data
    client.get(DOC + ".html", headers={"Range": "bytes=0-9"})
    assert app.config["flask_requests"] == handled + 1, "a range request is the app's to answer"


def test_a_programs_query_is_answered_before_flask_as_flask_would(app: Flask) -> None:
    """The query lane answers a GET query for a program; Flask answers the same query for a form
    POST. Status, body and headers are the same (the ETag too: the answer is the same)."""
    client = app.test_client()
    got = client.get("/sparql?" + urllib.parse.urlencode({"query": LOOKUP}), headers={"Accept": JSON})
    assert app.config["flask_requests"] == 0
    posted = client.post("/sparql", data={"query": LOOKUP}, headers={"Accept": JSON})
    assert app.config["flask_requests"] == 1
    assert got.status_code == posted.status_code == 200
    assert got.data == posted.data and got.json["results"]["bindings"]
    _same_but_date(dict(got.headers), dict(posted.headers))


def test_refusals_before_flask_say_what_flask_says(app: Flask) -> None:
    """A query the store refuses while running it is answered by the lane; one refused before it
    runs goes to Flask. Either way the client reads the status and reason it would have read."""
    client = app.test_client()
    for query, status, reason in [("SELECT * WHERE { ?s ?p }", 400, "does not parse"),
                                  ("INSERT DATA { <a:b> <a:c> <a:d> }", 403, "read-only"),
                                  ("SELECT * WHERE { SERVICE <http://127.0.0.1:9/> { ?s ?p ?o } }", 403, "SERVICE")]:
        got = client.get("/sparql?" + urllib.parse.urlencode({"query": query}), headers={"Accept": JSON})
        posted = client.post("/sparql", data={"query": query}, headers={"Accept": JSON})
        assert got.status_code == posted.status_code == status, query
        assert reason in got.get_data(as_text=True) and got.data == posted.data
        assert got.headers["Content-Security-Policy"] == posted.headers["Content-Security-Policy"]
        assert "ETag" not in got.headers, "a refusal is not kept"
    graph = "CONSTRUCT WHERE { ?s ?p ?o } LIMIT 1"  # its kind is known once run: triples have no CSV
    got = client.get("/sparql?" + urllib.parse.urlencode({"query": graph}), headers={"Accept": "text/csv"})
    posted = client.post("/sparql", data={"query": graph}, headers={"Accept": "text/csv"})
    assert got.status_code == posted.status_code == 406 and got.data == posted.data and b"text/turtle" in got.data


def test_a_browser_gets_the_results_page_and_cors_is_the_same_for_every_site(app: Flask) -> None:
    client = app.test_client()
    url = "/sparql?" + urllib.parse.urlencode({"query": LOOKUP})
    page = client.get(url, headers={"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"})
    assert page.mimetype == "text/html" and b"<table" in page.data
    for origin in ("https://one.example", "https://two.example"):
        answer = client.get(url, headers={"Accept": JSON, "Origin": origin})
        assert answer.headers["Access-Control-Allow-Origin"] == "*"
    assert client.get(url, headers={"Accept": JSON}).mimetype == JSON, "the page was not sent to a program"
