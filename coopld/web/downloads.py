"""``/downloads/``: every dump of the build, with size and checksum, and the JSON-LD context."""

from __future__ import annotations

from flask import Blueprint, Response, current_app, render_template, send_from_directory

from coopld.web.errors import NotFound
from coopld.web.generation import generation

bp = Blueprint("downloads", __name__)


@bp.route("/downloads/")
def listing() -> str:
    return render_template("downloads.html", dumps=generation().summary["dumps"])


@bp.route("/downloads/<name>")
def dump(name: str) -> Response:
    dumps = generation().summary["dumps"]
    if name not in dumps:
        raise NotFound(f"no download named {name!r}; see /downloads/")
    # from the generation this request is answered from: the file always matches the listing
    response = send_from_directory(generation().path, name, mimetype=dumps[name]["media_type"], max_age=300,
                                   etag=str(dumps[name]["sha256"]))
    return response


@bp.route("/context.jsonld")
def context() -> Response:
    settings = current_app.config["COOPLD_SETTINGS"]
    return send_from_directory(settings.mappings_dir, "context.jsonld", mimetype="application/ld+json", max_age=3600)
