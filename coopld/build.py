"""``coopld build``: articles → records → RDF → inference and validation → dumps and store.

Each article is read, extracted (or its hand-corrected record kept), mapped, closed under
OWL RL and validated on its own, in a worker process under a time limit, so the cost grows
with the number of articles and one bad article cannot stop the others; an article that
cannot be used keeps the data of the last good build. The dataset is published as a new
generation (``coopld.publish``) only when no article breaks a shape; otherwise only the
validation report is kept, under ``rejected/``, and the generation being served stays.

Where the articles meet (``assemble``), the build refuses to merge two records' resources of
one IRI whose single-valued facts clash (``find_conflicts``): that IRI would stand for two
things. It raises ``ConflictError`` naming both records and publishes nothing. The review notes
of every record (what the extractor could not settle) are listed in the result and build.json.
"""

from __future__ import annotations

import itertools
import json
import os
import re
import sys
import time
from collections.abc import Callable, Collection, Iterator
from concurrent.futures import Future, as_completed
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from pebble import ProcessExpired, ProcessPool
from rdflib import Dataset, Graph, Literal, URIRef
from rdflib.namespace import PROV, RDF, RDFS, SH, XSD
from tqdm import tqdm

from coopld import iris
from coopld.articles import article_key, article_paths, read_article
from coopld.build_inputs import Resources, load_resources
from coopld.config import Settings
from coopld.digests import article_digest, inputs_digest
from coopld.dumps import DUMPS, skolemize, write_dumps
from coopld.errors import ConflictError, CoopldError
from coopld.extract import Extractor
from coopld.linkset import load_links
from coopld.mapping import record_to_graph
from coopld.publish import Publisher, checkpoint
from coopld.records import review_notes, sync_record
from coopld.series import series
from coopld.shacl import Report, merge_reports, summarise, validate
from coopld.store.embedded import write_store
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
    return asserted, inferred, validate(asserted + inferred + res.vocabularies, res.shapes, inplace=True)


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


def run_articles(paths: list[Path], res: Resources, jobs: int, inputs: str = "") -> Iterator[ArticleResult]:
    """Every article's result as it finishes. Each article runs in a worker process under the
    time limit, so an article that hangs the extractor is stopped and named, and the others are
    built all the same."""
    global _WORKER
    settings = res.settings
    _WORKER = res  # forked workers start with the resources loaded here
    pool = ProcessPool(max_workers=max(1, jobs), initializer=_init_worker, initargs=(settings,))
    try:
        futures: dict[Future[ArticleResult], Path] = {
            pool.schedule(_work, args=(path, settings.records, inputs), timeout=settings.article_timeout): path
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
          on_result: Callable[[ArticleResult], None] | None = None) -> BuildResult:
    """Build the dataset from ``settings.articles`` and publish it as a new generation of
    ``settings.out``; the generation being served changes only if the whole build is good.
    ``reuse``: an article whose digest is that of its part in the last generation is taken from
    there, not built again (``coopld.digests``)."""
    res = load_resources(settings)
    paths = article_paths(settings.articles)
    inputs = inputs_digest(settings)
    settings.out.mkdir(parents=True, exist_ok=True)
    with Publisher(settings.out) as publisher:
        parts = publisher.staging / "parts"
        parts.mkdir()
        results: list[ArticleResult] = []
        bar = Progress(len(paths), progress)
        unchanged = _unchanged(paths, publisher.previous, settings.records, inputs) if reuse else {}
        try:
            done = (unchanged[p] for p in paths if p in unchanged)
            built = run_articles([p for p in paths if p not in unchanged], res, jobs, inputs)
            for result in itertools.chain(done, built):
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


def _unchanged(paths: list[Path], previous: Path | None, records_dir: Path, inputs: str) -> dict[Path, ArticleResult]:
    """The articles whose part in the last generation was built from what they are now, with
    those parts: the article's bytes, its record's and the build's inputs all the same."""
    found: dict[Path, ArticleResult] = {}
    if previous is None:
        return found
    for path in paths:
        part = _part(previous, article_key(path))
        if part is None or not part.digest or part.error or part.kept_from:
            continue
        record = records_dir / f"{path.stem}.json"  # where the build would read it (coopld.records.record_path)
        if article_digest(inputs, path.read_bytes(), _bytes(record)) == part.digest:
            part.record = str(record)
            part.path, part.notice, part.record_status = path, None, "unchanged"
            part.reused_from = previous.name
            found[path] = part
    return found


def _part(generation: Path, key: str) -> ArticleResult | None:
    """An article's part as a generation keeps it; None when it has none or it cannot be read."""
    try:
        return ArticleResult.from_json(json.loads((generation / "parts" / f"{key}.json").read_text(encoding="utf-8")))
    except (OSError, ValueError, TypeError, KeyError):
        return None


def _last_good(result: ArticleResult, previous: Path | None) -> ArticleResult:
    """An article this build could not use keeps what the last good build made of it, and says so."""
    kept = _part(previous, result.key) if previous is not None else None
    if kept is None:
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
    outcome.counts["review_notes"] = len(outcome.open_notes)
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
    """One dataset: a graph per article, and the shared graphs. Raises ``ConflictError`` when
    two records state clashing facts of one IRI (``find_conflicts``)."""
    settings = res.settings
    dataset = Dataset()
    inferred = dataset.graph(graph_iri(settings, "inferred"))
    reports: list[Report] = []
    present: set[URIRef] = set()
    articles: list[Graph] = []
    # where the records meet: one IRI must not stand for two things
    conflicts = find_conflicts([r for r in results if r.usable], agreement_classes(res.ontology), settings.id_base)
    if conflicts:
        raise ConflictError(conflicts)
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


# --- where records meet: one IRI, one thing ----------------------------------------------------

COOP_NS = str(COOP._NS)
#: the single-valued facts two records may not state differently of one IRI, by the name a
#: message gives them; "class" is an agreement's class, "parties" the set of its parties
WATCHED: tuple[tuple[str, URIRef], ...] = (("class", RDF.type), ("validity period", COOP.validityPeriod),
                                           ("parties", COOP.party), ("event kind", COOP.eventKind),
                                           ("date", COOP.date))


def agreement_classes(ontology: Graph) -> frozenset[URIRef]:
    """coop:Agreement's sub-classes, at any depth."""
    found: set[URIRef] = set()
    todo = [COOP.Agreement]
    while todo:
        for sub in ontology.subjects(RDFS.subClassOf, todo.pop()):
            if isinstance(sub, URIRef) and sub not in found:
                found.add(sub)
                todo.append(sub)
    return frozenset(found)


def _facts(ntriples: str, classes: frozenset[URIRef]) -> dict[tuple[URIRef, str], frozenset[Any]]:
    """What one article's triples (N-Triples) state of each watched fact of each resource. Only
    the lines of the watched properties are parsed: the check costs a scan of the text, not a
    second graph of every article."""
    predicates = {predicate.n3(): name for name, predicate in WATCHED}
    typed = tuple(f" {cls.n3()} ." for cls in classes)
    lines = []
    for line in ntriples.splitlines():
        parts = line.split(" ", 2)
        name = predicates.get(parts[1]) if len(parts) == 3 else None
        if name is not None and (name != "class" or line.rstrip().endswith(typed)):
            lines.append(line)
    out: dict[tuple[URIRef, str], set[Any]] = {}
    if not lines:
        return {}
    graph = Graph().parse(data="\n".join(lines), format="nt")
    for name, predicate in WATCHED:
        for subject, value in graph.subject_objects(predicate):
            if isinstance(subject, URIRef):
                out.setdefault((subject, name), set()).add(value)
    return {k: frozenset(v) for k, v in out.items()}


def _date_parts(value: Any) -> tuple[int | None, int | None, int | None] | None:
    """(year, month, day) of a date as precise as the text gave it; None when it is no date."""
    text = str(value)
    forms = {XSD.date: r"(-?\d{4,})-(\d\d)-(\d\d)", XSD.gYearMonth: r"(-?\d{4,})-(\d\d)()", XSD.gYear: r"(-?\d{4,})()()",
             XSD.gMonthDay: r"--()(\d\d)-(\d\d)", XSD.gMonth: r"--()(\d\d)()"}
    form = forms.get(value.datatype) if isinstance(value, Literal) and value.datatype is not None else None
    m = re.match(form + r"(?:Z|[+-]\d\d:\d\d)?$", text) if form else None
    if m is None:
        return None
    y, mo, d = (int(g) if g else None for g in m.groups())
    return y, mo, d


def _clash(name: str, first: frozenset[Any], second: frozenset[Any]) -> bool:
    """Whether two records' values of one fact cannot both be true of one thing. Dates clash
    only where both give a part (year, month or day) and the parts differ: "2023-09" and
    "2023-09-20" are one date told more or less precisely."""
    if first == second:
        return False
    if name == "date" and len(first) == len(second) == 1:
        a, b = _date_parts(next(iter(first))), _date_parts(next(iter(second)))
        if a is not None and b is not None:
            return any(x is not None and y is not None and x != y for x, y in zip(a, b, strict=True))
    return True


def _shown(values: frozenset[Any], id_base: str) -> str:
    def one(v: Any) -> str:
        text = str(v)
        if isinstance(v, URIRef):
            if text.startswith(id_base):
                return text[len(id_base):]
            if text.startswith(COOP_NS):
                return text[len(COOP_NS):]
            return text.rstrip("/").rsplit("/", 1)[-1]
        return text
    return " and ".join(sorted(one(v) for v in values))


def find_conflicts(built: list[ArticleResult], classes: frozenset[URIRef], id_base: str) -> list[str]:
    """One sentence per IRI and fact that two records state differently: the IRI, the fact,
    both values and both records (and their articles). A fact only one record states is no
    clash (the other article may not say it), and neither is a date one record gives more
    precisely than the other."""
    seen: dict[tuple[URIRef, str], list[tuple[frozenset[Any], ArticleResult]]] = {}
    out: list[str] = []
    for result in built:
        for key, values in _facts(result.asserted, classes).items():
            earlier = seen.setdefault(key, [])
            clash = next(((v, r) for v, r in earlier if r is not result and _clash(key[1], v, values)), None)
            if clash is not None:
                first, where = clash
                out.append(f"{key[0]}: its {key[1]} is {_shown(first, id_base)} in {_source(where)} but "
                           f"{_shown(values, id_base)} in {_source(result)}")
            if all(v != values for v, _ in earlier):
                earlier.append((values, result))
    return out


def _source(result: ArticleResult) -> str:
    record = result.record or "its record"
    return f"{record} (article {result.path})"


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
        # open notes are to check; reviewed ones a person cleared in the record (coopld.records)
        "review_notes": {"open": len(outcome.open_notes), "reviewed": len(outcome.review_notes) - len(outcome.open_notes),
                         "notes": [{**n, "record": Path(n["record"]).name} for n in outcome.review_notes]},
        "dumps": {name: {"sha256": digest, "bytes": os.path.getsize(folder / name),
                         "media_type": DUMPS[name][0], "description": DUMPS[name][1]}
                  for name, digest in sorted(outcome.files.items())},
    }
    (folder / "build.json").write_text(json.dumps(summary, indent=2) + "\n", encoding="utf-8")
