"""``/.well-known/void``: the VoID and DCAT description of the dataset — counts, partitions,
vocabularies, endpoint, downloads with media types, sizes and checksums, licence, linksets."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, current_app, render_template, request
from rdflib import Graph, URIRef

from coopld.config import VOCAB_ROOT
from coopld.web.dereference import local_href
from coopld.web.describe import humanised, labels
from coopld.web.diagram import curie
from coopld.web.downloads import LICENCE, available, files_for_people
from coopld.web.formats import HTML, RDF_FORMATS, negotiate, serialize
from coopld.web.generation import generation
from coopld.web.stats import dataset_stats, select_once

bp = Blueprint("void", __name__)

#: the dataset's title and description, as the Turtle and the page both give them
TITLE = "coopld: international security cooperation in the news"
DESCRIPTION = ("Cooperation events between security agencies of different countries — talks, working sessions, receptions, "
               "visits, signings — with their participants, organizations, agreements, validity periods and cooperation "
               "areas, extracted from news reports, each fact traceable to its article and sentence.")
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
                           vocabularies=VOCABULARIES, targets=TARGETS, title=TITLE, description=DESCRIPTION,
                           modified=generation().modified.date().isoformat())


def readable() -> dict[str, Any]:
    """What the Turtle says, for a person: totals, what kinds of thing and which properties the
    data hold (labelled, most first, each linked to its page here), the links to other datasets
    and the files, so nobody has to read Turtle to learn what is in the dataset."""
    stats = dataset_stats()
    terms = [URIRef(str(r["class"])) for r in stats["classes"]] + [URIRef(str(r["property"])) for r in stats["properties"]]
    found = labels(generation().store, terms)

    def term(iri: str) -> dict[str, str]:
        # the prefixed name tells apart terms of one label from two vocabularies (coop:Event, sem:Event)
        return {"iri": iri, "label": found.get(iri) or humanised(iri), "href": local_href(iri), "name": curie(iri)}

    def by_count(rows: list[dict[str, Any]], key: str, count: str) -> list[dict[str, Any]]:
        made = [{**term(str(r[key])), "count": int(str(r[count]))} for r in rows]
        return sorted(made, key=lambda r: (-r["count"], r["label"].lower()))

    return {"title": TITLE, "description": DESCRIPTION,
            "triples": int(str(stats["triples"])), "entities": int(str(stats["entities"])),
            "classes": by_count(stats["classes"], "class", "entities"),
            "properties": by_count(stats["properties"], "property", "triples"),
            "linksets": [{"target": str(r["target"]), "predicate": term(str(r["predicate"])), "count": int(str(r["triples"]))}
                         for r in stats["linksets"]],
            "dumps": files_for_people(generation()), "vocabularies": VOCABULARIES, "licence": LICENCE,
            "modified": generation().modified.strftime("%d %B %Y").lstrip("0"),
            "uri_space": current_app.config["COOPLD_SETTINGS"].id_base}


@bp.route("/.well-known/void")
def void() -> Response:
    fmt = negotiate(request, [RDF_FORMATS[0], *RDF_FORMATS[1:4], HTML], RDF_FORMATS[0])
    turtle = description_turtle()
    if fmt is HTML:
        page = render_template("void.html", turtle=turtle, void=readable())
        return Response(page, mimetype="text/html", headers={"Vary": "Accept"})
    if fmt.name == "turtle":
        body = turtle.encode("utf-8")
    else:
        body = serialize(Graph().parse(data=turtle, format="turtle"), fmt,  # type: ignore[arg-type]
                          current_app.extensions["coopld_prefixes"])
    return Response(body, mimetype=fmt.media_type, headers={"Vary": "Accept"})
