"""``coopld validate FILE…``: any RDF a user has, checked against the coopld shapes after
OWL RL inference with the coopld ontology, exactly as a build checks each article."""

from __future__ import annotations

from pathlib import Path

from coopld.config import Settings
from coopld.mapping import new_graph
from coopld.resources import load_resources
from coopld.validate import Report, read_rdf, validate


def validate_files(settings: Settings, files: list[Path]) -> Report:
    res = load_resources(settings)
    data = new_graph()
    for path in files:
        data += read_rdf(path)
    inferred = res.reasoner.infer(data)
    return validate(data + inferred + res.vocabularies, res.shapes)
