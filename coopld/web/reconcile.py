"""A reconciliation service after the W3C Entity Reconciliation Community Group's API, version
0.2, so that OpenRefine and similar tools can match a column of names against coopld's people,
organizations, places, agreements and events, and write coopld identifiers into their data.

    GET  /reconcile                     the service manifest
    GET|POST /reconcile  queries=<JSON> a batch of queries → ranked candidates per query
    GET  /reconcile/preview?id=<id>     a small HTML card for one candidate
    GET  /reconcile/suggest/{entity,type,property}?prefix=…   auto-completion

An identifier is the thing's IRI without the dataset's ``id/`` namespace (``person/to-lam``):
``identifierSpace`` + identifier is the IRI, and ``view`` turns it into this server's page.
Requests are checked against the JSON schemas in ``coopld/web/schemas/``; a bad request gets
400 and the field at fault. ``callback=`` wraps a GET answer as JSONP for older clients.
"""

from __future__ import annotations

import json
import re
from functools import cache
from pathlib import Path
from typing import Any

import jsonschema
from flask import Blueprint, Response, current_app, render_template, request

from coopld.config import Settings
from coopld.vocab import ONTOLOGY_IRI, PREFIXES
from coopld.web.errors import BadRequest, NotFound, PayloadTooLarge
from coopld.web.matcher import Candidate, Constraint, Index, fold, index_for

bp = Blueprint("reconcile", __name__)

SCHEMAS = Path(__file__).parent / "schemas"
MAX_QUERIES = 100          # queries in one batch; OpenRefine sends 10 at a time
MAX_LIMIT = 100            # candidates per query
DEFAULT_LIMIT = 10
_CALLBACK = re.compile(r"^[A-Za-z_$][\w$.]{0,99}$")


@cache
def schema(name: str) -> dict[str, Any]:
    """One of the service's JSON schemas (``manifest``, ``query-batch``, ``result-batch``, ``suggest``)."""
    loaded: dict[str, Any] = json.loads((SCHEMAS / f"reconciliation-{name}.json").read_text(encoding="utf-8"))
    return loaded


def _settings() -> Settings:
    settings: Settings = current_app.config["COOPLD_SETTINGS"]
    return settings


def _space() -> str:
    return _settings().id_base


def _index() -> Index:
    kinds = list(current_app.config["COOPLD_RECONCILE_TYPES"])
    return index_for(current_app.extensions, current_app.extensions["coopld_store"], kinds, _space())


def _json(payload: Any) -> Response:
    body = json.dumps(payload, ensure_ascii=False, indent=None, separators=(",", ":"))
    callback = request.args.get("callback")
    if callback is not None and request.method == "GET":
        if not _CALLBACK.match(callback):
            raise BadRequest(f"{request.path}: callback {callback!r} is not a JavaScript function name")
        return Response(f"/**/{callback}({body});", mimetype="application/javascript")
    return Response(body, mimetype="application/json")


@bp.route("/reconcile", methods=["GET", "POST"])
def reconcile() -> Response:
    raw = request.values.get("queries")
    if raw is None and request.method == "POST" and request.is_json:
        raw = request.get_data(as_text=True)
    if raw is None:
        return _json(manifest())
    try:
        batch = json.loads(raw)
    except json.JSONDecodeError as exc:
        raise BadRequest(f"{request.path}: 'queries' is not JSON: {exc}") from exc
    if isinstance(batch, dict) and "queries" in batch and request.is_json and isinstance(batch["queries"], dict):
        batch = batch["queries"]  # a JSON body of the form {"queries": {...}}
    _check(batch, "query-batch", "queries")
    if len(batch) > MAX_QUERIES:
        raise PayloadTooLarge(f"{request.path}: {len(batch)} queries in one batch; at most {MAX_QUERIES}")
    index = _index()
    return _json({key: {"result": _results(_answer(index, query))} for key, query in batch.items()})


def _check(payload: Any, name: str, what: str) -> None:
    errors = sorted(jsonschema.Draft202012Validator(schema(name)).iter_errors(payload), key=lambda e: list(e.path))
    if errors:
        where = "/".join(str(p) for p in errors[0].absolute_path) or "(top)"
        raise BadRequest(f"{request.path}: '{what}' does not follow the Reconciliation API 0.2: at {where}: "
                         f"{errors[0].message}")


def _answer(index: Index, query: dict[str, Any]) -> list[Candidate]:
    types = query.get("type", [])
    types = [types] if isinstance(types, str) else list(types)
    limit = int(min(max(query.get("limit", DEFAULT_LIMIT), 0), MAX_LIMIT))
    constraints = [_constraint(p) for p in query.get("properties", [])]
    return index.find(query.get("query"), [_expand(t) for t in types], query.get("type_strict", "any"),
                      constraints, limit)


def _constraint(given: dict[str, Any]) -> Constraint:
    values = given["v"] if isinstance(given["v"], list) else [given["v"]]
    wanted: list[str] = []
    for v in values:
        text = v["id"] if isinstance(v, dict) else str(v).lower() if isinstance(v, bool) else str(v)
        wanted.extend({text, fold(text), _expand(text)})
    return Constraint(_expand(given["pid"]), tuple(sorted(set(wanted))))


def _expand(term: str) -> str:
    """A CURIE with one of coopld's prefixes (``coop:Agreement``) as the IRI it stands for."""
    prefix, _, local = term.partition(":")
    if prefix in PREFIXES and not local.startswith("//"):
        return PREFIXES[prefix] + local
    return term


def _results(candidates: list[Candidate]) -> list[dict[str, Any]]:
    """Candidates as the API shows them. ``match`` is the service vouching for a candidate: only
    the one thing whose name is exactly the query and meets every property constraint."""
    sure = [c for c in candidates if c.exact and c.properties_met]
    return [{"id": c.entity.iri[len(_space()):], "name": c.entity.name, "description": c.entity.iri,
             "score": round(c.score, 2), "match": len(sure) == 1 and c is sure[0],
             "type": [{"id": t, "name": label} for t, label in sorted(c.entity.types.items())]}
            for c in candidates]


def manifest() -> dict[str, Any]:
    """What the service offers, with URLs on the host the client asked, so a local server's
    manifest points at the local server."""
    root = request.host_url
    index = _index()
    return {
        "versions": ["0.2"],
        "name": "coopld: people, organizations, places, agreements and events in security cooperation",
        "identifierSpace": _space(),
        "schemaSpace": ONTOLOGY_IRI + "#",
        "documentation": root + "#link-to-us",
        "serviceVersion": current_app.extensions["coopld_version"][:12],
        "defaultTypes": [{"id": kind, "name": label} for kind, label in index.kinds.items()],
        "view": {"url": root + "id/{{id}}"},
        "preview": {"url": root + "reconcile/preview?id={{id}}", "width": 400, "height": 120},
        "suggest": {
            "entity": {"service_url": root.rstrip("/"), "service_path": "/reconcile/suggest/entity"},
            "type": {"service_url": root.rstrip("/"), "service_path": "/reconcile/suggest/type"},
            "property": {"service_url": root.rstrip("/"), "service_path": "/reconcile/suggest/property"},
        },
    }


@bp.route("/reconcile/preview")
def preview() -> Response:
    identifier = request.args.get("id", "")
    entity = _index().entities.get(_space() + identifier)
    if entity is None:
        raise NotFound(f"{request.path}: no thing with the identifier {identifier!r}")
    aliases = sorted(a for a in entity.aliases if a != entity.name)
    body = render_template("reconcile_preview.html", entity=entity, identifier=identifier, aliases=aliases,
                           types=sorted(entity.types.values()))
    return Response(body, mimetype="text/html")


@bp.route("/reconcile/suggest/entity")
def suggest_entity() -> Response:
    index = _index()
    types = [_expand(t) for t in request.args.getlist("type")]
    found = index.suggest(request.args.get("prefix", ""), types, _limit())
    return _json({"result": [{"id": e.iri[len(_space()):], "name": e.name, "description": e.iri,
                              "notable": [{"id": t, "name": n} for t, n in sorted(e.types.items())]} for e in found]})


@bp.route("/reconcile/suggest/type")
def suggest_type() -> Response:
    index = _index()
    prefix = fold(request.args.get("prefix", ""))
    found = sorted((t for t in index.types.items() if _starts(prefix, t[1]) or _starts(prefix, t[0].rsplit("#", 1)[-1])),
                   key=lambda t: (t[0] not in index.kinds, t[1], t[0]))
    return _json({"result": [{"id": t, "name": n} for t, n in found][:_limit()]})


@bp.route("/reconcile/suggest/property")
def suggest_property() -> Response:
    index = _index()
    prefix = fold(request.args.get("prefix", ""))
    kinds = [_expand(t) for t in request.args.getlist("type")] or list(index.kinds)
    seen: dict[str, dict[str, Any]] = {}
    for kind in kinds:
        for p in index.properties(kind):
            if (_starts(prefix, p["name"]) or _starts(prefix, p["id"].rsplit("#", 1)[-1].rsplit("/", 1)[-1])) \
                    and p["id"] not in seen:
                seen[p["id"]] = {"id": p["id"], "name": p["name"], "description": f"used by {p['uses']} things"}
    return _json({"result": list(seen.values())[:_limit()]})


def _starts(prefix: str, text: str) -> bool:
    folded = fold(text)
    return not prefix or folded.startswith(prefix) or f" {prefix}" in f" {folded}"


def _limit() -> int:
    try:
        return max(1, min(int(request.args.get("limit", DEFAULT_LIMIT)), MAX_LIMIT))
    except ValueError as exc:
        raise BadRequest(f"{request.path}: limit {request.args.get('limit')!r} is not a number") from exc

