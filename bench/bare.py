"""The baseline the endpoint is measured against: the least a Flask app needs to answer SPARQL
from pyoxigraph. No limits, no checks, no pool, no cache: the query runs on the request's
thread and its answer is written as SPARQL JSON (or N-Triples for a graph). Served by the same
gunicorn, with the same settings, as coopld itself.

    BENCH_STORE=/path/to/build/<generation>/store gunicorn -c python:coopld.web.gunicorn_conf 'bench.bare:create_app()'
"""

from __future__ import annotations

import os

import pyoxigraph as ox
from flask import Flask, Response, request


def create_app() -> Flask:
    app = Flask(__name__)
    store = ox.Store.read_only(os.environ["BENCH_STORE"])

    @app.route("/sparql", methods=["GET", "POST"])
    def sparql() -> Response:
        if request.method == "POST" and request.mimetype == "application/sparql-query":
            text = request.get_data(as_text=True)
        else:
            text = request.values.get("query", "")
        try:
            answer = store.query(text)
        except SyntaxError as exc:
            return Response(f"{exc}\n", status=400, mimetype="text/plain")
        if isinstance(answer, ox.QueryTriples):
            return Response(answer.serialize(format=ox.RdfFormat.N_TRIPLES), mimetype="application/n-triples")
        return Response(answer.serialize(format=ox.QueryResultsFormat.JSON), mimetype="application/sparql-results+json")

    return app
