"""The SPARQL 1.1 Service Description of the endpoint, rendered from a Turtle template."""

from __future__ import annotations

from flask import current_app, render_template, request
from rdflib import Graph

from coopld.store import Triple
from coopld.web.generation import generation
from coopld.web.query_protocol import federation_endpoints


def description() -> list[Triple]:
    """The description; sd:BasicFederatedQuery only when SERVICE may call some endpoints (those on
    COOPLD_FEDERATION_ENDPOINTS, which are not listed: the description promises no more than the
    feature)."""
    graphs = generation().store.named_graphs()
    turtle = render_template("service-description.ttl", endpoint=request.url_root + "sparql", graphs=graphs,
                             federation=federation_endpoints(current_app.config))
    return list(Graph().parse(data=turtle, format="turtle"))  # type: ignore[arg-type]
