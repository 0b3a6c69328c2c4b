"""The server against clients that send what they should not: odd reconciliation requests, bodies
far over any limit (announced or chunked), query strings as long as the README promises; and the
headers every response carries. Everything runs against the real app under gunicorn, configured
as bin/serve configures it (tests/conftest.py's ``gunicorn`` helper)."""

from __future__ import annotations

import contextlib
import json
import re
import socket
import threading
import time
import urllib.parse
from pathlib import Path
from typing import Any

import pytest
from werkzeug.serving import make_server

from coopld.web import create_app
from coopld.web.headers import DevRequestHandler, request_bytes
from tests.conftest import ROOT, Built
from tests.test_web_sparql import http

WEB = ROOT / "coopld" / "web"
MAX_QUERY_LENGTH = 100_000  # the README's promise (COOPLD_MAX_QUERY_LENGTH's default)


# --- /reconcile: every client error is a 4xx naming the fault --------------------------------

def _batch(query: dict[str, Any]) -> str:
    return json.dumps({"q0": query})


ODD_BATCHES = {  # what a client sent as 'queries' -> a word the answer must contain
    "deep arrays": ("[" * 100_000, "nested too deeply"),
    "deep objects": ('{"q0":' * 5_000 + "1" + "}" * 5_000, "nested too deeply"),
    "limit NaN": ('{"q0": {"query": "Hanoi", "limit": NaN}}', "NaN"),
    "limit Infinity": ('{"q0": {"query": "Hanoi", "limit": Infinity}}', "Infinity"),
    "limit -Infinity": ('{"q0": {"query": "Hanoi", "limit": -Infinity}}', "Infinity"),
    "limit 1e999": ('{"q0": {"query": "Hanoi", "limit": 1e999}}', "out of range"),
    "limit of 5000 digits": ('{"q0": {"query": "Hanoi", "limit": ' + "9" * 5_000 + "}}", "out of range"),
    "negative limit": (_batch({"query": "Hanoi", "limit": -1}), "limit"),
    "float limit": (_batch({"query": "Hanoi", "limit": 2.5}), "limit"),
    "pid '::'": (_batch({"query": "Hanoi", "properties": [{"pid": "::", "v": "x"}]}), "pid"),
    "pid empty": (_batch({"query": "Hanoi", "properties": [{"pid": "", "v": "x"}]}), "pid"),
    "pid 'http://['": (_batch({"query": "Hanoi", "properties": [{"pid": "http://[", "v": "x"}]}), "pid"),
    "pid a number": (_batch({"query": "Hanoi", "properties": [{"pid": 7, "v": "x"}]}), "pid"),
    "pid an object": (_batch({"query": "Hanoi", "properties": [{"pid": {"id": "x"}, "v": "x"}]}), "pid"),
    "pid very long": (_batch({"query": "Hanoi", "properties": [{"pid": "http://a/" + "p" * 50_000, "v": "x"}]}),
                      "pid"),
    "pid with properties alone": (_batch({"properties": [{"pid": "not an iri", "v": "x"}]}), "pid"),
    "type 'http://['": (_batch({"query": "Hanoi", "type": "http://["}), "type"),
    "type '::'": (_batch({"query": "Hanoi", "type": ["::"]}), "type"),
    "type empty": (_batch({"query": "Hanoi", "type": ""}), "type"),
    "type a number": (_batch({"query": "Hanoi", "type": 3}), "type"),
    "type an object": (_batch({"query": "Hanoi", "type": {"id": "x"}}), "type"),
    "type very long": (_batch({"query": "Hanoi", "type": "http://a/" + "t" * 50_000}), "type"),
    "query very long": (_batch({"query": "Hanoi " * 20_000}), "query"),
    "value very long": (_batch({"query": "Hanoi", "properties": [{"pid": "coop:country", "v": "v" * 50_000}]}),
                        "value"),
    "many properties": (_batch({"query": "Hanoi", "properties": [{"pid": f"http://a/p{i}", "v": "x"}
                                                                  for i in range(1000)]}), "property"),
}


@pytest.mark.parametrize("how", ["GET", "POST form", "POST JSON"])
@pytest.mark.parametrize("case", sorted(ODD_BATCHES))
def test_odd_reconciliation_batches_are_client_errors(site: str, case: str, how: str) -> None:
    text, expected = ODD_BATCHES[case]
    if how == "GET":
        status, headers, body = http(site + "reconcile?" + urllib.parse.urlencode({"queries": text}))
    elif how == "POST form":
        status, headers, body = http(site + "reconcile", data=urllib.parse.urlencode({"queries": text}).encode(),
                                     headers={"Content-Type": "application/x-www-form-urlencoded"})
    else:
        status, headers, body = http(site + "reconcile", data=text.encode(), headers={"Content-Type": "application/json"})
    assert 400 <= status < 500, (case, status, body[:300])
    assert headers["Content-Type"].startswith("text/plain")
    assert expected.encode() in body, body[:300]


ODD_SUGGESTIONS = [  # (path and query, a word the answer must contain)
    ("suggest/property?type=" + urllib.parse.quote("http://["), "type"),
    ("suggest/property?type=::", "type"),
    ("suggest/property?type=", "type"),
    ("suggest/property?prefix=c&type=" + "t" * 5_000, "type"),
    ("suggest/entity?prefix=a&type=" + urllib.parse.quote("http://["), "type"),
    ("suggest/entity?prefix=a&limit=NaN", "limit"),
    ("suggest/entity?prefix=a&limit=Infinity", "limit"),
    ("suggest/entity?prefix=a&limit=1e999", "limit"),
    ("suggest/entity?prefix=a&limit=2.5", "limit"),
    ("suggest/entity?prefix=a&limit=" + "9" * 5_000, "limit"),
    ("suggest/type?prefix=c&limit=-Infinity", "limit"),
    ("suggest/type?prefix=" + "c" * 5_000, "prefix"),
    ("suggest/entity?prefix=" + "k" * 5_000, "prefix"),
    ("suggest/type?prefix=c&callback=" + urllib.parse.quote("alert(1)//"), "callback"),
    ("suggest/entity?prefix=a&callback=" + "f" * 500, "callback"),
    ("suggest/property?prefix=c&callback=", "callback"),
]


@pytest.mark.parametrize("path, expected", ODD_SUGGESTIONS)
def test_odd_suggest_requests_are_client_errors(site: str, path: str, expected: str) -> None:
    status, _headers, body = http(site + "reconcile/" + path)
    assert 400 <= status < 500, (path[:80], status, body[:300])
    assert expected.encode() in body, body[:300]


def test_reasonable_odd_requests_still_answer(site: str) -> None:
    """Leniency that stays: a whole-number float limit, a huge limit (capped), an unknown but
    valid type IRI, a preview of nothing."""
    for query in ({"query": "Hanoi", "limit": 3.0}, {"query": "Hanoi", "limit": 10**30},
                  {"query": "Hanoi", "type": "http://example.org/Unknown"}):
        status, _h, body = http(site + "reconcile?" + urllib.parse.urlencode({"queries": _batch(query)}))
        assert status == 200, (query, body[:300])
    assert http(site + "reconcile/suggest/entity?prefix=han&limit=100000")[0] == 200
    assert http(site + "reconcile/preview?id=" + urllib.parse.quote("::" * 100))[0] == 404


# --- request bodies: refused before they are read ---------------------------------------------

def _port(site: str) -> int:
    port = urllib.parse.urlsplit(site).port
    assert port is not None
    return port


def _workers(site: str) -> list[int]:
    """The gunicorn worker processes serving ``site``: children of the master that bound its port."""
    bind = f"127.0.0.1:{_port(site)}"
    found: dict[int, int] = {}  # pid -> parent pid
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            cmdline = (proc / "cmdline").read_bytes().split(b"\0")
            stat = (proc / "stat").read_text()
        except OSError:
            continue
        if b"gunicorn" in b" ".join(cmdline) and bind.encode() in cmdline:
            found[int(proc.name)] = int(stat.rsplit(")", 1)[1].split()[1])
    masters = [pid for pid, parent in found.items() if parent not in found]
    assert len(masters) == 1, found
    workers = [pid for pid, parent in found.items() if parent == masters[0]]
    assert workers, found
    return workers


def _status_kb(pid: int, field: str) -> int:
    text = Path(f"/proc/{pid}/status").read_text()
    match = re.search(rf"^{field}:\s+(\d+) kB", text, re.M)
    assert match, text
    return int(match.group(1))


def _reset_peaks(pids: list[int]) -> None:
    """Make each process's peak RSS (VmHWM) its current RSS, so a peak afterwards is this test's."""
    for pid in pids:
        with contextlib.suppress(OSError):  # else VmHWM may include older peaks: the check is only stricter
            Path(f"/proc/{pid}/clear_refs").write_text("5")


def _send(site: str, head: bytes, body: bytes, *, seconds: float = 5.0) -> tuple[bytes, float]:
    """Send a request head and part of a body on a raw socket, then read what comes back; the
    answer and how long it took (the client never sends the rest)."""
    started = time.monotonic()
    with socket.create_connection(("127.0.0.1", _port(site)), timeout=seconds) as sock:
        sock.sendall(head)
        with contextlib.suppress(OSError):  # the server may answer and close before it has taken it all
            sock.sendall(body)
        answer = b""
        try:
            while b"\r\n\r\n" not in answer:
                chunk = sock.recv(65536)
                if not chunk:
                    break
                answer += chunk
            answer += sock.recv(65536)
        except TimeoutError:
            pytest.fail(f"no answer within {seconds} s (got {answer[:200]!r}): the server waits for the whole body")
        except ConnectionResetError:
            pass
    return answer, time.monotonic() - started


ANNOUNCED = 300 * 1024 * 1024  # 300 MB


@pytest.mark.parametrize("path, content_type", [
    ("/reconcile", "application/json"),
    ("/reconcile", "application/x-www-form-urlencoded"),
    ("/sparql", "application/sparql-query"),
    ("/sparql", "application/x-www-form-urlencoded"),
    ("/sparql", "multipart/form-data; boundary=xyz"),
])
def test_a_300_mb_body_is_refused_before_it_is_read(site: str, path: str, content_type: str) -> None:
    workers = _workers(site)
    http(site + "reconcile?queries=" + urllib.parse.quote(_batch({"query": "Hanoi"})))  # both workers warm
    http(site + "reconcile?queries=" + urllib.parse.quote(_batch({"query": "Hanoi"})))
    before = {pid: _status_kb(pid, "VmRSS") for pid in workers}
    _reset_peaks(workers)
    head = (f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: {content_type}\r\n"
            f"Content-Length: {ANNOUNCED}\r\n\r\n").encode()
    answer, took = _send(site, head, b"q" * 64 * 1024)
    assert answer.startswith(b"HTTP/1.1 413 "), answer[:300]
    assert b"larger than this server takes" in answer
    assert took < 5, f"the 413 took {took:.1f} s"
    grown = {pid: max(_status_kb(pid, "VmHWM"), _status_kb(pid, "VmRSS")) - before[pid] for pid in workers}
    print(f"RSS before (kB): {before}; growth to the peak after (kB): {grown}")
    assert max(grown.values()) < 50 * 1024, f"a worker grew by {max(grown.values()) // 1024} MB"


def test_a_chunked_body_over_the_limit_is_refused(site: str) -> None:
    workers = _workers(site)
    before = {pid: _status_kb(pid, "VmRSS") for pid in workers}
    _reset_peaks(workers)
    head = (b"POST /reconcile HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
            b"Transfer-Encoding: chunked\r\n\r\n")
    piece = b"q" * 65536
    chunks = (f"{len(piece):x}\r\n".encode() + piece + b"\r\n") * (request_bytes(MAX_QUERY_LENGTH) // len(piece) + 8)
    answer, took = _send(site, head, chunks)  # no final chunk: the client would go on
    assert answer.startswith(b"HTTP/1.1 413 "), answer[:300]
    assert took < 5
    grown = max(max(_status_kb(pid, "VmHWM"), _status_kb(pid, "VmRSS")) - before[pid] for pid in workers)
    assert grown < 50 * 1024, f"a worker grew by {grown // 1024} MB"


# --- the request line: as long as the longest query --------------------------------------------

def _query_of(length: int) -> str:
    head = "ASK {}\n# "
    return head + "x" * (length - len(head))


def test_a_get_query_of_the_documented_length_is_answered(site: str) -> None:
    text = _query_of(MAX_QUERY_LENGTH)
    assert len(text) == MAX_QUERY_LENGTH
    status, _h, body = http(site + "sparql?" + urllib.parse.urlencode({"query": text}),
                            headers={"Accept": "application/sparql-results+json"})
    assert status == 200, body[:300]
    assert json.loads(body)["boolean"] is True
    # every character percent-encoded, the line three times as long, still fits
    encoded = "".join(f"%{b:02X}" for b in text.encode())
    status, _h, body = http(site + "sparql?query=" + encoded, headers={"Accept": "application/sparql-results+json"})
    assert status == 200, body[:300]


def test_a_get_query_over_the_length_gets_the_apps_413(site: str) -> None:
    status, headers, body = http(site + "sparql?" + urllib.parse.urlencode({"query": _query_of(MAX_QUERY_LENGTH + 1)}),
                                 headers={"Accept": "application/sparql-results+json"})
    assert status == 413
    assert headers["Content-Type"].startswith("text/plain")
    assert b"the query is 100001 characters long; this endpoint takes at most 100000" in body


def test_a_request_line_over_the_bound_is_refused_by_gunicorn(site: str) -> None:
    line = request_bytes(MAX_QUERY_LENGTH) + 1000
    status, _h, body = http(site + "sparql?query=" + "x" * line)
    assert status == 414, body[:300]
    assert b"Request Line is too large" in body


# --- response headers ---------------------------------------------------------------------------

SOME_PATHS = ["", "sparql", "sparql/prefixes.json", "reconcile", "reconcile/suggest/type?prefix=c",
              "doc/person/to-lam.html", "doc/person/to-lam.ttl", "id/person/to-lam", "ontology", "shapes",
              "downloads/", "context.jsonld", ".well-known/void", "static/site.css", "no/such/page",
              "reconcile?queries=%7B", "openapi.json", "vocab/topics"]


@pytest.mark.parametrize("path", SOME_PATHS)
def test_every_response_has_the_security_headers(site: str, path: str) -> None:
    status, headers, _body = http(site + path)
    assert status < 500
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"] == "same-origin"
    assert headers["X-Frame-Options"] == "DENY"
    policy = headers["Content-Security-Policy"]
    assert "default-src 'self'" in policy and "frame-ancestors 'none'" in policy
    assert "script-src" not in policy and "unsafe-eval" not in policy, "scripts are only ever the site's own files"
    if path != "sparql":
        assert "unsafe-inline" not in policy
    assert "Server" not in headers or not re.search(r"gunicorn|werkzeug|python|\d", headers["Server"], re.I), \
        headers["Server"]


def test_the_reconciliation_preview_may_be_framed(site: str) -> None:
    """OpenRefine shows the preview in a frame of its own page, on its own origin."""
    _status, headers, _body = http(site + "reconcile/preview?id=person/to-lam")
    assert "frame-ancestors *" in headers["Content-Security-Policy"]
    assert "X-Frame-Options" not in headers
    assert headers["X-Content-Type-Options"] == "nosniff"


def test_the_development_server_names_no_software(seeds: Built) -> None:
    """``coopld serve`` runs Werkzeug's server, which names itself and Python unless run with
    ``DevRequestHandler``."""
    server = make_server("127.0.0.1", 0, create_app({"COOPLD_BUILD": str(seeds.settings.out)}), threaded=True,
                         request_handler=DevRequestHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        _status, headers, _body = http(f"http://127.0.0.1:{server.server_port}/sparql/prefixes.json")
    finally:
        server.shutdown()
        thread.join(10)
    assert headers["Server"] == "coopld"
    assert headers["X-Content-Type-Options"] == "nosniff"


INLINE = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>|<style\b|\sstyle\s*=|\son[a-z]+\s*=|javascript:", re.I)


def test_no_page_has_inline_scripts_or_styles() -> None:
    """The policy allows no inline script or style (the query page's exception is for what YASGUI
    writes at run time, not for our markup)."""
    found = [f"{path.relative_to(WEB)}: {m.group(0)}" for path in sorted(WEB.glob("templates/*.html"))
             + sorted(WEB.glob("static/*.html")) for m in INLINE.finditer(path.read_text(encoding="utf-8"))]
    assert not found, found
