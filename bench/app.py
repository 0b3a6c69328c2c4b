"""The app the benchmark serves: coopld's own (``coopld.web.create_app()``, unchanged) with
two baselines added, so that one gunicorn serves everything measured in one run:

    /bench/rdflib-sparql    the same SPARQL queries, answered by rdflib (bench.rdflib_sparql)
    /bench/static/<name>    a file from BENCH_STATIC_DIR, sent the way /downloads/ sends dumps
    /bench/worker           which worker answered, and how long it took to load rdflib's dataset

    COOPLD_BUILD=/path/to/build gunicorn -w 2 'bench.app:create_app()'
"""

from __future__ import annotations

import os
from typing import Any

from flask import Blueprint, Flask, Response, current_app, jsonify, send_from_directory

from bench.rdflib_sparql import bp as rdflib_bp
from bench.rdflib_sparql import timed_load

bp = Blueprint("bench", __name__)


def create_app(overrides: dict[str, Any] | None = None) -> Flask:
    from coopld.web import create_app as coopld_app

    app = coopld_app(overrides)
    app.config.setdefault("BENCH_STATIC_DIR", os.environ.get("BENCH_STATIC_DIR"))
    build = app.config["COOPLD_SETTINGS"].out
    dataset, info = timed_load(build / "coopld.nq")
    app.extensions["bench_rdflib"] = dataset
    app.extensions["bench_rdflib_info"] = info
    app.register_blueprint(rdflib_bp)
    app.register_blueprint(bp)
    return app


@bp.route("/bench/static/<name>")
def static_file(name: str) -> Response:
    folder = current_app.config.get("BENCH_STATIC_DIR")
    if not folder:
        return Response("no BENCH_STATIC_DIR\n", status=404, content_type="text/plain")
    return send_from_directory(folder, name, max_age=300)


@bp.route("/bench/worker")
def worker() -> Response:
    limits = {key: current_app.config.get(key) for key in ("COOPLD_QUERY_TIMEOUT", "COOPLD_QUERY_MEMORY_MB",
                                                            "COOPLD_MAX_RESULT_BYTES")}
    return jsonify({"pid": os.getpid(), **current_app.extensions["bench_rdflib_info"], "limits": limits})
