"""``/.well-known/void``: the VoID and DCAT description of the dataset — counts, partitions,
vocabularies, endpoint, downloads with media types, sizes and checksums, licence, linksets."""

from __future__ import annotations

from flask import Blueprint, Response, current_app, render_template, request
from rdflib import Graph

from coopld.config import VOCAB_ROOT
from coopld.web.downloads import available
from coopld.web.formats import HTML, RDF_FORMATS, negotiate, serialize
from coopld.web.generation import generation
from coopld.web.stats import dataset_stats, select_once

bp = Blueprint("void", __name__)

TARGETS = {"wikidata": "http://www.wikidata.org/", "geonames": "https://www.geonames.org/"}
VOCABULARIES = [VOCAB_ROOT + "ontology#", VOCAB_ROOT + "vocab/", "http://semanticweb.cs.vu.nl/2009/11/sem/",
                "http://www.w3.org/ns/org#", "http://www.w3.org/ns/prov#", "http://www.w3.org/2006/time#",
                "http://www.w3.org/2004/02/skos/core#", "http://purl.org/dc/terms/", "http://xmlns.com/foaf/0.1/",
                "http://schema.org/", "http://persistence.uni-leipzig.org/nlp2rdf/ontologies/nif-core#"]


def description_turtle() -> str:
    settings = current_app.config["COOPLD_SETTINGS"]
    root = request.url_root
    dumps = [{"name": name, "url": f"{root}downloads/{name}", **info} for name, info in sorted(available(generation()).items())]
    examples = [r["event"] for r in select_once("timeline")[:3]]
    return render_template("void.ttl", dataset=settings.base_iri + ".well-known/void#dataset",
                           dataset_doc=settings.base_iri + ".well-known/void", root=root, endpoint=root + "sparql",
                           uri_space=settings.id_base, stats=dataset_stats(), dumps=dumps, examples=examples,
                           vocabularies=VOCABULARIES, targets=TARGETS,
                           modified=generation().modified.date().isoformat())


@bp.route("/.well-known/void")
def void() -> Response:
    fmt = negotiate(request, [RDF_FORMATS[0], *RDF_FORMATS[1:4], HTML], RDF_FORMATS[0])
    turtle = description_turtle()
    if fmt is HTML:
        return Response(render_template("void.html", turtle=turtle), mimetype="text/html", headers={"Vary": "Accept"})
    if fmt.name == "turtle":
        body = turtle.encode("utf-8")
    else:
        body = serialize(Graph().parse(data=turtle, format="turtle"), fmt,  # type: ignore[arg-type]
                          current_app.extensions["coopld_prefixes"])
    return Response(body, mimetype=fmt.media_type, headers={"Vary": "Accept"})
