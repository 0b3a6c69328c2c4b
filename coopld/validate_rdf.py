"""``coopld validate FILE…``: any RDF a user has, checked against the coopld shapes after
OWL RL inference with the coopld ontology, exactly as a build checks each article.

owl:sameAs links to other datasets are set aside first: under OWL RL they make every name of
a thing (ours, Wikidata's, GeoNames') a value of its properties, and SHACL would count
"Hanoi lies in Vietnam, in wd:Q881 and in GeoNames 1562822" as three countries. A build
validates before it adds its linkset for the same reason.
"""

from __future__ import annotations

import json
from pathlib import Path

from rdflib import Graph
from rdflib.namespace import OWL

from coopld.build_inputs import Resources, load_resources
from coopld.config import Settings
from coopld.extract.record import CONTEXT_IRI
from coopld.mapping import new_graph, record_to_graph
from coopld.records import load_record
from coopld.shacl import Report, read_rdf


def _is_record(path: Path) -> bool:
    """Whether the file is a coopld record (JSON whose ``@context`` is coopld's)."""
    if path.suffix.lower() not in (".json", ".jsonld"):
        return False
    try:
        document = json.loads(path.read_bytes())
    except (OSError, ValueError):
        return False  # read_rdf says what is wrong with it
    return isinstance(document, dict) and document.get("@context") == CONTEXT_IRI


def _read(path: Path, res: Resources) -> Graph:
    """A record is mapped as a build maps it, with the local context (its ``@context`` names
    the published one, which would be fetched from the web); any other file read as RDF."""
    if _is_record(path):
        return record_to_graph(load_record(path), res.context, res.settings.id_base, source=path)
    return read_rdf(path)


def validate_files(settings: Settings, files: list[Path]) -> Report:
    res = load_resources(settings)
    data = new_graph()
    for path in files:
        data += _read(path, res)
    data.remove((None, OWL.sameAs, None))
    inferred = res.reasoner.infer(data)
    return res.shapes.check(data, inferred)
