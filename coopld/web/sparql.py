"""``/sparql``: the SPARQL 1.1 Protocol for queries, answered by pyoxigraph over the union of
all graphs (each article's graph can still be named with GRAPH)."""

from __future__ import annotations

import atexit
import re

import pyoxigraph as ox
from flask import Blueprint, Response, current_app, request

from coopld.web.errors import BadRequest, Forbidden, HTTPError, PayloadTooLarge, ServiceUnavailable
from coopld.web.formats import HTML, RDF_FORMATS, RESULT_FORMATS, Format, NotAcceptable, negotiate
from coopld.web.runner import QueryFailed, QueryRunner

bp = Blueprint("sparql", __name__)

# Strip what can hide a keyword (strings, IRIs, comments) before looking for SERVICE
_NOISE = re.compile(r'"""(?:[^"\\]|\\.|"(?!""))*"""|\'\'\'(?:[^\'\\]|\\.|\'(?!\'\'))*\'\'\'|"(?:[^"\\\n]|\\.)*"'
                    r"|'(?:[^'\\\n]|\\.)*'|<[^<>\s]*>|#[^\n]*")
_SERVICE = re.compile(r"\bSERVICE\b", re.IGNORECASE)


def calls_service(text: str) -> bool:
    """Whether a query has a SERVICE clause (the word in a string, an IRI or a comment does not count)."""
    return bool(_SERVICE.search(_NOISE.sub(" ", text)))


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
    return text, args.getlist("default-graph-uri"), args.getlist("named-graph-uri")


QueryResult = ox.QuerySolutions | ox.QueryBoolean | ox.QueryTriples


def runner() -> QueryRunner:
    """This server process's query runner, started on first use."""
    found = current_app.extensions.get("coopld_runner")
    if found is None:
        settings = current_app.config["COOPLD_SETTINGS"]
        found = QueryRunner(str(settings.out / "store"), timeout=float(current_app.config["COOPLD_QUERY_TIMEOUT"]),
                            max_bytes=int(current_app.config["COOPLD_MAX_RESULT_BYTES"]),
                            memory=int(current_app.config["COOPLD_QUERY_MEMORY_MB"]) * 1024 * 1024)
        current_app.extensions["coopld_runner"] = found
        atexit.register(found.close)
    return found


def _maybe(offered: list[Format]) -> Format | None:
    try:
        return negotiate(request, offered, offered[0])
    except NotAcceptable:
        return None


@bp.route("/sparql", methods=["GET", "POST"])
def sparql() -> Response:
    if request.method == "GET" and "query" not in request.args and not request.args.get("format"):
        return _service_or_page()
    text, default_graphs, named_graphs = _query_text()
    if len(text) > int(current_app.config["COOPLD_MAX_QUERY_LENGTH"]):
        raise PayloadTooLarge(f"the query is {len(text)} characters long; this endpoint takes at most "
                              f"{current_app.config['COOPLD_MAX_QUERY_LENGTH']}")
    if not current_app.config["COOPLD_ALLOW_SERVICE"] and calls_service(text):
        raise Forbidden("federated SERVICE calls are disabled on this endpoint")
    results_fmt, rdf_fmt = _maybe(RESULT_FORMATS), _maybe(RDF_FORMATS)
    if results_fmt is None and rdf_fmt is None:
        raise NotAcceptable(RESULT_FORMATS + RDF_FORMATS)
    try:
        answer = runner().run(text, {"default_graph": default_graphs, "named_graphs": named_graphs},
                              results_fmt.media_type if results_fmt else None, rdf_fmt.media_type if rdf_fmt else None)
    except QueryFailed as exc:
        if exc.kind == "not-acceptable":
            raise NotAcceptable(RDF_FORMATS if exc.message == "triples" else RESULT_FORMATS) from exc
        if exc.kind in ("timeout", "memory"):
            raise ServiceUnavailable(exc.message) from exc
        if exc.kind == "too-large":
            raise BadRequest(exc.message) from exc
        if exc.kind == "syntax":
            raise BadRequest(exc.message) from exc
        raise HTTPError(exc.message) from exc
    fmt = rdf_fmt if answer.kind == "triples" else results_fmt
    assert fmt is not None
    return Response(answer.body, mimetype=fmt.media_type, headers={"Vary": "Accept"})


def _service_or_page() -> Response:
    """Without a query: a description of the service for RDF clients, a query page for people."""
    fmt = negotiate(request, [HTML, *RDF_FORMATS], HTML)
    if fmt is HTML:
        from flask import render_template

        return Response(render_template("sparql.html"), mimetype="text/html")
    from coopld.web.service import description

    assert fmt.rdf is not None
    body = ox.serialize(description(), format=fmt.rdf)
    return Response(body, mimetype=fmt.media_type, headers={"Vary": "Accept"})
