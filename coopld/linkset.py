"""The verified linkset in mappings/links.toml, as owl:sameAs triples."""

from __future__ import annotations

import tomllib
from collections.abc import Container
from pathlib import Path

from rdflib import Graph, URIRef
from rdflib.namespace import OWL

from coopld.errors import MappingError
from coopld.mapping import new_graph

WIKIDATA = "http://www.wikidata.org/entity/"
GEONAMES = "https://sws.geonames.org/"


def load_links(mappings_dir: Path, id_base: str, present: Container[URIRef]) -> Graph:
    """sameAs links for the resources in ``present``; entries without a verifier are refused."""
    path = mappings_dir / "links.toml"
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise MappingError(f"cannot read the linkset: {exc}", path=path) from exc
    graph = new_graph()
    for i, entry in enumerate(data.get("links", []), start=1):
        resource = entry.get("resource")
        if not isinstance(resource, str) or not entry.get("verified_by"):
            raise MappingError(f"links entry {i}: 'resource' and 'verified_by' are required", path=path)
        subject = URIRef(id_base + resource)
        if subject not in present:
            continue
        if entry.get("wikidata"):
            graph.add((subject, OWL.sameAs, URIRef(WIKIDATA + str(entry["wikidata"]))))
        if entry.get("geonames"):
            graph.add((subject, OWL.sameAs, URIRef(f"{GEONAMES}{entry['geonames']}/")))
    return graph
