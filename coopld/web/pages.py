"""Pages for people: the landing page."""

from __future__ import annotations

from flask import Blueprint, current_app, redirect, render_template
from rdflib import Literal
from werkzeug.wrappers import Response

from coopld.web.dates import for_people
from coopld.web.dereference import local_href
from coopld.web.generation import generation
from coopld.web.stats import select_once, solutions

bp = Blueprint("pages", __name__)


@bp.route("/")
def index() -> str:
    summary = generation().summary
    settings = current_app.config["COOPLD_SETTINGS"]
    timeline = generation().cache.get("timeline-list")
    if timeline is None:  # once per generation; dates kept typed, to be said in words
        timeline = [{"event": str(r["event"]), "label": str(r["label"]), "href": local_href(str(r["event"])),
                     "when": for_people(r["date"]) if isinstance(r["date"], Literal) else "",
                     "main": str(r["main"]) in ("true", "1")}
                    for r in solutions(generation().store, "timeline")]
        generation().cache["timeline-list"] = timeline
    organizations = [{**row, "href": local_href(row["organization"])} for row in select_once("top-organizations")]
    return render_template("index.html", counts=summary["counts"], timeline=timeline, organizations=organizations,
                           id_base=settings.id_base, graph_base=settings.graph_base)


@bp.route("/favicon.ico")
def favicon() -> Response:
    """Browsers and feed readers ask for /favicon.ico whatever the page says: the icon is an SVG."""
    return redirect("/static/favicon.svg", code=301)
