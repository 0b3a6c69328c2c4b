"""One table of the formats coopld serves: name, media type, file extension, and, for RDF, the
pyoxigraph format that writes it (the query process finds result formats by media type).
Content negotiation is Werkzeug's; ``?format=`` wins over ``Accept``."""

from __future__ import annotations

from dataclasses import dataclass

import pyoxigraph as ox
from flask import Request


@dataclass(frozen=True)
class Format:
    name: str
    media_type: str
    extension: str
    rdf: ox.RdfFormat | None = None


RDF_FORMATS = [
    Format("turtle", "text/turtle", "ttl", rdf=ox.RdfFormat.TURTLE),
    Format("jsonld", "application/ld+json", "jsonld", rdf=ox.RdfFormat.JSON_LD),
    Format("ntriples", "application/n-triples", "nt", rdf=ox.RdfFormat.N_TRIPLES),
    Format("rdfxml", "application/rdf+xml", "rdf", rdf=ox.RdfFormat.RDF_XML),
    Format("trig", "application/trig", "trig", rdf=ox.RdfFormat.TRIG),
    Format("nquads", "application/n-quads", "nq", rdf=ox.RdfFormat.N_QUADS),
]
RESULT_FORMATS = [
    Format("json", "application/sparql-results+json", "srj"),
    Format("xml", "application/sparql-results+xml", "srx"),
    Format("csv", "text/csv", "csv"),
    Format("tsv", "text/tab-separated-values", "tsv"),
]
HTML = Format("html", "text/html", "html")
ALIASES = {"application/json": "json", "application/xml": "xml", "text/xml": "xml", "application/x-turtle": "turtle",
           "text/n3": "turtle", "text/plain": "ntriples", "json-ld": "jsonld", "application/x-json+ld": "jsonld",
           "n-triples": "ntriples", "nt": "ntriples", "rdf+xml": "rdfxml", "rdf": "rdfxml", "ttl": "turtle"}


class NotAcceptable(Exception):
    """No format both sides can use; carries what this resource offers."""

    def __init__(self, offered: list[Format]) -> None:
        self.offered = offered
        super().__init__("acceptable: " + ", ".join(f.media_type for f in offered))


def negotiate(request: Request, offered: list[Format], default: Format) -> Format:
    """The format to answer with: ``?format=`` (a name, extension or media type), else the
    best ``Accept`` match, else ``default`` when the client accepts anything."""
    by_key = {k: f for f in offered for k in (f.name, f.extension, f.media_type)}
    # clients write ?format= in many ways ("json-ld", "application/ld+json,application/x-json+ld")
    wanted = [v.strip() for raw in (*request.args.getlist("format"), *request.form.getlist("format"))
              for v in raw.split(",") if v.strip()]
    if wanted:
        for value in wanted:
            key = ALIASES.get(value, value)
            if key in by_key:
                return by_key[key]
        raise NotAcceptable(offered)
    accept = request.accept_mimetypes
    if not accept or not request.headers.get("Accept"):
        return default
    types = [f.media_type for f in offered] + [m for m, n in ALIASES.items() if n in by_key and "/" in m]
    best = accept.best_match(types)
    if best is None:
        raise NotAcceptable(offered)
    if accept.best == "*/*" or (best not in by_key and best not in ALIASES):
        return default
    return by_key[ALIASES.get(best, best)]
