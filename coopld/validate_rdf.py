"""``coopld validate FILE…``: any RDF a user has, checked against the coopld shapes after
OWL RL inference with the coopld ontology, exactly as a build checks each article.

owl:sameAs links to other datasets are set aside first: under OWL RL they make every name of
a thing (ours, Wikidata's, GeoNames') a value of its properties, and SHACL would count
"Hanoi lies in Vietnam, in wd:Q881 and in GeoNames 1562822" as three countries. A build
validates before it adds its linkset for the same reason.
"""

from __future__ import annotations

from pathlib import Path

from rdflib.namespace import OWL

from coopld.build_inputs import load_resources
from coopld.config import Settings
from coopld.mapping import new_graph
from coopld.shacl import Report, read_rdf


def validate_files(settings: Settings, files: list[Path]) -> Report:
    res = load_resources(settings)
    data = new_graph()
    for path in files:
        data += read_rdf(path)
    data.remove((None, OWL.sameAs, None))
    inferred = res.reasoner.infer(data)
    return res.shapes.check(data, inferred)
