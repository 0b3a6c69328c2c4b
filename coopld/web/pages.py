"""Pages for people: the landing page."""

from __future__ import annotations

from flask import Blueprint, current_app, render_template

bp = Blueprint("pages", __name__)


@bp.route("/")
def index() -> str:
    summary = current_app.extensions["coopld_summary"]
    return render_template("index.html", summary=summary, counts=summary["counts"])
