"""What the server says about one resource: its concise bounded description (every triple it
is the subject of, following blank nodes, and the text spans of an article), the labels of
everything that description mentions, and — for people — the links that point to it.

Everything is asked of the store through its interface (``coopld.store``) with the queries in
``queries/``, so a page reads the same on the embedded store and on a remote one."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from rdflib import Literal, URIRef
from rdflib.namespace import DCTERMS, FOAF, RDF, RDFS, SKOS

from coopld.store import Store, Term, Triple
from coopld.web.stats import query_text

RDF_TYPE = RDF.type
LABELS = (RDFS.label, SKOS.prefLabel, DCTERMS.title, FOAF.name)


@dataclass
class Description:
    iri: str
    triples: list[Triple]
    total: int
    page: int
    pages: int
    labels: dict[str, str] = field(default_factory=dict)
    inbound: list[Triple] = field(default_factory=list)
    inbound_total: int = 0


def sort_key(t: Triple) -> tuple[str, str, str]:
    """Triples in N-Triples order: the order of every listing and page."""
    return (t[0].n3(), t[1].n3(), t[2].n3())


def local_name(iri: str) -> str:
    """The last segment of an IRI: what a resource is called when it has no label."""
    return re.split(r"[/#]", iri.rstrip("/#"))[-1] or iri


def humanised(iri: str) -> str:
    """A term's local name as words, for a term no graph labels ("focusNode" -> "focus node",
    "sameAs" -> "same as"): a page never shows a raw camel-case name."""
    name = local_name(iri)
    words = re.sub(r"(?<=[a-z0-9])(?=[A-Z])|[_-]+", " ", name).split()
    return " ".join(w if w.isupper() and len(w) > 1 else w.lower() for w in words) or name


def labels(store: Store, nodes: Iterable[Term]) -> dict[str, str]:
    """The best human label of each resource that has one: an English or plain rdfs:label, else
    skos:prefLabel, dcterms:title or foaf:name; of several, the least (the same every time)."""
    iris = sorted({n for n in nodes if isinstance(n, URIRef)})
    if not iris:
        return {}
    found: dict[str, dict[str, list[Literal]]] = {}
    for row in store.select(query_text("labels"), [{"node": n} for n in iris]):
        value = row["label"]
        if isinstance(value, Literal):
            found.setdefault(str(row["node"]), {}).setdefault(str(row["predicate"]), []).append(value)
    out: dict[str, str] = {}
    for iri, by_predicate in found.items():
        for predicate in LABELS:
            values = by_predicate.get(str(predicate))
            if values:
                preferred = [v for v in values if v.language in (None, "en")] or values
                out[iri] = min(str(v) for v in preferred)
                break
    return out


def label(store: Store, node: Term) -> str | None:
    return labels(store, [node]).get(str(node)) if isinstance(node, URIRef) else None


def cbd(store: Store, iri: str) -> list[Triple]:
    """Every triple about ``iri``, following blank nodes, plus those about the text spans whose
    context it is (``<article>#char=…``)."""
    root = URIRef(iri)
    seen = dict.fromkeys(store.describe(iri))
    seen.update(dict.fromkeys(store.construct(query_text("spans"), [{"root": root}])))
    return sorted(seen, key=sort_key)


def describe(store: Store, iri: str, *, page: int = 1, page_size: int = 1000,
             inbound_limit: int = 200) -> Description | None:
    """The resource's description, one page of it; None when the dataset says nothing of it."""
    triples = cbd(store, iri)
    inbound_all = sorted(set(store.construct(query_text("inbound"), [{"root": URIRef(iri)}])), key=sort_key)
    if not triples and not inbound_all:
        return None
    pages = max(1, -(-len(triples) // page_size))
    if page > pages:
        return Description(iri, [], len(triples), page, pages)
    chosen = triples[(page - 1) * page_size:page * page_size]
    described = Description(iri, chosen, len(triples), page, pages, inbound=inbound_all[:inbound_limit],
                            inbound_total=len(inbound_all))
    linked: set[Term] = {t[2] for t in chosen if isinstance(t[2], URIRef)}
    linked |= {t[1] for t in chosen} | {t[1] for t in described.inbound}
    linked |= {t[0] for t in (*chosen, *described.inbound) if isinstance(t[0], URIRef)}
    described.labels = labels(store, linked)
    return described


def label_triples(store: Store, description: Description) -> list[Triple]:
    """The labels of the resources a description links to, to send with its RDF."""
    own = {t[0] for t in description.triples}
    linked = sorted({t[2] for t in description.triples if isinstance(t[2], URIRef) and t[2] not in own})
    if not linked:
        return []
    return sorted(set(store.construct(query_text("link-labels"), [{"node": n} for n in linked])), key=sort_key)
