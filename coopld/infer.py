"""OWL 2 RL inference, article by article.

The closure of one article's graph together with the ontology holds everything OWL RL can
conclude about that article's resources: the chains and inverses of the ontology only ever
join facts that one record states together. Working per article keeps a build linear in the
number of articles (owlrl's closure of the whole dataset at once grows far faster).

Only what the closure adds about the data is kept: not the ontology's own consequences, not
what the article or the vocabularies already state, and not owlrl's bookkeeping
(``x owl:sameAs x``, ``x a owl:Thing``, triples about literals).

owlrl is the reference (``OwlrlReasoner``), but it matches every rule against the whole graph,
ontology included, in every round: 0.1-0.8 s an article, most of a build. ``Reasoner`` gives
the same triples in milliseconds: owlrl closes the ontology once, that closure is compiled into
tables (superclasses, superproperties, domains, ranges, inverses, chains, functional
properties), and only the article's own triples are closed against them, each new triple
joined once with what is known by then (semi-naive forward chaining). It refuses an ontology
that uses a construct owlrl acts on and the tables leave out, and hands owlrl any article that
states schema itself, so that it never silently differs from the reference.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import owlrl
from owlrl.AxiomaticTriples import OWLRL_Datatypes_Disjointness
from owlrl.XsdDatatypes import OWL_Datatype_Subsumptions, OWL_RL_Datatypes
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import OWL, RDF, RDFS
from rdflib.term import Node
from rdflib.util import from_n3

from coopld.errors import CoopldError
from coopld.mapping import new_graph

Triple = tuple[Node, Node, Node]
Chain = tuple[Node, tuple[Node, ...], int]  # (the chain's property, its members, one member's position)

# rdflib's namespace attributes are looked up in Python: too slow for the inner loop
_TYPE, _SAME = RDF.type, OWL.sameAs

_NOISE_TYPES = {OWL.Thing, RDFS.Resource, OWL.NamedIndividual, RDFS.Class, OWL.Class}

#: what owlrl derives instance data from but the tables leave out, with owlrl's rules for it
UNSUPPORTED = {OWL.hasKey: "prp-key", OWL.intersectionOf: "cls-int1/2", OWL.unionOf: "cls-uni",
               OWL.someValuesFrom: "cls-svf1/2", OWL.allValuesFrom: "cls-avf", OWL.hasValue: "cls-hv1/2",
               OWL.maxCardinality: "cls-maxc2", OWL.maxQualifiedCardinality: "cls-maxqc3/4"}

#: what owlrl's schema rules read: stated or entailed by an article, it would change the
#: tables. The other OWL terms (disjointness, owl:differentFrom...) only ever give owlrl's
#: error messages, which are no triples about the data.
_SCHEMA = frozenset({RDFS.subClassOf, RDFS.subPropertyOf, RDFS.domain, RDFS.range, OWL.equivalentClass,
                     OWL.equivalentProperty, OWL.inverseOf, OWL.propertyChainAxiom, OWL.onProperty, OWL.onClass,
                     OWL.oneOf, *UNSUPPORTED})
_SCHEMA_TYPES = frozenset({OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty, RDF.Property, OWL.FunctionalProperty,
                           OWL.InverseFunctionalProperty, OWL.SymmetricProperty, OWL.TransitiveProperty})
_PREDICATE_KINDS: dict[Node, str] = {_TYPE: "type", _SAME: "same", **dict.fromkeys(_SCHEMA, "schema")}

_DATATYPES = frozenset(OWL_RL_Datatypes)


class OwlrlReasoner:
    """The reference: owlrl's closure of the ontology's closure plus the article, filtered."""

    def __init__(self, ontology: Graph, vocabularies: Graph) -> None:
        self.ontology = ontology
        self.vocabularies = vocabularies
        self.tbox = closed(ontology)
        self.terms = set(ontology.subjects())

    def infer(self, data: Graph) -> Graph:
        """The triples OWL RL adds about this article's resources."""
        work = Graph()
        work += self.tbox  # starting from the ontology's own closure saves owlrl rounds
        work += data
        _expand(work)
        out = new_graph()
        for s, p, o in work:
            if (s, p, o) in data or (s, p, o) in self.tbox or (s, p, o) in self.vocabularies:
                continue
            if _about_the_data((s, p, o), self.terms):
                out.add((s, p, o))
        return out


def closed(graph: Graph) -> Graph:
    """owlrl's closure of a graph of schema (the ontology, or its closure), read from the cache
    when one was made for the same triples by the same owlrl and this module's code.

    Every process of a build closes the ontology twice (about a second of CPU, more than a
    small build's articles take), and the ontology changes far less often than builds run. The
    key is the graph's triples (blank nodes carry their canonical labels, see
    ``build_inputs._parse_all``), so a changed ontology is closed afresh; a cache that cannot be
    read or written is only slower, never wrong."""
    place = _cache_dir() / f"closure-{_closure_key(graph)}.json"
    try:
        rows = json.loads(place.read_text(encoding="utf-8"))
        found = Graph()
        found.addN((from_n3(s), from_n3(p), from_n3(o), found) for s, p, o in rows)  # type: ignore[misc]
        return found
    except (OSError, ValueError, TypeError, KeyError):
        pass  # not there yet, or unreadable: closed afresh and written again
    closure = Graph()
    closure += graph
    _expand(closure)
    _write_closure(place, [[term.n3() for term in triple] for triple in closure])
    return closure


def _cache_dir() -> Path:
    configured = os.environ.get("COOPLD_CACHE_DIR")
    if configured:
        return Path(configured)
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "coopld"


def _closure_key(graph: Graph) -> str:
    digest = hashlib.sha256()
    digest.update(f"owlrl {owlrl.__version__}\n".encode())
    digest.update(Path(__file__).read_bytes())  # the closure's options, and what the tables need of it
    for line in sorted(f"{s.n3()} {p.n3()} {o.n3()}" for s, p, o in graph):
        digest.update(line.encode("utf-8") + b"\n")
    return digest.hexdigest()[:32]


def _write_closure(place: Path, rows: list[list[str]]) -> None:
    """Terms as N3 (``_:label`` keeps a blank node's label, which N-Triples parsers renew)."""
    written: str | None = None
    try:
        place.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile("w", encoding="utf-8", dir=place.parent, prefix=".closure-", delete=False) as out:
            written = out.name
            json.dump(rows, out)
        os.replace(written, place)  # whole or not at all, also with builds writing it at once
    except OSError:
        if written is not None:
            Path(written).unlink(missing_ok=True)
        # a read-only home: every process closes the ontology itself, as without a cache


def _expand(graph: Graph) -> None:
    # improved_datatypes=False: owlrl's own lexical converters reject valid xsd:gMonthDay and
    # xsd:gMonth values ("--10-31"), which coopld uses for dates without a year
    owlrl.DeductiveClosure(owlrl.OWLRL_Semantics, axiomatic_triples=False, datatype_axioms=False,
                           improved_datatypes=False).expand(graph)


def _about_the_data(triple: Triple, terms: set[Node]) -> bool:
    """Whether a triple of the closure says something of the data, rather than being owlrl's
    bookkeeping or a statement about the ontology's terms."""
    s, p, o = triple
    if not isinstance(s, URIRef) or isinstance(o, BNode) or s in terms:
        return False
    if p == _SAME and s == o:
        return False
    return not (p == _TYPE and (o in _NOISE_TYPES or isinstance(o, Literal)))


class Reasoner:
    """owlrl's triples from rule tables compiled once; see the module's docstring."""

    def __init__(self, ontology: Graph, vocabularies: Graph) -> None:
        self.reference = OwlrlReasoner(ontology, vocabularies)
        self.ontology, self.vocabularies = ontology, vocabularies
        self.tbox, self.terms = self.reference.tbox, self.reference.terms
        self.rules = compile_rules(self.tbox)
        self._known = frozenset(self.tbox) | frozenset(vocabularies)
        #: how many articles were handed to owlrl because they state schema themselves
        self.fallbacks = 0

    def infer(self, data: Graph) -> Graph:
        """The triples OWL RL adds about this article's resources."""
        asserted: set[Triple] = set(data)
        try:
            closure = _Closure(self.rules)
            closure.close(asserted)
        except _NeedsReference:
            self.fallbacks += 1
            return self.reference.infer(data)
        out = new_graph()
        out.addN((s, p, o, out) for s, p, o in closure.facts | closure.datatype_axioms | self.rules.extra
                 if (s, p, o) not in asserted and (s, p, o) not in self._known and _about_the_data((s, p, o), self.terms))
        return out


@dataclass(frozen=True)
class PropertyRules:
    """What one triple of a property lets OWL RL conclude, with the closed ontology."""

    superproperties: tuple[Node, ...] = ()  # prp-spo1, and prp-eqp1/2 (scm-eqp made both subproperties)
    inverses: tuple[Node, ...] = ()         # prp-inv1/2; a symmetric property is its own inverse (prp-symp)
    domains: tuple[Node, ...] = ()          # prp-dom
    ranges: tuple[Node, ...] = ()           # prp-rng
    functional: bool = False                # prp-fp
    inverse_functional: bool = False        # prp-ifp
    chains: tuple[Chain, ...] = ()          # prp-spo2, and prp-trp (the chain p, p of p)


@dataclass(frozen=True)
class Rules:
    """The closed ontology as tables, and what of it an article's closure may have to join with."""

    superclasses: dict[Node, tuple[Node, ...]]  # cax-sco, and cax-eqc1/2 (scm-eqc made both subclasses)
    properties: dict[Node, PropertyRules]
    #: the predicates whose triples a rule joins with others, which the closure indexes
    joined: frozenset[Node]
    #: the ontology's triples of those predicates, which an article's triples may join with
    base: frozenset[Triple]
    #: the triples of the ontology's closure about each node: an article can make a node of
    #: the ontology (coop:held) the same as another, and owlrl then copies them (eq-rep-s/p/o)
    mentions: dict[Node, tuple[Triple, ...]]
    #: the datatypes the ontology's closure uses (owlrl states the disjointness of those in use)
    datatypes: frozenset[Node]
    #: what owlrl's once-only rules add when they meet the ontology's closure again (each
    #: literal's owl:sameAs makes it an rdfs:Datatype): the same for every article
    extra: frozenset[Triple]


def compile_rules(tbox: Graph) -> Rules:
    """The tables of the ontology's own closure; refuses one whose consequences they would miss."""
    problems = _unsupported(tbox)
    if problems:
        raise CoopldError("the ontology uses OWL that coopld's fast reasoner does not implement (owlrl, "
                          "coopld.infer.OwlrlReasoner, does; implement the rules in coopld/infer.py or infer with it): "
                          + "; ".join(problems))
    properties = _property_rules(tbox)
    joined = frozenset(p for p, rules in properties.items() if rules.functional or rules.inverse_functional or rules.chains)
    again = closed(tbox)
    return Rules(_table(tbox, RDFS.subClassOf, reflexive=False), properties, joined | {_SAME},
                 frozenset(t for t in tbox if t[1] in joined), _mentions(again), _datatypes_in_use(tbox),
                 frozenset(set(again) - set(tbox)))


def _property_rules(tbox: Graph) -> dict[Node, PropertyRules]:
    superproperties, domains, ranges = (_table(tbox, RDFS.subPropertyOf, reflexive=False), _table(tbox, RDFS.domain),
                                        _table(tbox, RDFS.range))
    inverses = _table(tbox, OWL.inverseOf, inverse=True)
    symmetric = set(tbox.subjects(_TYPE, OWL.SymmetricProperty))
    functional = set(tbox.subjects(_TYPE, OWL.FunctionalProperty))
    inverse_functional = set(tbox.subjects(_TYPE, OWL.InverseFunctionalProperty))
    chains = _chains(tbox)
    named = set().union(superproperties, domains, ranges, inverses, symmetric, functional, inverse_functional, chains)
    return {p: PropertyRules(superproperties.get(p, ()), inverses.get(p, ()) + ((p,) if p in symmetric else ()),
                             domains.get(p, ()), ranges.get(p, ()), p in functional, p in inverse_functional,
                             chains.get(p, ()))
            for p in named}


def _mentions(graph: Graph) -> dict[Node, tuple[Triple, ...]]:
    mentions: dict[Node, list[Triple]] = defaultdict(list)
    for t in graph:
        for node in set(t):
            mentions[node].append(t)
    return {node: tuple(ts) for node, ts in mentions.items()}


def _table(tbox: Graph, predicate: URIRef, *, inverse: bool = False, reflexive: bool = True) -> dict[Node, tuple[Node, ...]]:
    """subject -> objects of ``predicate`` (and object -> subjects with ``inverse``); without x -> x
    unless ``reflexive`` (scm-cls and scm-op make every class and property its own sub-)."""
    table: dict[Node, set[Node]] = defaultdict(set)
    for s, o in tbox.subject_objects(predicate):
        if reflexive or s != o:
            table[s].add(o)
            if inverse:
                table[o].add(s)
    return {k: tuple(v) for k, v in table.items()}


def _chains(tbox: Graph) -> dict[Node, tuple[Chain, ...]]:
    """Each chain by each of its members (a transitive property p is the chain p, p of p)."""
    links = [(p, tuple(tbox.items(head))) for p, head in tbox.subject_objects(OWL.propertyChainAxiom)]
    links += [(p, (p, p)) for p in tbox.subjects(_TYPE, OWL.TransitiveProperty)]
    chains: dict[Node, list[Chain]] = defaultdict(list)
    for p, members in links:
        for i, member in enumerate(members):
            chains[member].append((p, members, i))
    return {member: tuple(c) for member, c in chains.items()}


def _unsupported(tbox: Graph) -> list[str]:
    """What in the ontology's closure the tables cannot carry over to the data as owlrl would."""
    problems = [f"{predicate.n3()} on {s.n3()} ({rule})" for predicate, rule in UNSUPPORTED.items()
                for s in set(tbox.subjects(predicate, None))]
    problems += [f"owl:sameAs between {s.n3()} and {o.n3()} (equality of ontology terms)"
                 for s, o in tbox.subject_objects(_SAME) if s != o]
    return problems + _unsupported_properties(tbox)


def _unsupported_properties(tbox: Graph) -> list[str]:
    """Axioms the tables, keyed by IRI and skipping rdf:type and owl:sameAs, would miss."""
    keys = {s for p in (RDFS.subPropertyOf, RDFS.domain, RDFS.range) for s, o in tbox.subject_objects(p) if s != o}
    keys |= {p for pair in tbox.subject_objects(OWL.inverseOf) for p in pair}
    keys |= {p for head in tbox.objects(None, OWL.propertyChainAxiom) for p in tbox.items(head)}
    keys |= {s for c in (OWL.FunctionalProperty, OWL.InverseFunctionalProperty, OWL.SymmetricProperty,
                         OWL.TransitiveProperty) for s in tbox.subjects(_TYPE, c)}
    problems = [f"an axiom on {p.n3()} itself (every triple would trigger it)" for p in (_TYPE, _SAME) if p in keys]
    properties = [t for p in (RDFS.subPropertyOf, OWL.inverseOf) for t in tbox.triples((None, p, None))]
    properties += [(p, OWL.propertyChainAxiom, item) for p, head in tbox.subject_objects(OWL.propertyChainAxiom)
                   for item in [p, *tbox.items(head)]]
    problems += [f"{p.n3()} between {s.n3()} and {o.n3()} (a property that is no IRI)"
                 for s, p, o in properties if not (isinstance(s, URIRef) and isinstance(o, URIRef))]
    return problems


def _datatypes_in_use(graph: Iterable[Triple]) -> frozenset[Node]:
    """The datatypes owlrl's once-only rules count as used (dt-type1/2), as they count them: those
    of the literals, those resources are typed with, and the supertypes of both, except of a type
    given to a literal."""
    triples = list(graph)
    literals = {o for _, _, o in triples if isinstance(o, Literal) and o.datatype in _DATATYPES}
    literal_types: set[Node] = {literal.datatype for literal in literals if literal.datatype is not None}
    typed = {(s, o) for s, p, o in triples if p == _TYPE and o in _DATATYPES}
    supertyped = literal_types | {o for s, o in typed if s not in literals}
    used = literal_types | {o for _, o in typed}
    return frozenset(used).union(*(OWL_Datatype_Subsumptions.get(dt, ()) for dt in supertyped))


class _NeedsReference(Exception):
    """The article states or entails what the tables do not cover: owlrl must close it."""


class _Closure:
    """One article's triples closed under the rules. Each triple, in its turn, is joined with
    every triple known by then, so each rule instance is found when its last premise's turn comes."""

    def __init__(self, rules: Rules) -> None:
        self.rules = rules
        self.facts: set[Triple] = set(rules.base)
        self.objects: dict[tuple[Node, Node], set[Node]] = defaultdict(set)
        self.subjects: dict[tuple[Node, Node], set[Node]] = defaultdict(set)
        for s, p, o in rules.base:
            self.objects[s, p].add(o)
            self.subjects[p, o].add(s)
        self.todo: list[Triple] = []
        #: each node's triples, kept from the first owl:sameAs on, for eq-rep-s/p/o
        self.mentions: dict[Node, list[Triple]] | None = None
        self.datatype_axioms: set[Triple] = set()

    def close(self, asserted: set[Triple]) -> None:
        for s, p, o in asserted:
            if p == _SAME or isinstance(s, Literal):
                raise _NeedsReference("owlrl's once-only datatype rules read stated owl:sameAs and literal subjects")
            self.add((s, p, o))
        self._once_only_datatype_rules(asserted)
        while self.todo:
            self._fire(self.todo.pop())

    def add(self, triple: Triple) -> None:
        if triple in self.facts:
            return
        s, p, o = triple
        kind = _PREDICATE_KINDS.get(p)
        if kind == "schema" or (kind == "type" and o in _SCHEMA_TYPES):
            raise _NeedsReference(f"schema in the data: {triple}")
        if kind == "same" and s == o:
            return  # x owl:sameAs x changes nothing the tables do not already say
        if not isinstance(p, URIRef):
            if isinstance(p, Literal):
                return  # owlrl never stores a triple with a literal predicate
            raise _NeedsReference(f"a predicate that is no IRI: {triple}")
        self.facts.add(triple)
        if p in self.rules.joined:
            self.objects[s, p].add(o)
            self.subjects[p, o].add(s)
        if self.mentions is not None:
            for node in {s, p, o}:
                self.mentions[node].append(triple)
        self.todo.append(triple)

    def _once_only_datatype_rules(self, asserted: set[Triple]) -> None:
        """dt-type2 (the supertypes of a datatype a resource is stated to have) and the disjointness
        of the datatypes in use, which owlrl adds before its rounds (a literal's own typing waits
        in ``_type_literal``)."""
        for s, p, o in asserted:
            if p == _TYPE and o in _DATATYPES:
                for supertype in OWL_Datatype_Subsumptions.get(o, ()):
                    self.add((s, _TYPE, supertype))
        used = self.rules.datatypes | _datatypes_in_use(asserted)
        self.datatype_axioms = {t for t in OWLRL_Datatypes_Disjointness if t[0] in used and t[2] in used}

    def _fire(self, triple: Triple) -> None:
        s, p, o = triple
        if p == _TYPE:
            for c in self.rules.superclasses.get(o, ()):
                self.add((s, _TYPE, c))
        elif p == _SAME:
            self._same(s, o)
        else:  # _unsupported refused axioms on rdf:type and owl:sameAs
            rules = self.rules.properties.get(p)
            if rules is not None:
                self._apply(rules, s, p, o)
        if self.mentions is not None:
            self._replace(triple)

    def _apply(self, rules: PropertyRules, s: Node, p: Node, o: Node) -> None:
        for q in rules.superproperties:
            self.add((s, q, o))
        for q in rules.inverses:
            self.add((o, q, s))
        for c in rules.domains:
            self.add((s, _TYPE, c))
        for c in rules.ranges:
            self.add((o, _TYPE, c))
        if rules.functional:
            for y in list(self.objects[s, p]):
                if y != o:
                    self.add((o, _SAME, y))
        if rules.inverse_functional:
            for x in list(self.subjects[p, o]):
                if x != s:
                    self.add((s, _SAME, x))
        for chain_property, members, position in rules.chains:
            self._chain(chain_property, members, position, s, o)

    def _chain(self, chain_property: Node, members: tuple[Node, ...], position: int, s: Node, o: Node) -> None:
        """prp-spo2 for every way of completing the chain around (s, members[position], o)."""
        starts, ends = {s}, {o}
        for q in reversed(members[:position]):
            starts = {x for n in starts for x in self.subjects.get((q, n), ())}
        for q in members[position + 1:]:
            ends = {z for n in ends for z in self.objects.get((n, q), ())}
        for x in starts:
            for z in ends:
                self.add((x, chain_property, z))

    def _same(self, s: Node, o: Node) -> None:
        """eq-sym, and eq-rep-s/p/o for what is known of ``s`` when it becomes the same as ``o``
        (eq-trans follows from eq-rep-o on the owl:sameAs triples themselves)."""
        self.add((o, _SAME, s))
        if self.mentions is None:
            self.mentions = defaultdict(list)
            for t in self.facts:
                for node in set(t):
                    self.mentions[node].append(t)
        for node in (s, o):
            if isinstance(node, Literal):
                self._type_literal(node)
        for t in [*self.mentions.get(s, ()), *self.rules.mentions.get(s, ())]:
            if t[0] == s:
                self.add((o, t[1], t[2]))
            if t[1] == s:
                self.add((t[0], o, t[2]))
            if t[2] == s:
                self.add((t[0], t[1], o))

    def _replace(self, triple: Triple) -> None:
        """eq-rep-s/p/o for a new triple about a node already known to be the same as others."""
        s, p, o = triple
        for y in list(self.objects.get((s, _SAME), ())):
            self.add((y, p, o))
        for y in list(self.objects.get((p, _SAME), ())):
            self.add((s, y, o))
        for y in list(self.objects.get((o, _SAME), ())):
            self.add((s, p, y))

    def _type_literal(self, literal: Literal) -> None:
        """dt-type2's typing of a literal, which matters only once the literal is the same as a
        resource: eq-rep-s then gives the resource the literal's datatypes."""
        if literal.datatype in _DATATYPES:
            for dt in (literal.datatype, *OWL_Datatype_Subsumptions.get(literal.datatype, ())):
                self.add((literal, _TYPE, dt))
