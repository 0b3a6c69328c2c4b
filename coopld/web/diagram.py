"""Diagrams drawn from the RDF itself, so they never drift from it: the ontology's classes and
the relations between them, and one event as the graph the data hold about it.

The graphviz package writes the DOT source (quoting labels properly) and runs Debian's
graphviz ``dot`` to lay it out as SVG, which the pages embed. Without ``dot`` a page says so
instead of failing.
"""

from __future__ import annotations

import re
import textwrap
from collections.abc import Callable, Iterable

import graphviz
from rdflib import OWL, RDF, RDFS, BNode, Graph, Literal, URIRef

from coopld.errors import CoopldError
from coopld.store import Store, Term
from coopld.vocab import ONTOLOGY_IRI, PREFIXES
from coopld.web import describe

COOP = ONTOLOGY_IRI + "#"
_BY_NAMESPACE = sorted([(ns, prefix) for prefix, ns in PREFIXES.items()]
                       + [("http://www.w3.org/1999/02/22-rdf-syntax-ns#", "rdf")], key=lambda p: -len(p[0]))
EXAMPLE_LIMIT = 60   # statements drawn in the worked example; more would not be readable
GROUPED = 3          # more values of one property than this are drawn as one box listing them


class DiagramUnavailable(CoopldError):
    """Graphviz's ``dot`` is missing or failed; the page shows the reason instead of a picture."""


def curie(iri: str) -> str:
    for namespace, prefix in _BY_NAMESPACE:
        if iri.startswith(namespace) and iri != namespace:
            return f"{prefix}:{iri[len(namespace):]}"
    return iri


def render(dot: graphviz.Digraph) -> str:
    """The diagram as an inline SVG element (no XML prolog or doctype)."""
    try:
        svg = dot.pipe(format="svg", encoding="utf-8")
    except graphviz.ExecutableNotFound as exc:
        raise DiagramUnavailable("Graphviz's 'dot' is not installed (Debian package graphviz; bin/setup installs it)") from exc
    except graphviz.CalledProcessError as exc:
        raise DiagramUnavailable(f"Graphviz could not lay out the diagram: {exc.stderr!r}") from exc
    text = str(svg)
    return text[text.index("<svg"):]


def _digraph(name: str) -> graphviz.Digraph:
    dot = graphviz.Digraph(name, graph_attr={"rankdir": "LR", "fontname": "Helvetica", "fontsize": "11",
                                             "nodesep": "0.25", "ranksep": "0.5", "bgcolor": "transparent"},
                           node_attr={"fontname": "Helvetica", "fontsize": "11"},
                           edge_attr={"fontname": "Helvetica", "fontsize": "9", "color": "#555555"})
    return dot


def named_classes(graph: Graph, node: object) -> Iterable[URIRef]:
    """The named classes a domain or range stands for, opening owl:unionOf lists."""
    if isinstance(node, URIRef):
        yield node
    elif isinstance(node, BNode):
        for members in graph.objects(node, OWL.unionOf):
            yield from (m for m in graph.items(members) if isinstance(m, URIRef))


def ontology_diagram(graph: Graph) -> graphviz.Digraph:
    """coopld's classes (filled boxes), the other vocabularies' classes they build on (plain
    boxes), sub-class links (hollow arrows) and every object property between two classes,
    from its domain to its range."""
    dot = _digraph("ontology")
    classes = sorted(c for c in graph.subjects(RDF.type, OWL.Class) if isinstance(c, URIRef) and c.startswith(COOP))
    shown: dict[str, str] = {}   # IRI -> DOT node id (DOT reads a colon in an id as a port)

    def node(iri: URIRef) -> str:
        name = curie(str(iri))
        if str(iri) not in shown:
            key = shown[str(iri)] = f"c{len(shown)}"
            ours = iri.startswith(COOP)
            dot.node(key, name.removeprefix("coop:") if ours else name, shape="box",
                     style="filled,rounded" if ours else "rounded",
                     fillcolor="#dbe9f7" if ours else "white", color="#2a5d8f" if ours else "#999999",
                     URL=f"#{iri.rsplit('#', 1)[1]}" if ours else str(iri), tooltip=str(iri))
        return shown[str(iri)]

    for cls in classes:
        node(cls)
        for sup in sorted(o for o in graph.objects(cls, RDFS.subClassOf) if isinstance(o, URIRef)):
            dot.edge(node(cls), node(sup), arrowhead="empty", color="#2a5d8f")
    properties = sorted(p for p in graph.subjects(RDF.type, OWL.ObjectProperty) if isinstance(p, URIRef) and p.startswith(COOP))
    for prop in properties:
        domains = [d for o in graph.objects(prop, RDFS.domain) for d in named_classes(graph, o)]
        ranges = [r for o in graph.objects(prop, RDFS.range) for r in named_classes(graph, o)]
        for d in sorted(domains):
            for r in sorted(ranges):
                if d.startswith(COOP) or r.startswith(COOP):
                    dot.edge(node(d), node(r), label=curie(str(prop)).removeprefix("coop:"), arrowsize="0.6",
                             URL=f"#{prop.rsplit('#', 1)[1]}", tooltip=str(prop))
    return dot


def event_diagram(store: Store, event: str, href: Callable[[str], str]) -> graphviz.Digraph:
    """One event as the data hold it: its statements and those of its participations, each
    resource shown by its label (linked to where ``href`` says it can be followed), each
    literal as a note."""
    dot = _digraph("example")
    ids: dict[str, str] = {}   # term -> DOT node id
    root = URIRef(event)
    statements = {root: store.describe(event)}
    participations = sorted({o for _s, p, o in statements[root] if p == URIRef(COOP + "hasParticipation")
                             and isinstance(o, URIRef)})
    for participation in participations:
        statements[participation] = store.describe(str(participation))
    labels = describe.labels(store, {t for ts in statements.values() for s, _p, o in ts for t in (s, o)})

    def label(term: URIRef) -> str:
        return labels.get(str(term)) or curie(str(term))

    def node(term: Term) -> str:
        if isinstance(term, Literal):
            key = ids[f"literal {len(ids)}"] = f"n{len(ids)}"
            text = str(term) if len(term) <= 60 else str(term)[:57] + "…"
            dot.node(key, text, shape="note", fontsize="9", color="#999999")
            return key
        if term.n3() not in ids:
            key = ids[term.n3()] = f"n{len(ids)}"
            main = term == root
            text = label(term) if isinstance(term, URIRef) else term.n3()
            text = textwrap.fill(text, 28, break_long_words=False, break_on_hyphens=False)
            dot.node(key, text, shape="box", style="filled,rounded",
                     fillcolor="#f7e3b5" if main else "#eef3f8", color="#8a6d1d" if main else "#2a5d8f",
                     URL=href(str(term)) if isinstance(term, URIRef) else "", tooltip=str(term))
        return ids[term.n3()]

    def many(values: list[Term]) -> str:
        """Several values of one property (the topics of an event) as one box listing them."""
        key = ids[f"group {len(ids)}"] = f"n{len(ids)}"
        names = sorted(label(v) if isinstance(v, URIRef) else str(v) for v in values)
        dot.node(key, "\n".join(names), shape="box", style="rounded", color="#2a5d8f", fontsize="9")
        return key

    count = 0
    for subject in [root, *participations]:
        by_predicate: dict[str, list[Term]] = {}
        for _s, p, o in sorted(statements[subject], key=describe.sort_key):
            if _drawn(str(p), o) and o not in by_predicate.get(str(p), []):
                by_predicate.setdefault(str(p), []).append(o)
        for predicate, values in sorted(by_predicate.items()):
            if count >= EXAMPLE_LIMIT:
                break
            targets = [many(values)] if len(values) > GROUPED else [node(v) for v in values]
            for target in targets:
                dot.edge(node(subject), target, label=curie(predicate), arrowsize="0.6")
                count += 1
    return dot


def _drawn(predicate: str, obj: object) -> bool:
    """coopld's own statements, and the types of things; not the generic labels, evidence spans
    or the super-properties inference added (they would repeat every edge)."""
    if predicate == str(RDF.type):
        return isinstance(obj, URIRef) and str(obj).startswith(COOP)
    return predicate.startswith(COOP) and predicate not in (COOP + "evidence", COOP + "mentionedIn")


def plain(svg: str) -> str:
    """The text of an SVG diagram, for tests and search: what a reader can see in it."""
    return re.sub(r"<[^>]+>", " ", svg)
