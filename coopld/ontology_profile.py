"""Checks an ontology must pass before coopld reasons with it: the OWL 2 RL profile, and a set
of modelling pitfalls after the OOPS! catalogue (Poveda-Villalón et al.).

Why our own: the reference profile checker is the OWL API's (Java), and OOPS! is a web
service; neither can run offline in the test suite. Both checks here read the ontology's RDF
(the OWL 2 mapping to RDF graphs) and report findings as sentences naming the term at fault.
Whoever extends the ontology runs them with ``coopld check-ontology``.

The RL check follows the profile's grammar (OWL 2 Profiles, section 4.2): which class
expressions may stand where (sub-class, super-class, equivalent-class positions), which
axioms exist, which datatypes. It covers the constructs an ontology written in Turtle can
use; it is not a full OWL 2 DL structural check.
"""

from __future__ import annotations

from collections.abc import Iterator

from rdflib import OWL, RDF, RDFS, XSD, Graph, Literal, URIRef
from rdflib.term import Node

# the OWL 2 RL datatypes (OWL 2 Profiles, 4.2): no xsd:date, xsd:gYear or other calendar types
# but xsd:dateTime
RL_DATATYPES = {RDF.PlainLiteral, RDF.XMLLiteral, RDFS.Literal, OWL.rational, OWL.real} | {XSD[name] for name in [
    "decimal", "integer", "nonNegativeInteger", "nonPositiveInteger", "positiveInteger", "negativeInteger", "long",
    "int", "short", "byte", "unsignedLong", "unsignedInt", "unsignedShort", "unsignedByte", "double", "float",
    "string", "normalizedString", "token", "language", "Name", "NCName", "NMTOKEN", "boolean", "hexBinary",
    "base64Binary", "anyURI", "dateTime", "dateTimeStamp"]}
NOT_IN_RL = {  # vocabulary that has no place in an OWL 2 RL ontology
    OWL.disjointUnionOf: "disjoint unions", OWL.ReflexiveProperty: "reflexive properties",
    OWL.minCardinality: "minimum cardinalities", OWL.minQualifiedCardinality: "minimum cardinalities",
    OWL.cardinality: "exact cardinalities", OWL.qualifiedCardinality: "exact cardinalities",
    OWL.hasSelf: "self restrictions",
}
CLASS_TYPES = (OWL.Class, RDFS.Class)
PROPERTY_TYPES = (OWL.ObjectProperty, OWL.DatatypeProperty, OWL.AnnotationProperty, RDF.Property)


def _name(node: Node) -> str:
    return str(node) if isinstance(node, URIRef) else "an anonymous class expression"


# --- OWL 2 RL ------------------------------------------------------------------------------------

def _sub_ok(g: Graph, c: Node) -> bool:
    """A class expression allowed where OWL 2 RL wants a sub-class expression."""
    if isinstance(c, URIRef):
        return c != OWL.Thing
    for members_node in g.objects(c, OWL.intersectionOf):
        return all(_sub_ok(g, m) for m in g.items(members_node))
    for members_node in g.objects(c, OWL.unionOf):
        return all(_sub_ok(g, m) for m in g.items(members_node))
    if (c, OWL.oneOf, None) in g:
        return True
    if (c, OWL.hasValue, None) in g:
        return True
    for filler in g.objects(c, OWL.someValuesFrom):
        return filler == OWL.Thing or _sub_ok(g, filler) or _is_datarange(g, filler)
    return False


def _super_ok(g: Graph, c: Node) -> bool:
    """A class expression allowed where OWL 2 RL wants a super-class expression."""
    if isinstance(c, URIRef):
        return c != OWL.Thing
    for members_node in g.objects(c, OWL.intersectionOf):
        return all(_super_ok(g, m) for m in g.items(members_node))
    for complement in g.objects(c, OWL.complementOf):
        return _sub_ok(g, complement)
    if (c, OWL.hasValue, None) in g:
        return True
    for filler in g.objects(c, OWL.allValuesFrom):
        return _super_ok(g, filler) or _is_datarange(g, filler)
    for bound in (OWL.maxCardinality, OWL.maxQualifiedCardinality):
        for n in g.objects(c, bound):
            if not (isinstance(n, Literal) and str(n) in ("0", "1")):
                return False
            on_class = g.value(c, OWL.onClass)
            return on_class is None or _sub_ok(g, on_class)
    return False


def _equivalent_ok(g: Graph, c: Node) -> bool:
    if isinstance(c, URIRef):
        return c != OWL.Thing
    for members_node in g.objects(c, OWL.intersectionOf):
        return all(_equivalent_ok(g, m) for m in g.items(members_node))
    return (c, OWL.hasValue, None) in g


def _is_datarange(g: Graph, d: Node) -> bool:
    return isinstance(d, URIRef) and d in RL_DATATYPES


def rl_violations(g: Graph) -> list[str]:
    """Everything in ``g`` that takes it outside OWL 2 RL, one sentence each (empty: it is RL)."""
    return sorted(set(_rl(g)))


def _rl(g: Graph) -> Iterator[str]:
    for term, what in NOT_IN_RL.items():
        for s in set(g.subjects(term, None)) | set(g.subjects(RDF.type, term)):
            yield f"{_name(s)} uses {what} ({term}), which OWL 2 RL does not allow"
    for s, o in g.subject_objects(RDFS.subClassOf):
        if not _sub_ok(g, s):
            yield f"{_name(s)} cannot be a sub-class in OWL 2 RL (it is a sub-class of {_name(o)})"
        if not _super_ok(g, o):
            yield f"{_name(s)} is a sub-class of {_name(o)}, which OWL 2 RL does not allow as a super-class"
    for s, o in g.subject_objects(OWL.equivalentClass):
        if not (_equivalent_ok(g, s) and _equivalent_ok(g, o)):
            yield f"{_name(s)} is equivalent to {_name(o)}: OWL 2 RL allows only named classes, intersections and hasValue there"
    for s, o in g.subject_objects(OWL.disjointWith):
        if not (_sub_ok(g, s) and _sub_ok(g, o)):
            yield f"{_name(s)} is disjoint with {_name(o)}: OWL 2 RL allows only sub-class expressions there"
    datatype_properties = set(g.subjects(RDF.type, OWL.DatatypeProperty))
    for p, o in g.subject_objects(RDFS.domain):
        if not _super_ok(g, o):
            yield f"{p}: its domain {_name(o)} is not a super-class expression, as OWL 2 RL requires"
    for p, o in g.subject_objects(RDFS.range):
        if p in datatype_properties:
            if not _is_datarange(g, o):
                yield f"{p}: its range {o} is not in the OWL 2 RL datatype map"
        elif not _super_ok(g, o):
            yield f"{p}: its range {_name(o)} is not a super-class expression, as OWL 2 RL requires"
    annotations = _annotation_properties(g)
    for s, p, o in g:
        if isinstance(o, Literal) and o.datatype is not None and o.datatype not in RL_DATATYPES \
                and p not in annotations:
            yield f"{s} {p}: the literal {o!r} has datatype {o.datatype}, outside the OWL 2 RL datatype map"


def _annotation_properties(g: Graph) -> set[Node]:
    """Properties whose values are annotations: declared so, or the standard ones."""
    standard = {RDFS.label, RDFS.comment, RDFS.seeAlso, RDFS.isDefinedBy, OWL.versionInfo, OWL.deprecated,
                OWL.priorVersion, OWL.backwardCompatibleWith, OWL.incompatibleWith}
    declared = set(g.subjects(RDF.type, OWL.AnnotationProperty))
    ontology_header = {p for o in g.subjects(RDF.type, OWL.Ontology) for p in g.predicates(o, None)}
    return standard | declared | ontology_header


def namespace_of(g: Graph) -> str | None:
    """The namespace whose terms the ontology in ``g`` defines: its declared preferred namespace,
    else its IRI followed by '#'."""
    for ontology in sorted(g.subjects(RDF.type, OWL.Ontology), key=str):
        declared = g.value(ontology, URIRef("http://purl.org/vocab/vann/preferredNamespaceUri"))
        if declared is not None:
            return str(declared)
        if isinstance(ontology, URIRef) and len(set(g.subjects(RDF.type, OWL.Ontology))) == 1:
            return str(ontology) + "#"
    return None


# --- pitfalls ------------------------------------------------------------------------------------

def pitfalls(g: Graph, namespace: str) -> list[str]:
    """Modelling pitfalls among the terms of ``namespace`` (numbers from the OOPS! catalogue):
    missing labels or comments (P08), terms used but not declared, inverse properties without
    domain or range or with ones that do not mirror each other (P05, P13-related), cycles in the
    class or property hierarchy (P06), several domains or ranges that intersect (P19), classes
    and properties both (punning), and inconsistent naming (P22)."""
    return sorted(set(_pitfalls(g, namespace)))


def _ours(g: Graph, namespace: str) -> set[URIRef]:
    return {s for s in g.subjects() if isinstance(s, URIRef) and str(s).startswith(namespace)}


def _pitfalls(g: Graph, namespace: str) -> Iterator[str]:
    terms = _ours(g, namespace)
    classes = {s for t in CLASS_TYPES for s in g.subjects(RDF.type, t)}
    properties = {s for t in PROPERTY_TYPES for s in g.subjects(RDF.type, t)}
    for term in sorted(terms):
        if not any(isinstance(x, Literal) for x in g.objects(term, RDFS.label)):
            yield f"P08 {term} has no rdfs:label"
        if not any(isinstance(x, Literal) for x in g.objects(term, RDFS.comment)):
            yield f"P08 {term} has no rdfs:comment"
        if (term, RDF.type, None) not in g:
            yield f"{term} is described but never declared (no rdf:type)"
        if term in classes and term in properties:
            yield f"{term} is declared both a class and a property"
        local = str(term)[len(namespace):]
        if term in classes and local[:1].islower():
            yield f"P22 class {term} should be named in UpperCamelCase"
        if term in properties and local[:1].isupper():
            yield f"P22 property {term} should be named in lowerCamelCase"
    for s, p, o in g:  # used, in our namespace, but not declared anywhere
        for node in (s, p, o):
            if isinstance(node, URIRef) and str(node).startswith(namespace) and str(node) != namespace.rstrip("#/") \
                    and (node, RDF.type, None) not in g:
                yield f"{node} is used but not declared"
    for a, b in g.subject_objects(OWL.inverseOf):
        if a not in terms and b not in terms:
            continue  # another vocabulary's pair, declared here only so a reasoner knows it
        for prop in (a, b):
            if (prop, RDFS.domain, None) not in g and (prop, RDFS.range, None) not in g:
                yield f"P13 {prop} has an inverse but neither domain nor range"
        for mine, theirs in ((RDFS.domain, RDFS.range), (RDFS.range, RDFS.domain)):
            left, right = set(g.objects(a, mine)), set(g.objects(b, theirs))
            if left and right and left != right:
                yield (f"P05 {a} and its inverse {b} disagree: {mine} {sorted(map(str, left))} "
                       f"vs {theirs} {sorted(map(str, right))}")
    for prop in sorted(terms & properties):
        for axis in (RDFS.domain, RDFS.range):
            values = set(g.objects(prop, axis))
            if len(values) > 1:
                yield f"P19 {prop} has {len(values)} {axis} statements: they intersect; use a union or one super-class"
    for relation in (RDFS.subClassOf, RDFS.subPropertyOf):
        yield from _cycles(g, relation, terms)


def _cycles(g: Graph, relation: URIRef, terms: set[URIRef]) -> Iterator[str]:
    """P06: a term that is, through ``relation``, its own ancestor (a term stated to be its
    own sub-class is trivially so and not reported)."""
    for start in sorted(terms):
        seen: set[Node] = set()
        frontier = [o for o in g.objects(start, relation) if o != start]
        while frontier:
            node = frontier.pop()
            if node == start:
                yield f"P06 {start} is its own ancestor through {relation}"
                break
            if node in seen:
                continue
            seen.add(node)
            frontier.extend(o for o in g.objects(node, relation) if o != node)
