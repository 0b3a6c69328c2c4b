"""SHACL validation with pySHACL, article by article.

Each article's graph is validated together with its inferred triples (so that types implied by
the ontology are present, which avoids false violations) and with the vocabularies (so that a
topic is known to be a cooperation area).
"""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar

import pyshacl
from rdflib import BNode, Graph, URIRef
from rdflib import plugin as rdflib_plugin
from rdflib.namespace import RDF, RDFS, SH
from rdflib.plugins.sparql.parser import parseQuery
from rdflib.plugins.sparql.processor import SPARQLProcessor
from rdflib.plugins.sparql.sparql import Query
from rdflib.query import Processor
from rdflib.term import Identifier, Node

from coopld.errors import InputError


@dataclass
class Report:
    """One validation report, as RDF and as counts a person reads."""

    graph: Graph
    conforms: bool
    violations: int = 0
    warnings: int = 0
    infos: int = 0
    text: str = ""
    messages: list[str] = field(default_factory=list)
    #: each warning, as a person reads it: {"record", "about" (the resource), "fact" (the
    #: property's IRI, or ""), "reason"} (``record`` is filled in by the build)
    warning_list: list[dict[str, str]] = field(default_factory=list)


def load_shapes(shapes_dir: Path) -> Graph:
    graph = Graph()
    files = sorted(shapes_dir.glob("*.ttl"))
    if not files:
        raise InputError("no SHACL shapes (*.ttl) found", path=shapes_dir)
    for path in files:
        try:
            graph.parse(path, format="turtle")
        except Exception as exc:  # any parser error means the same: a broken shapes file
            raise InputError(f"cannot parse the shapes: {exc}", path=path) from exc
    return graph


class PreparedQueries(SPARQLProcessor):
    """rdflib's SPARQL processor, translating each query text once per process.

    pySHACL runs every SHACL-SPARQL constraint as text, with the focus node bound, so rdflib
    parsed the same few constraints again for every article: about 20 parses, most of the time a
    validation took. A translated query is evaluated with new bindings as it is (the algebra is
    not changed by evaluation: it is what ``rdflib.plugins.sparql.prepareQuery`` hands out for
    reuse), so each distinct text is parsed and translated once and kept."""

    LIMIT = 512
    _kept: ClassVar[OrderedDict[tuple[Any, ...], Query]] = OrderedDict()
    _lock: ClassVar[threading.Lock] = threading.Lock()

    def query(self, strOrQuery: str | Query, initBindings: Mapping[str, Identifier] | None = None,  # type: ignore[override]
              initNs: Mapping[str, Any] | None = None, base: str | None = None,
              DEBUG: bool = False) -> Mapping[str, Any]:
        if isinstance(strOrQuery, str):
            strOrQuery = self.prepared(strOrQuery, initNs, base)
        return super().query(strOrQuery, initBindings, initNs, base, DEBUG)

    @classmethod
    def prepared(cls, text: str, namespaces: Mapping[str, Any] | None, base: str | None) -> Query:
        from rdflib.plugins.sparql.algebra import translateQuery

        key = (text, base, tuple(sorted((str(k), str(v)) for k, v in (namespaces or {}).items())))
        with cls._lock:
            found = cls._kept.get(key)
            if found is not None:
                cls._kept.move_to_end(key)
                return found
        found = translateQuery(parseQuery(text), base, namespaces)
        with cls._lock:
            cls._kept[key] = found
            while len(cls._kept) > cls.LIMIT:
                cls._kept.popitem(last=False)
        return found


_PREPARED = False


def _prepare_queries() -> None:
    """Make rdflib's default SPARQL processor the one that keeps translations (once)."""
    global _PREPARED
    if not _PREPARED:
        rdflib_plugin.register("sparql", Processor, __name__, "PreparedQueries")
        _PREPARED = True


def validate(data: Graph, shapes: Graph, *, inplace: bool = False) -> Report:
    """Validate ``data`` against ``shapes``. ``data`` should already hold its inferred triples
    and the vocabularies it refers to: pySHACL is run without inference, and handing it the
    ontology as a separate graph made it copy and re-check it for every article (seconds each).
    ``inplace``: the graph was made for this check, so pySHACL need not copy it first (it would
    only write into it for SHACL rules, which the shapes have none of)."""
    _prepare_queries()
    conforms, graph, text = pyshacl.validate(
        data, shacl_graph=shapes, inference="none", advanced=True, inplace=inplace,
        allow_warnings=True, abort_on_first=False, meta_shacl=False)
    return summarise(graph, bool(conforms), str(text))


class ArticleShapes:
    """The shapes as one article is checked against them, with the vocabularies beside it.

    Some shapes target classes whose instances are the vocabularies' concepts (every rank,
    role, topic and kind of event). Checked with every article, the concepts were most of a
    validation's work (about 200 focus nodes beside an article's 30: 86 ms against 28 ms) and
    gave the same answer each time. So the vocabularies are checked once, here, and such a shape
    is pointed, for each article, at the instances of its classes that the article's own
    triples name: a concept the article refers to, states something about, or makes up (a rank
    the reasoner types from a property's range) is checked as before, against the article and
    the vocabularies together, which is what checking the whole graph says of it.

    The shapes and the vocabularies are copied once; each article's targets are added to the
    one copy and its triples to the other, and taken away again after (under a lock): copying
    the shapes for each article cost 9 ms, and the vocabularies 78 ms, more than the validation."""

    def __init__(self, shapes: Graph, vocabularies: Graph, inferred: Graph, *, source: Path | None = None) -> None:
        self.shapes = shapes
        self._data = Graph()
        self._data += vocabularies
        self._by_class: dict[URIRef, list[URIRef]] = {}
        self._lock = threading.Lock()
        self._shapes = Graph()
        self._shapes += shapes
        typed = vocabularies + inferred
        for shape, cls in shapes.subject_objects(SH.targetClass):
            if isinstance(shape, URIRef) and isinstance(cls, URIRef) and _instances(typed, cls):
                self._by_class.setdefault(shape, []).append(cls)
                self._shapes.remove((shape, SH.targetClass, cls))
        self.vocabulary_report = validate(typed, shapes, inplace=True)
        if not self.vocabulary_report.conforms:
            raise InputError("the vocabularies break the shapes: " + "; ".join(self.vocabulary_report.messages[:5]),
                             path=source)

    def check(self, asserted: Graph, inferred: Graph) -> Report:
        """Validate one article's triples with what was inferred from them."""
        named = {term for graph in (asserted, inferred) for s, _p, o in graph for term in (s, o)}
        with self._lock:
            data = self._data
            added = [t for graph in (asserted, inferred) for t in graph if t not in data]
            for triple in added:
                data.add(triple)
            targets = [(shape, SH.targetNode, node) for shape, classes in self._by_class.items()
                       for cls in classes for node in _instances(data, cls) & named]
            for triple in targets:
                self._shapes.add(triple)
            try:
                return validate(data, self._shapes, inplace=True)
            finally:
                for triple in targets:
                    self._shapes.remove(triple)
                for triple in added:
                    data.remove(triple)


def _instances(graph: Graph, cls: URIRef) -> set[Node]:
    """What ``sh:targetClass cls`` selects in ``graph``: instances of the class or of any of its
    subclasses stated there (as pySHACL finds them)."""
    found: set[Node] = set()
    for sub in graph.transitive_subjects(RDFS.subClassOf, cls):
        found.update(graph.subjects(RDF.type, sub))
    return found


def summarise(graph: Graph, conforms: bool, text: str = "") -> Report:
    report = Report(graph, conforms, text=text)
    for result in graph.subjects(RDF.type, SH.ValidationResult):
        severity, message = describe_result(graph, result)
        if severity == SH.Violation:
            report.violations += 1
        elif severity == SH.Warning:
            report.warnings += 1
        else:
            report.infos += 1
        if message is not None:
            report.messages.append(message)
    report.conforms = report.violations == 0
    return report


def warning_of(graph: Graph, result: Node, record: str = "") -> dict[str, str]:
    """One warning result as the build lists it: the record, the resource, the property and the
    shape's message."""
    path = graph.value(result, SH.resultPath)
    return {"record": record, "about": str(graph.value(result, SH.focusNode)),
            "fact": str(path) if isinstance(path, URIRef) else "", "reason": str(graph.value(result, SH.resultMessage) or "")}


def describe_result(graph: Graph, result: Node) -> tuple[Node | None, str | None]:
    """A validation result's severity, and for a violation the sentence a person reads."""
    severity = graph.value(result, SH.resultSeverity)
    if severity != SH.Violation:
        return severity, None
    focus = graph.value(result, SH.focusNode)
    message = graph.value(result, SH.resultMessage)
    path = graph.value(result, SH.resultPath)
    return severity, f"{focus}: {message}" + (f" (path {path})" if isinstance(path, URIRef) else "")


def skolemize(graph: Graph, prefix: str) -> Graph:
    """Replace each blank node by an IRI made from the content of the blank-node tree it heads
    (a validation result with its nested paths, or one of those paths), so that the same result
    gets the same IRI in every build, whatever else the report holds. pySHACL shares one path
    node among results, so a nested node is named after its own tree, never after a result's.

    A node's name is a hash of its statements with each blank object replaced by that object's
    own hash (a Merkle tree): a report's blank nodes head trees, so this is what canonical
    labelling would say of them, at the cost of one pass rather than a canonicalization each."""
    digests: dict[BNode, str] = {}

    def digest(node: BNode, path: frozenset[BNode]) -> str:
        if node in digests:
            return digests[node]
        lines = sorted(f"{p.n3()} {_nested(o, path | {node})}" for p, o in graph.predicate_objects(node))
        digests[node] = hashlib.sha256("\n".join(lines).encode("utf-8")).hexdigest()
        return digests[node]

    def _nested(value: Node, path: frozenset[BNode]) -> str:
        if not isinstance(value, BNode):
            return value.n3()
        return "_:cycle" if value in path else "_:" + digest(value, path)

    heads = {s for s in graph.subjects() if isinstance(s, BNode)}  # a blank node with nothing said of it here stays one

    def term(node: Any) -> Any:
        return URIRef(prefix + digest(node, frozenset())[:32]) if node in heads else node

    out = Graph()
    for s, p, o in graph:
        out.add((term(s), p, term(o)))
    return out


_FORMATS = {".ttl": "turtle", ".trig": "trig", ".nq": "nquads", ".nt": "nt", ".jsonld": "json-ld",
            ".json": "json-ld", ".rdf": "xml", ".owl": "xml", ".xml": "xml", ".n3": "n3"}


def read_rdf(path: Path) -> Graph:
    """Any RDF file, by its extension (".gz" is unpacked), as one graph of all its triples."""
    import gzip

    from rdflib import Dataset

    name = path.name[:-3] if path.name.endswith(".gz") else path.name
    fmt = _FORMATS.get(Path(name).suffix.lower())
    if fmt is None:
        raise InputError(f"unknown RDF format; use one of {', '.join(sorted(_FORMATS))} (optionally .gz)", path=path)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise InputError(f"cannot read the file: {exc.strerror or exc}", path=path) from exc
    data = gzip.decompress(raw) if path.name.endswith(".gz") else raw
    dataset = Dataset(default_union=True)
    try:
        dataset.parse(data=data, format=fmt, publicID=path.resolve().as_uri())
    except Exception as exc:  # rdflib raises many parser error types
        raise InputError(f"not valid {fmt}: {exc}", path=path) from exc
    graph = Graph()
    for g in dataset.graphs():
        graph += g
    return graph
