"""The SPARQL 1.1 Protocol's query operation, apart from Flask: what a request asks (the query,
its dataset, the formats it takes), its answer from the query pool under the endpoint's limits,
and the answer's validator.

Both ``/sparql`` views use it: the Flask view (``coopld.web.sparql``: the query page, the service
description, POSTed queries, the results page a browser reads) and :class:`QueryLane`, which
answers a GET query for a program before Flask is entered. A lookup costs pyoxigraph a fraction of
a millisecond; Flask's request context, routing, hooks and response object cost about twice
that again, so the protocol's most common request is answered here, with the same checks, the
same answer and the same headers (``coopld.web.headers``), in a plain WSGI call.
"""

from __future__ import annotations

import hashlib
import re
import threading
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from werkzeug.http import HTTP_STATUS_CODES, is_resource_modified
from werkzeug.utils import get_content_type
from werkzeug.wrappers import Request

from coopld.errors import CoopldError
from coopld.iris import iri_problem
from coopld.store import Answer, Dataset, QueryFailed
from coopld.web.cache import revalidates
from coopld.web.errors import BadRequest, Forbidden, HTTPError, PayloadTooLarge, ServiceUnavailable, error_text
from coopld.web.formats import HTML, RDF_FORMATS, RESULT_FORMATS, Format, NotAcceptable, choose, requested
from coopld.web.front import StartResponse, WSGIApp
from coopld.web.generation import FOLLOWED, Generation, Published
from coopld.web.headers import cors_headers, security_headers
from coopld.web.query_pool import QueryPool
from coopld.web.runner import QueryRunner

#: how each refusal of the query process is answered (anything unforeseen: 503, never a 500)
_STATUS: dict[str, type[HTTPError]] = {
    "syntax": BadRequest, "too-large": BadRequest, "too-deep": BadRequest, "unchecked": BadRequest,
    "store": BadRequest, "forbidden": Forbidden, "timeout": ServiceUnavailable, "memory": ServiceUnavailable,
    "sandbox": ServiceUnavailable, "crashed": ServiceUnavailable}
READ_ONLY = "this endpoint is read-only: SPARQL updates are not accepted"
#: HTTP caches in front may keep an answer this long, and revalidate it by its ETag
MAX_AGE = 60


@dataclass(frozen=True)
class Asked:
    """One query request, read and checked: nothing here has reached a store yet."""

    text: str
    default_graphs: list[str]
    named_graphs: list[str]
    results: Format | None
    rdf: Format | None
    #: a browser asked (HTML is what it prefers): it gets the results page, in SPARQL JSON's place
    browser: bool
    #: what relative IRIs in the query resolve against ("CONSTRUCT { <s> <p> 1 } WHERE {}")
    base_iri: str

    @property
    def options(self) -> dict[str, list[str]]:
        return {"default_graph": self.default_graphs, "named_graphs": self.named_graphs, "base_iri": [self.base_iri]}


def federation_endpoints(config: Mapping[str, Any]) -> list[str]:
    """COOPLD_FEDERATION_ENDPOINTS as a list of IRIs: a TOML or JSON list, or (from the
    environment) IRIs separated by spaces or commas. Empty: federation is off."""
    value = config.get("COOPLD_FEDERATION_ENDPOINTS") or []
    if isinstance(value, str):
        value = re.split(r"[\s,]+", value)
    return [str(item).strip() for item in value if str(item).strip()]


def sandboxed(config: Mapping[str, Any]) -> bool:
    """COOPLD_QUERY_SANDBOX: whether public queries run only where the seccomp filter holds."""
    value = config.get("COOPLD_QUERY_SANDBOX", True)
    if isinstance(value, str):
        return value.strip().lower() not in ("false", "0", "no", "off")
    return bool(value)


def read(request: Request, max_length: int) -> Asked | None:
    """What a request to ``/sparql`` asks, from any of the protocol's three request forms; None
    when it asks no query (the query page, or the service description). Raises the 4xx its
    faults deserve, before anything is run."""
    get = request.method == "GET"
    params = request.args if get else request.values  # a GET has no form to parse
    if "update" in params or (not get and request.mimetype == "application/sparql-update"):
        raise Forbidden(READ_ONLY)
    if get and "query" not in params and not params.get("format"):
        return None
    if not get and request.mimetype == "application/sparql-query":
        text = request.get_data(as_text=True)
        params = request.args
    else:
        queries = params.getlist("query")
        if len(queries) > 1:
            raise BadRequest("give one query per request ('query' appears more than once)")
        text = queries[0] if queries else ""
    if not text.strip():
        raise BadRequest("no query: send one as 'query' (GET or form POST) or as an application/sparql-query body")
    if len(text) > max_length:
        raise PayloadTooLarge(f"the query is {len(text)} characters long; this endpoint takes at most {max_length}")
    asked = (requested(request), request.headers.get("Accept"))
    browser = get and _maybe(asked, [HTML, *RESULT_FORMATS, *RDF_FORMATS]) is HTML
    results, rdf = (RESULT_FORMATS[0], RDF_FORMATS[0]) if browser else (_maybe(asked, RESULT_FORMATS),
                                                                        _maybe(asked, RDF_FORMATS))
    if results is None and rdf is None:
        raise NotAcceptable(RESULT_FORMATS + RDF_FORMATS)
    return Asked(text, _graphs(params.getlist("default-graph-uri"), "default-graph-uri"),
                 _graphs(params.getlist("named-graph-uri"), "named-graph-uri"), results, rdf, browser,
                 _base_url(request))


_BASES: dict[tuple[str, ...], str] = {}


def _base_url(request: Request) -> str:
    """``request.base_url``, worked out once per host and path: it is the same for every query
    to the endpoint, and werkzeug decodes and checks the host and path anew each time."""
    environ = request.environ
    key = tuple(str(environ.get(k, "")) for k in ("wsgi.url_scheme", "HTTP_HOST", "SERVER_NAME", "SERVER_PORT",
                                                   "SCRIPT_NAME", "PATH_INFO"))
    found = _BASES.get(key)
    if found is None:
        if len(_BASES) > 1000:  # many host names: keep the newest only
            _BASES.clear()
        found = _BASES[key] = request.base_url
    return found


def _maybe(asked: tuple[tuple[str, ...], str | None], offered: list[Format]) -> Format | None:
    try:
        return choose(*asked, offered, offered[0])
    except NotAcceptable:
        return None


def _graphs(names: list[str], parameter: str) -> list[str]:
    """The dataset's graph IRIs, each checked here: the query process would fail on a bad one."""
    for name in names:
        problem = iri_problem(name)
        if problem is not None:
            raise BadRequest(f"{parameter} {name!r} is not an IRI: {problem}")
    return names


_POOL_LOCK = threading.Lock()


def pool(generation: Generation, config: Mapping[str, Any]) -> QueryPool:
    """The query pool of a generation, started on first use (and stopped with its generation,
    once no request uses that any more)."""
    with _POOL_LOCK:
        found: QueryPool | None = generation.cache.get("query_pool")
        if found is None:
            path = generation.path
            timeout = float(config["COOPLD_QUERY_TIMEOUT"])

            def make() -> QueryRunner:
                # over a remote store the query process only checks queries; the store runs them
                return QueryRunner(str(path / "store") if path is not None else None, timeout=timeout,
                                   max_bytes=int(config["COOPLD_MAX_RESULT_BYTES"]),
                                   memory=int(config["COOPLD_QUERY_MEMORY_MB"]) * 1024 * 1024,
                                   federation_endpoints=federation_endpoints(config), sandbox=sandboxed(config))

            found = QueryPool(make, size=int(config["COOPLD_QUERY_WORKERS"]), waiting=int(config["COOPLD_QUERY_QUEUE"]),
                              timeout=timeout)
            generation.cache["query_pool"] = found
    return found


def answer(asked: Asked, generation: Generation, config: Mapping[str, Any]) -> tuple[Answer, Format]:
    """The answer and its format, run where it can be stopped: by the query process over the
    embedded store, or, once that process has checked it, by the remote store under the same
    limits. Refusals are raised as the HTTP errors they are answered with."""
    results_type = asked.results.media_type if asked.results else None
    rdf_type = asked.rdf.media_type if asked.rdf else None
    try:
        with pool(generation, config).runner() as runner:  # held while a remote store runs it too: the queue bounds both
            found = runner.run(asked.text, asked.options, results_type, rdf_type)
            if generation.path is None:
                dataset = Dataset(tuple(asked.default_graphs), tuple(asked.named_graphs), own=found.body == b"dataset")
                found = generation.store.answer(asked.text, dataset, results_type, rdf_type, base_iri=asked.base_iri,
                                                max_bytes=int(config["COOPLD_MAX_RESULT_BYTES"]),
                                                timeout=float(config["COOPLD_QUERY_TIMEOUT"]))
    except QueryFailed as exc:
        if exc.kind == "syntax" and is_update(asked.text):
            raise Forbidden("this endpoint is read-only: an update was sent as a query") from exc
        if exc.kind == "not-acceptable":
            raise NotAcceptable(RDF_FORMATS if exc.message == "triples" else RESULT_FORMATS) from exc
        raise _STATUS.get(exc.kind, ServiceUnavailable)(exc.message) from exc
    fmt = asked.rdf if found.kind == "triples" else asked.results
    assert fmt is not None
    return found, fmt


def etag(version: str, asked: Asked, fmt: Format) -> str:
    """The answer's entity tag: the same query, dataset and format over the same version give
    the same answer."""
    return hashlib.sha256(repr((version, asked.text, asked.options, fmt.name, asked.browser)).encode()).hexdigest()[:32]


def is_update(text: str) -> bool:
    """Whether a text the query parser refused is a SPARQL update, by parsing it as one (rdflib's
    update grammar), so that a client that sent an update as ``query=`` hears that updates are
    refused here rather than that its syntax is wrong."""
    from rdflib.plugins.sparql.parser import parseUpdate

    try:
        parseUpdate(text)
    except Exception:
        return False
    return True


class QueryLane:
    """``GET /sparql?query=…`` from a program, answered before Flask; anything else (a browser,
    a POST, no query, a request refused before it runs) goes on to the Flask app, which answers
    it the same way it always has."""

    def __init__(self, app: WSGIApp, published: Published, config: Mapping[str, Any]) -> None:
        self.app = app
        self.published = published
        self.config = config  # the app's own config: read per request, so changes to it hold

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        if environ.get("PATH_INFO") != "/sparql" or environ.get("REQUEST_METHOD") != "GET" or "HTTP_IF_MATCH" in environ:
            return self.app(environ, start_response)  # (If-Match: Flask's make_conditional answers 412)
        request = Request(environ)
        try:
            asked = read(request, int(self.config["COOPLD_MAX_QUERY_LENGTH"]))
        except (HTTPError, NotAcceptable):
            return self.app(environ, start_response)  # Flask says why, as for any other request
        if asked is None or asked.browser:
            return self.app(environ, start_response)
        generation = self.published.acquire(follow=not environ.get(FOLLOWED))
        try:
            found, fmt = answer(asked, generation, self.config)
            tag = etag(generation.version, asked, fmt)
        except HTTPError as exc:
            return self._refuse(start_response, exc.status, exc.message, exc.headers())
        except NotAcceptable as exc:
            return self._refuse(start_response, 406, error_text(exc), [])
        except CoopldError as exc:  # a remote store that failed, as the Flask app answers it
            return self._refuse(start_response, exc.http_status, exc.message, [])
        finally:
            self.published.release(generation)
        headers = [("Vary", "Accept"), ("ETag", f'"{tag}"'), ("Cache-Control", f"public, max-age={MAX_AGE}")]
        if revalidates(environ) and not is_resource_modified(environ, etag=tag):
            start_response("304 Not Modified", [*headers, *cors_headers(), *security_headers("/sparql")])
            return []
        start_response("200 OK", [("Content-Type", get_content_type(fmt.media_type, "utf-8")),
                                  ("Content-Length", str(len(found.body))), *headers, *cors_headers(),
                                  *security_headers("/sparql")])
        return [found.body]

    @staticmethod
    def _refuse(start_response: StartResponse, status: int, message: str,
                extra: list[tuple[str, str]]) -> Iterable[bytes]:
        body = (message.rstrip() + "\n").encode("utf-8")
        start_response(f"{status} {HTTP_STATUS_CODES.get(status, '')}".rstrip(),
                       [("Content-Type", "text/plain; charset=utf-8"), ("Content-Length", str(len(body))), *extra,
                        *cors_headers(), *security_headers("/sparql")])
        return [body]
