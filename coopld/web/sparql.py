"""``/sparql``: the SPARQL 1.1 Protocol for queries, answered by pyoxigraph over the union of
all graphs (each article's graph can still be named with GRAPH)."""

from __future__ import annotations

import hashlib
import re
import threading
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlencode

from flask import Blueprint, Response, current_app, request

from coopld.iris import iri_problem
from coopld.store import Answer, Dataset, QueryFailed
from coopld.web.cache import respond_once
from coopld.web.errors import BadRequest, Forbidden, HTTPError, PayloadTooLarge, ServiceUnavailable
from coopld.web.formats import HTML, RDF_FORMATS, RESULT_FORMATS, Format, NotAcceptable, negotiate, serialize
from coopld.web.generation import generation
from coopld.web.query_pool import QueryPool
from coopld.web.runner import QueryRunner

bp = Blueprint("sparql", __name__)

#: how each refusal of the query process is answered (anything unforeseen: 503, never a 500)
_STATUS: dict[str, type[HTTPError]] = {
    "syntax": BadRequest, "too-large": BadRequest, "too-deep": BadRequest, "unchecked": BadRequest,
    "store": BadRequest, "forbidden": Forbidden, "timeout": ServiceUnavailable, "memory": ServiceUnavailable,
    "sandbox": ServiceUnavailable, "crashed": ServiceUnavailable}


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


def _query_text() -> tuple[str, list[str], list[str]]:
    """The query and its dataset from any of the protocol's three request forms."""
    if "update" in request.values:
        raise Forbidden("this endpoint is read-only: SPARQL updates are not accepted")
    if request.method == "POST" and request.mimetype == "application/sparql-query":
        text = request.get_data(as_text=True)
        args = request.args
    elif request.method == "POST" and request.mimetype == "application/sparql-update":
        raise Forbidden("this endpoint is read-only: SPARQL updates are not accepted")
    else:
        args = request.values
        queries = request.values.getlist("query")
        if len(queries) > 1:
            raise BadRequest("give one query per request ('query' appears more than once)")
        text = queries[0] if queries else ""
    if not text.strip():
        raise BadRequest("no query: send one as 'query' (GET or form POST) or as an application/sparql-query body")
    return text, _graphs(args.getlist("default-graph-uri"), "default-graph-uri"), \
        _graphs(args.getlist("named-graph-uri"), "named-graph-uri")


def _graphs(names: list[str], parameter: str) -> list[str]:
    """The dataset's graph IRIs, each checked here: the query process would fail on a bad one."""
    for name in names:
        problem = iri_problem(name)
        if problem is not None:
            raise BadRequest(f"{parameter} {name!r} is not an IRI: {problem}")
    return names


_POOL_LOCK = threading.Lock()


def pool() -> QueryPool:
    """The query pool of the generation this request is answered from, started on first use
    (and stopped with its generation, once no request uses that any more)."""
    cache = generation().cache
    config = current_app.config
    with _POOL_LOCK:
        found: QueryPool | None = cache.get("query_pool")
        if found is None:
            path = generation().path
            timeout = float(config["COOPLD_QUERY_TIMEOUT"])

            def make() -> QueryRunner:
                # over a remote store the query process only checks queries; the store runs them
                return QueryRunner(str(path / "store") if path is not None else None, timeout=timeout,
                                   max_bytes=int(config["COOPLD_MAX_RESULT_BYTES"]),
                                   memory=int(config["COOPLD_QUERY_MEMORY_MB"]) * 1024 * 1024,
                                   federation_endpoints=federation_endpoints(config), sandbox=sandboxed(config))

            found = QueryPool(make, size=int(config["COOPLD_QUERY_WORKERS"]), waiting=int(config["COOPLD_QUERY_QUEUE"]),
                              timeout=timeout)
            cache["query_pool"] = found
    return found


def _maybe(offered: list[Format]) -> Format | None:
    try:
        return negotiate(request, offered, offered[0])
    except NotAcceptable:
        return None


@bp.route("/sparql", methods=["GET", "POST"])
def sparql() -> Response:
    if "update" in request.values:  # GET /sparql?update=... as much as a form POST
        raise Forbidden("this endpoint is read-only: SPARQL updates are not accepted")
    if request.method == "GET" and "query" not in request.args and not request.args.get("format"):
        return _service_or_page()
    text, default_graphs, named_graphs = _query_text()
    if len(text) > int(current_app.config["COOPLD_MAX_QUERY_LENGTH"]):
        raise PayloadTooLarge(f"the query is {len(text)} characters long; this endpoint takes at most "
                              f"{current_app.config['COOPLD_MAX_QUERY_LENGTH']}")
    # SERVICE is refused (or checked against the allow-list) from the parse tree, by the query
    # process itself: under the query's time limit, and with no network unless federation is on
    browser = request.method == "GET" and _maybe([HTML, *RESULT_FORMATS, *RDF_FORMATS]) is HTML
    results_fmt, rdf_fmt = (RESULT_FORMATS[0], RDF_FORMATS[0]) if browser else (_maybe(RESULT_FORMATS), _maybe(RDF_FORMATS))
    if results_fmt is None and rdf_fmt is None:
        raise NotAcceptable(RESULT_FORMATS + RDF_FORMATS)
    # relative IRIs in the query ("CONSTRUCT { <s> <p> 1 } WHERE {}") resolve against the endpoint
    options = {"default_graph": default_graphs, "named_graphs": named_graphs, "base_iri": [request.base_url]}

    def make() -> Response:
        return _respond(text, options, results_fmt, rdf_fmt, browser)

    if request.method != "GET":
        return make()
    # a GET query is answered once per version: the same text, dataset and formats give the same answer
    key = (text, tuple(default_graphs), tuple(named_graphs), request.base_url,
           results_fmt.name if results_fmt else None, rdf_fmt.name if rdf_fmt else None, browser)
    return respond_once("results", "COOPLD_RESULT_CACHE_MB", key, make)


def _respond(text: str, options: dict[str, list[str]], results_fmt: Format | None, rdf_fmt: Format | None,
             browser: bool) -> Response:
    try:
        answer = _answer(text, options, results_fmt, rdf_fmt)
    except QueryFailed as exc:
        if exc.kind == "syntax" and is_update(text):
            raise Forbidden("this endpoint is read-only: an update was sent as a query") from exc
        if exc.kind == "not-acceptable":
            raise NotAcceptable(RDF_FORMATS if exc.message == "triples" else RESULT_FORMATS) from exc
        raise _STATUS.get(exc.kind, ServiceUnavailable)(exc.message) from exc
    fmt = rdf_fmt if answer.kind == "triples" else results_fmt
    assert fmt is not None
    response = _results_page(text, answer.kind, answer.body) if browser else \
        Response(answer.body, mimetype=fmt.media_type, headers={"Vary": "Accept"})
    # HTTP caches in front may keep it a minute, and revalidate by ETag (the dataset's version)
    digest = hashlib.sha256(repr((generation().version, text, options, fmt.name, browser)).encode()).hexdigest()
    response.set_etag(digest[:32])
    response.cache_control.public = True
    response.cache_control.max_age = 60
    return response


def _answer(text: str, options: dict[str, list[str]], results_fmt: Format | None, rdf_fmt: Format | None) -> Answer:
    """The query answered where it can be stopped: by the query process over the embedded store,
    or, once that process has checked it, by the remote store under the same limits."""
    results_type = results_fmt.media_type if results_fmt else None
    rdf_type = rdf_fmt.media_type if rdf_fmt else None
    with pool().runner() as runner:  # held while the remote store runs it too: the queue bounds both
        answer = runner.run(text, options, results_type, rdf_type)
        if generation().path is not None:
            return answer
        dataset = Dataset(tuple(options["default_graph"]), tuple(options["named_graphs"]),
                          own=answer.body == b"dataset")
        return generation().store.answer(text, dataset, results_type, rdf_type, base_iri=options["base_iri"][0],
                                         max_bytes=int(current_app.config["COOPLD_MAX_RESULT_BYTES"]),
                                         timeout=float(current_app.config["COOPLD_QUERY_TIMEOUT"]))


def _results_page(text: str, kind: str, body: bytes) -> Response:
    """A person who opens /sparql?query=... in a browser reads the answer as a table, not as
    SPARQL XML; the same answer in the protocol's formats is a link away."""
    import json

    from flask import render_template
    from rdflib import Graph

    columns: list[str] = []
    rows: list[list[dict[str, str]]] = []
    boolean: bool | None = None
    if kind == "triples":
        columns = ["subject", "predicate", "object"]
        graph = Graph().parse(data=body.decode("utf-8"), format="turtle")
        rows = [[_cell(term) for term in triple] for triple in sorted(graph)]
    else:
        data = json.loads(body)
        if "boolean" in data:
            boolean = bool(data["boolean"])
        else:
            columns = list(data["head"]["vars"])
            rows = [[_binding(b.get(v)) for v in columns] for b in data["results"]["bindings"]]
    return Response(render_template("sparql_results.html", query=text, columns=columns, rows=rows, boolean=boolean,
                                    encoded=urlencode({"query": text})),
                    mimetype="text/html", headers={"Vary": "Accept"})


def _binding(value: dict[str, str] | None) -> dict[str, str]:
    if value is None:
        return {"text": ""}
    if value["type"] == "uri":
        return {"text": value["value"], "href": value["value"]}
    suffix = f"@{value['xml:lang']}" if "xml:lang" in value else ""
    return {"text": value["value"] + suffix}


def _cell(term: Any) -> dict[str, str]:
    from rdflib import URIRef

    if isinstance(term, URIRef):
        return {"text": str(term), "href": str(term)}
    return {"text": str(term)}


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


def _service_or_page() -> Response:
    """Without a query: a description of the service for RDF clients, a query page for people."""
    fmt = negotiate(request, [HTML, *RDF_FORMATS], HTML)
    if fmt is HTML:
        from flask import render_template

        return Response(render_template("sparql.html"), mimetype="text/html")
    from coopld.web.service import description

    body = serialize(description(), fmt, current_app.extensions["coopld_prefixes"])
    return Response(body, mimetype=fmt.media_type, headers={"Vary": "Accept"})
