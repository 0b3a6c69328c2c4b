"""OWL 2 RL inference, article by article, with owlrl.

The closure of one article's graph together with the ontology holds everything OWL RL can
conclude about that article's resources: the chains and inverses of the ontology only ever
join facts that one record states together. Working per article keeps a build linear in the
number of articles (owlrl's closure of the whole dataset at once grows far faster).

Only what the closure adds about the data is kept: not the ontology's own consequences, not
what the article or the vocabularies already state, and not owlrl's bookkeeping
(``x owl:sameAs x``, ``x a owl:Thing``, triples about literals).
"""

from __future__ import annotations

import owlrl
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import OWL, RDF, RDFS

from coopld.mapping import new_graph

_NOISE_TYPES = {OWL.Thing, RDFS.Resource, OWL.NamedIndividual, RDFS.Class, OWL.Class}


class Reasoner:
    """Holds the ontology and what it entails on its own, to subtract from each closure."""

    def __init__(self, ontology: Graph, vocabularies: Graph) -> None:
        self.ontology = ontology
        self.vocabularies = vocabularies
        closure = Graph()
        closure += ontology
        _expand(closure)
        self.tbox = closure
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
            if not isinstance(s, URIRef) or isinstance(o, BNode) or s in self.terms:
                continue
            if p == OWL.sameAs and s == o:
                continue
            if p == RDF.type and o in _NOISE_TYPES:
                continue
            if isinstance(o, Literal) and p == RDF.type:
                continue
            out.add((s, p, o))
        return out


def _expand(graph: Graph) -> None:
    # improved_datatypes=False: owlrl's own lexical converters reject valid xsd:gMonthDay and
    # xsd:gMonth values ("--10-31"), which coopld uses for dates without a year
    owlrl.DeductiveClosure(owlrl.OWLRL_Semantics, axiomatic_triples=False, datatype_axioms=False,
                           improved_datatypes=False).expand(graph)
