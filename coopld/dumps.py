"""Writing the dataset out: TriG and N-Quads with a named graph per article (and for the
ontology, vocabularies, links, inferred triples and the validation report), and the union of
the data graphs as Turtle, gzipped N-Triples and JSON-LD compacted with the published context.

Every dump is byte-for-byte the same for the same input: lines and nodes are sorted and the
gzip header carries no time, so a rebuild can be checked with a checksum.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import os
from collections.abc import Collection
from pathlib import Path
from typing import Any

from rdflib import BNode, Dataset, Graph, URIRef
from rdflib.compare import to_canonical_graph

from coopld.mapping import new_graph
from coopld.store.embedded import serialize_sorted
from coopld.vocab import PREFIXES

#: file name → (media type, description) of every dump
DUMPS: dict[str, tuple[str, str]] = {
    "coopld.trig": ("application/trig", "every named graph, TriG"),
    "coopld.nq": ("application/n-quads", "every named graph, N-Quads, sorted"),
    "coopld.ttl": ("text/turtle", "the data, ontology, vocabularies, links and inferred triples as one graph, Turtle"),
    "coopld.nt.gz": ("application/n-triples", "the same graph as coopld.ttl, N-Triples, sorted, gzipped"),
    "coopld.jsonld": ("application/ld+json", "the same graph as coopld.ttl, JSON-LD compacted with the coopld context"),
    "validation-report.ttl": ("text/turtle", "the SHACL validation report of the build"),
}


def skolemize(graph: Graph, prefix: str) -> Graph:
    """Replace each blank node by an IRI made from the content of the blank-node tree it heads
    (a validation result with its nested paths, or one of those paths), so that the same result
    gets the same IRI in every build, whatever else the report holds. pySHACL shares one path
    node among results, so a nested node is named after its own tree, never after a result's."""
    names: dict[BNode, URIRef] = {}
    for node in {s for s in graph.subjects() if isinstance(s, BNode)}:
        tree = new_graph()
        todo, seen = [node], {node}
        while todo:
            current = todo.pop()
            for p, o in graph.predicate_objects(current):
                tree.add((current, p, o))
                if isinstance(o, BNode) and o not in seen:
                    seen.add(o)
                    todo.append(o)
        canonical = to_canonical_graph(tree)
        digest = hashlib.sha256("\n".join(sorted(canonical.serialize(format="nt").splitlines())).encode()).hexdigest()
        names[node] = URIRef(prefix + digest[:32])

    def term(node: Any) -> Any:
        return names.get(node, node) if isinstance(node, BNode) else node

    out = new_graph()
    for s, p, o in graph:
        out.add((term(s), p, term(o)))
    return out


def _atomic_write(path: Path, data: bytes) -> None:
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_bytes(data)
    os.replace(tmp, path)


def _sorted_lines(text: str) -> bytes:
    lines = sorted({line for line in text.splitlines() if line.strip()})
    return ("\n".join(lines) + "\n").encode("utf-8")


def _sort_jsonld(value: Any, ordered: bool = False) -> Any:
    """Order nodes by @id and values by their JSON text, for a stable file — but never the
    members of an RDF list ("@list"), whose order is their meaning."""
    if isinstance(value, dict):
        return {k: _sort_jsonld(v, ordered=k == "@list") for k, v in sorted(value.items())}
    if isinstance(value, list) and ordered:
        return [_sort_jsonld(v) for v in value]
    if isinstance(value, list):
        items = [_sort_jsonld(v) for v in value]
        return sorted(items, key=lambda v: json.dumps(v, sort_keys=True, ensure_ascii=False))
    return value


def _graphs(dataset: Dataset) -> list[Graph]:
    return sorted((g for g in dataset.graphs() if len(g)), key=lambda g: str(g.identifier))


def _nquads(dataset: Dataset) -> bytes:
    """N-Quads, written graph by graph from N-Triples (rdflib's own N-Quads writer goes
    through a deprecated API), then sorted."""
    lines: list[str] = []
    for graph in _graphs(dataset):
        suffix = f" <{graph.identifier}> ."
        lines.extend(line[:-2] + suffix for line in graph.serialize(format="nt").splitlines() if line.strip())
    return _sorted_lines("\n".join(lines))


def union(dataset: Dataset, exclude: set[URIRef]) -> Graph:
    graph = new_graph()
    for g in dataset.graphs():
        if g.identifier not in exclude:
            graph += g
    return graph


def write_dumps(dataset: Dataset, context: dict[str, Any], out: Path, report_graph: URIRef,
                only: Collection[str] | None = None) -> dict[str, str]:
    """Write every dump into ``out`` — or only those named in ``only``, for a failed build (its
    report) or a benchmark (what the server needs) — and return file name → SHA-256."""
    wanted = set(DUMPS) if only is None else set(only)
    if unknown := wanted - set(DUMPS):
        raise ValueError(f"no such dump: {', '.join(sorted(unknown))}")
    out.mkdir(parents=True, exist_ok=True)
    files: dict[str, bytes] = {}
    # the other text dumps are written from the N-Quads
    nquads = _nquads(dataset) if wanted & {"coopld.nq", "coopld.trig", "coopld.ttl", "coopld.nt.gz"} else b""
    if "coopld.nq" in wanted:
        files["coopld.nq"] = nquads
    if wanted & {"coopld.trig", "coopld.ttl", "coopld.nt.gz"}:
        texts = serialize_sorted(nquads, PREFIXES, [str(report_graph)])
        for name, key in (("coopld.trig", "trig"), ("coopld.ttl", "ttl")):
            if name in wanted:
                files[name] = texts[key]
        if "coopld.nt.gz" in wanted:
            files["coopld.nt.gz"] = gzip.compress(texts["nt"], mtime=0)
    if "coopld.jsonld" in wanted:  # rdflib: compacting with the published context is its to do
        data = union(dataset, {report_graph})
        compact = json.loads(data.serialize(format="json-ld", context=context["@context"], auto_compact=True))
        compact = {"@context": context["@context"], **{k: _sort_jsonld(v) for k, v in compact.items() if k != "@context"}}
        files["coopld.jsonld"] = (json.dumps(compact, indent=1, ensure_ascii=False) + "\n").encode("utf-8")
    if "validation-report.ttl" in wanted:
        files["validation-report.ttl"] = dataset.graph(report_graph).serialize(format="turtle").encode("utf-8")
    digests = {}
    for name, blob in files.items():
        _atomic_write(out / name, blob)
        digests[name] = hashlib.sha256(blob).hexdigest()
    return digests
