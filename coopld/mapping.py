"""Records to RDF through the JSON-LD context in mappings/context.jsonld — the same context
the JSON-LD download is compacted with — so the mapping is declarative: change a term there
and both the graph and the download follow."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from rdflib import Graph

from coopld.errors import MappingError, RecordError
from coopld.vocab import PREFIXES


def load_context(mappings_dir: Path) -> dict[str, Any]:
    """The published context document (``{"@context": {...}}``)."""
    path = mappings_dir / "context.jsonld"
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise MappingError(f"cannot read the JSON-LD context: {exc}", path=path) from exc
    if not isinstance(data, dict) or not isinstance(data.get("@context"), dict):
        raise MappingError("the file must hold one object with an '@context' object", path=path)
    return data


def new_graph(identifier: str | None = None) -> Graph:
    graph = Graph(identifier=identifier) if identifier else Graph()
    for prefix, iri in PREFIXES.items():
        graph.bind(prefix, iri, replace=True)
    return graph


def record_to_graph(record: dict[str, Any], context: dict[str, Any], id_base: str,
                    *, source: Path | None = None) -> Graph:
    """The record's triples; relative IRIs resolve against ``id_base`` (``<base>id/``)."""
    document = {**record, "@context": context["@context"]}
    graph = new_graph()
    try:
        graph.parse(data=json.dumps(document), format="json-ld", base=id_base)
    except Exception as exc:  # the JSON-LD processor raises many types; each means a bad record
        raise RecordError(f"not a valid JSON-LD record: {exc}", path=source) from exc
    if len(graph) == 0:
        raise RecordError("the record yields no triples", path=source)
    return graph
