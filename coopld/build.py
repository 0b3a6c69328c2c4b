"""``coopld build``: articles → records → RDF → inference and validation → dumps and store.

Each article is read, extracted (or its hand-corrected record kept), mapped, closed under
OWL RL and validated on its own, in a worker process under a time limit, so the cost grows
with the number of articles and one bad article cannot stop the others; an article that
cannot be used keeps the data of the last good build. The dataset is published as a new
generation (``coopld.publish``) only when no article breaks a shape; otherwise only the
validation report is kept, under ``rejected/``, and the generation being served stays.

Each article's statements are written to disk as it finishes (``coopld.spool``), and the store
and the dumps are made from there, so memory does not grow with the corpus. Where the articles
meet, the build refuses to merge two records' resources of one IRI whose single-valued facts
clash (``coopld.conflicts``): that IRI would stand for two things. It raises ``ConflictError``
naming both records and publishes nothing. The review notes of every record (what the extractor
could not settle) are listed in the result and build.json.
"""

from __future__ import annotations

import itertools
import json
import os
import shutil
import sys
import time
from collections.abc import Callable, Collection, Iterable, Iterator
from concurrent.futures import Future, as_completed
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import asdict, dataclass, field, replace
from functools import cache
from pathlib import Path
from typing import Any

from pebble import ProcessExpired, ProcessPool
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDFS
from tqdm import tqdm

from coopld import iris
from coopld.articles import article_key, article_paths, read_article
from coopld.build_inputs import Resources, load_resources
from coopld.cluster import run_on_cluster
from coopld.config import Settings
from coopld.conflicts import agreement_classes
from coopld.digests import article_digest, inputs_digest
from coopld.dumps import DUMPS, Written, write_dumps, write_report
from coopld.errors import ConflictError, CoopldError
from coopld.extract import Extractor
from coopld.linkset import load_links
from coopld.mapping import record_to_graph
from coopld.publish import Publisher, checkpoint
from coopld.records import review_notes, sync_record
from coopld.series import series
from coopld.shacl import Report
from coopld.spool import Spool, nquads, triples
from coopld.store.embedded import StoreWriter
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
    #: the record file the data come from
    record: str = ""
    #: the record's review notes: {"about" (full IRI), "fact", "reason", "reviewed"}
    notes: list[dict[str, Any]] = field(default_factory=list)
    #: what the data depend on (``coopld.digests.article_digest``); "" when not worked out
    digest: str = ""
    #: the generation this article's data were taken from unchanged, its digest being the same
    reused_from: str | None = None

    def keep_report(self, report: Report) -> None:
        self.report = report.graph.serialize(format="nt")
        self.violations, self.warnings, self.messages = report.violations, report.warnings, report.messages

    def light(self) -> ArticleResult:
        """The result without its graphs' text, which the part and the spool hold: what a build
        keeps of each article while the others are built."""
        return replace(self, asserted="", inferred="", report="")

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
    return asserted, inferred, res.shapes.check(asserted, inferred)


def process_article(path: Path, res: Resources, records_dir: Path, inputs: str = "") -> ArticleResult:
    """One article end to end; a problem with it becomes its result's error, never an exit.
    ``inputs``: the build's :func:`~coopld.digests.inputs_digest`, from which the result's digest
    is made, once the record is as this build leaves it."""
    result = ArticleResult(path, article_key(path))
    settings = res.settings
    try:
        article = read_article(path, max_bytes=settings.max_article_bytes, max_lines=settings.max_article_lines)
        extractor = Extractor(res.lexicon, res.settings.nlp_model)
        synced = sync_record(article, records_dir, lambda a: _record(extractor, a))
        result.record_status, result.notice, result.record = synced.status, synced.notice, str(synced.path)
        asserted, inferred, report = map_and_check(synced.record, res, source=synced.path)
        result.notes = [{**note, "about": _absolute(note["about"], settings.id_base)}
                        for note in review_notes(synced.record)]
        if inputs:
            result.digest = article_digest(inputs, path.read_bytes(), _bytes(synced.path))
    except CoopldError as exc:
        result.error = exc.message
        return result
    result.asserted = asserted.serialize(format="nt")
    result.inferred = inferred.serialize(format="nt")
    result.keep_report(report)
    return result


def _bytes(path: Path) -> bytes | None:
    try:
        return path.read_bytes()
    except FileNotFoundError:
        return None


def _absolute(ref: str, id_base: str) -> str:
    """A record's relative IRI ("agreement/x") as the dataset's IRI."""
    return ref if ":" in ref.split("/", 1)[0] else id_base + ref


def _record(extractor: Extractor, article: Any) -> dict[str, Any]:
    from coopld.extract.record import to_record

    return to_record(extractor.run(article))


_WORKER: Resources | None = None


def _init_worker(settings: Settings) -> None:
    global _WORKER
    if _WORKER is None or _WORKER.settings != settings:  # a forked worker already has them
        _WORKER = load_resources(settings)


def _work(path: Path, records_dir: Path, inputs: str) -> ArticleResult:
    assert _WORKER is not None
    return process_article(path, _WORKER, records_dir, inputs)


#: articles a worker process builds before a fresh one takes its place. A worker's memory grows
#: a little with every article it reads (about 60 KB measured: spaCy's string store and the caches of the
#: libraries it calls), which over a 100,000-article build would be gigabytes; a fresh worker
#: forks from the build's process with the resources already loaded, and costs about a second
WORKER_ARTICLES = 1000


def run_articles(paths: list[Path], res: Resources, jobs: int, inputs: str = "") -> Iterator[ArticleResult]:
    """Every article's result as it finishes. Each article runs in a worker process under the
    time limit, so an article that hangs the extractor is stopped and named, and the others are
    built all the same. A finished article's future is let go as soon as its result is handed
    on: it holds the article's graphs as text, and keeping every one would make the build's
    memory grow with the corpus."""
    global _WORKER
    settings = res.settings
    _WORKER = res  # forked workers start with the resources loaded here
    pool = ProcessPool(max_workers=max(1, jobs), max_tasks=WORKER_ARTICLES, initializer=_init_worker, initargs=(settings,))
    try:
        futures: dict[Future[ArticleResult], Path] = {
            pool.schedule(_work, args=(path, settings.records, inputs), timeout=settings.article_timeout): path
            for path in paths}
        for future in as_completed(futures):
            yield _outcome(future, futures.pop(future), settings)
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
    def reused(self) -> list[ArticleResult]:
        """The articles taken unchanged from the last generation."""
        return [a for a in self.articles if a.reused_from]

    @property
    def kept(self) -> list[ArticleResult]:
        return [a for a in self.articles if a.kept_from]

    @property
    def review_notes(self) -> list[dict[str, Any]]:
        """Every review note of the records built, with its record file and article, in the
        articles' order; ``reviewed`` ones were cleared by a person (see ``coopld.records``)."""
        return [{"record": a.record or str(a.path), "article": a.path.name, **note}
                for a in self.articles if a.usable for note in a.notes]

    @property
    def open_notes(self) -> list[dict[str, Any]]:
        return [n for n in self.review_notes if not n["reviewed"]]

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


def build(settings: Settings, *, jobs: int = 1, progress: bool = True, reuse: bool = True,
          scheduler: str | None = None) -> BuildResult:
    """Build the dataset from ``settings.articles`` and publish it as a new generation of
    ``settings.out``; the generation being served changes only if the whole build is good.
    ``reuse``: an article whose digest is that of its part in the last generation is taken from
    there, not built again (``coopld.digests``). Each article's statements go to the spool as
    it finishes (``coopld.spool``), so memory holds one article's graphs at a time.
    ``scheduler``: the articles are built on that Dask cluster (``coopld.cluster``)."""
    res = load_resources(settings)
    paths = article_paths(settings.articles)
    inputs = inputs_digest(settings)
    settings.out.mkdir(parents=True, exist_ok=True)
    with Publisher(settings.out) as publisher:
        parts = publisher.staging / "parts"
        parts.mkdir()
        spool = Spool(publisher.staging / SPOOL, settings, agreement_classes(res.ontology))
        spool.add_results(Graph() + res.shapes.vocabulary_report.graph)  # warnings the vocabularies give, once
        results: list[ArticleResult] = []
        bar = Progress(len(paths), progress)
        unchanged = _unchanged(paths, publisher.previous, settings.records, inputs) if reuse else {}
        try:
            done = (_reused(path, record, publisher.previous) for path, record in unchanged.items())
            todo = [p for p in paths if p not in unchanged]
            built = (run_on_cluster(todo, settings, inputs, scheduler) if scheduler
                     else run_articles(todo, res, jobs, inputs))
            for result in itertools.chain(done, built):
                if result.error:
                    result = _last_good(result, publisher.previous)
                if result.usable:  # kept as it finishes: this build's work is on disk, not in memory only
                    (parts / f"{result.key}.json").write_text(json.dumps(result.to_json()), encoding="utf-8")
                    checkpoint("articles")
                    spool.add(result)
                results.append(result.light())
                bar.update(result)
        finally:
            bar.close()
        results.sort(key=lambda r: r.path.name)
        report = spool.close()
        for warning in report.warning_list:
            warning["property"] = _property_label(res.ontology, warning["fact"])
        if not any(r.usable for r in results):  # publishing nothing would hide the last good dataset
            outcome = BuildResult(results, report, settings.out)
            outcome.refused = (f"{settings.articles}: no article could be built; nothing was published" if results
                               else f"{settings.articles}: no *.txt article in this folder; nothing was published")
            return outcome
        if spool.conflicts.found:  # where the records meet: one IRI must not stand for two things
            raise ConflictError(sorted(spool.conflicts.found))
        outcome = BuildResult(results, report, settings.out)
        if report.violations:
            text = spool.folder / "validation-report.ttl"
            write_report(spool.report, text, spool.folder / "report")
            outcome.rejected = publisher.reject("validation-report.ttl", text.read_bytes())
            return outcome
        publish_dataset(outcome, spool, res, publisher, jobs=jobs)
    return outcome


def _property_label(ontology: Graph, iri: str) -> str:
    """The property's label in the ontology, in lower case as coopld's own are ("Date Issued", the
    Dublin Core label, -> "date issued"), else its IRI's last part."""
    if not iri:
        return ""
    label = ontology.value(URIRef(iri), RDFS.label)
    if label is None:
        return iri.rstrip("/#").rsplit("#", 1)[-1].rsplit("/", 1)[-1]
    return str(label).lower() if str(label).istitle() else str(label)


#: the staging generation's folder of the build's statements, removed once they are published
SPOOL = ".spool"


def _unchanged(paths: list[Path], previous: Path | None, records_dir: Path, inputs: str) -> dict[Path, str]:
    """The articles whose part in the last generation was built from what they are now (the
    article's bytes, its record's and the build's inputs all the same), each with its record
    file. The digests are read from the last generation's ``build.json``, one file, so that a
    rebuild reads each part once, when its turn comes (:func:`_reused`)."""
    found: dict[Path, str] = {}
    if previous is None:
        return found
    try:
        listed = json.loads((previous / "build.json").read_text(encoding="utf-8"))["articles"]
        digests = {entry["key"]: entry["digest"] for entry in listed if entry.get("digest") and not entry.get("kept_from")}
    except (OSError, ValueError, TypeError, KeyError):
        return found  # a listing this build cannot read: every article is built
    for path in paths:
        key = article_key(path)
        record = records_dir / f"{path.stem}.json"  # where the build would read it (coopld.records.record_path)
        if key in digests and (previous / "parts" / f"{key}.json").is_file() \
                and article_digest(inputs, path.read_bytes(), _bytes(record)) == digests[key]:
            found[path] = str(record)
    return found


def _reused(path: Path, record: str, previous: Path | None) -> ArticleResult:
    """An unchanged article's part, as the last generation keeps it."""
    assert previous is not None
    part = read_part(previous, article_key(path))
    if part is None or part.error:  # gone or unreadable since build.json was written: not data to publish
        return ArticleResult(path, article_key(path), error=f"{path}: its part in {previous.name} can no longer be read")
    part.path, part.record, part.notice, part.record_status = path, record, None, "unchanged"
    part.reused_from = previous.name
    return part


def read_part(generation: Path, key: str) -> ArticleResult | None:
    """An article's part as a generation keeps it; None when it has none or it cannot be read."""
    try:
        return ArticleResult.from_json(json.loads((generation / "parts" / f"{key}.json").read_text(encoding="utf-8")))
    except (OSError, ValueError, TypeError, KeyError):
        return None


def _last_good(result: ArticleResult, previous: Path | None) -> ArticleResult:
    """An article this build could not use keeps what the last good build made of it, and says so."""
    kept = read_part(previous, result.key) if previous is not None else None
    if kept is None:
        return result
    assert previous is not None
    kept.path, kept.error, kept.kept_from = result.path, result.error, previous.name
    kept.notice = (f"{result.path}: kept the data of the last good build ({previous.name}) "
                   "until the article or its record can be read again")
    return kept


def publish_dataset(outcome: BuildResult, spool: Spool, res: Resources, publisher: Publisher,
                    only: Collection[str] | None = None, jobs: int = 2) -> None:
    """The store, the graphs made from all articles, the dumps and the listing into the staging
    generation, then the switch. The store is loaded from the spool a piece at a time; the
    series and links are asked of it; the dumps are written from the spool sorted on disk; the
    union default graph is loaded from the dumps' union."""
    staging, settings = publisher.staging, res.settings
    store = StoreWriter(staging / "store")
    try:
        # the articles' graphs first, alone: the series and links are asked of them
        _load(store, spool.articles, nquads)
        rows = store.select(_query("series.rq"))
        shared = {"ontology": res.ontology, "vocabulary": res.vocabularies,
                  "links": load_links(settings.mappings_dir, settings.id_base, _InArticles(store)),
                  "series": series(rows)}
        for name, graph in shared.items():
            spool.add_shared(graph_iri(settings, name), graph)
        for path in (spool.inferred, spool.shared, spool.report):
            _load(store, path, nquads)
        written = write_dumps(spool.files, staging, report_graph=spool.report_graph, context=res.context,
                              work=spool.folder / "dumps", only=only, keep_union=True, jobs=jobs)
        outcome.files = written.digests
        checkpoint("dumps")
        assert written.union is not None
        _load(store, written.union, iter)  # the union of the graphs but the report…
        _load(store, spool.report, triples)  # …and the report: each triple once, in the default graph
        outcome.counts = count(written, store, settings)
        outcome.counts["review_notes"] = len(outcome.open_notes)
        outcome.counts["quads_in_store"] = store.close()
    except BaseException:
        store.discard()
        raise
    checkpoint("store")
    shutil.rmtree(spool.folder)
    write_summary(outcome, settings, staging)
    checkpoint("listing")
    outcome.generation = publisher.commit()
    outcome.written = True


def _load(store: StoreWriter, path: Path, lines_of: Callable[[Iterable[bytes]], Iterable[bytes]]) -> None:
    with path.open("rb") as lines:
        store.load(lines_of(lines), source=path)


class _InArticles:
    """``iri in this``: whether an article's graph says something of ``iri`` (the links of
    ``mappings/links.toml`` are published only for resources the data have), asked while the
    store holds the articles' graphs alone."""

    def __init__(self, store: StoreWriter) -> None:
        self.store = store

    def __contains__(self, iri: object) -> bool:
        return isinstance(iri, URIRef) and bool(self.store.select(_query("subject-in-articles.rq"), {"subject": iri}))


def graph_iri(settings: Settings, name: str) -> URIRef:
    """The IRI of one of the build's shared named graphs (ontology, inferred, validation-report, …)."""
    return URIRef(settings.graph_base + name)


def article_graph(settings: Settings, key: str) -> URIRef:
    return URIRef(settings.graph_base + iris.article(key))


QUERIES = Path(__file__).parent / "queries"


@cache  # asked once per link and per counted class: read once
def _query(name: str) -> str:
    return (QUERIES / name).read_text(encoding="utf-8")


#: the counts of resources a build reports, by class
COUNTED: tuple[tuple[str, URIRef], ...] = (
    ("events", COOP.CooperationEvent), ("participations", COOP.Participation), ("agreements", COOP.Agreement),
    ("persons", URIRef("http://xmlns.com/foaf/0.1/Person")), ("organizations", URIRef("http://www.w3.org/ns/org#Organization")))


def count(written: Written, store: StoreWriter, settings: Settings) -> dict[str, int]:
    """The numbers a build reports: triples per kind of graph, resources per class (typed in an
    article's graph or inferred), warnings of the validation report."""
    articles = settings.graph_base + iris.article("")
    data = {g: n for g, n in written.graph_sizes.items() if g.startswith(articles)}
    counts = {"articles": len(data), "asserted_triples": sum(data.values()),
              "inferred_triples": written.graph_sizes.get(str(graph_iri(settings, "inferred")), 0)}
    binding: dict[str, URIRef | Literal] = {"inferred": graph_iri(settings, "inferred"), "articles": Literal(articles)}
    for name, cls in COUNTED:
        rows = store.select(_query("count-members.rq"), {**binding, "class": cls})
        counts[name] = int(str(rows[0]["n"])) if rows else 0
    rows = store.select(_query("count-warnings.rq"), {"report": graph_iri(settings, "validation-report")})
    counts["warnings"] = int(str(rows[0]["n"])) if rows else 0
    return counts


def write_summary(outcome: BuildResult, settings: Settings, folder: Path) -> None:
    """``build.json``: what was built from what, for the server's download page and for people."""
    summary = {
        "base_iri": settings.base_iri,
        "counts": outcome.counts,
        "articles": [{"file": a.path.name, "key": a.key, "record_corrected_by_hand": a.record_status.startswith("curated"),
                      "warnings": a.warnings, "digest": a.digest,
                      **({"kept_from": a.kept_from, "error": a.error} if a.kept_from else {})}
                     for a in outcome.articles if a.usable],
        "failed": [{"file": a.path.name, "error": a.error} for a in outcome.articles if not a.usable],
        # open notes are to check; reviewed ones a person cleared in the record (coopld.records)
        "warnings": [{**w, "record": Path(w["record"]).name} for w in outcome.report.warning_list],
        "review_notes": {"open": len(outcome.open_notes), "reviewed": len(outcome.review_notes) - len(outcome.open_notes),
                         "notes": [{**n, "record": Path(n["record"]).name} for n in outcome.review_notes]},
        "dumps": {name: {"sha256": digest, "bytes": os.path.getsize(folder / name),
                         "media_type": DUMPS[name][0], "description": DUMPS[name][1]}
                  for name, digest in sorted(outcome.files.items())},
    }
    (folder / "build.json").write_text(json.dumps(summary, indent=2) + "\n", encoding="utf-8")
