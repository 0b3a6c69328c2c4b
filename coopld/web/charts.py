"""The data of the pictures: a timeline of events and a cooperation network, for the whole
dataset (the landing page) or around one organization or country (its page).

    /charts/timeline.json[?focus=IRI]   events with date, precision, kind, label and page
    /charts/network.json[?focus=IRI]    nodes (organizations or countries) and weighted edges

Each answer names the SPARQL query it comes from (``query``: a link to the query page with that
query), so a picture also works as data; a page's focus is bound to the query's ``?focus``, never
written into its text. Answers are made once per dataset version (``coopld.web.cache``). The
browser draws them with ECharts (``static/charts.js``), served from this server like YASGUI."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from flask import Blueprint, Response, jsonify, request
from rdflib import Literal, URIRef
from rdflib.namespace import XSD
from werkzeug.exceptions import BadRequest

from coopld.iris import is_absolute_iri
from coopld.store import Term
from coopld.web.cache import respond_once
from coopld.web.dates import for_people
from coopld.web.dereference import local_href
from coopld.web.generation import generation
from coopld.web.stats import query_text, solutions

bp = Blueprint("charts", __name__)

#: how precisely a date places an event on a time axis, by datatype (yearless dates cannot)
PRECISION = {str(XSD.date): "day", str(XSD.gYearMonth): "month", str(XSD.gYear): "year"}


def _focus() -> URIRef | None:
    value = request.args.get("focus")
    if value is None:
        return None
    if not is_absolute_iri(value):
        raise BadRequest(f"focus must be an absolute IRI, not {value[:200]!r}")
    return URIRef(value)


def _query_link(name: str) -> str:
    return "/sparql?query=" + quote(query_text(name), safe="")


def _text(term: Term | None) -> str:
    return str(term) if term is not None else ""


def timeline(focus: URIRef | None) -> dict[str, Any]:
    name = "chart-timeline-of" if focus is not None else "chart-timeline"
    rows = solutions(generation().store, name, **({"focus": focus} if focus is not None else {}))
    events, unplaced = [], []
    for row in rows:
        date = row["date"]
        item = {"iri": str(row["event"]), "href": local_href(str(row["event"])), "label": _text(row["label"]),
                "kind": _text(row["kind"]) or "event"}
        if not isinstance(date, Literal):
            unplaced.append({**item, "when": "date not stated"})
        elif str(date.datatype) not in PRECISION:
            unplaced.append({**item, "when": for_people(date)})
        else:
            events.append({**item, "date": str(date)[:10], "precision": PRECISION[str(date.datatype)],
                           "when": for_people(date)})
    events.sort(key=lambda e: (e["date"], e["label"]))
    unplaced.sort(key=lambda e: e["label"])
    return {"query": _query_link(name), "events": events, "unplaced": unplaced}


def network(focus: URIRef | None) -> dict[str, Any]:
    name = "chart-network-of" if focus is not None else "chart-network"
    rows = solutions(generation().store, name, **({"focus": focus} if focus is not None else {}))
    nodes: dict[str, dict[str, Any]] = {}
    edges = []
    for row in rows:
        ends = []
        for side in ("a", "b"):
            iri = str(row[side])
            node = nodes.setdefault(iri, {"iri": iri, "href": local_href(iri), "label": _text(row[f"{side}Label"]) or iri,
                                          "events": 0, "focus": iri == str(focus)})
            node["events"] += int(str(row["events"]))
            ends.append(iri)
        edges.append({"source": ends[0], "target": ends[1], "events": int(str(row["events"]))})
    ordered = sorted(nodes.values(), key=lambda n: (-n["events"], n["label"]))
    return {"query": _query_link(name), "nodes": ordered, "edges": sorted(edges, key=lambda e: (e["source"], e["target"]))}


def _answer(make: Any) -> Response:
    focus = _focus()
    return respond_once("charts", "COOPLD_DOCUMENT_CACHE_MB", (request.path, str(focus)), lambda: jsonify(make(focus)))


@bp.route("/charts/timeline.json")
def timeline_json() -> Response:
    return _answer(timeline)


@bp.route("/charts/network.json")
def network_json() -> Response:
    return _answer(network)


@bp.app_context_processor
def _chart_links() -> dict[str, Any]:
    """``chart_query(name)`` in templates: the link to the query page holding a picture's query."""
    return {"chart_query": _query_link}
