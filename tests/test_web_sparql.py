"""The SPARQL endpoint under gunicorn, used with real clients: SPARQLWrapper, rdflib's
SPARQLStore, curl and Debian's roqet. Every answer is parsed back."""

from __future__ import annotations

import csv
import io
import json
import shutil
import subprocess
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from typing import Any

import pytest
from rdflib import Graph
from rdflib.plugins.stores.sparqlstore import SPARQLStore
from SPARQLWrapper import CSV, JSON, JSONLD, TSV, TURTLE, XML, SPARQLWrapper

from tests.conftest import QUERIES, Built

EVENTS = (QUERIES / "cq-events.rq").read_text(encoding="utf-8")
CONSTRUCT = """PREFIX coop: <https://w3id.org/coopld/ontology#>
CONSTRUCT { ?e a coop:CooperationEvent ; coop:place ?p } WHERE { ?e a coop:CooperationEvent ; coop:place ?p }"""


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    """Let a test see a 303 itself rather than where it leads."""

    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


_OPENER = urllib.request.build_opener(_NoRedirect)


def http(url: str, *, data: bytes | None = None, headers: dict[str, str] | None = None,
         method: str | None = None) -> tuple[int, dict[str, str], bytes]:
    """One request, redirects not followed; (status, headers, body) whatever the status."""
    request = urllib.request.Request(url, data=data, headers=headers or {}, method=method)
    try:
        with _OPENER.open(request, timeout=30) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


def wrapper(site: str, query: str, fmt: str) -> Any:
    client = SPARQLWrapper(site + "sparql")
    client.setQuery(query)
    client.setReturnFormat(fmt)
    return client.query()


def test_select_in_json_xml_csv_tsv(site: str) -> None:
    rows = wrapper(site, EVENTS, JSON).convert()["results"]["bindings"]
    assert len(rows) == 15
    xml = wrapper(site, EVENTS, XML).convert()
    assert len(xml.getElementsByTagName("result")) == 15
    table = list(csv.DictReader(io.StringIO(wrapper(site, EVENTS, CSV).convert().decode("utf-8"))))
    assert len(table) == 15 and set(table[0]) == {"event", "kind", "date", "place", "article", "main"}
    tsv = wrapper(site, EVENTS, TSV).convert().decode("utf-8").splitlines()
    assert len(tsv) == 16 and tsv[0].split("\t") == ["?event", "?kind", "?date", "?place", "?article", "?main"]


def test_construct_in_turtle_and_jsonld(site: str) -> None:
    turtle = wrapper(site, CONSTRUCT, TURTLE).convert()
    graph = Graph().parse(data=turtle, format="turtle")
    assert len(set(graph.subjects())) == 11  # the events with a place
    jsonld = wrapper(site, CONSTRUCT, JSONLD).convert()
    assert len(jsonld) == len(graph)


def test_rdflib_sparqlstore(site: str) -> None:
    store = SPARQLStore(query_endpoint=site + "sparql", returnFormat="json")
    graph = Graph(store=store)
    rows = list(graph.query((QUERIES / "cq-topics.rq").read_text(encoding="utf-8")))
    assert len(rows) > 50
    assert any(str(r[2]) == "new psychotropic substances" for r in rows)


@pytest.mark.parametrize("accept, parse", [
    ("application/sparql-results+json", "json"), ("application/sparql-results+xml", "xml"),
    ("text/csv", "csv"), ("text/tab-separated-values", "tsv")])
def test_the_three_request_forms_agree(site: str, accept: str, parse: str) -> None:
    query = "SELECT ?kind WHERE { ?e <https://w3id.org/coopld/ontology#eventKind> ?kind } ORDER BY ?kind"
    get = http(site + "sparql?" + urllib.parse.urlencode({"query": query}), headers={"Accept": accept})
    form = http(site + "sparql", data=urllib.parse.urlencode({"query": query}).encode(),
                headers={"Accept": accept, "Content-Type": "application/x-www-form-urlencoded"})
    direct = http(site + "sparql", data=query.encode(), headers={"Accept": accept,
                                                                 "Content-Type": "application/sparql-query"})
    assert get[0] == form[0] == direct[0] == 200
    assert get[1]["Content-Type"].startswith(accept)
    assert get[2] == form[2] == direct[2]


@pytest.mark.skipif(shutil.which("curl") is None, reason="curl is not installed")
@pytest.mark.parametrize("accept, rapper_format", [
    ("text/turtle", "turtle"), ("application/n-triples", "ntriples"), ("application/rdf+xml", "rdfxml"),
    ("application/trig", "trig"), ("application/ld+json", None)])
def test_curl_construct_in_each_format(site: str, accept: str, rapper_format: str | None, tmp_path: Any) -> None:
    out = tmp_path / "answer"
    run = subprocess.run(["curl", "-sS", "-f", "-o", str(out), "-H", f"Accept: {accept}", "--data-urlencode",
                          f"query={CONSTRUCT}", site + "sparql"], capture_output=True, text=True, timeout=60)
    assert run.returncode == 0, run.stderr
    rdflib_format = {"text/turtle": "turtle", "application/n-triples": "nt", "application/rdf+xml": "xml",
                     "application/trig": "trig", "application/ld+json": "json-ld"}[accept]
    from rdflib import Dataset

    dataset = Dataset(default_union=True)
    dataset.parse(out, format=rdflib_format)
    assert len(dataset) == 22
    if rapper_format and shutil.which("rapper"):
        checked = subprocess.run(["rapper", "-c", "-i", rapper_format, str(out), "http://example.org/"],
                                 capture_output=True, text=True, timeout=60)
        assert checked.returncode == 0 and "returned 22 " in checked.stderr, checked.stderr


@pytest.mark.skipif(shutil.which("roqet") is None, reason="Debian's rasqal-utils is not installed (bin/test installs it)")
def test_roqet_queries_the_endpoint_and_reads_its_results(site: str, tmp_path: Any) -> None:
    run = subprocess.run(["roqet", "-q", "-p", site + "sparql", "-e", EVENTS, "-r", "xml"], capture_output=True,
                         text=True, timeout=60)
    assert run.returncode == 0, run.stderr
    assert run.stdout.count("<result>") == 15
    _status, _headers, body = http(site + "sparql?" + urllib.parse.urlencode({"query": EVENTS}),
                                  headers={"Accept": "application/sparql-results+xml"})
    results = tmp_path / "events.srx"
    results.write_bytes(body)
    read = subprocess.run(["roqet", "-q", "-t", str(results), "-R", "xml", "-r", "csv"], capture_output=True,
                          text=True, timeout=60)
    assert read.returncode == 0, read.stderr
    assert len(read.stdout.strip().splitlines()) == 16, read.stdout


def test_default_and_named_graph_parameters(site: str, seeds: Built) -> None:
    graph = seeds.settings.graph_base + "article/004-3c8652a5e7475668"
    query = "SELECT (COUNT(DISTINCT ?e) AS ?n) WHERE { ?e a <https://w3id.org/coopld/ontology#CooperationEvent> }"
    one = http(site + "sparql?" + urllib.parse.urlencode({"query": query, "default-graph-uri": graph}),
               headers={"Accept": "application/sparql-results+json"})
    assert json.loads(one[2])["results"]["bindings"][0]["n"]["value"] == "4"
    named = "SELECT ?g WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g"
    only = http(site + "sparql?" + urllib.parse.urlencode({"query": named, "named-graph-uri": graph}),
                headers={"Accept": "application/sparql-results+json"})
    assert [b["g"]["value"] for b in json.loads(only[2])["results"]["bindings"]] == [graph]
    union = wrapper(site, "SELECT (COUNT(DISTINCT ?e) AS ?n) WHERE { ?e a <https://w3id.org/coopld/ontology#CooperationEvent> }",
                    JSON).convert()
    assert union["results"]["bindings"][0]["n"]["value"] == "15", "the default graph is the union"


def test_service_description(site: str) -> None:
    status, headers, body = http(site + "sparql", headers={"Accept": "text/turtle"})
    assert status == 200 and headers["Content-Type"].startswith("text/turtle")
    graph = Graph().parse(data=body, format="turtle")
    sd = "http://www.w3.org/ns/sparql-service-description#"
    rows = graph.query(f"""PREFIX sd: <{sd}> ASK {{ ?s sd:endpoint <{site}sparql> ; sd:feature sd:UnionDefaultGraph ;
        sd:supportedLanguage sd:SPARQL11Query ; sd:defaultDataset/sd:namedGraph/sd:name ?g }}""")
    assert rows.askAnswer
    page = http(site + "sparql", headers={"Accept": "text/html"})
    assert page[0] == 200 and b"<html" in page[2]


def test_cors(site: str) -> None:
    status, headers, _ = http(site + "sparql?query=ASK%7B%7D", headers={"Origin": "https://elsewhere.example"})
    assert status == 200 and headers["Access-Control-Allow-Origin"] in ("*", "https://elsewhere.example")
    status, headers, _ = http(site + "sparql", method="OPTIONS", headers={
        "Origin": "https://elsewhere.example", "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "content-type"})
    assert status == 200 and "POST" in headers["Access-Control-Allow-Methods"]


@pytest.mark.parametrize("description, request_kwargs, status, message", [
    ("malformed query", {"url": "sparql?query=SELECT%20*%20WHERE%20%7B", "headers": {}}, 400, "does not parse"),
    ("two queries", {"url": "sparql?query=ASK%7B%7D&query=ASK%7B%7D", "headers": {}}, 400, "one query"),
    ("no query", {"url": "sparql?format=json", "headers": {}}, 400, "no query"),
    ("unknown format", {"url": "sparql?query=ASK%7B%7D&format=png", "headers": {}}, 406, "available as"),
    ("unacceptable Accept", {"url": "sparql?query=ASK%7B%7D", "headers": {"Accept": "image/png"}}, 406, "available as"),
    ("update parameter", {"url": "sparql", "data": b"update=INSERT+DATA+%7B%3Cx%3A%3E+%3Cx%3A%3E+%3Cx%3A%3E%7D",
                          "headers": {"Content-Type": "application/x-www-form-urlencoded"}}, 403, "read-only"),
    ("update body", {"url": "sparql", "data": b"INSERT DATA { <x:a> <x:b> <x:c> }",
                     "headers": {"Content-Type": "application/sparql-update"}}, 403, "read-only"),
    ("update as a query", {"url": "sparql?query=INSERT%20DATA%20%7B%3Cx%3Aa%3E%20%3Cx%3Ab%3E%20%3Cx%3Ac%3E%7D",
                           "headers": {}}, 403, "an update was sent as a query"),
    ("SERVICE to loopback", {"url": "sparql?" + urllib.parse.urlencode(
        {"query": "SELECT * WHERE { SERVICE <http://127.0.0.1:9/sparql> { ?s ?p ?o } }"}), "headers": {}}, 403, "SERVICE"),
    ("SERVICE elsewhere", {"url": "sparql?" + urllib.parse.urlencode(
        {"query": "select * { service silent <https://query.wikidata.org/sparql> { ?s ?p ?o } }"}), "headers": {}},
     403, "SERVICE"),
    ("over-long query", {"url": "sparql", "data": ("ASK { " + "?s ?p ?o . " * 12000 + "}").encode(),
                         "headers": {"Content-Type": "application/sparql-query"}}, 413, "at most"),
])
def test_bad_requests_get_clear_errors(site: str, description: str, request_kwargs: dict[str, Any], status: int,
                                       message: str) -> None:
    kwargs = dict(request_kwargs)  # shared by every backend's run of this case
    url = site + kwargs.pop("url")
    got, headers, body = http(url, **kwargs)
    assert got == status, (description, body)
    assert headers["Content-Type"].startswith("text/plain") and message in body.decode(), (description, body)
    assert http(site + "sparql?query=ASK%7B%7D")[0] == 200, "the server keeps answering"


def test_a_slow_query_is_stopped_and_others_are_still_answered(site: str) -> None:
    slow = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
    answers: list[tuple[int, bytes]] = []

    def ask_slow() -> None:
        status, _h, body = http(site + "sparql?" + urllib.parse.urlencode({"query": slow}))
        answers.append((status, body))

    thread = threading.Thread(target=ask_slow)
    started = time.monotonic()
    thread.start()
    time.sleep(0.3)
    assert http(site + "sparql?query=ASK%7B%7D")[0] == 200, "another worker answers meanwhile"
    thread.join(timeout=30)
    assert answers and answers[0][0] == 503 and b"longer than 3 s" in answers[0][1]
    assert time.monotonic() - started < 15
    rows = wrapper(site, EVENTS, JSON).convert()["results"]["bindings"]
    assert len(rows) == 15, "and the worker that stopped it answers the next query"


def test_huge_results_and_memory_hungry_queries_are_refused(seeds: Built) -> None:
    from tests.conftest import gunicorn

    with gunicorn(seeds.settings.out, MAX_RESULT_BYTES="20000", QUERY_MEMORY_MB="1500", QUERY_TIMEOUT="30") as url:
        status, _h, body = http(url + "sparql?" + urllib.parse.urlencode({"query": "SELECT * WHERE { ?s ?p ?o }"}))
        assert status == 400 and b"larger than 20000 bytes" in body
        assert http(url + "sparql?query=ASK%7B%7D")[0] == 200
        # sorting every pair of triples needs gigabytes: the query process runs out, not the server
        hungry = "SELECT * WHERE { ?a ?p ?b . ?c ?q ?d } ORDER BY ?a ?d LIMIT 1"
        status, _h, body = http(url + "sparql?" + urllib.parse.urlencode({"query": hungry}))
        assert status == 503 and b"memory" in body
        assert http(url + "sparql?query=ASK%7B%7D")[0] == 200


def _rows(document: bytes) -> list[tuple[tuple[str, str, str, str], ...]]:
    """A JSON results document as a sorted list of rows, each term as (type, value, datatype,
    language); blank nodes by type only (their labels are the store's own)."""
    data = json.loads(document)
    if "boolean" in data:
        return [((("boolean", str(data["boolean"]), "", ""),))]
    rows = []
    for binding in data["results"]["bindings"]:
        row = []
        for name in sorted(binding):
            term = binding[name]
            kind = "literal" if term["type"] == "typed-literal" else term["type"]
            row.append((name, kind, "" if kind == "bnode" else term["value"], term.get("datatype", ""),
                        term.get("xml:lang", "")))
        rows.append(tuple(row))
    return sorted(rows)


#: (store, example) pairs whose answers differ for a reason of the store's, not coopld's
STORE_DIFFERENCES = {("virtuoso", "cq-events.rq"): "Virtuoso 7.2 writes the value of a boolean expression "
                                                   "(EXISTS … AS ?main) as the integer 1 or 0"}


@pytest.mark.parametrize("example", sorted(p.name for p in QUERIES.glob("*.rq")))
def test_every_example_query_gives_the_same_answer_on_every_store(site: str, seeds: Built, example: str,
                                                                 request: pytest.FixtureRequest) -> None:
    """The example queries of the query page, asked of the server (over the embedded store, a
    real Virtuoso or Oxigraph's server), answer exactly what the built store answers."""
    import pyoxigraph as ox

    backend = request.node.callspec.params["site"]
    if (backend, example) in STORE_DIFFERENCES:
        request.applymarker(pytest.mark.xfail(reason=STORE_DIFFERENCES[backend, example], strict=True))

    text = (QUERIES / example).read_text(encoding="utf-8")
    expected = seeds.store.query(text).serialize(format=ox.QueryResultsFormat.JSON)
    status, _h, body = http(site + "sparql?" + urllib.parse.urlencode({"query": text}),
                            headers={"Accept": "application/sparql-results+json"})
    assert status == 200, body[:300]
    assert _rows(body) == _rows(expected)
