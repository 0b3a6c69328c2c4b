"""``/sparql``: the SPARQL 1.1 Protocol for queries, answered by pyoxigraph over the union of
all graphs (each article's graph can still be named with GRAPH)."""

from __future__ import annotations

import re

import pyoxigraph as ox
from flask import Blueprint, Response, current_app, request

from coopld.web.errors import BadRequest, Forbidden
from coopld.web.formats import HTML, RDF_FORMATS, RESULT_FORMATS, negotiate

bp = Blueprint("sparql", __name__)

# Strip what can hide a keyword (strings, IRIs, comments) before looking for SERVICE
_NOISE = re.compile(r'"""(?:[^"\\]|\\.|"(?!""))*"""|\'\'\'(?:[^\'\\]|\\.|\'(?!\'\'))*\'\'\'|"(?:[^"\\\n]|\\.)*"'
                    r"|'(?:[^'\\\n]|\\.)*'|<[^<>\s]*>|#[^\n]*")
_SERVICE = re.compile(r"\bSERVICE\b", re.IGNORECASE)


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


def run_query(text: str, default_graphs: list[str], named_graphs: list[str]) -> QueryResult:
    if not current_app.config["COOPLD_ALLOW_SERVICE"] and _SERVICE.search(_NOISE.sub(" ", text)):
        raise Forbidden("federated SERVICE calls are disabled on this endpoint")
    store: ox.Store = current_app.extensions["coopld_store"]
    options: dict[str, object] = {}
    if default_graphs:
        options["default_graph"] = [ox.NamedNode(g) for g in default_graphs]
    else:
        options["use_default_graph_as_union"] = True
    if named_graphs:
        options["named_graphs"] = [ox.NamedNode(g) for g in named_graphs]
    try:
        return store.query(text, **options)  # type: ignore[arg-type]
    except SyntaxError as exc:
        raise BadRequest(f"the query does not parse: {exc}") from exc
    except ValueError as exc:
        raise BadRequest(f"invalid request: {exc}") from exc


@bp.route("/sparql", methods=["GET", "POST"])
def sparql() -> Response:
    if request.method == "GET" and "query" not in request.args and not request.args.get("format"):
        return _service_or_page()
    text, default_graphs, named_graphs = _query_text()
    result = run_query(text, default_graphs, named_graphs)
    if isinstance(result, ox.QueryTriples):
        fmt = negotiate(request, RDF_FORMATS, RDF_FORMATS[0])
        assert fmt.rdf is not None
        body = result.serialize(format=fmt.rdf)
    else:
        fmt = negotiate(request, RESULT_FORMATS, RESULT_FORMATS[0])
        assert fmt.results is not None
        body = result.serialize(format=fmt.results)
    charset = "; charset=utf-8" if fmt.media_type.startswith("text/") else ""
    return Response(body, content_type=fmt.media_type + charset, headers={"Vary": "Accept"})


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
