"""``/openapi.json``: an OpenAPI 3.1 description of the whole HTTP interface, so that a client
(or a test that generates requests, such as schemathesis) knows every route, parameter, request
body and answer. The description is written by hand in ``openapi.json`` next to this module (JSON,
not YAML, so that serving it needs no YAML library) and served with ``servers`` pointing at the
host that was asked."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

from flask import Blueprint, Response, request

bp = Blueprint("openapi", __name__)

DESCRIPTION = Path(__file__).parent / "openapi.json"


@cache
def description() -> dict[str, Any]:
    """The description as written, read once per process."""
    loaded: dict[str, Any] = json.loads(DESCRIPTION.read_text(encoding="utf-8"))
    return loaded


@bp.route("/openapi.json")
def openapi() -> Response:
    served = {**description(), "servers": [{"url": request.host_url.rstrip("/")}]}
    return Response(json.dumps(served, ensure_ascii=False), mimetype="application/json")
