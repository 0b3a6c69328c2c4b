"""``coopld build``: articles → records → RDF → inference and validation → dumps and store.

Each article is read, extracted (or its hand-corrected record kept), mapped, closed under
OWL RL and validated on its own, so the cost grows with the number of articles and one bad
article cannot stop the others. The dataset is written only when no article breaks a
shape; otherwise only the validation report is written and the previous build stays.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rdflib import Dataset, Graph, URIRef
from rdflib.namespace import PROV, RDF, SH
from tqdm import tqdm

from coopld import iris
from coopld.articles import article_key, article_paths, read_article
from coopld.config import Settings
from coopld.dumps import DUMPS, skolemize, write_dumps
from coopld.errors import CoopldError
from coopld.extract import Extractor
from coopld.links import load_links
from coopld.mapping import record_to_graph
from coopld.records import sync_record
from coopld.resources import Resources, load_resources
from coopld.series import series
from coopld.store import write_store
from coopld.validate import Report, merge_reports, summarise, validate
from coopld.vocab import COOP


@dataclass
class ArticleResult:
    """What became of one article; graphs travel as N-Triples between processes."""

    path: Path
    key: str
    record_status: str = ""
    notice: str | None = None
    error: str | None = None
    asserted: str = ""
    inferred: str = ""
    report: str = ""
    violations: int = 0
    warnings: int = 0
    messages: list[str] = field(default_factory=list)

    def keep_report(self, report: Report) -> None:
        self.report = report.graph.serialize(format="nt")
        self.violations, self.warnings, self.messages = report.violations, report.warnings, report.messages


def map_and_check(record: dict[str, Any], res: Resources, source: Path | None = None) -> tuple[Graph, Graph, Report]:
    """A record's triples, what OWL RL infers from them with the ontology, and the SHACL report
    on both: one article's graph is checked on its own, so a build grows linearly."""
    asserted = record_to_graph(record, res.context, res.settings.id_base, source=source)
    inferred = res.reasoner.infer(asserted)
    return asserted, inferred, validate(asserted + inferred + res.vocabularies, res.shapes)


def process_article(path: Path, res: Resources, records_dir: Path) -> ArticleResult:
    """One article end to end; a problem with it becomes its result's error, never an exit."""
    result = ArticleResult(path, article_key(path))
    try:
        article = read_article(path)
        extractor = Extractor(res.lexicon)
        synced = sync_record(article, records_dir, lambda a: _record(extractor, a))
        result.record_status, result.notice = synced.status, synced.notice
        asserted, inferred, report = map_and_check(synced.record, res, source=synced.path)
    except CoopldError as exc:
        result.error = exc.message
        return result
    result.asserted = asserted.serialize(format="nt")
    result.inferred = inferred.serialize(format="nt")
    result.keep_report(report)
    return result


def _record(extractor: Extractor, article: Any) -> dict[str, Any]:
    from coopld.extract.record import to_record

    return to_record(extractor.run(article))


_WORKER: Resources | None = None


def _init_worker(settings: Settings) -> None:
    global _WORKER
    _WORKER = load_resources(settings)


def _work(args: tuple[Path, Path]) -> ArticleResult:
    assert _WORKER is not None
    return process_article(args[0], _WORKER, args[1])


@dataclass
class BuildResult:
    articles: list[ArticleResult]
    report: Report
    out: Path
    files: dict[str, str] = field(default_factory=dict)
    counts: dict[str, int] = field(default_factory=dict)
    written: bool = False

    @property
    def errors(self) -> list[str]:
        return [a.error for a in self.articles if a.error]

    @property
    def notices(self) -> list[str]:
        return [a.notice for a in self.articles if a.notice]

    @property
    def exit_code(self) -> int:
        if self.report.violations:
            return 1
        return 2 if self.errors else 0


def build(settings: Settings, *, jobs: int = 1, progress: bool = True,
          on_result: Callable[[ArticleResult], None] | None = None) -> BuildResult:
    """Build the dataset from ``settings.articles`` into ``settings.out``."""
    res = load_resources(settings)
    paths = article_paths(settings.articles)
    results: list[ArticleResult] = []
    bar = tqdm(total=len(paths), desc="articles", unit="article", disable=None if progress else True)
    if jobs > 1 and len(paths) > 1:
        with ProcessPoolExecutor(max_workers=jobs, initializer=_init_worker, initargs=(settings,)) as pool:
            for result in pool.map(_work, [(p, settings.records) for p in paths]):
                results.append(result)
                bar.update()
    else:
        for path in paths:
            results.append(process_article(path, res, settings.records))
            bar.update()
    bar.close()
    for result in results:
        if on_result:
            on_result(result)
    dataset, report = assemble(results, res)
    outcome = BuildResult(results, report, settings.out)
    settings.out.mkdir(parents=True, exist_ok=True)
    if report.violations:
        write_dumps(dataset, res.context, settings.out, graph_iri(settings, "validation-report"),
                    only={"validation-report.ttl"})
        return outcome
    outcome.files = write_dumps(dataset, res.context, settings.out, graph_iri(settings, "validation-report"))
    outcome.counts = count(dataset, settings)
    outcome.counts["quads_in_store"] = write_store(settings.out / "coopld.nq", settings.out / "store")
    write_summary(outcome, settings)
    outcome.written = True
    return outcome


def graph_iri(settings: Settings, name: str) -> URIRef:
    """The IRI of one of the build's shared named graphs (ontology, inferred, validation-report, …)."""
    return URIRef(settings.graph_base + name)


def article_graph(settings: Settings, key: str) -> URIRef:
    return URIRef(settings.graph_base + iris.article(key))


def assemble(results: list[ArticleResult], res: Resources) -> tuple[Dataset, Report]:
    """One dataset: a graph per article, and the shared graphs."""
    settings = res.settings
    dataset = Dataset()
    inferred = dataset.graph(graph_iri(settings, "inferred"))
    reports: list[Report] = []
    present: set[URIRef] = set()
    articles: list[Graph] = []
    for result in results:
        if result.error:
            continue
        graph = dataset.graph(article_graph(settings, result.key))
        articles.append(graph)
        graph.parse(data=result.asserted, format="nt")
        # the graph's provenance: everything in it was read from that article
        graph.add((graph.identifier, PROV.wasDerivedFrom, URIRef(settings.id_base + iris.article(result.key))))
        inferred.parse(data=result.inferred, format="nt")
        present.update(s for s in graph.subjects() if isinstance(s, URIRef))
        report_graph = Graph().parse(data=result.report, format="nt")
        reports.append(summarise(report_graph, True))
    dataset.graph(graph_iri(settings, "ontology")).__iadd__(res.ontology)
    dataset.graph(graph_iri(settings, "vocabulary")).__iadd__(res.vocabularies)
    dataset.graph(graph_iri(settings, "links")).__iadd__(load_links(settings.mappings_dir, settings.id_base, present))
    dataset.graph(graph_iri(settings, "series")).__iadd__(series(articles))
    merged = merge_reports(reports, URIRef(settings.graph_base + "validation-report#report"))
    report_graph = dataset.graph(graph_iri(settings, "validation-report"))
    report_graph += skolemize(merged.graph, settings.graph_base + "validation-report#")
    merged.graph = report_graph
    return dataset, merged


def count(dataset: Dataset, settings: Settings) -> dict[str, int]:
    """The numbers a build reports: triples per kind of graph, resources per class."""
    data = [g for g in dataset.graphs() if str(g.identifier).startswith(settings.graph_base + "article/")]
    inferred = dataset.graph(graph_iri(settings, "inferred"))
    counts = {"articles": len(data), "asserted_triples": sum(len(g) for g in data), "inferred_triples": len(inferred)}
    # one scan per class over the whole dataset: asking each of thousands of article graphs in
    # turn costs rdflib's memory store a scan of every graph's typings each time
    counted = {g.identifier for g in data} | {inferred.identifier}
    for name, cls in (("events", COOP.CooperationEvent), ("participations", COOP.Participation),
                      ("agreements", COOP.Agreement), ("persons", URIRef("http://xmlns.com/foaf/0.1/Person")),
                      ("organizations", URIRef("http://www.w3.org/ns/org#Organization"))):
        members = {s for s, _p, _o, g in dataset.quads((None, RDF.type, cls, None)) if g in counted}
        counts[name] = len(members)
    report = dataset.graph(graph_iri(settings, "validation-report"))
    counts["warnings"] = sum(1 for r in report.subjects(SH.resultSeverity, SH.Warning))
    return counts


def write_summary(outcome: BuildResult, settings: Settings) -> None:
    """``build.json``: what was built from what, for the server's download page and for people."""
    summary = {
        "base_iri": settings.base_iri,
        "counts": outcome.counts,
        "articles": [{"file": a.path.name, "key": a.key, "record_corrected_by_hand": a.record_status.startswith("curated"),
                      "warnings": a.warnings} for a in outcome.articles if not a.error],
        "failed": [{"file": a.path.name, "error": a.error} for a in outcome.articles if a.error],
        "dumps": {name: {"sha256": digest, "bytes": os.path.getsize(settings.out / name),
                         "media_type": DUMPS[name][0], "description": DUMPS[name][1]}
                  for name, digest in sorted(outcome.files.items())},
    }
    (settings.out / "build.json").write_text(json.dumps(summary, indent=2) + "\n", encoding="utf-8")
