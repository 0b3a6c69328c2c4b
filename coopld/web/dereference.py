"""Dereferenceable IRIs, after "Cool URIs for the Semantic Web".

    /id/<kind>/<key>            a thing            303 See Other → /doc/<kind>/<key>.<ext>
    /vocab/<scheme>[/<key>]     a concept/scheme   303 See Other → /doc/vocab/<scheme>[/<key>].<ext>
    /doc/<...>[.<ext>]          the document about it: HTML, Turtle, JSON-LD, N-Triples, RDF/XML
    /ontology[/<version>][.<ext>]  the ontology document (its terms are hash IRIs in it)

Requests are mapped onto the configured base IRI (data) and the fixed vocabulary root, so data
minted under a public base can be browsed from any host or port.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import quote

from flask import Blueprint, Response, current_app, render_template, request
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import OWL, RDFS, SH

from coopld.config import VOCAB_ROOT, Settings
from coopld.iris import is_absolute_iri
from coopld.store import Store, Triple
from coopld.vocab import ONTOLOGY_IRI
from coopld.web import briefing, documentation
from coopld.web.cache import respond_once
from coopld.web.dates import for_people, is_date
from coopld.web.describe import LABELS, RDF_TYPE, Description, describe, humanised, label_triples, labels, local_name, sort_key
from coopld.web.formats import HTML, RDF_FORMATS, Format, negotiate, serialize
from coopld.web.generation import generation
from coopld.web.stats import query_text

bp = Blueprint("resources", __name__)

DOC_FORMATS = [HTML, *(f for f in RDF_FORMATS if f.name in ("turtle", "jsonld", "ntriples", "rdfxml"))]
BY_EXTENSION = {f.extension: f for f in DOC_FORMATS}
_EXT = re.compile(r"^(?P<path>.+?)\.(?P<ext>html|ttl|jsonld|nt|rdf)$")


def _settings() -> Settings:
    settings: Settings = current_app.config["COOPLD_SETTINGS"]
    return settings


def thing_iri(path: str) -> str:
    """The IRI a local path (without "/doc/") stands for."""
    if path.startswith("vocab/"):
        return VOCAB_ROOT + path
    return _settings().id_base + path


def local_href(iri: str) -> str:
    """Where a dataset IRI can be followed on this server (external IRIs are left alone)."""
    settings = _settings()
    if iri.startswith(settings.id_base):
        return "/id/" + iri[len(settings.id_base):]
    if iri.startswith(ONTOLOGY_IRI):
        return "/ontology" + iri[len(ONTOLOGY_IRI):]
    if iri.startswith(VOCAB_ROOT + "vocab/"):
        return "/" + iri[len(VOCAB_ROOT):]
    return iri


def _choose(ext: str | None) -> tuple[Format, bool]:
    """The format asked for, and whether it was negotiated (then the response varies on Accept)."""
    if ext:
        return BY_EXTENSION[ext], False
    return negotiate(request, DOC_FORMATS, HTML), True


@bp.route("/id/<path:path>")
def thing(path: str) -> Response:
    return _see_other_if_known(path, "/doc/" + path)


@bp.route("/vocab/<path:path>")
def concept(path: str) -> Response:
    return _see_other_if_known("vocab/" + path, "/doc/vocab/" + path)


def _see_other_if_known(path: str, doc: str) -> Response:
    """303 to the document of a thing the dataset speaks of; 404 here for anything else, since a
    303 to a document that is not there says the thing exists."""
    iri = thing_iri(path)
    if not _is_iri(iri) or not _mentioned(generation().store, iri):
        return _not_found_response(iri, negotiate(request, DOC_FORMATS, HTML))
    return _see_other(doc)


def _mentioned(store: Store, iri: str) -> bool:
    return store.ask(query_text("mentioned"), [{"root": URIRef(iri)}])


def _see_other(doc: str) -> Response:
    fmt = negotiate(request, DOC_FORMATS, HTML)
    # the path as the client sent it, escaped again: a header cannot carry a decoded CR or LF
    location = quote(f"{doc}.{fmt.extension}", safe="/:@!$&'()*+,;=-._~%")
    return Response(status=303, headers={"Location": location, "Vary": "Accept"})


def _is_iri(iri: str) -> bool:
    """Whether a path maps onto an IRI at all (``/doc/a|b`` does not): such a thing is not here."""
    return is_absolute_iri(iri)


def _path_format(path: str) -> tuple[str, Format, bool]:
    """A document path without its extension, the format it asks for (by extension, else by
    negotiation) and whether that was negotiated."""
    m = _EXT.match(path)
    fmt, negotiated = _choose(m.group("ext") if m else None)
    return (m.group("path") if m else path), fmt, negotiated


def _once(path: str, make: Callable[[], Response]) -> Response:
    """A document made once per version (``coopld.web.cache``), keyed by what makes it differ:
    the path, the format chosen, whether it was negotiated, the page."""
    _base, fmt, negotiated = _path_format(path)
    key = (request.path, fmt.name, negotiated, request.args.get("page", default=1, type=int) or 1)
    return respond_once("documents", "COOPLD_DOCUMENT_CACHE_MB", key, make)


@bp.route("/doc/<path:path>")
def document(path: str) -> Response:
    return _once(path, lambda: _document(path))


def _document(path: str) -> Response:
    base_path, fmt, negotiated = _path_format(path)
    iri = thing_iri(base_path)
    if not _is_iri(iri):
        return _not_found_response(iri, fmt)
    page = request.args.get("page", default=1, type=int) or 1
    store = generation().store
    described = describe(store, iri, page=max(page, 1), page_size=current_app.config["COOPLD_PAGE_SIZE"])
    if fmt is HTML and described is not None and base_path.count("/") == 1 and base_path.startswith("vocab/"):
        settings = _settings()
        scheme = documentation.cached(generation().cache, iri, lambda: documentation.scheme_view(
            store, iri, settings.graph_base + "vocabulary", settings.id_base, local_href))
        if scheme is not None:  # a concept scheme: its documentation page
            return _respond(described, iri, f"/doc/{base_path}", fmt, negotiated, template="scheme.html", view=scheme)
    return _respond(described, iri, f"/doc/{base_path}", fmt, negotiated)


@bp.route("/graph/<path:path>")
def named_graph(path: str) -> Response:
    """A named graph is a document: its triples, paged like any description."""
    return _once(path, lambda: _named_graph(path))


def _named_graph(path: str) -> Response:
    name, fmt, negotiated = _path_format(path)
    iri = _settings().graph_base + name
    if not _is_iri(iri):
        return _not_found_response(iri, fmt)
    store = generation().store
    size = int(current_app.config["COOPLD_PAGE_SIZE"])
    page = max(request.args.get("page", default=1, type=int) or 1, 1)
    everything = sorted(set(store.graph(iri)), key=sort_key)
    if not everything:
        return _not_found_response(iri, fmt)
    pages = max(1, -(-len(everything) // size))
    described = Description(iri, everything[(page - 1) * size:page * size], len(everything), page, pages)
    return _respond(described, iri, f"/graph/{name}", fmt, negotiated, template="graph.html")


@bp.route("/shapes")
@bp.route("/shapes.<any(html,ttl,jsonld,nt,rdf):ext>")
def shapes(ext: str | None = None) -> Response:
    """The SHACL shapes the data are validated with (their IRIs appear in validation reports)."""
    return _once(request.path.lstrip("/"), lambda: _shapes_document(ext))


def _shapes_document(ext: str | None) -> Response:
    fmt, negotiated = _choose(ext)
    turtle, triples = _shapes(_settings().shapes_dir)
    iri = VOCAB_ROOT + "shapes"
    if fmt is HTML:
        body = render_template("shapes.html", turtle=turtle)
        response = Response(body, mimetype="text/html")
        if negotiated:
            response.headers["Vary"] = "Accept"
        return response
    described = Description(iri, list(triples), len(triples), 1, 1)
    return _respond(described, iri, "/shapes", fmt, negotiated)


@cache
def _shapes(shapes_dir: Path) -> tuple[str, tuple[Triple, ...]]:
    """The shapes' Turtle and their triples (sorted), read once per process."""
    paths = sorted(shapes_dir.glob("*.ttl"))
    turtle = "".join(path.read_text(encoding="utf-8") for path in paths)
    graph = Graph()
    for path in paths:
        graph.parse(path, format="turtle")
    return turtle, tuple(sorted(graph, key=sort_key))  # type: ignore[arg-type]


@bp.route("/ontology")
@bp.route("/ontology.<any(html,ttl,jsonld,nt,rdf):ext>")
@bp.route("/ontology/<version>")
@bp.route("/ontology/<version>.<any(html,ttl,jsonld,nt,rdf):ext>")
def ontology(ext: str | None = None, version: str | None = None) -> Response:
    return _once(request.path.lstrip("/"), lambda: _ontology(ext, version))


def _ontology(ext: str | None, version: str | None) -> Response:
    fmt, negotiated = _choose(ext)
    store = generation().store
    graph = _settings().graph_base + "ontology"
    if version is not None and not _is_iri(f"{ONTOLOGY_IRI}/{version}"):
        return _not_found_response(f"{ONTOLOGY_IRI}/{version}", fmt)
    triples = sorted(set(store.graph(graph)), key=sort_key)
    wanted = URIRef(f"{ONTOLOGY_IRI}/{version}")
    if version is not None and not any(p == OWL.versionIRI and o == wanted for _s, p, o in triples):
        return _not_found_response(f"{ONTOLOGY_IRI}/{version}", fmt)
    described = Description(ONTOLOGY_IRI, triples, len(triples), 1, 1)
    base = "/ontology" + (f"/{version}" if version else "")
    view = None
    if fmt is HTML:
        view = documentation.cached(generation().cache, "ontology", lambda: documentation.ontology_view(
            store, graph, local_href))
    return _respond(described, ONTOLOGY_IRI, base, fmt, negotiated, template="ontology.html", view=view)


def _respond(described: Description | None, iri: str, base: str, fmt: Format, negotiated: bool,
             template: str = "resource.html", view: dict[str, Any] | None = None) -> Response:
    if described is None or (described.page > described.pages):
        return _not_found_response(iri, fmt)
    store = generation().store
    if fmt is HTML:
        if view is None:
            view = _view(described) if template == "resource.html" else {}
        if template == "graph.html":
            view = _graph_view(store, described)
        body = render_template(template, d=described, iri=iri, base=base, view=view, formats=DOC_FORMATS[1:])
        response = Response(body, mimetype="text/html")
    else:
        triples = described.triples + label_triples(store, described)
        response = Response(_serialize(triples, fmt), mimetype=fmt.media_type)
    links = [f'<{base}.{f.extension}>; rel="alternate"; type="{f.media_type}"' for f in DOC_FORMATS]
    if described.page > 1:
        links.append(f'<{base}.{fmt.extension}?page={described.page - 1}>; rel="prev"')
    if described.page < described.pages:
        links.append(f'<{base}.{fmt.extension}?page={described.page + 1}>; rel="next"')
    links.append('</.well-known/void>; rel="describedby"; type="text/turtle"')
    response.headers["Link"] = ", ".join(links)
    if negotiated:
        response.headers["Vary"] = "Accept"
        response.headers["Content-Location"] = f"{base}.{fmt.extension}"
    version = generation().version
    response.set_etag(hashlib.sha256(f"{version}|{base}|{fmt.name}|{described.page}".encode()).hexdigest()[:32])
    response.last_modified = generation().modified
    response.cache_control.public = True
    response.cache_control.max_age = 300
    return response  # made conditional (304 when the client's copy is current) by coopld.web.cache


def _serialize(triples: list[Triple], fmt: Format) -> bytes:
    return serialize(triples, fmt, current_app.extensions["coopld_prefixes"],
                     current_app.extensions["coopld_context"]["@context"])


def _not_found_response(iri: str, fmt: Format) -> Response:
    if fmt is HTML:
        body: bytes = render_template("not_found.html", iri=iri).encode("utf-8")
    elif fmt.name == "jsonld":
        body = json.dumps({"@context": {"rdfs": "http://www.w3.org/2000/01/rdf-schema#"},
                           "@graph": [], "rdfs:comment": f"{iri} is not in this dataset"}).encode("utf-8")
    elif fmt.name == "rdfxml":
        body = (b'<?xml version="1.0"?>\n<!-- ' + iri.encode() + b' is not in this dataset -->\n'
                b'<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"/>\n')
    else:
        body = f"# {iri} is not in this dataset\n".encode()
    return Response(body, status=404, mimetype=fmt.media_type)


# --- the HTML view -----------------------------------------------------------------------------

def _hierarchy() -> dict[str, set[str]]:
    """term -> every term below it (sub-properties and sub-classes), from the ontology, so a page
    need not repeat under sem:hasActor what it shows under "has participant"."""
    found: dict[str, set[str]] | None = generation().cache.get("hierarchy")
    if found is None:
        below: dict[str, set[str]] = {}
        for s, p, o in generation().store.graph(_settings().graph_base + "ontology"):
            if p in (RDFS.subPropertyOf, RDFS.subClassOf) and isinstance(s, URIRef) and isinstance(o, URIRef):
                below.setdefault(str(o), set()).add(str(s))
        changed = True
        while changed:  # transitive closure; the ontology is small
            changed = False
            for subs in below.values():
                more = set().union(*(below.get(s, set()) for s in subs)) - subs
                if more:
                    subs |= more
                    changed = True
        found = below
        generation().cache["hierarchy"] = found
    return found


def _inverses() -> dict[str, set[str]]:
    """property -> its inverses (owl:inverseOf, either way), from the ontology."""
    found: dict[str, set[str]] | None = generation().cache.get("inverses")
    if found is None:
        found = {}
        for s, p, o in generation().store.graph(_settings().graph_base + "ontology"):
            if p == OWL.inverseOf and isinstance(s, URIRef) and isinstance(o, URIRef):
                found.setdefault(str(s), set()).add(str(o))
                found.setdefault(str(o), set()).add(str(s))
        generation().cache["inverses"] = found
    return found


def _related(p: str, below: dict[str, set[str]]) -> set[str]:
    """The property, and those above and below it."""
    return {p} | below.get(p, set()) | {q for q, subs in below.items() if p in subs}


def _view(d: Description) -> dict[str, Any]:
    """What the HTML page shows, grouped for people: properties and inbound links by their
    labels, values as labelled links, and the evidence spans in their article's text. Each
    relation is shown once: a statement whose property (or class) merely generalises another
    statement's with the same value is left out ("mentioned in" beside "reported in" the same
    article), and a link to this resource is left out of "Referred to by" when the page shows
    it already the other way (an event's "has participation" and the participation's "in event")."""
    store = generation().store
    below = _hierarchy()
    inverses = _inverses()
    root = URIRef(d.iri)
    own_all = [t for t in d.triples if t[0] == root]
    by_value: dict[str, set[str]] = {}
    for _s, p, o in own_all:
        by_value.setdefault(str(o), set()).add(str(p))
    classes = {str(t[2]) for t in own_all if t[1] == RDF_TYPE and isinstance(t[2], URIRef)}
    own = [t for t in own_all
           if not (below.get(str(t[1]), set()) & by_value[str(t[2])])
           and not (t[1] == RDF_TYPE and isinstance(t[2], URIRef) and below.get(str(t[2]), set()) & classes)]
    properties: dict[str, list[dict[str, str]]] = {}
    types: list[dict[str, str]] = []
    title = d.labels.get(d.iri) or local_name(d.iri)
    for _s, p, o in own:
        value = _value(o, d.labels)
        if p == RDF_TYPE:
            if value["text"] not in {t["text"] for t in types}:  # foaf:Person and schema:Person: "person" once
                types.append(value)
            continue
        if p in LABELS and isinstance(o, Literal) and str(o) == title:  # the page's title says it already
            continue
        properties.setdefault(d.labels.get(str(p), humanised(str(p))), []).append(value)
    inbound: dict[str, list[dict[str, str]]] = {}
    incoming: dict[str, set[str]] = {}
    for s, p, _o in d.inbound:
        incoming.setdefault(str(s), set()).add(str(p))
    for s, p, _o in d.inbound:
        if below.get(str(p), set()) & incoming[str(s)]:
            continue
        shown_back = by_value.get(str(s), set())
        if any(_related(inverse, below) & shown_back for inverse in inverses.get(str(p), set())):
            continue
        inbound.setdefault(d.labels.get(str(p), humanised(str(p))), []).append(_value(s, d.labels))
    evidence, snippets = _evidence(store, d)
    _as_words(properties, snippets)
    _as_words(inbound, snippets)
    kind = briefing.kind_of(classes)
    summary: dict[str, Any] | None = None
    if kind == "event":
        summary = briefing.event_summary(store, d.iri, d.triples, d.labels, local_href)
    elif kind == "person":
        summary = briefing.person_summary(store, d.iri, local_href)
    elif kind == "agreement":
        summary = briefing.agreement_summary(store, d.iri, d.triples, d.labels, local_href)
    elif kind == "organization":
        summary = briefing.organization_summary(store, d.iri, d.triples, d.labels, local_href)
    return {"title": title, "types": types, "kind": kind, "summary": summary,
            "properties": sorted(properties.items()), "inbound": sorted(inbound.items()),
            "evidence": evidence, "notes": review_notes(store, d.iri)}


def _as_words(groups: dict[str, list[dict[str, str]]], snippets: dict[str, tuple[int, str]]) -> None:
    """Links to text spans read as their words ("Lam proposed that the two sides …", not
    "char=406,668"), in the order of the text: an event's evidence, an article's spans."""
    for name, values in groups.items():
        if any(v.get("iri") in snippets for v in values):
            for v in values:
                if v.get("iri") in snippets:
                    v["text"] = snippets[v["iri"]][1]
            groups[name] = sorted(values, key=lambda v: snippets.get(v.get("iri", ""), (1 << 62, ""))[0])


def review_notes(store: Store, iri: str) -> list[dict[str, Any]]:
    """The open review notes on a resource, and for an article those of its record: what the
    extractor could not settle, for a person to check. A note a person marked reviewed in the
    record is left out (see ``coopld.records``)."""
    root = URIRef(iri)
    rows = [r for r in store.select(query_text("review-notes"), [{"root": root}])
            if str(r["reviewed"] or "") not in ("true", "1")]
    about_labels = labels(store, [r["about"] for r in rows if isinstance(r["about"], URIRef) and r["about"] != root])
    out = []
    for row in rows:
        note, about = str(row["note"]), row["about"]
        entry: dict[str, Any] = {"href": local_href(note), "iri": note, "fact": str(row["fact"] or ""),
                                 "reason": str(row["reason"] or "")}
        if isinstance(about, URIRef) and about != root:
            entry["about"] = {"href": local_href(str(about)), "iri": str(about),
                              "text": about_labels.get(str(about)) or local_name(str(about))}
        out.append(entry)
    return sorted(out, key=lambda n: (n.get("about", {}).get("text", ""), n["fact"], n["reason"], n["iri"]))


def _graph_view(store: Store, d: Description) -> dict[str, Any]:
    """A named graph's page: its triples as rows of labelled links; for a validation report, its
    results as a person reads them (severity, resource, property, message) instead of the
    blank-node-shaped triples they are stored as."""
    named = {str(t) for triple in d.triples for t in triple if isinstance(t, URIRef)}
    found = labels(store, [URIRef(n) for n in named])
    data = _settings().id_base
    for n in named:  # a term of a vocabulary in words, a resource of the data by its key
        found.setdefault(n, local_name(n) if n.startswith(data) else humanised(n))
    results = _report_results(d.triples, found)
    rows = [] if results else [(_value(s, found), _value(p, found), _value(o, found)) for s, p, o in d.triples]
    return {"rows": rows, "results": results}


def _report_results(triples: list[Triple], found: dict[str, str]) -> list[dict[str, Any]]:
    by_node: dict[str, dict[str, Any]] = {}
    for s, p, o in triples:
        by_node.setdefault(str(s), {})[str(p)] = o
    out = []
    for node, props in by_node.items():
        if props.get(str(RDF_TYPE)) != SH.ValidationResult:
            continue
        severity, path = props.get(str(SH.resultSeverity)), props.get(str(SH.resultPath))
        out.append({"severity": humanised(str(severity)) if severity is not None else "",
                    "focus": _value(props.get(str(SH.focusNode)), found),
                    "property": _value(path, found) if isinstance(path, URIRef) else None,
                    "message": str(props.get(str(SH.resultMessage)) or ""), "iri": node})
    order = {"violation": 0, "warning": 1, "info": 2}
    return sorted(out, key=lambda r: (order.get(r["severity"], 3), r["focus"].get("text", ""), r["message"]))


def _value(node: Any, labels: dict[str, str]) -> dict[str, str]:
    if isinstance(node, URIRef):
        return {"href": local_href(str(node)), "text": labels.get(str(node), local_name(str(node))), "iri": str(node)}
    if isinstance(node, Literal) and is_date(node):
        return {"text": for_people(node), "note": "", "raw": str(node)}
    if isinstance(node, Literal):
        datatype = str(node.datatype).rsplit("#", 1)[-1] if node.datatype else ""
        note = node.language or ("" if datatype in ("", "string", "langString") else datatype)
        return {"text": str(node), "note": note}
    return {"text": node.n3() if hasattr(node, "n3") else str(node)}


#: the words of a span a link to it shows
SNIPPET = 70


def _article_pieces(store: Store, iri: str, text: str, ranges: list[tuple[int, int]]) -> list[dict[str, Any]]:
    """An article's whole text, each span that evidence points to marked and numbered, with
    the resources read from it (the events, participations, agreements whose coop:evidence it
    is), so a reader goes from a sentence to what was made of it. Spans that overlap are
    marked as one, with the facts of both."""
    facts: dict[tuple[int, int], set[str]] = {}
    for row in store.select(query_text("span-facts"), [{"root": URIRef(iri)}]):
        _article, _sep, offsets = str(row["span"]).rpartition("#char=")
        begin, _comma, end = offsets.partition(",")
        if begin.isdigit() and end.isdigit():
            facts.setdefault((int(begin), int(end)), set()).add(str(row["fact"]))
    merged: list[tuple[int, int, set[str]]] = []
    for b, e in ranges:
        if merged and b < merged[-1][1]:
            merged[-1] = (merged[-1][0], max(e, merged[-1][1]), merged[-1][2] | facts.get((b, e), set()))
        else:
            merged.append((b, e, set(facts.get((b, e), set()))))
    found = labels(store, [URIRef(f) for _b, _e, read in merged for f in read])
    pieces: list[dict[str, Any]] = []
    pos = 0
    for number, (b, e, read) in enumerate(merged, start=1):
        pieces.append({"text": text[pos:b], "mark": False})
        linked = sorted(({"iri": f, "href": local_href(f), "text": found.get(f) or humanised(f)} for f in read),
                        key=lambda f: f["text"].lower())
        pieces.append({"text": text[b:e], "mark": True, "number": number, "facts": linked})
        pos = e
    pieces.append({"text": text[pos:], "mark": False})
    return pieces


def _evidence(store: Store, d: Description) -> tuple[list[dict[str, Any]], dict[str, tuple[int, str]]]:
    """The article text around each evidence span, split so the span can be highlighted; for an
    article, its whole text with every span that evidence points to. And for each span's IRI,
    where it begins and its first words (a link to "#char=406,668" reads as the sentence)."""
    root = [{"root": URIRef(d.iri)}]
    rows = store.select(query_text("evidence"), root) + store.select(query_text("article-spans"), root)
    is_article = any(str(r["article"]) == d.iri for r in rows)
    texts: dict[str, str] = {}
    by_article: dict[str, set[tuple[int, int]]] = {}
    for row in rows:
        article = str(row["article"])
        texts[article] = str(row["text"])
        by_article.setdefault(article, set()).add((int(str(row["begin"])), int(str(row["end"]))))
    titles = labels(store, [URIRef(a) for a in by_article])
    snippets: dict[str, tuple[int, str]] = {}
    for article, found in by_article.items():
        for b, e in found:
            words = " ".join(texts[article][b:e].split())
            short = words if len(words) <= SNIPPET else words[:SNIPPET].rsplit(" ", 1)[0] + " …"
            snippets[f"{article}#char={b},{e}"] = (b, short)
    out = []
    for article, found in sorted(by_article.items()):
        text = texts[article]
        ranges = sorted(found)
        if not is_article:  # show the sentences with a little context, not the whole article
            pieces = [{"text": text[b:e], "mark": True} for b, e in ranges]
        else:
            pieces = _article_pieces(store, d.iri, text, ranges)
        out.append({"article": article, "href": local_href(article), "title": titles.get(article) or local_name(article),
                    "pieces": pieces})
    return out, snippets

