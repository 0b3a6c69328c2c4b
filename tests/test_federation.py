"""SERVICE is refused by construction: from the parse tree, in a query process without network.

A real HTTP listener on a loopback port records every request it gets; the real app under
gunicorn is sent the many ways SPARQL lets one write a SERVICE call to it, by GET and by POST,
and must refuse each one without the listener ever hearing from it."""

from __future__ import annotations

import json
import threading
import urllib.parse
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from coopld.web.federation import calls_service
from coopld.web.runner import QueryFailed, QueryRunner, died
from tests.conftest import Built, gunicorn
from tests.test_web_sparql import http

JSON = "application/sparql-results+json"
ANSWER = {"head": {"vars": ["s"]}, "results": {"bindings": [{"s": {"type": "uri", "value": "http://answered.example/"}}]}}


@dataclass
class Listener:
    """An HTTP server on a free loopback port that answers every request with one solution and
    remembers it."""

    url: str
    requests: list[dict[str, str]] = field(default_factory=list)


@pytest.fixture(scope="module")
def listener() -> Iterator[Listener]:
    heard: list[dict[str, str]] = []

    class Handler(BaseHTTPRequestHandler):
        def _answer(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length).decode("utf-8", "replace") if length else ""
            heard.append({"method": self.command, "path": self.path, "user-agent": self.headers.get("User-Agent", ""),
                          "body": body})
            data = json.dumps(ANSWER).encode()
            self.send_response(200)
            self.send_header("Content-Type", JSON)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        do_GET = do_POST = _answer

        def log_message(self, format: str, *args: object) -> None:
            return None

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield Listener(f"http://127.0.0.1:{server.server_address[1]}/sparql", heard)
    finally:
        server.shutdown()
        server.server_close()


def spellings(url: str) -> dict[str, str]:
    """Ways of writing a SERVICE call to ``url`` (http://127.0.0.1:PORT/sparql)."""
    root = url.removesuffix("sparql")
    escaped = url.replace(":", "\\u003A", 1)
    body = "{ ?s ?p ?o }"
    return {
        "plain": f"SELECT * WHERE {{ SERVICE <{url}> {body} }}",
        "lower case": f"select * where {{ service <{url}> {body} }}",
        "mixed case": f"SELECT * WHERE {{ sErViCe <{url}> {body} }}",
        "issue: IRI-like comparisons": f"PREFIX : <{root}> SELECT * WHERE {{ ?s ?p ?a FILTER(?a<2)SERVICE:x{{?s?p?o}}"
                                       "FILTER(?a>0) }",
        "issue: comparisons, full IRI": f"SELECT * WHERE {{ ?s ?p ?a FILTER(?a<2)SERVICE<{url}>{{?s?p?o}}FILTER(?a>0) }}",
        "issue: glued after a number": f"SELECT * WHERE {{ ?s ?p 1036SERVICE <{url}> {{?s ?p ?o}} }}",
        "glued after a decimal": f"SELECT * WHERE {{ ?s ?p ?o . ?s ?p 1.5SERVICE <{url}> {{?s ?p ?o}} }}",
        "glued after a string": f'SELECT * WHERE {{ ?s ?p "x"SERVICE <{url}> {{?s ?p ?o}} }}',
        "glued after a 'string'": f"SELECT * WHERE {{ ?s ?p 'x'SERVICE <{url}> {{?s ?p ?o}} }}",
        "glued after a language tag": f'SELECT * WHERE {{ ?s ?p "x"@en SERVICE <{url}> {{?s ?p ?o}} }}',
        "glued after )": f"SELECT * WHERE {{ ?s ?p ?o FILTER(?o)SERVICE <{url}> {{?s ?p ?o}} }}",
        "glued after }": f"SELECT * WHERE {{ {{?s ?p ?o}}SERVICE<{url}>{{?s ?p ?o}} }}",
        "comment before the IRI": f"SELECT * WHERE {{ SERVICE # a comment\n <{url}> {body} }}",
        "comment before the keyword": f"SELECT * WHERE {{ ?s ?p ?o #\nSERVICE <{url}> {body} }}",
        "newlines and tabs": f"SELECT * WHERE {{\n\tSERVICE\n\t<{url}>\n\t{body}\n}}",
        "SILENT": f"SELECT * WHERE {{ SERVICE SILENT <{url}> {body} }}",
        "silent, comment between": f"select * {{ service #\n silent <{url}> {body} }}",
        "prefixed name": f"PREFIX : <{root}> SELECT * WHERE {{ SERVICE :sparql {body} }}",
        "BASE and a relative IRI": f"BASE <{root}> SELECT * WHERE {{ SERVICE <sparql> {body} }}",
        "escaped IRI": f"SELECT * WHERE {{ SERVICE <{escaped}> {body} }}",
        "escaped keyword": f"SELECT * WHERE {{ \\u0053ERVICE <{url}> {body} }}",
        "upper-case scheme": f"SELECT * WHERE {{ SERVICE <{url.replace('http', 'HTTP')}> {body} }}",
        "subquery": f"SELECT * WHERE {{ {{ SELECT ?s WHERE {{ SERVICE <{url}> {body} }} }} }}",
        "nested subqueries": f"SELECT * WHERE {{ {{ SELECT * {{ {{ SELECT ?s {{ SERVICE <{url}> {body} }} }} }} }} }}",
        "FILTER EXISTS": f"SELECT * WHERE {{ ?s ?p ?o FILTER EXISTS {{ SERVICE <{url}> {body} }} }}",
        "FILTER NOT EXISTS": f"SELECT * WHERE {{ ?s ?p ?o FILTER NOT EXISTS {{ SERVICE <{url}> {body} }} }}",
        "BIND(EXISTS)": f"SELECT * WHERE {{ BIND(EXISTS {{ SERVICE <{url}> {body} }} AS ?b) }}",
        "MINUS": f"SELECT * WHERE {{ ?s ?p ?o MINUS {{ SERVICE <{url}> {body} }} }}",
        "OPTIONAL": f"SELECT * WHERE {{ ?s ?p ?o OPTIONAL {{ SERVICE <{url}> {body} }} }}",
        "UNION": f"SELECT * WHERE {{ {{ ?s ?p ?o }} UNION {{ SERVICE <{url}> {body} }} }}",
        "GRAPH": f"SELECT * WHERE {{ GRAPH ?g {{ SERVICE <{url}> {body} }} }}",
        "nested groups": f"SELECT * WHERE {{ {{ {{ {{ SERVICE <{url}> {body} }} }} }} }}",
        "variable from VALUES": f"SELECT * WHERE {{ VALUES ?x {{ <{url}> }} SERVICE ?x {body} }}",
        "variable from BIND": f"SELECT * WHERE {{ BIND(<{url}> AS ?x) SERVICE ?x {body} }}",
        "variable from a triple pattern": f"SELECT * WHERE {{ ?x ?p ?o SERVICE ?x {body} }}",
        "two SERVICEs": f"SELECT * WHERE {{ SERVICE <{url}> {body} SERVICE <{root}other> {body} }}",
        "CONSTRUCT WHERE": f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ SERVICE <{url}> {body} }}",
        "ASK": f"ASK {{ SERVICE <{url}> {body} }}",
        "DESCRIBE": f"DESCRIBE ?s WHERE {{ SERVICE <{url}> {body} }}",
        "OPTIONAL in a subquery in a UNION": f"SELECT * {{ {{ ?s ?p ?o }} UNION {{ SELECT * {{ OPTIONAL {{ SERVICE "
                                             f"<{url}> {body} }} }} }} }}",
    }


def allowed(url: str) -> dict[str, str]:
    """Queries with the word SERVICE where it is no keyword: they must still be answered."""
    return {
        "in a string": f'SELECT * WHERE {{ ?s ?p "SERVICE <{url}> {{ ?s ?p ?o }}" }}',
        "in a long string": f'SELECT * WHERE {{ ?s ?p """x\nSERVICE <{url}> {{}}""" }}',
        "in an IRI": "SELECT * WHERE { ?s <http://example.org/SERVICE> ?o }",
        "in a comment": f"SELECT * WHERE {{ ?s ?p ?o # SERVICE <{url}> {{ }}\n}} LIMIT 1",
        "as a variable": "SELECT ?service WHERE { ?service ?p ?o } LIMIT 1",
        "in a comparison with IRIs": "SELECT * WHERE { ?s ?p ?o FILTER(?o != <http://example.org/service>) } LIMIT 1",
    }


def _by_get(site: str, query: str) -> tuple[int, bytes]:
    status, _headers, body = http(site + "sparql?" + urllib.parse.urlencode({"query": query}), headers={"Accept": JSON})
    return status, body


def _by_post(site: str, query: str) -> tuple[int, bytes]:
    status, _headers, body = http(site + "sparql", data=query.encode(),
                                  headers={"Accept": JSON, "Content-Type": "application/sparql-query"})
    return status, body


def _by_form(site: str, query: str) -> tuple[int, bytes]:
    status, _headers, body = http(site + "sparql", data=urllib.parse.urlencode({"query": query}).encode(),
                                  headers={"Accept": JSON, "Content-Type": "application/x-www-form-urlencoded"})
    return status, body


METHODS = {"GET": _by_get, "POST": _by_post, "form POST": _by_form}


@pytest.fixture(scope="module")
def closed(seeds: Built) -> Iterator[str]:
    """The app as it is deployed by default: federation off."""
    with gunicorn(seeds.settings.out, QUERY_TIMEOUT="10") as url:
        yield url


def test_no_spelling_of_service_reaches_the_listener(closed: str, listener: Listener) -> None:
    corpus = spellings(listener.url)
    assert len(corpus) >= 30
    wrong = []
    for name, query in corpus.items():
        for method, send in METHODS.items():
            status, body = send(closed, query)
            expected = {403} if calls_service(query) else {400, 403}
            if status not in expected or b"127.0.0.1" in body:
                wrong.append((name, method, status, body.decode("utf-8", "replace")[:200]))
            elif status == 403:
                assert b"federated SERVICE calls are disabled" in body, (name, body)
    assert not wrong
    assert listener.requests == [], "the listener was contacted"
    assert _by_get(closed, "ASK {}")[0] == 200


def test_the_word_service_elsewhere_is_allowed(closed: str, listener: Listener) -> None:
    for name, query in allowed(listener.url).items():
        for method, send in METHODS.items():
            status, body = send(closed, query)
            assert status == 200, (name, method, body)
    assert listener.requests == []


def test_the_sandbox_alone_holds(seeds: Built, listener: Listener) -> None:
    """With the parse check switched off, SERVICE still reaches no one: the query process has
    no network."""
    runner = QueryRunner(str(seeds.settings.out / "store"), timeout=20, max_bytes=10**6, check_service=False)
    try:
        stopped = 0
        for name, query in spellings(listener.url).items():
            if name == "variable from a triple pattern":
                continue  # names the data's hosts, not the listener
            try:
                answer = runner.run(query, {}, JSON, "text/turtle")
            except QueryFailed as failed:  # the sandbox (403), pyoxigraph's grammar or evaluation (400)
                assert failed.kind in ("forbidden", "syntax", "store"), (name, failed.kind, failed.message)
                assert "127.0.0.1" not in failed.message
                stopped += failed.kind == "forbidden"
            else:  # the SERVICE was never evaluated (nothing to join it with)
                assert b"answered.example" not in answer.body, name
        assert stopped >= 20, stopped  # most reach the network call, and are denied it
        assert runner.run("ASK { ?s ?p ?o }", {}, JSON, None).body.endswith(b"true}")
    finally:
        runner.close()
    assert listener.requests == []


def test_without_a_sandbox_public_queries_are_not_run(seeds: Built, tmp_path: Path,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    fake = tmp_path / "no-seccomp"
    fake.mkdir()
    (fake / "pyseccomp.py").write_text("raise ImportError('libseccomp is not installed')\n", encoding="utf-8")
    monkeypatch.setenv("PYTHONPATH", str(fake))
    store = str(seeds.settings.out / "store")
    runner = QueryRunner(store, timeout=20, max_bytes=10**6)
    try:
        with pytest.raises(QueryFailed) as failed:
            runner.run("ASK {}", {}, JSON, None)
        assert failed.value.kind == "sandbox" and "COOPLD_QUERY_SANDBOX=false" in failed.value.message
    finally:
        runner.close()
    unsandboxed = QueryRunner(store, timeout=20, max_bytes=10**6, sandbox=False)
    try:
        assert unsandboxed.run("ASK {}", {}, JSON, None).kind == "boolean"
    finally:
        unsandboxed.close()


def test_the_allow_list(seeds: Built, listener: Listener, closed: str) -> None:
    assert b"BasicFederatedQuery" not in http(closed + "sparql", headers={"Accept": "text/turtle"})[2]
    other = listener.url.replace("/sparql", "/other")
    with gunicorn(seeds.settings.out, FEDERATION_ENDPOINTS=json.dumps([listener.url])) as site:
        before = len(listener.requests)
        status, body = _by_get(site, f"SELECT ?s WHERE {{ SERVICE <{listener.url}> {{ ?s ?p ?o }} }}")
        assert status == 200 and b"http://answered.example/" in body, body
        assert len(listener.requests) == before + 1 and listener.requests[-1]["user-agent"].startswith("Oxigraph")
        refused = {
            "another endpoint": f"SELECT * WHERE {{ SERVICE <{other}> {{ ?s ?p ?o }} }}",
            "another port": "SELECT * WHERE { SERVICE <http://127.0.0.1:9/sparql> { ?s ?p ?o } }",
            "a variable": f"SELECT * WHERE {{ VALUES ?x {{ <{listener.url}> }} SERVICE ?x {{ ?s ?p ?o }} }}",
            "a relative IRI": f"BASE <{listener.url}> SELECT * WHERE {{ SERVICE <> {{ ?s ?p ?o }} }}",
            "one allowed, one not": f"ASK {{ SERVICE <{listener.url}> {{ ?s ?p ?o }} SERVICE <{other}> {{ ?s ?p ?o }} }}",
        }
        for name, query in refused.items():
            status, body = _by_post(site, query)
            assert status == 403 and b"SERVICE" in body, (name, body)
        status, body = _by_get(site, f"SELECT * WHERE {{ ?s ?p 1036SERVICE <{other}> {{ ?s ?p ?o }} }}")
        assert status == 400 and b"cannot be checked against the federation allow-list" in body, body
        status, body = _by_get(site, f"SELECT * WHERE {{ SERVICE <{listener.url.replace(':', chr(92) + 'u003A', 1)}> {{}} }}")
        assert status == 400 and b"cannot be checked" in body, body
        description = http(site + "sparql", headers={"Accept": "text/turtle"})[2]
        assert b"BasicFederatedQuery" in description
        assert _by_get(site, "ASK {}")[0] == 200
    assert len(listener.requests) == before + 1, "only the allowed endpoint was contacted"


@pytest.mark.parametrize("opening, closing", [("{", "}"), ("(", ")")])
def test_deep_nesting_is_a_clear_400(closed: str, opening: str, closing: str) -> None:
    core = "?s ?p ?o" if opening == "{" else "?s ?p ?o FILTER(" + "(" * 3000 + "1" + ")" * 3000 + ")"
    query = ("SELECT * WHERE " + "{" * 3000 + core + "}" * 3000) if opening == "{" else f"SELECT * WHERE {{ {core} }}"
    for send in (_by_get, _by_post):
        status, body = send(closed, query)
        assert status == 400 and b"nested too deeply" in body, body
        assert _by_get(closed, "ASK { ?s ?p ?o }") == (200, b'{"head":{},"boolean":true}')


def test_a_crashed_query_process_is_told_from_one_out_of_memory() -> None:
    assert died(-11, "").kind == "too-deep"
    assert died(-6, "thread 'x' has overflowed its stack\nfatal runtime error: stack overflow").kind == "too-deep"
    assert died(-6, "memory allocation of 123456 bytes failed").kind == "memory"
    assert died(1, "Traceback ...").kind == "crashed"
