"""What the server says about one resource: its concise bounded description (every triple it
is the subject of, following blank nodes, and the text spans of an article), the labels of
everything that description mentions, and — for people — the links that point to it."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import pyoxigraph as ox

RDFS_LABEL = ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#label")
SKOS_PREF = ox.NamedNode("http://www.w3.org/2004/02/skos/core#prefLabel")
DC_TITLE = ox.NamedNode("http://purl.org/dc/terms/title")
FOAF_NAME = ox.NamedNode("http://xmlns.com/foaf/0.1/name")
RDF_TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
NIF_CONTEXT = ox.NamedNode("http://persistence.uni-leipzig.org/nlp2rdf/ontologies/nif-core#referenceContext")
LABELS = (RDFS_LABEL, SKOS_PREF, DC_TITLE, FOAF_NAME)
#: the store's default graph: the union of all graphs, each triple once (see coopld.store)
UNION = ox.DefaultGraph()

Term = ox.NamedNode | ox.BlankNode | ox.Literal


@dataclass
class Description:
    iri: str
    triples: list[ox.Triple]
    total: int
    page: int
    pages: int
    labels: dict[str, str] = field(default_factory=dict)
    inbound: list[ox.Triple] = field(default_factory=list)
    inbound_total: int = 0


def _sort_key(t: ox.Triple) -> tuple[str, str, str]:
    return (str(t.subject), str(t.predicate), str(t.object))


def local_name(iri: str) -> str:
    """The last segment of an IRI: what a resource is called when it has no label."""
    return re.split(r"[/#]", iri.rstrip("/#"))[-1] or iri


def label(store: ox.Store, node: Term) -> str | None:
    """The best human label of a resource: an English or plain rdfs:label, skos:prefLabel,
    dcterms:title or foaf:name."""
    if not isinstance(node, ox.NamedNode):
        return None
    for predicate in LABELS:
        found = [q.object for q in store.quads_for_pattern(node, predicate, None, UNION) if isinstance(q.object, ox.Literal)]
        if found:
            preferred = [lit for lit in found if lit.language in (None, "en")] or found
            return min(lit.value for lit in preferred)
    return None


def cbd(store: ox.Store, iri: str, graph: ox.NamedNode | ox.DefaultGraph = UNION) -> list[ox.Triple]:
    """Every triple about ``iri`` (in one graph or all), following blank nodes, plus those
    about the text spans whose context it is (``<article>#char=…``)."""
    root = ox.NamedNode(iri)
    seen: set[ox.Triple] = set()
    todo: list[ox.NamedNode | ox.BlankNode] = [root]
    todo.extend(q.subject for q in store.quads_for_pattern(None, NIF_CONTEXT, root, graph)
                if isinstance(q.subject, ox.NamedNode))
    visited: set[str] = set()
    while todo:
        node = todo.pop()
        if str(node) in visited:
            continue
        visited.add(str(node))
        for quad in store.quads_for_pattern(node, None, None, graph):
            triple = quad.triple
            if triple not in seen:
                seen.add(triple)
                if isinstance(triple.object, ox.BlankNode):
                    todo.append(triple.object)
    return sorted(seen, key=_sort_key)


def describe(store: ox.Store, iri: str, *, page: int = 1, page_size: int = 1000,
             inbound_limit: int = 200, graph: ox.NamedNode | ox.DefaultGraph = UNION) -> Description | None:
    """The resource's description, one page of it; None when the dataset says nothing of it."""
    triples = cbd(store, iri, graph)
    root = ox.NamedNode(iri)
    inbound_all = sorted({q.triple for q in store.quads_for_pattern(None, None, root, graph)}, key=_sort_key)
    if not triples and not inbound_all:
        return None
    pages = max(1, -(-len(triples) // page_size))
    if page > pages:
        return Description(iri, [], len(triples), page, pages)
    chosen = triples[(page - 1) * page_size:page * page_size]
    described = Description(iri, chosen, len(triples), page, pages, inbound=inbound_all[:inbound_limit],
                            inbound_total=len(inbound_all))
    linked: set[ox.NamedNode] = {t.object for t in chosen if isinstance(t.object, ox.NamedNode)}
    linked |= {t.predicate for t in chosen} | {t.predicate for t in described.inbound}
    linked |= {t.subject for t in (*chosen, *described.inbound) if isinstance(t.subject, ox.NamedNode)}
    for node in linked:
        text = label(store, node)
        if text is not None:
            described.labels[node.value] = text
    return described


def label_triples(store: ox.Store, description: Description) -> list[ox.Triple]:
    """The labels of the resources a description links to, to send with its RDF."""
    own = {t.subject for t in description.triples}
    out: list[ox.Triple] = []
    for t in description.triples:
        if isinstance(t.object, ox.NamedNode) and t.object not in own:
            for predicate in (RDFS_LABEL, SKOS_PREF):
                out.extend(q.triple for q in store.quads_for_pattern(t.object, predicate, None, UNION))
    return sorted(set(out), key=_sort_key)
