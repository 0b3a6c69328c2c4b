"""The app the benchmark serves as coopld: coopld's own (``coopld.web.create_app()``, unchanged)
with one route added, so that documents and a static file of the same size are sent by the same
server in the same run:

    /bench/static/<name>    a file from BENCH_STATIC_DIR, sent from the file on every request, the
                            way /downloads/ sends dumps

    COOPLD_BUILD=/path/to/build gunicorn -c python:coopld.web.gunicorn_conf 'bench.app:create_app()'
"""

from __future__ import annotations

import os
from typing import Any

from flask import Blueprint, Flask, Response, current_app, send_from_directory

bp = Blueprint("bench", __name__)


def create_app(overrides: dict[str, Any] | None = None) -> Flask:
    from coopld.web import create_app as coopld_app

    app = coopld_app(overrides)
    app.config.setdefault("BENCH_STATIC_DIR", os.environ.get("BENCH_STATIC_DIR"))
    app.register_blueprint(bp)
    return app


@bp.route("/bench/static/<name>")
def static_file(name: str) -> Response:
    folder = current_app.config.get("BENCH_STATIC_DIR")
    if not folder:
        return Response("no BENCH_STATIC_DIR\n", status=404, content_type="text/plain")
    response = send_from_directory(folder, name, max_age=300)
    # sent from its file on every request, as a download is: not kept by coopld.web.front, which
    # would make the baseline an answer from memory
    response.cache_control.no_store = True
    return response
