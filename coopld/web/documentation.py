"""The ontology and the SKOS vocabularies as documentation a person can read: every term with
its label, definition, place in the hierarchy, domain and range, alignments to the vocabularies
it builds on, and examples from the data — all read from the store, so the page describes the
ontology and data actually served, never a copy that could drift.

The pages are computed once per server process (the store is read-only while served).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from rdflib import OWL, RDF, RDFS, SKOS, Graph, Literal, URIRef
from rdflib.namespace import DCTERMS
from rdflib.term import Node

from coopld.store import Store
from coopld.vocab import ONTOLOGY_IRI
from coopld.web.describe import label as label_in
from coopld.web.diagram import COOP, DiagramUnavailable, curie, event_diagram, named_classes, ontology_diagram, render
from coopld.web.stats import solutions

EXAMPLES = 3
CAMEO = URIRef(COOP + "cameoCode")
Href = Callable[[str], str]

SECTIONS = [  # (title, anchor, rdf:type of the terms listed)
    ("Classes", "classes", OWL.Class),
    ("Object properties", "object-properties", OWL.ObjectProperty),
    ("Datatype properties", "datatype-properties", OWL.DatatypeProperty),
    ("Annotation properties", "annotation-properties", OWL.AnnotationProperty),
]
CHARACTERISTICS = [(OWL.FunctionalProperty, "functional"), (OWL.InverseFunctionalProperty, "inverse functional"),
                   (OWL.TransitiveProperty, "transitive"), (OWL.SymmetricProperty, "symmetric"),
                   (OWL.AsymmetricProperty, "asymmetric"), (OWL.IrreflexiveProperty, "irreflexive")]
ALIGNING = [(RDFS.subClassOf, "sub-class of"), (RDFS.subPropertyOf, "sub-property of"),
            (OWL.equivalentClass, "equivalent to"), (OWL.equivalentProperty, "equivalent to"),
            (SKOS.exactMatch, "exact match"), (SKOS.closeMatch, "close match"), (SKOS.broadMatch, "broader match"),
            (SKOS.narrowMatch, "narrower match"), (SKOS.relatedMatch, "related match")]


@dataclass
class Link:
    text: str
    href: str
    iri: str


@dataclass
class Term:
    iri: str
    id: str
    label: str
    definition: str
    kind: str
    characteristics: list[str] = field(default_factory=list)
    super: list[Link] = field(default_factory=list)
    sub: list[Link] = field(default_factory=list)
    domain: list[Link] = field(default_factory=list)
    range: list[Link] = field(default_factory=list)
    inverse: list[Link] = field(default_factory=list)
    alignments: list[tuple[str, Link]] = field(default_factory=list)
    members: list[Link] = field(default_factory=list)   # a class's named individuals in the ontology
    examples: list[Link | tuple[Link, Link]] = field(default_factory=list)
    uses: int = 0


def graph_of(store: Store, graph_iri: str) -> Graph:
    """One named graph of the store as an rdflib graph (small: the ontology, the vocabularies)."""
    graph = Graph()
    for triple in store.graph(graph_iri):
        graph.add(triple)
    return graph


def _text(graph: Graph, subject: URIRef, *predicates: URIRef) -> str:
    for predicate in predicates:
        values = sorted(str(o) for o in graph.objects(subject, predicate)
                        if isinstance(o, Literal) and o.language in (None, "en"))
        if values:
            return values[0]
    return ""


def _iris(nodes: Iterable[Node]) -> list[URIRef]:
    """The IRIs among ``nodes``, sorted (blank nodes and literals left out)."""
    return sorted({n for n in nodes if isinstance(n, URIRef)})


def _first(store: Store, subject: str, predicate: str) -> str | None:
    """The value of one statement about ``subject`` (the least, if several), as text."""
    values = sorted(str(r["value"]) for r in solutions(store, "objects", subject=URIRef(subject),
                                                        predicate=URIRef(predicate))
                    if isinstance(r["value"], (URIRef, Literal)))
    return values[0] if values else None


def _link(graph: Graph, iri: URIRef, href: Href) -> Link:
    ours = str(iri).startswith(COOP)
    label = _text(graph, iri, RDFS.label, SKOS.prefLabel)
    text = label if ours and label else curie(str(iri))
    return Link(text, f"#{iri.rsplit('#', 1)[1]}" if ours else href(str(iri)), str(iri))


def ontology_view(store: Store, ontology_graph: str, href: Href) -> dict[str, Any]:
    """Everything the ontology page shows."""
    graph = graph_of(store, ontology_graph)
    onto = URIRef(ONTOLOGY_IRI)
    about = {"title": _text(graph, onto, DCTERMS.title, RDFS.label) or "coopld ontology",
             "description": _text(graph, onto, DCTERMS.description, RDFS.comment),
             "version": _text(graph, onto, OWL.versionInfo),
             "version_iri": str(graph.value(onto, OWL.versionIRI) or ""),
             "license": str(graph.value(onto, DCTERMS.license) or ""),
             "created": _text(graph, onto, DCTERMS.created), "modified": _text(graph, onto, DCTERMS.modified),
             "prefix": _text(graph, onto, URIRef("http://purl.org/vocab/vann/preferredNamespacePrefix")),
             "namespace": COOP}
    sections = []
    listed: set[URIRef] = set()
    for title, anchor, rdf_type in SECTIONS:
        terms = [_term(store, graph, t, title, href) for t in _iris(graph.subjects(RDF.type, rdf_type))
                 if str(t).startswith(COOP) and t not in listed]
        listed.update(URIRef(t.iri) for t in terms)
        if terms:
            sections.append({"title": title, "anchor": anchor, "terms": terms})
    individuals = [_term(store, graph, t, "Individuals", href) for t in _iris(graph.subjects(RDF.type, None))
                   if str(t).startswith(COOP) and t not in listed]
    if individuals:
        sections.append({"title": "Individuals", "anchor": "individuals", "terms": individuals})
    return {"about": about, "sections": sections, "alignments": _alignment_table(sections),
            "cameo": _cameo(store), "diagram": _svg(lambda: ontology_diagram(graph)),
            "example": _example(store, href)}


def _term(store: Store, graph: Graph, iri: URIRef, section: str, href: Href) -> Term:
    kind = {"Classes": "class", "Object properties": "object property", "Datatype properties": "datatype property",
            "Annotation properties": "annotation property"}.get(section, "individual")
    term = Term(str(iri), iri.rsplit("#", 1)[1], _text(graph, iri, RDFS.label, SKOS.prefLabel),
                _text(graph, iri, RDFS.comment, SKOS.definition), kind)
    term.characteristics = [name for rdf_type, name in CHARACTERISTICS if (iri, RDF.type, rdf_type) in graph]
    for predicate, relation in ALIGNING:
        for other in sorted(o for o in graph.objects(iri, predicate) if isinstance(o, URIRef)):
            if str(other).startswith(COOP):
                term.super.append(_link(graph, other, href))
            else:
                term.alignments.append((relation, _link(graph, other, href)))
    below = RDFS.subClassOf if kind == "class" else RDFS.subPropertyOf
    term.sub = [_link(graph, s, href) for s in _iris(graph.subjects(below, iri))]
    term.domain = [_link(graph, d, href) for o in graph.objects(iri, RDFS.domain) for d in named_classes(graph, o)]
    term.range = [_link(graph, r, href) for o in graph.objects(iri, RDFS.range) for r in named_classes(graph, o)]
    inverse = set(graph.objects(iri, OWL.inverseOf)) | set(graph.subjects(OWL.inverseOf, iri))
    term.inverse = [_link(graph, i, href) for i in _iris(inverse)]
    if kind == "individual":
        term.super = [_link(graph, t, href) for t in _iris(graph.objects(iri, RDF.type)) if str(t).startswith(COOP)]
    if kind == "class":
        term.members = [_link(graph, m, href) for m in _iris(graph.subjects(RDF.type, iri))]
        rows = solutions(store, "doc-instances", term=iri)
        term.uses = len(rows)
        term.examples = [_thing(r["thing"], r["label"], href) for r in rows[:EXAMPLES]]
    elif kind != "individual":
        counted = solutions(store, "doc-statement-count", term=iri)
        term.uses = int(str(counted[0]["uses"])) if counted else 0
        for r in solutions(store, "doc-statements", term=iri):
            obj = r["object"]
            target = Link(str(obj), "", "") if isinstance(obj, Literal) else _thing(obj, r["objectLabel"], href)
            term.examples.append((_thing(r["subject"], r["subjectLabel"], href), target))
    return term


def _alignment_table(sections: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Per vocabulary built on (by prefix): which coopld terms align with which of its terms."""
    table: dict[str, list[tuple[Term, str, Link]]] = {}
    for section in sections:
        for term in section["terms"]:
            for relation, link in term.alignments:
                table.setdefault(link.text.split(":", 1)[0], []).append((term, relation, link))
    return [{"prefix": prefix, "rows": rows} for prefix, rows in sorted(table.items())]


def _thing(thing: Any, name: Any, href: Href) -> Link:
    """A resource a query found, as a link named by its label (else its CURIE)."""
    return Link(str(name) if name is not None else curie(str(thing)), href(str(thing)), str(thing))


def _cameo(store: Store) -> list[dict[str, str]]:
    """The CAMEO event codes the event kinds carry: coopld's alignment with event-data coding."""
    return [{"kind": str(r["kind"]), "code": str(r["code"]), "label": str(r["label"] if r["label"] is not None else r["kind"])}
            for r in solutions(store, "doc-cameo")]


def _svg(draw: Callable[[], Any]) -> dict[str, str]:
    try:
        return {"svg": render(draw()), "error": ""}
    except DiagramUnavailable as exc:
        return {"svg": "", "error": exc.message}


def _example(store: Store, href: Href) -> dict[str, Any]:
    rows = solutions(store, "doc-example-event")
    if not rows:
        return {"event": None}
    event = str(rows[0]["event"])
    label = label_in(store, URIRef(event)) or curie(event)
    article = _first(store, event, COOP + "reportedIn") or ""
    title = (label_in(store, URIRef(article)) or curie(article)) if article else ""
    return {"event": Link(label, href(event), event), "article": Link(title, href(article), article),
            **_svg(lambda: event_diagram(store, event, href))}


# --- SKOS concept schemes ----------------------------------------------------------------------

def scheme_view(store: Store, scheme: str, vocabulary_graph: str, space: str, href: Href) -> dict[str, Any] | None:
    """Everything a concept scheme's page shows, concepts in hierarchy order; None if ``scheme``
    is not a concept scheme."""
    graph = graph_of(store, vocabulary_graph)
    root = URIRef(scheme)
    if (root, RDF.type, SKOS.ConceptScheme) not in graph:
        return None
    concepts = {c for c in graph.subjects(SKOS.inScheme, root) if isinstance(c, URIRef)}
    narrower: dict[URIRef, set[URIRef]] = {c: set() for c in concepts}
    broader: dict[URIRef, set[URIRef]] = {c: set() for c in concepts}
    for c in concepts:
        for b in graph.objects(c, SKOS.broader):
            if b in concepts:
                broader[c].add(b)  # type: ignore[arg-type]
                narrower[b].add(c)  # type: ignore[index]
        for n in graph.objects(c, SKOS.narrower):
            if n in concepts:
                narrower[c].add(n)  # type: ignore[arg-type]
                broader[n].add(c)  # type: ignore[index]
    tops = sorted(c for c in concepts if not broader[c])
    ordered: list[tuple[URIRef, int]] = []
    placed: set[URIRef] = set()

    def walk(concept: URIRef, depth: int) -> None:
        if concept in placed:  # a concept with two broader ones is shown under the first
            return
        placed.add(concept)
        ordered.append((concept, depth))
        for n in sorted(narrower[concept], key=lambda x: _text(graph, x, SKOS.prefLabel)):
            walk(n, depth + 1)

    for top in sorted(tops, key=lambda x: _text(graph, x, SKOS.prefLabel)):
        walk(top, 0)

    def link(c: URIRef) -> Link:
        return Link(_text(graph, c, SKOS.prefLabel) or curie(str(c)), f"#{c.rsplit('/', 1)[1]}", str(c))

    entries = []
    for concept, depth in ordered:
        uses = solutions(store, "doc-concept-uses", term=concept, space=Literal(space))
        matches = [(relation, Link(curie(str(o)), str(o), str(o))) for predicate, relation in ALIGNING[4:]
                   for o in _iris(graph.objects(concept, predicate))]
        entries.append({
            "id": concept.rsplit("/", 1)[1], "iri": str(concept), "href": href(str(concept)), "depth": depth,
            "label": _text(graph, concept, SKOS.prefLabel),
            "alt": sorted(str(a) for a in graph.objects(concept, SKOS.altLabel)),
            "definition": _text(graph, concept, SKOS.definition, RDFS.comment),
            "note": _text(graph, concept, SKOS.scopeNote),
            "cameo": _text(graph, concept, CAMEO),
            "broader": [link(b) for b in sorted(broader[concept])],
            "narrower": [link(n) for n in sorted(narrower[concept])],
            "matches": matches, "uses": len(uses),
            "examples": [_thing(r["thing"], r["label"], href) for r in uses[:EXAMPLES]],
        })
    return {"iri": scheme, "title": _text(graph, root, DCTERMS.title, SKOS.prefLabel, RDFS.label),
            "description": _text(graph, root, DCTERMS.description, SKOS.definition, RDFS.comment),
            "version": _text(graph, root, OWL.versionInfo), "modified": _text(graph, root, DCTERMS.modified),
            "license": str(graph.value(root, DCTERMS.license) or ""), "concepts": entries}


_LOCK = threading.Lock()


def cached(extensions: dict[str, Any], key: str, make: Callable[[], Any]) -> Any:
    """A page model computed once per server process."""
    with _LOCK:
        pages: dict[str, Any] = extensions.setdefault("coopld_documentation", {})
        if key not in pages:
            pages[key] = make()
        return pages[key]
