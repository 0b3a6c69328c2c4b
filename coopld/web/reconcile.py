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
import math
import re
from functools import cache
from pathlib import Path
from typing import Any

import jsonschema
from flask import Blueprint, Response, current_app, render_template, request

from coopld.config import Settings
from coopld.iris import iri_problem
from coopld.vocab import ONTOLOGY_IRI, PREFIXES
from coopld.web.errors import BadRequest, NotFound, PayloadTooLarge
from coopld.web.generation import generation
from coopld.web.matcher import Candidate, Constraint, Index, fold, index_for

bp = Blueprint("reconcile", __name__)

SCHEMAS = Path(__file__).parent / "schemas"
MAX_QUERIES = 100          # queries in one batch; OpenRefine sends 10 at a time
MAX_LIMIT = 100            # candidates per query
DEFAULT_LIMIT = 10
MAX_DEPTH = 16             # nesting of a batch's JSON: a batch needs 6 (batch, query, properties, property, v, value)
MAX_TEXT = 1000            # characters of a name, a property value or a prefix: longer is not a name
MAX_IRI = 2000             # characters of a type or property IRI
MAX_TERMS = 20             # types or property constraints in one query
MAX_DIGITS = 100           # digits of a JSON integer (Python refuses to read more than 4300)
_CALLBACK = re.compile(r"^[A-Za-z_$][\w$.]{0,99}$")
_INTEGER = re.compile(r"^[+-]?[0-9]{1,20}$")


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
    return index_for(generation().cache, generation().store, kinds, _space())


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
    batch = _load(raw, "queries")
    if isinstance(batch, dict) and "queries" in batch and request.is_json and isinstance(batch["queries"], dict):
        batch = batch["queries"]  # a JSON body of the form {"queries": {...}}
    if isinstance(batch, dict) and len(batch) > MAX_QUERIES:
        raise PayloadTooLarge(f"{request.path}: {len(batch)} queries in one batch; at most {MAX_QUERIES}")
    _check(batch, "query-batch", "queries")
    for key, query in batch.items():
        _check_query(key, query)
    index = _index()
    return _json({key: {"result": _results(_answer(index, query))} for key, query in batch.items()})


def _load(raw: str, what: str) -> Any:
    """A parameter's JSON, refusing what Python's json module accepts but no JSON client means
    (NaN, Infinity, numbers out of range) and what would exhaust the parser (deep nesting, an
    integer of thousands of digits), each as a 400 naming the parameter."""
    def constant(name: str) -> float:
        raise BadRequest(f"{request.path}: '{what}' is not JSON: {name} is not a JSON number")

    def number(text: str) -> float:
        value = float(text)
        if not math.isfinite(value):
            raise BadRequest(f"{request.path}: '{what}': the number {text[:40]} is out of range")
        return value

    def integer(text: str) -> int:
        if len(text.lstrip("-")) > MAX_DIGITS:
            raise BadRequest(f"{request.path}: '{what}': an integer of {len(text)} digits is out of range")
        return int(text)

    try:
        loaded = json.loads(raw, parse_constant=constant, parse_float=number, parse_int=integer)
    except json.JSONDecodeError as exc:
        raise BadRequest(f"{request.path}: '{what}' is not JSON: {exc}") from exc
    except RecursionError as exc:
        raise BadRequest(f"{request.path}: '{what}' is nested too deeply (at most {MAX_DEPTH} levels)") from exc
    if _depth(loaded) > MAX_DEPTH:
        raise BadRequest(f"{request.path}: '{what}' is nested too deeply (at most {MAX_DEPTH} levels)")
    return loaded


def _depth(value: Any) -> int:
    """How deeply arrays and objects nest in a JSON value (counted without recursion)."""
    deepest, stack = 0, [(value, 1)]
    while stack:
        item, level = stack.pop()
        if isinstance(item, dict | list):
            deepest = max(deepest, level)
            if level <= MAX_DEPTH:  # deeper is refused anyway: no need to walk it
                stack.extend((child, level + 1) for child in (item.values() if isinstance(item, dict) else item))
    return deepest


def _check_query(key: str, query: dict[str, Any]) -> None:
    """What the schema cannot say: limits are whole numbers, types and properties are IRIs (or
    coopld CURIEs), and names are of a size a name has."""
    where = f"{request.path}: query {key[:40]!r}"
    limit = query.get("limit")
    if limit is not None and limit != int(limit):
        raise BadRequest(f"{where}: 'limit' must be a whole number, not {limit}")
    if len(query.get("query", "")) > MAX_TEXT:
        raise BadRequest(f"{where}: 'query' is {len(query['query'])} characters long; at most {MAX_TEXT}")
    types = query.get("type", [])
    for given in [types] if isinstance(types, str) else types:
        _iri(given, f"{where}: 'type'")
    if len(types) > MAX_TERMS and not isinstance(types, str):
        raise BadRequest(f"{where}: {len(types)} types; at most {MAX_TERMS}")
    constraints = query.get("properties", [])
    if len(constraints) > MAX_TERMS:
        raise BadRequest(f"{where}: {len(constraints)} property constraints; at most {MAX_TERMS}")
    for constraint in constraints:
        _iri(constraint["pid"], f"{where}: property 'pid'")
        for v in constraint["v"] if isinstance(constraint["v"], list) else [constraint["v"]]:
            text = v["id"] if isinstance(v, dict) else v
            if isinstance(text, str) and len(text) > MAX_TEXT:
                raise BadRequest(f"{where}: a property value is {len(text)} characters long; at most {MAX_TEXT}")


def _iri(term: str, what: str) -> str:
    """A type or property as an IRI (a coopld CURIE expanded), or a 400 saying what is wrong:
    the store is asked about it, and it takes only absolute IRIs."""
    if len(term) > MAX_IRI:
        raise BadRequest(f"{what} is {len(term)} characters long; an IRI here has at most {MAX_IRI}")
    expanded = _expand(term)
    problem = iri_problem(expanded)
    if problem is not None:
        raise BadRequest(f"{what} {term[:100]!r} is not an IRI nor a CURIE with one of the prefixes "
                         f"{', '.join(sorted(PREFIXES))}: {problem}")
    return expanded


def _check(payload: Any, name: str, what: str) -> None:
    errors = sorted(jsonschema.Draft202012Validator(schema(name)).iter_errors(payload),
                    key=lambda e: [str(p) for p in e.path])
    if errors:
        where = "/".join(str(p) for p in errors[0].absolute_path) or "(top)"
        raise BadRequest(f"{request.path}: '{what}' does not follow the Reconciliation API 0.2: at {where}: "
                         f"{errors[0].message}")


def _answer(index: Index, query: dict[str, Any]) -> list[Candidate]:
    types = query.get("type", [])
    types = [types] if isinstance(types, str) else list(types)
    limit = int(min(max(query.get("limit", DEFAULT_LIMIT), 0), MAX_LIMIT))  # checked: a finite whole number
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
        "serviceVersion": generation().version[:12],
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
    types = _types()
    found = index.suggest(_prefix(), types, _limit())
    return _json({"result": [{"id": e.iri[len(_space()):], "name": e.name, "description": e.iri,
                              "notable": [{"id": t, "name": n} for t, n in sorted(e.types.items())]} for e in found]})


@bp.route("/reconcile/suggest/type")
def suggest_type() -> Response:
    index = _index()
    prefix = fold(_prefix())
    found = sorted((t for t in index.types.items() if _starts(prefix, t[1]) or _starts(prefix, t[0].rsplit("#", 1)[-1])),
                   key=lambda t: (t[0] not in index.kinds, t[1], t[0]))
    return _json({"result": [{"id": t, "name": n} for t, n in found][:_limit()]})


@bp.route("/reconcile/suggest/property")
def suggest_property() -> Response:
    index = _index()
    prefix = fold(_prefix())
    kinds = _types() or list(index.kinds)
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
    """The ``limit`` parameter: a whole number (at least 1, at most ``MAX_LIMIT`` are given)."""
    given = request.args.get("limit")
    if given is None:
        return DEFAULT_LIMIT
    if not _INTEGER.match(given.strip()):
        raise BadRequest(f"{request.path}: 'limit' {given[:40]!r} is not a whole number")
    return max(1, min(int(given), MAX_LIMIT))


def _prefix() -> str:
    prefix = request.args.get("prefix", "")
    if len(prefix) > MAX_TEXT:
        raise BadRequest(f"{request.path}: 'prefix' is {len(prefix)} characters long; at most {MAX_TEXT}")
    return prefix


def _types() -> list[str]:
    """The ``type`` parameters of a suggest request, as IRIs."""
    given = request.args.getlist("type")
    if len(given) > MAX_TERMS:
        raise BadRequest(f"{request.path}: {len(given)} 'type' parameters; at most {MAX_TERMS}")
    return [_iri(t, f"{request.path}: 'type'") for t in given]

