"""``/sparql`` for people and forms: the query page, the service description, POSTed queries and
the results page a browser reads; a program's GET query is answered before Flask by
``coopld.web.query_protocol``, with the same rules and answer."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from flask import Blueprint, Response, current_app, request

from coopld.web.cache import conditional
from coopld.web.formats import HTML, RDF_FORMATS, negotiate, serialize
from coopld.web.generation import generation
from coopld.web.query_protocol import MAX_AGE, answer, etag, read

bp = Blueprint("sparql", __name__)


@bp.route("/sparql", methods=["GET", "POST"])
def sparql() -> Response:
    """What :class:`coopld.web.query_protocol.QueryLane` leaves to Flask: the query page and the
    service description, POSTed queries, the results page for a browser, and refusals."""
    asked = read(request, int(current_app.config["COOPLD_MAX_QUERY_LENGTH"]))
    if asked is None:
        return _service_or_page()
    # SERVICE is refused (or checked against the allow-list) from the parse tree, by the query
    # process itself: under the query's time limit, and with no network unless federation is on
    found, fmt = answer(asked, generation(), current_app.config)
    response = _results_page(asked.text, found.kind, found.body) if asked.browser else \
        Response(found.body, mimetype=fmt.media_type, headers={"Vary": "Accept"})
    response.set_etag(etag(generation().version, asked, fmt))
    response.cache_control.public = True
    response.cache_control.max_age = MAX_AGE
    # a GET's answer is kept, per version, by coopld.web.front, which answers the same request
    # again before Flask; here it is only checked against the client's copy
    if request.method == "GET" and conditional(request):
        response.make_conditional(request)
    return response


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


def _service_or_page() -> Response:
    """Without a query: a description of the service for RDF clients, a query page for people."""
    fmt = negotiate(request, [HTML, *RDF_FORMATS], HTML)
    if fmt is HTML:
        from flask import render_template

        return Response(render_template("sparql.html"), mimetype="text/html")
    from coopld.web.service import description

    body = serialize(description(), fmt, current_app.extensions["coopld_prefixes"])
    return Response(body, mimetype=fmt.media_type, headers={"Vary": "Accept"})
