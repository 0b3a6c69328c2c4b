"""The SPARQL 1.1 Service Description of the endpoint, rendered from a Turtle template."""

from __future__ import annotations

import pyoxigraph as ox
from flask import current_app, render_template, request


def description() -> list[ox.Triple]:
    store: ox.Store = current_app.extensions["coopld_store"]
    graphs = sorted(g.value for g in store.named_graphs() if isinstance(g, ox.NamedNode))
    turtle = render_template("service-description.ttl", endpoint=request.url_root + "sparql", graphs=graphs,
                             allow_service=current_app.config["COOPLD_ALLOW_SERVICE"])
    return [q.triple for q in ox.parse(turtle, format=ox.RdfFormat.TURTLE)]
