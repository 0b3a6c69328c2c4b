"""One table of the formats coopld serves: name, media type, file extension, and, for RDF, the
rdflib serializer that writes it (query answers are written by the store, which finds formats by
media type). Content negotiation is Werkzeug's; ``?format=`` wins over ``Accept``."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from rdflib import Dataset, Graph
from werkzeug.datastructures import MIMEAccept
from werkzeug.http import parse_accept_header
from werkzeug.wrappers import Request

from coopld.store import Triple


@dataclass(frozen=True)
class Format:
    name: str
    media_type: str
    extension: str
    rdf: str | None = None  # rdflib's name of the serializer


RDF_FORMATS = [
    Format("turtle", "text/turtle", "ttl", rdf="turtle"),
    Format("jsonld", "application/ld+json", "jsonld", rdf="json-ld"),
    Format("ntriples", "application/n-triples", "nt", rdf="nt"),
    Format("rdfxml", "application/rdf+xml", "rdf", rdf="xml"),
    Format("trig", "application/trig", "trig", rdf="trig"),
    Format("nquads", "application/n-quads", "nq", rdf="nquads"),
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
    return choose(requested(request), request.headers.get("Accept"), offered, default)


def requested(request: Request) -> tuple[str, ...]:
    """The formats a request names with ``?format=`` (or a form field), in the order given."""
    # clients write ?format= in many ways ("json-ld", "application/ld+json,application/x-json+ld")
    raw = request.args.getlist("format")
    if request.method == "POST":
        raw = [*raw, *request.form.getlist("format")]
    return tuple(v.strip() for item in raw for v in item.split(",") if v.strip())


def choose(wanted: tuple[str, ...], header: str | None, offered: list[Format], default: Format) -> Format:
    """:func:`negotiate` over what a request asked for, taken from it once (a view that offers
    several sets of formats does not read the request again for each)."""
    if wanted:
        by_key = _keys(tuple(offered))
        for value in wanted:
            key = ALIASES.get(value, value)
            if key in by_key:
                return by_key[key]
        raise NotAcceptable(offered)
    if not header:
        return default
    found = _by_accept(header, tuple(offered), default)
    if found is None:
        raise NotAcceptable(offered)
    return found


@lru_cache(maxsize=64)
def _keys(offered: tuple[Format, ...]) -> dict[str, Format]:
    return {k: f for f in offered for k in (f.name, f.extension, f.media_type)}


@lru_cache(maxsize=4096)
def _by_accept(header: str, offered: tuple[Format, ...], default: Format) -> Format | None:
    """The best of ``offered`` for an ``Accept`` header (None: none is acceptable). Clients send
    the same few headers again and again, and matching one costs more than many a query: each
    verdict is kept (a bounded number of headers)."""
    accept = parse_accept_header(header, MIMEAccept)
    if not accept:
        return default
    by_key = _keys(offered)
    types = [f.media_type for f in offered] + [m for m, n in ALIASES.items() if n in by_key and "/" in m]
    best = accept.best_match(types)
    if best is None:
        return None
    if accept.best == "*/*" or (best not in by_key and best not in ALIASES):
        return default
    return by_key[ALIASES.get(best, best)]


def serialize(triples: Iterable[Triple], fmt: Format, prefixes: Mapping[str, str],
              context: Any = None) -> bytes:
    """Triples in an RDF format, with the dataset's prefixes (and, for JSON-LD, its context, so
    that the document reads like the records)."""
    assert fmt.rdf is not None
    graph: Graph = Dataset() if fmt.rdf in ("trig", "nquads") else Graph()
    for prefix, namespace in prefixes.items():
        graph.bind(prefix, namespace, override=True)
    for triple in triples:
        graph.add(triple)
    if fmt.rdf == "json-ld":
        return graph.serialize(format="json-ld", context=context, auto_compact=True).encode("utf-8")
    return graph.serialize(format=fmt.rdf, encoding="utf-8")
