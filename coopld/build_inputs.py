"""What a build or a check reads once: mappings, ontology, vocabularies, shapes, reasoner."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rdflib import Graph
from rdflib.compare import to_canonical_graph

from coopld.config import Settings
from coopld.errors import CoopldError
from coopld.extract import load_lexicon
from coopld.extract.lexicon import Lexicon
from coopld.infer import OwlrlReasoner, Reasoner
from coopld.mapping import load_context, new_graph
from coopld.shacl import ArticleShapes, load_shapes


@dataclass
class Resources:
    """Everything a build reads once: mappings, ontology, vocabularies, shapes."""

    settings: Settings
    lexicon: Lexicon
    context: dict[str, Any]
    ontology: Graph
    vocabularies: Graph
    shapes: ArticleShapes
    reasoner: Reasoner | OwlrlReasoner


def _parse_all(paths: list[Path]) -> Graph:
    """The files' triples, with blank nodes (the ontology's RDF lists) relabelled from their
    content, so that they carry the same labels in every build's dumps."""
    graph = Graph()
    for path in paths:
        try:
            graph.parse(path, format="turtle")
        except Exception as exc:  # any parser error means a broken vocabulary file
            raise CoopldError(f"cannot parse: {exc}", path=path) from exc
    stable = new_graph()
    stable += to_canonical_graph(graph)
    return stable


def load_resources(settings: Settings) -> Resources:
    vocab_dir = settings.ontology_dir / "vocab"
    ontology = _parse_all([settings.ontology_dir / "coopld.ttl"])
    vocabularies = _parse_all(sorted(vocab_dir.glob("*.ttl")))
    # settings.check() has refused any other name; owlrl is the reference the rules are tested against
    reasoner = OwlrlReasoner(ontology, vocabularies) if settings.reasoner == "owlrl" else Reasoner(ontology, vocabularies)
    shapes = ArticleShapes(load_shapes(settings.shapes_dir), vocabularies, reasoner.infer(vocabularies), source=vocab_dir)
    return Resources(settings, load_lexicon(settings.mappings_dir, vocab_dir), load_context(settings.mappings_dir),
                     ontology, vocabularies, shapes, reasoner)


