"""The browser libraries the pages use, sent from node_modules (``npm ci`` in ``bin/setup``,
pinned by package-lock.json), so no page needs another host:

    /static/vendor/yasgui/<name>    @zazuko/yasgui's built files: the SPARQL query page
    /static/vendor/echarts/<name>   Apache ECharts: the timeline and network pictures
"""

from __future__ import annotations

from pathlib import Path

from flask import Blueprint, Response, current_app, send_from_directory

from coopld.web.errors import NotFound

bp = Blueprint("vendor", __name__)

#: each package's folder of built files, relative to the checkout
PACKAGES = {"yasgui": Path("node_modules", "@zazuko", "yasgui", "build"),
            "echarts": Path("node_modules", "echarts", "dist")}


@bp.route("/static/vendor/<package>/<name>")
def vendor_file(package: str, name: str) -> Response:
    built = PACKAGES.get(package)
    if built is None:
        raise NotFound(f"no browser package {package!r}; known: {', '.join(sorted(PACKAGES))}")
    folder = current_app.config["COOPLD_SETTINGS"].root / built
    if not (folder / name).is_file():
        raise NotFound(f"no file {name!r} in {built}; install the pages' npm packages with ./bin/setup")
    return send_from_directory(folder.resolve(), name, max_age=3600)
