"""The SPARQL 1.1 Service Description of the endpoint, rendered from a Turtle template."""

from __future__ import annotations

import pyoxigraph as ox
from flask import current_app, render_template, request

from coopld.web.generation import generation
from coopld.web.sparql import federation_endpoints


def description() -> list[ox.Triple]:
    """The description; sd:BasicFederatedQuery only when SERVICE may call some endpoints (those on
    COOPLD_FEDERATION_ENDPOINTS, which are not listed: the description promises no more than the
    feature)."""
    store: ox.Store = generation().store
    graphs = sorted(g.value for g in store.named_graphs() if isinstance(g, ox.NamedNode))
    turtle = render_template("service-description.ttl", endpoint=request.url_root + "sparql", graphs=graphs,
                             federation=federation_endpoints(current_app.config))
    return [q.triple for q in ox.parse(turtle, format=ox.RdfFormat.TURTLE)]
