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
from pathlib import Path
from typing import Any

from rdflib import BNode, Dataset, Graph, URIRef
from rdflib.compare import to_canonical_graph

from coopld.mapping import new_graph
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
    """Replace blank nodes by IRIs that depend only on the graph's content (via rdflib's
    canonical labelling), so that a rebuild yields the same IRIs."""
    canonical = to_canonical_graph(graph)
    out = new_graph()

    def term(node: Any) -> Any:
        return URIRef(f"{prefix}{node}") if isinstance(node, BNode) else node

    for s, p, o in canonical:
        out.add((term(s), p, term(o)))
    return out


def _atomic_write(path: Path, data: bytes) -> None:
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_bytes(data)
    os.replace(tmp, path)


def _sorted_lines(text: str) -> bytes:
    lines = sorted({line for line in text.splitlines() if line.strip()})
    return ("\n".join(lines) + "\n").encode("utf-8")


def _sort_jsonld(value: Any) -> Any:
    """Order nodes by @id and values by their JSON text, for a stable file."""
    if isinstance(value, dict):
        return {k: _sort_jsonld(v) for k, v in sorted(value.items())}
    if isinstance(value, list):
        items = [_sort_jsonld(v) for v in value]
        return sorted(items, key=lambda v: json.dumps(v, sort_keys=True, ensure_ascii=False))
    return value


def _trig(dataset: Dataset) -> bytes:
    """TriG with the graphs in name order (rdflib writes them in hash order)."""
    header = "".join(f"@prefix {p}: <{iri}> .\n" for p, iri in sorted(PREFIXES.items()))
    blocks = []
    for graph in sorted(dataset.graphs(), key=lambda g: str(g.identifier)):
        if len(graph) == 0:
            continue
        single = Dataset()
        for prefix, iri in PREFIXES.items():
            single.bind(prefix, iri, replace=True)
        single.graph(graph.identifier).__iadd__(graph)
        text = single.serialize(format="trig")
        blocks.append("\n".join(line for line in text.splitlines() if not line.startswith("@prefix")).strip())
    return (header + "\n" + "\n\n".join(blocks) + "\n").encode("utf-8")


def union(dataset: Dataset, exclude: set[URIRef]) -> Graph:
    graph = new_graph()
    for g in dataset.graphs():
        if g.identifier not in exclude:
            graph += g
    return graph


def write_dumps(dataset: Dataset, context: dict[str, Any], out: Path, report_graph: URIRef) -> dict[str, str]:
    """Write every dump into ``out``; return file name → SHA-256."""
    out.mkdir(parents=True, exist_ok=True)
    for prefix, iri in PREFIXES.items():
        dataset.bind(prefix, iri, replace=True)
    files: dict[str, bytes] = {}
    files["coopld.nq"] = _sorted_lines(dataset.serialize(format="nquads"))
    files["coopld.trig"] = _trig(dataset)
    data = union(dataset, {report_graph})
    files["coopld.ttl"] = data.serialize(format="turtle").encode("utf-8")
    files["coopld.nt.gz"] = gzip.compress(_sorted_lines(data.serialize(format="nt")), mtime=0)
    compact = json.loads(data.serialize(format="json-ld", context=context["@context"], auto_compact=True))
    compact = {"@context": context["@context"], **{k: _sort_jsonld(v) for k, v in compact.items() if k != "@context"}}
    files["coopld.jsonld"] = (json.dumps(compact, indent=1, ensure_ascii=False) + "\n").encode("utf-8")
    report = dataset.graph(report_graph)
    files["validation-report.ttl"] = report.serialize(format="turtle").encode("utf-8")
    digests = {}
    for name, blob in files.items():
        _atomic_write(out / name, blob)
        digests[name] = hashlib.sha256(blob).hexdigest()
    return digests
