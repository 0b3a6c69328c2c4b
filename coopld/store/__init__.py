"""Where the published dataset lives, behind one small interface.

The web application, the reconciliation service, the documentation pages and ``coopld link``
read the data only through :class:`Store`; two implementations exist:

* :mod:`coopld.store.embedded` — the pyoxigraph store a build writes beside its dumps (the
  default, needing nothing else);
* :mod:`coopld.store.remote` — any SPARQL 1.1 store reached over the Query, Update and Graph
  Store HTTP protocols (Virtuoso, Fuseki, GraphDB, Oxigraph's server, …).

Terms are rdflib's (:class:`~rdflib.URIRef`, :class:`~rdflib.Literal`, :class:`~rdflib.BNode`),
the one RDF model the rest of coopld uses; a plain string literal has no datatype. The default
graph of every store is the union of its named graphs, each triple once.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Protocol

from rdflib import BNode, Literal, URIRef

Term = URIRef | BNode | Literal
Triple = tuple[Term, Term, Term]
#: one row of values for a query's variables (by name, without "?"); several rows: the query's
#: answers for each, together
Binding = Mapping[str, URIRef | Literal]
Row = dict[str, Term | None]


@dataclass(frozen=True)
class Dataset:
    """The dataset a public query names (``default-graph-uri``, ``named-graph-uri``); empty: the
    store's default graph (the union) and all its named graphs."""

    default_graphs: tuple[str, ...] = ()
    named_graphs: tuple[str, ...] = ()
    #: the query names its own (FROM, FROM NAMED): the store is given no dataset at all
    own: bool = False


@dataclass(frozen=True)
class Answer:
    """A public query's answer, serialized by the store: ``kind`` is "solutions", "boolean" or
    "triples"; ``media_type`` is the format ``body`` is in."""

    kind: str
    body: bytes
    media_type: str


class QueryFailed(Exception):
    """A public query the store refused or could not run; ``kind`` says why, for the HTTP status.

    "syntax" | "timeout" | "too-large" | "not-acceptable" | "memory" | "store" | "forbidden" |
    "too-deep" | "unchecked" | "sandbox" | "crashed" | "unavailable"
    """

    def __init__(self, kind: str, message: str) -> None:
        self.kind = kind
        self.message = message
        super().__init__(message)


class Store(Protocol):
    """What coopld asks of a store. Reads are over the union default graph unless a query names
    graphs; ``bindings`` bind the query's variables before it runs (never formatted into text by
    the caller)."""

    #: where the store is, for messages ("/srv/build/store", "http://127.0.0.1:8890/sparql")
    location: str

    def select(self, query: str, bindings: Sequence[Binding] = ()) -> list[Row]:
        """The solutions of a SELECT query, each a row keyed by every projected variable."""
        ...

    def ask(self, query: str, bindings: Sequence[Binding] = ()) -> bool: ...

    def construct(self, query: str, bindings: Sequence[Binding] = ()) -> list[Triple]:
        """The triples of a CONSTRUCT query, each once."""
        ...

    def describe(self, iri: str) -> list[Triple]:
        """The concise bounded description of ``iri`` in the union graph: every triple it is the
        subject of, and those of the blank nodes they lead to, followed to any depth."""
        ...

    def graph(self, name: str) -> list[Triple]:
        """Every triple of one named graph (none: the graph is empty or not there)."""
        ...

    def named_graphs(self) -> list[str]: ...

    def answer(self, query: str, dataset: Dataset, results_format: str | None, rdf_format: str | None, *,
               base_iri: str | None, max_bytes: int, timeout: float) -> Answer:
        """A public query's answer in the media type asked for (``results_format`` for solutions
        and booleans, ``rdf_format`` for triples; None: that kind is not acceptable), at most
        ``max_bytes`` long, stopped after ``timeout`` seconds where the store can stop it.
        Raises :class:`QueryFailed`."""
        ...

    def replace_graphs(self, graphs: Mapping[str, bytes]) -> None:
        """Replace each named graph whole by the N-Triples given for it (empty: remove it), so
        that no reader sees a graph half old and half new."""
        ...

    def close(self) -> None: ...


__all__ = ["Answer", "BNode", "Binding", "Dataset", "Literal", "QueryFailed", "Row", "Store", "Term", "Triple",
           "URIRef"]
