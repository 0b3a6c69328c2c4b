"""The embedded pyoxigraph store a build writes next to its dumps, and the only module of coopld
that imports pyoxigraph.

Every named graph of the build is loaded as it is, and their union — each triple once — is
loaded as the store's default graph. pyoxigraph's own "default graph as union" repeats a
triple once per graph that holds it (a city's label, stated by every article naming the city),
which multiplied the rows of a join by thousands on a large dataset; a real union default graph
gives set semantics and plain, fast queries.

The same module writes the build's TriG and Turtle dumps with Oxigraph's serializers, reading
sorted lines a piece at a time (``write_rdf``).
"""

from __future__ import annotations

import itertools
import shutil
from collections.abc import Iterable, Iterator, Mapping, Sequence
from functools import lru_cache
from pathlib import Path
from typing import IO, Any, cast

import pyoxigraph as ox
from rdflib import BNode, Literal, URIRef
from rdflib.namespace import XSD

from coopld.errors import StoreError
from coopld.store import Answer, Binding, Dataset, QueryFailed, Row, Term, Triple

_XSD_STRING = str(XSD.string)
_RDF_LANG_STRING = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"
#: what pyoxigraph reports when the query process's sandbox stopped a SERVICE call
DENIED = "Permission denied (os error 13)"


#: statements parsed and loaded at once: Oxigraph holds what it is given in memory (about 1.2 GB
#: for a million quads at once, 0.3 GB for 200,000), so files are read piece by piece
PIECE_LINES = 200_000


def pieces(lines: Iterable[bytes]) -> Iterator[bytes]:
    """N-Quads or N-Triples lines (one statement each), ``PIECE_LINES`` at a time, joined."""
    it = iter(lines)
    while piece := list(itertools.islice(it, PIECE_LINES)):
        yield b"".join(piece)


def _statements(lines: Iterable[bytes]) -> Iterator[ox.Quad]:
    """The quads of N-Quads lines (N-Triples lines are quads of the default graph), parsed a
    piece at a time, blank node labels kept as written: the dump's ``_:b1`` is one node however
    its statements fall into pieces (Oxigraph's bulk loader renames them on every call)."""
    for piece in pieces(lines):
        yield from ox.parse(input=piece, format=ox.RdfFormat.N_QUADS)


class StoreWriter:
    """A new store written by a build into its staging generation (``coopld.publish``), never
    into one being served, so a failed or killed load leaves nothing half-done where a server
    looks. Statements come as N-Quads lines from files, so memory does not grow with them."""

    def __init__(self, store_dir: Path) -> None:
        if store_dir.exists():
            raise StoreError("a store is already there; a store is only ever written into a new generation",
                             path=store_dir)
        self.location = str(store_dir)
        try:
            self._store = ox.Store(self.location)
        except OSError as exc:
            raise StoreError(f"cannot create the store: {exc}", path=store_dir) from exc

    def load(self, lines: Iterable[bytes], *, source: Path | None = None) -> None:
        """Add the statements of N-Quads lines (N-Triples lines go to the default graph)."""
        try:
            for piece in pieces(lines):
                self._store.bulk_extend(ox.parse(input=piece, format=ox.RdfFormat.N_QUADS))
        except (OSError, SyntaxError, ValueError) as exc:
            self.discard()
            raise StoreError(f"cannot load the store: {exc}", path=source or Path(self.location)) from exc

    def select(self, query: str, binding: Binding | None = None) -> list[Row]:
        """A build's own SELECT over what is loaded so far."""
        return _rows(_run(self._store, query, binding, self.location), self.location)

    def close(self) -> int:
        """Flush the store to disk and close it; return its quad count."""
        try:
            self._store.flush()
            count = len(self._store)
        except OSError as exc:
            self.discard()
            raise StoreError(f"cannot write the store: {exc}", path=Path(self.location)) from exc
        del self._store
        return count

    def discard(self) -> None:
        self.__dict__.pop("_store", None)
        shutil.rmtree(self.location, ignore_errors=True)


_RDF_TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")


def _type_first(quads: Iterable[ox.Quad]) -> Iterator[ox.Quad]:
    """Each resource's rdf:type statements before the others (the way people read a resource:
    what it is, then what is said of it); a resource's statements come together, so one is held
    at a time."""
    held: list[ox.Quad] = []
    for quad in quads:
        if held and (quad.subject != held[0].subject or quad.graph_name != held[0].graph_name):
            yield from sorted(held, key=lambda q: q.predicate != _RDF_TYPE)
            held = []
        held.append(quad)
    yield from sorted(held, key=lambda q: q.predicate != _RDF_TYPE)


def write_rdf(lines: Iterable[bytes], output: IO[bytes], rdf_format: str, prefixes: Mapping[str, str]) -> None:
    """Sorted N-Quads lines as TriG (``rdf_format`` "trig"), or sorted N-Triples lines as Turtle
    ("ttl"), by Oxigraph's serializers, a piece at a time: the file is written as the lines
    are read. Sorted input keeps a graph's and a resource's statements together."""
    formats = {"trig": ox.RdfFormat.TRIG, "ttl": ox.RdfFormat.TURTLE}
    quads = _type_first(_statements(lines))
    statements: Iterable[Any] = quads if rdf_format == "trig" else (q.triple for q in quads)
    try:
        ox.serialize(statements, output, format=formats[rdf_format], prefixes=dict(sorted(prefixes.items())))
    except SyntaxError as exc:
        raise StoreError(f"the dump does not parse: {exc}") from exc


def triples_in_pieces(lines: Iterable[bytes]) -> Iterator[list[Triple]]:
    """Sorted N-Triples lines as rdflib triples, about ``PIECE_LINES`` at a time, each piece
    ending where a resource's statements end, blank node labels kept."""
    piece: list[Triple] = []
    last: Any = None
    for quad in _statements(lines):
        if len(piece) >= PIECE_LINES // 10 and quad.subject != last:
            yield piece
            piece = []
        last = quad.subject
        piece.append((term(quad.subject), term(quad.predicate), term(quad.object)))
    if piece:
        yield piece


# --- terms ---------------------------------------------------------------------------------------

#: rdflib checks every IRI it is given; a dump names the same properties, classes and resources
#: over and over, so the IRIs last met are kept (bounded: memory stays flat)
_uriref = lru_cache(maxsize=1 << 16)(URIRef)


def term(node: Any) -> Term:
    """A pyoxigraph term as rdflib's (a plain string literal without a datatype)."""
    if isinstance(node, ox.NamedNode):
        return _uriref(node.value)
    if isinstance(node, ox.BlankNode):
        return BNode(node.value)
    if isinstance(node, ox.Literal):
        if node.language:
            return Literal(node.value, lang=node.language)
        datatype = node.datatype.value
        return Literal(node.value) if datatype == _XSD_STRING else Literal(node.value, datatype=_uriref(datatype))
    raise StoreError(f"unsupported term in the store: {node!r}")


def node(value: URIRef | BNode | Literal) -> ox.NamedNode | ox.BlankNode | ox.Literal:
    """An rdflib term as pyoxigraph's."""
    if isinstance(value, URIRef):
        return ox.NamedNode(str(value))
    if isinstance(value, BNode):
        return ox.BlankNode(str(value))
    if value.language:
        return ox.Literal(str(value), language=value.language)
    if value.datatype is not None and str(value.datatype) != _RDF_LANG_STRING:
        return ox.Literal(str(value), datatype=ox.NamedNode(str(value.datatype)))
    return ox.Literal(str(value))


def _triple(t: ox.Triple) -> Triple:
    return (term(t.subject), term(t.predicate), term(t.object))


def _run(store: ox.Store, query: str, binding: Binding | None, location: str) -> Any:
    """One of coopld's own queries with ``binding``'s values bound (never formatted in)."""
    substitutions: dict[ox.Variable, Any] | None = (
        {ox.Variable(k): node(v) for k, v in binding.items()} if binding else None)
    try:
        return store.query(query, substitutions=substitutions)
    except (SyntaxError, ValueError, OSError, RuntimeError) as exc:  # RuntimeError: a variable bound but not projected
        raise StoreError(f"the query failed: {exc}", path=location) from exc


def _rows(result: Any, location: str) -> list[Row]:
    if not isinstance(result, ox.QuerySolutions):
        raise StoreError("not a SELECT query", path=location)
    names = [v.value for v in result.variables]
    return [{n: (term(s[n]) if s[n] is not None else None) for n in names} for s in result]


class Capped:
    """A binary sink that stops the serialization once it holds ``limit`` bytes."""

    def __init__(self, limit: int) -> None:
        self.parts: list[bytes] = []
        self.size = 0
        self.limit = limit
        self.exceeded = False

    def write(self, data: bytes) -> int:
        self.size += len(data)
        if self.size > self.limit:
            self.exceeded = True
            raise OSError("result too large")
        self.parts.append(bytes(data))
        return len(data)

    def flush(self) -> None:
        return None


class EmbeddedStore:
    """A store a build wrote, opened read-only (a server never writes it) or, for
    :meth:`replace_graphs`, writable."""

    def __init__(self, store_dir: Path, *, writable: bool = False) -> None:
        if not store_dir.is_dir():
            raise StoreError("no store here; run 'coopld build' first", path=store_dir)
        self.location = str(store_dir)
        try:
            self._store = ox.Store(str(store_dir)) if writable else ox.Store.read_only(str(store_dir))
        except OSError as exc:
            raise StoreError(f"cannot open the store: {exc}", path=store_dir) from exc

    # -- reads ------------------------------------------------------------------------------------
    def _query(self, query: str, binding: Binding | None) -> Any:
        return _run(self._store, query, binding, self.location)

    def _each(self, query: str, bindings: Sequence[Binding]) -> Iterable[Any]:
        """One result per row of bindings (none: one result, nothing bound)."""
        if not bindings:
            yield self._query(query, None)
        for binding in bindings:
            yield self._query(query, binding)

    def select(self, query: str, bindings: Sequence[Binding] = ()) -> list[Row]:
        return [row for result in self._each(query, bindings) for row in _rows(result, self.location)]

    def ask(self, query: str, bindings: Sequence[Binding] = ()) -> bool:
        return any(bool(result) for result in self._each(query, bindings))

    def construct(self, query: str, bindings: Sequence[Binding] = ()) -> list[Triple]:
        seen: dict[Triple, None] = {}
        for result in self._each(query, bindings):
            if not isinstance(result, ox.QueryTriples):
                raise StoreError("not a CONSTRUCT or DESCRIBE query", path=self.location)
            for t in result:
                seen.setdefault(_triple(t), None)
        return list(seen)

    def describe(self, iri: str) -> list[Triple]:
        seen: dict[Triple, None] = {}
        todo: list[ox.NamedNode | ox.BlankNode] = [ox.NamedNode(iri)]
        visited: set[str] = set()
        while todo:
            subject = todo.pop()
            if str(subject) in visited:
                continue
            visited.add(str(subject))
            for quad in self._store.quads_for_pattern(subject, None, None, ox.DefaultGraph()):
                seen.setdefault(_triple(quad.triple), None)
                if isinstance(quad.object, ox.BlankNode):
                    todo.append(quad.object)
        return list(seen)

    def graph(self, name: str) -> list[Triple]:
        return [_triple(q.triple) for q in self._store.quads_for_pattern(None, None, None, ox.NamedNode(name))]

    def named_graphs(self) -> list[str]:
        return sorted(g.value for g in self._store.named_graphs() if isinstance(g, ox.NamedNode))

    # -- public queries ---------------------------------------------------------------------------
    def answer(self, query: str, dataset: Dataset, results_format: str | None, rdf_format: str | None, *,
               base_iri: str | None, max_bytes: int, timeout: float, sandboxed: bool = False) -> Answer:
        """A public query's answer, serialized into a buffer that refuses to grow past
        ``max_bytes``. pyoxigraph cannot stop a query, so ``timeout`` is the caller's to enforce:
        public queries run in a process of their own (``coopld.web.query_pool``) that is stopped
        when they outlive it. ``sandboxed``: the process has no network, so a refused socket is
        a SERVICE call the endpoint does not allow."""
        kwargs: dict[str, Any] = {}
        if dataset.default_graphs:
            kwargs["default_graph"] = [ox.NamedNode(g) for g in dataset.default_graphs]
        # else: the store's default graph, which the build made the union of all graphs
        if dataset.named_graphs:
            kwargs["named_graphs"] = [ox.NamedNode(g) for g in dataset.named_graphs]
        if base_iri:
            kwargs["base_iri"] = base_iri
        try:
            result = self._store.query(query, **kwargs)
        except MemoryError as exc:
            raise QueryFailed("memory", "the query needed more memory than this server allows") from exc
        except SyntaxError as exc:
            raise QueryFailed("syntax", f"the query does not parse: {exc}") from exc
        except OSError as exc:  # a SERVICE that could not be reached
            raise _failed(exc, sandboxed) from exc
        except ValueError as exc:
            raise QueryFailed("syntax", f"the query cannot be run: {exc}") from exc
        triples = isinstance(result, ox.QueryTriples)
        wanted = rdf_format if triples else results_format
        if wanted is None:
            raise QueryFailed("not-acceptable", "triples" if triples else "solutions")
        sink = Capped(max_bytes)
        output = cast(IO[bytes], sink)  # pyoxigraph only calls write() and flush()
        try:
            if isinstance(result, ox.QueryTriples):
                result.serialize(output, format=ox.RdfFormat.from_media_type(wanted))
            else:
                result.serialize(output, format=ox.QueryResultsFormat.from_media_type(wanted))
        except MemoryError as exc:
            raise QueryFailed("memory", "the query needed more memory than this server allows") from exc
        except Exception as exc:  # pyoxigraph reports a failing sink and evaluation errors alike
            if sink.exceeded:
                raise QueryFailed("too-large", f"the result is larger than {max_bytes} bytes; narrow the query "
                                               "or add a LIMIT") from exc
            raise _failed(exc, sandboxed) from exc
        kind = "triples" if triples else ("boolean" if isinstance(result, ox.QueryBoolean) else "solutions")
        return Answer(kind, b"".join(sink.parts), wanted)

    # -- writes -----------------------------------------------------------------------------------
    def replace_graphs(self, graphs: Mapping[str, bytes]) -> None:
        """Refused: an embedded store is written whole by ``coopld build`` into a new generation,
        which the server moves to in one step (``coopld.publish``); replacing graphs in place
        would let a reader see some graphs new and others old, and leave the union stale."""
        raise StoreError("an embedded store is only written by 'coopld build'; 'coopld load' publishes into a "
                         "remote store (give its SPARQL endpoint URL)", path=self.location)

    def close(self) -> None:
        self.__dict__.pop("_store", None)


def _failed(exc: BaseException, sandboxed: bool) -> QueryFailed:
    """An evaluation error as a refusal; a SERVICE the sandbox stopped is reported as refused,
    and nothing another host sent (or a closed port's error) is passed on."""
    if sandboxed and DENIED in str(exc):
        return QueryFailed("forbidden", "federated SERVICE calls are disabled on this endpoint")
    return QueryFailed("store", f"the query failed: {exc}")


def open_store(store_dir: Path) -> EmbeddedStore:
    """The built store, read-only."""
    return EmbeddedStore(store_dir)
