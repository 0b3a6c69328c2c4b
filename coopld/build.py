"""``coopld build``: articles → records → RDF → inference and validation → dumps and store.

Each article is read, extracted (or its hand-corrected record kept), mapped, closed under
OWL RL and validated on its own, in a worker process under a time limit, so the cost grows
with the number of articles and one bad article cannot stop the others; an article that
cannot be used keeps the data of the last good build. The dataset is published as a new
generation (``coopld.publish``) only when no article breaks a shape; otherwise only the
validation report is kept, under ``rejected/``, and the generation being served stays.
"""

from __future__ import annotations

import json
import os
import sys
import time
from collections.abc import Callable, Collection, Iterator
from concurrent.futures import Future, as_completed
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from pebble import ProcessExpired, ProcessPool
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
from coopld.publish import Publisher, checkpoint
from coopld.records import sync_record
from coopld.resources import Resources, load_resources
from coopld.series import series
from coopld.store import write_store
from coopld.validate import Report, merge_reports, summarise, validate
from coopld.vocab import COOP


@dataclass
class ArticleResult:
    """What became of one article; graphs travel as N-Triples between processes, and are kept
    in the generation (``parts/<key>.json``) so a later build can fall back on them."""

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
    #: the generation whose data of this article were kept because this build could not use it
    kept_from: str | None = None

    def keep_report(self, report: Report) -> None:
        self.report = report.graph.serialize(format="nt")
        self.violations, self.warnings, self.messages = report.violations, report.warnings, report.messages

    @property
    def usable(self) -> bool:
        """Whether the article has data to publish: built now, or kept from the last good build."""
        return self.error is None or self.kept_from is not None

    def to_json(self) -> dict[str, Any]:
        return {**asdict(self), "path": str(self.path)}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> ArticleResult:
        return cls(**{**data, "path": Path(data["path"])})


def map_and_check(record: dict[str, Any], res: Resources, source: Path | None = None) -> tuple[Graph, Graph, Report]:
    """A record's triples, what OWL RL infers from them with the ontology, and the SHACL report
    on both: one article's graph is checked on its own, so a build grows linearly."""
    asserted = record_to_graph(record, res.context, res.settings.id_base, source=source)
    inferred = res.reasoner.infer(asserted)
    return asserted, inferred, validate(asserted + inferred + res.vocabularies, res.shapes)


def process_article(path: Path, res: Resources, records_dir: Path) -> ArticleResult:
    """One article end to end; a problem with it becomes its result's error, never an exit."""
    result = ArticleResult(path, article_key(path))
    settings = res.settings
    try:
        article = read_article(path, max_bytes=settings.max_article_bytes, max_lines=settings.max_article_lines)
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
    if _WORKER is None or _WORKER.settings != settings:  # a forked worker already has them
        _WORKER = load_resources(settings)


def _work(path: Path, records_dir: Path) -> ArticleResult:
    assert _WORKER is not None
    return process_article(path, _WORKER, records_dir)


def run_articles(paths: list[Path], res: Resources, jobs: int) -> Iterator[ArticleResult]:
    """Every article's result as it finishes. Each article runs in a worker process under the
    time limit, so an article that hangs the extractor is stopped and named, and the others are
    built all the same."""
    global _WORKER
    settings = res.settings
    _WORKER = res  # forked workers start with the resources loaded here
    pool = ProcessPool(max_workers=max(1, jobs), initializer=_init_worker, initargs=(settings,))
    try:
        futures: dict[Future[ArticleResult], Path] = {
            pool.schedule(_work, args=(path, settings.records), timeout=settings.article_timeout): path
            for path in paths}
        for future in as_completed(futures):
            yield _outcome(future, futures[future], settings)
    finally:  # also when the build is interrupted: no article goes on in the background
        pool.stop()  # type: ignore[no-untyped-call]
        pool.join()


def _outcome(future: Future[ArticleResult], path: Path, settings: Settings) -> ArticleResult:
    try:
        return future.result()
    except FutureTimeout:
        reason = (f"stopped after {settings.article_timeout:g} s (setting article_timeout); "
                  "the article is too long or too unusual for the extractor")
    except ProcessExpired as exc:
        reason = f"the worker building it died (exit code {exc.exitcode}), most likely for want of memory"
    except Exception as exc:  # a bug of ours: name the article rather than lose the build
        reason = f"could not be built: {type(exc).__name__}: {exc}"
    return ArticleResult(path, article_key(path), error=f"{path}: {reason}")


@dataclass
class BuildResult:
    articles: list[ArticleResult]
    report: Report
    out: Path
    files: dict[str, str] = field(default_factory=dict)
    counts: dict[str, int] = field(default_factory=dict)
    written: bool = False
    #: the generation folder published, or the rejected report when the shapes stopped the build
    generation: Path | None = None
    rejected: Path | None = None
    #: why nothing at all was published (no article could be used)
    refused: str | None = None

    @property
    def errors(self) -> list[str]:
        return [a.error for a in self.articles if a.error]

    @property
    def notices(self) -> list[str]:
        return [a.notice for a in self.articles if a.notice]

    @property
    def kept(self) -> list[ArticleResult]:
        return [a for a in self.articles if a.kept_from]

    @property
    def exit_code(self) -> int:
        if self.report.violations:
            return 1
        return 2 if self.errors or self.refused else 0


class Progress:
    """Articles done so far: a bar on a terminal, and a line every few seconds elsewhere (a log,
    CI, a pipe), so a long build is never silent."""

    def __init__(self, total: int, enabled: bool, every: float = 5.0) -> None:
        self.total, self.enabled, self.every = total, enabled, every
        self.done = self.failed = 0
        self.started = self._last = time.monotonic()
        self._bar = tqdm(total=total, desc="articles", unit="article") if enabled and sys.stderr.isatty() else None

    def update(self, result: ArticleResult) -> None:
        self.done += 1
        self.failed += result.error is not None
        if self._bar is not None:
            self._bar.update()
        elif self.enabled and (time.monotonic() - self._last >= self.every or self.done == self.total):
            self._last = time.monotonic()
            print(f"coopld build: {self.done}/{self.total} articles done, {self.failed} failed, "
                  f"{self._last - self.started:.1f} s", file=sys.stderr, flush=True)

    def close(self) -> None:
        if self._bar is not None:
            self._bar.close()


def build(settings: Settings, *, jobs: int = 1, progress: bool = True,
          on_result: Callable[[ArticleResult], None] | None = None) -> BuildResult:
    """Build the dataset from ``settings.articles`` and publish it as a new generation of
    ``settings.out``; the generation being served changes only if the whole build is good."""
    res = load_resources(settings)
    paths = article_paths(settings.articles)
    settings.out.mkdir(parents=True, exist_ok=True)
    with Publisher(settings.out) as publisher:
        parts = publisher.staging / "parts"
        parts.mkdir()
        results: list[ArticleResult] = []
        bar = Progress(len(paths), progress)
        try:
            for result in run_articles(paths, res, jobs):
                if result.error:
                    result = _last_good(result, publisher.previous)
                if result.usable:  # kept as it finishes: this build's work is on disk, not in memory only
                    (parts / f"{result.key}.json").write_text(json.dumps(result.to_json()), encoding="utf-8")
                    checkpoint("articles")
                results.append(result)
                bar.update(result)
                if on_result:
                    on_result(result)
        finally:
            bar.close()
        results.sort(key=lambda r: r.path.name)
        if not any(r.usable for r in results):  # publishing nothing would hide the last good dataset
            empty = merge_reports([], URIRef(settings.graph_base + "validation-report#report"))
            outcome = BuildResult(results, empty, settings.out)
            outcome.refused = (f"{settings.articles}: no article could be built; nothing was published" if results
                               else f"{settings.articles}: no *.txt article in this folder; nothing was published")
            return outcome
        dataset, report = assemble(results, res)
        outcome = BuildResult(results, report, settings.out)
        if report.violations:
            report_text = dataset.graph(graph_iri(settings, "validation-report")).serialize(format="turtle")
            outcome.rejected = publisher.reject("validation-report.ttl", report_text.encode("utf-8"))
            return outcome
        publish_dataset(outcome, dataset, res, publisher)
    return outcome


def _last_good(result: ArticleResult, previous: Path | None) -> ArticleResult:
    """An article this build could not use keeps what the last good build made of it, and says so."""
    part = previous / "parts" / f"{result.key}.json" if previous is not None else None
    if part is None or not part.is_file():
        return result
    try:
        kept = ArticleResult.from_json(json.loads(part.read_text(encoding="utf-8")))
    except (OSError, ValueError, TypeError, KeyError):
        return result
    assert previous is not None
    kept.path, kept.error, kept.kept_from = result.path, result.error, previous.name
    kept.notice = (f"{result.path}: kept the data of the last good build ({previous.name}) "
                   "until the article or its record can be read again")
    return kept


def publish_dataset(outcome: BuildResult, dataset: Dataset, res: Resources, publisher: Publisher,
                    only: Collection[str] | None = None) -> None:
    """Dumps, store and listing into the staging generation, then the switch."""
    staging, settings = publisher.staging, res.settings
    outcome.files = write_dumps(dataset, res.context, staging, graph_iri(settings, "validation-report"), only=only)
    checkpoint("dumps")
    outcome.counts = count(dataset, settings)
    outcome.counts["quads_in_store"] = write_store(staging / "coopld.nq", staging / "store")
    checkpoint("store")
    write_summary(outcome, settings, staging)
    checkpoint("listing")
    outcome.generation = publisher.commit()
    outcome.written = True


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
        if not result.usable:
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


def write_summary(outcome: BuildResult, settings: Settings, folder: Path) -> None:
    """``build.json``: what was built from what, for the server's download page and for people."""
    summary = {
        "base_iri": settings.base_iri,
        "counts": outcome.counts,
        "articles": [{"file": a.path.name, "key": a.key, "record_corrected_by_hand": a.record_status.startswith("curated"),
                      "warnings": a.warnings, **({"kept_from": a.kept_from, "error": a.error} if a.kept_from else {})}
                     for a in outcome.articles if a.usable],
        "failed": [{"file": a.path.name, "error": a.error} for a in outcome.articles if not a.usable],
        "dumps": {name: {"sha256": digest, "bytes": os.path.getsize(folder / name),
                         "media_type": DUMPS[name][0], "description": DUMPS[name][1]}
                  for name, digest in sorted(outcome.files.items())},
    }
    (folder / "build.json").write_text(json.dumps(summary, indent=2) + "\n", encoding="utf-8")
