"""The validation report a build publishes — each article validated on its own, with what was
inferred from it, and the results named and merged (``coopld.spool``) — against the results
pySHACL gives when it validates the whole dataset at once: the same on the seed articles; on
generated ones no result the whole graph does not have, but not all of its results (the strict
xfail says which are missing and why). Results are compared by content (focus node, path, severity, constraint
component, shape, value, message), a nested node by what is said of it, since the build names
its blank nodes and pySHACL does not."""

from __future__ import annotations

import itertools
import os
from pathlib import Path
from typing import Any

import pytest
from rdflib import Dataset, Graph, URIRef
from rdflib.namespace import RDF, SH

from coopld.build import ArticleResult, map_and_check
from coopld.build_inputs import Resources, load_resources
from coopld.config import load_settings
from coopld.conflicts import agreement_classes
from coopld.mapping import record_to_graph
from coopld.shacl import validate
from coopld.spool import Spool, triples
from tests.conftest import Built

# one worker runs this module, so that its generated articles are validated once (bin/test
# distributes with --dist loadgroup)
pytestmark = pytest.mark.xdist_group("validation-whole")

#: generated articles validated both ways (COOPLD_VALIDATION_SAMPLE; the whole-graph run is the slow side)
GENERATED = int(os.environ.get("COOPLD_VALIDATION_SAMPLE", "60"))
FIELDS = (SH.focusNode, SH.resultPath, SH.resultSeverity, SH.sourceConstraintComponent, SH.sourceShape, SH.value,
          SH.resultMessage)


@pytest.fixture(scope="module")
def res() -> Resources:
    return load_resources(load_settings())


def _content(graph: Graph, node: Any, seen: frozenset[Any] = frozenset()) -> Any:
    said = sorted(graph.predicate_objects(node), key=str) if node is not None and node not in seen else []
    if not said:
        return None if node is None else str(node)
    return tuple((str(p), _content(graph, o, seen | {node})) for p, o in said)


def results(report: Graph) -> set[tuple[Any, ...]]:
    return {tuple(_content(report, report.value(r, f)) for f in FIELDS)
            for r in set(report.subjects(RDF.type, SH.ValidationResult))}


def whole_graph(data: Graph, res: Resources) -> set[tuple[Any, ...]]:
    """pySHACL over the whole dataset: every article's triples, their closure, the vocabularies."""
    return results(validate(data + res.reasoner.infer(data) + res.vocabularies, res.shapes.shapes).graph)


def test_the_seeds_report_is_whole_graph_pyshacls(seeds: Built, res: Resources) -> None:
    published = results(Graph().parse(seeds.settings.out / "validation-report.ttl", format="turtle"))
    dataset = Dataset()
    dataset.parse(seeds.settings.out / "coopld.trig", format="trig")
    data = Graph()
    for graph in dataset.graphs():
        if "/graph/article/" in str(graph.identifier):
            data += graph
    expected = whole_graph(data, res)
    assert published == expected
    assert len(published) == seeds.result.counts["warnings"] > 0, "the seeds have warnings to compare"


@pytest.fixture(scope="module")
def generated(res: Resources, tmp_path_factory: pytest.TempPathFactory) -> tuple[set[tuple[Any, ...]], set[tuple[Any, ...]]]:
    """Generated articles: the results as the build publishes them, and whole-graph pySHACL's."""
    from bench.generate import Params, records

    spool = Spool(tmp_path_factory.mktemp("validation") / "spool", res.settings, agreement_classes(res.ontology))
    data = Graph()
    for stem, record in itertools.islice(records(Params(events=5 * GENERATED)), GENERATED):
        asserted, inferred, report = map_and_check(record, res)
        result = ArticleResult(Path(f"{stem}.txt"), stem, asserted=asserted.serialize(format="nt"),
                               inferred=inferred.serialize(format="nt"))
        result.keep_report(report)
        spool.add(result)
        data += record_to_graph(record, res.context, res.settings.id_base)
    spool.close()
    with spool.report.open("rb") as lines:
        published = Graph().parse(data=b"".join(triples(lines)).decode("utf-8"), format="nt")
    assert published.value(URIRef(f"{spool.report_graph}#report"), SH.conforms) is not None
    return results(published), whole_graph(data, res)


def test_generated_articles_report_no_result_whole_graph_pyshacl_does_not(
        generated: tuple[set[tuple[Any, ...]], set[tuple[Any, ...]]]) -> None:
    published, expected = generated
    assert published and published <= expected


@pytest.mark.xfail(reason="a statement of one article that clashes with another's breaks a shape only in the whole "
                          "graph (an agreement planned in one report and signed in a later one has two coop:status "
                          "values; 122 such violations in 60 generated articles); the build validates article by article",
                   strict=True)
def test_generated_articles_report_is_whole_graph_pyshacls(
        generated: tuple[set[tuple[Any, ...]], set[tuple[Any, ...]]]) -> None:
    published, expected = generated
    assert published == expected
