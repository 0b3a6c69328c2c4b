"""Pages for people: the landing page."""

from __future__ import annotations

from flask import Blueprint, current_app, render_template

from coopld.web.dereference import local_href
from coopld.web.generation import generation
from coopld.web.stats import select_once

bp = Blueprint("pages", __name__)


@bp.route("/")
def index() -> str:
    summary = generation().summary
    settings = current_app.config["COOPLD_SETTINGS"]
    timeline = [{**row, "href": local_href(row["event"])} for row in select_once("timeline")]
    organizations = [{**row, "href": local_href(row["organization"])} for row in select_once("top-organizations")]
    return render_template("index.html", counts=summary["counts"], timeline=timeline, organizations=organizations,
                           id_base=settings.id_base, graph_base=settings.graph_base)
