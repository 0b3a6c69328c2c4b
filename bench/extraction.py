"""How well the extractor reads the development corpus: precision, recall and F1 against the
hand annotations, and how fast it reads.

    .venv/bin/python -m bench.extraction                        # "corpus" and "seeds" sections
    .venv/bin/python -m bench.extraction --corpus tests/corpus --per-article --json out.json

Each annotation ``NAME.json`` (format: ``tests/corpus/README.md``) is scored against the record
``extract_record`` makes of ``NAME.txt`` beside it, or of ``data/articles/NAME.txt`` when there
is none there (the seed annotations in ``tests/corpus/seeds/`` describe ``data/articles/``).
With no ``--corpus``, ``tests/corpus`` and ``tests/corpus/seeds`` are scored as two sections.

Six fields are scored. For each, a prediction that matches an expected item is a true positive
(tp), an unmatched prediction a false positive (fp), an unmatched expected item a false negative
(fn); P = tp/(tp+fp), R = tp/(tp+fn), F1 their harmonic mean (1.0 when a field has nothing
predicted and nothing expected). Matching is one-to-one: a maximum bipartite matching (augmenting
paths) between predicted and expected items under the field's match rule below.

- events: every event of ``reportsEvent`` and ``mentionsEvent`` as (kind, date), the kind the
  key of ``eventKind`` ("kinds:talks" -> "talks") and the date the lexical value of ``date``
  ("2025-03-13", "2025-03", "2025", "--03-13") or None; expected: (kind, date) of every event
  of the annotation. A pair matches when the kinds are equal and the dates are equal (None
  equals None).
- participants: the persons who are the ``participant`` of some participation of any event,
  once per person node, by its ``label`` (or ``name``); expected: every name of the top-level
  ``participants`` list and of the events' participants, once each. Names are compared after
  lower-casing, removing dots and hyphens and dropping honorifics (Dato, Datuk, Seri, Haji, Mr,
  Dr, H. E., ...): they match when all the tokens of one are among the tokens of the other (a
  one-letter token, an initial, counts as any token it begins), or when
  ``rapidfuzz.fuzz.token_set_ratio`` of the two is at least 90.
- organizations: the union of the events' ``involvesOrganization``, the agreements' ``party``
  and the participations' ``onBehalfOf``, without nodes typed ``NewsAgency``, each as (label,
  country code), the code that of the node's ``country`` place (``lex.countries[key].code``;
  for a city place, its country's); expected: the top-level ``organizations`` and every
  ``"Name|CC"`` of events, participants and agreement parties, once each (``CC`` empty or null:
  unknown or international). A pair matches when the countries agree (either unknown is
  allowed) and ``token_set_ratio`` of the names (the record's label or any ``nameAsStated``,
  the names the article itself gave the organization) is at least 88, both names taken without "the"
  and without a trailing "of <Country>" (a country's name, alias or state name).
- agreements: every node of ``@included`` whose ``@type`` is an agreement class of
  ``mappings/agreements.toml`` (``[kinds.KEY].class`` gives the kind key), as (kind, period),
  the period (first year, last year) from ``validityPeriod`` (``hasBeginning``/``hasEnd``
  ``inXSDgYear``) or None; expected: (kind, period) of the annotation's agreements. Equal pairs
  match.
- topics: the set of topic keys of all events' ``topic`` and all agreements' ``subject``
  against the annotation's ``topics``; equal keys match.
- dates: the set of the events' date lexical values (None left out) against the set of the
  annotation's events' non-null dates; equal values match.

Counts are summed over the articles of a section per field (micro); macro-F1 is the mean of the
six fields' F1. Timing: the first article of the run is extracted once unmeasured (loading of
the lexicon and of any model is excluded), then every article's ``extract_record`` is timed;
the table gives ms per article and articles per second.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import time
import tomllib
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from rapidfuzz import fuzz

from coopld.articles import read_article
from coopld.extract import extract_record, load_lexicon
from coopld.extract.lexicon import Lexicon

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "tests" / "corpus"
SEEDS = CORPUS / "seeds"
SEED_ARTICLES = ROOT / "data" / "articles"

FIELDS = ("events", "participants", "organizations", "agreements", "topics", "dates")

NAME_THRESHOLD = 90
ORG_THRESHOLD = 88

# Forms of address that are not part of a name (not "Tan", "Toh" or "He", which are also surnames).
HONORIFICS = frozenset({
    "mr", "mrs", "ms", "miss", "madam", "madame", "dr", "prof", "professor", "sir", "dame", "excellency",
    "hon", "honourable", "honorable", "dato", "datuk", "datin", "seri", "tun", "paduka", "pehin", "haji",
    "hajjah", "hj", "puan", "shri", "smt",
})

T = TypeVar("T")
U = TypeVar("U")


# --- counts ------------------------------------------------------------------------------------

@dataclass
class Counts:
    tp: int = 0
    fp: int = 0
    fn: int = 0

    def __iadd__(self, other: Counts) -> Counts:
        self.tp += other.tp
        self.fp += other.fp
        self.fn += other.fn
        return self

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else (1.0 if not self.fn else 0.0)

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else (1.0 if not self.fp else 0.0)

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    def as_dict(self) -> dict[str, float | int]:
        return {"tp": self.tp, "fp": self.fp, "fn": self.fn,
                "precision": round(self.precision, 4), "recall": round(self.recall, 4), "f1": round(self.f1, 4)}


def macro_f1(counts: dict[str, Counts]) -> float:
    return sum(counts[f].f1 for f in FIELDS) / len(FIELDS)


def max_matching(predicted: Sequence[T], expected: Sequence[U], match: Callable[[T, U], bool]) -> list[tuple[int, int]]:
    """A maximum one-to-one matching (Kuhn's augmenting paths): pairs (predicted i, expected j)."""
    edges = [[j for j, e in enumerate(expected) if match(p, e)] for p in predicted]
    owner: dict[int, int] = {}  # expected j -> predicted i

    def augment(i: int, seen: set[int]) -> bool:
        for j in edges[i]:
            if j in seen:
                continue
            seen.add(j)
            if j not in owner or augment(owner[j], seen):
                owner[j] = i
                return True
        return False

    for i in range(len(predicted)):
        augment(i, set())
    return sorted((i, j) for j, i in owner.items())


def count(predicted: Sequence[T], expected: Sequence[U], match: Callable[[T, U], bool]) -> Counts:
    tp = len(max_matching(predicted, expected, match))
    return Counts(tp, len(predicted) - tp, len(expected) - tp)


def _equal(a: object, b: object) -> bool:
    return a == b


# --- names -------------------------------------------------------------------------------------

def name_tokens(name: str) -> list[str]:
    text = re.sub(r"\bh\.\s*e\.(?=\s|$)", " ", name.lower())  # H. E. (His or Her Excellency)
    text = text.replace(".", "").replace("-", "").replace("\u2010", "").replace("\u2011", "")
    text = re.sub(r"[,;()\"“”]", " ", text)
    return [t for t in text.split() if t.strip("'’") not in HONORIFICS]


def _tokens_within(short: list[str], long: list[str]) -> bool:
    """Every token of one name is among the other's; an initial ("v" of "V. Putin") stands for a token."""
    return all(t in long or (len(t) == 1 and any(u.startswith(t) for u in long)) for t in short)


def names_match(a: str, b: str) -> bool:
    ta, tb = name_tokens(a), name_tokens(b)
    if not ta or not tb:
        return False
    if _tokens_within(ta, tb) or _tokens_within(tb, ta):
        return True
    return fuzz.token_set_ratio(" ".join(ta), " ".join(tb)) >= NAME_THRESHOLD


@dataclass(frozen=True)
class Org:
    name: str
    country: str | None  # ISO alpha-2, None when unknown or international
    stated: tuple[str, ...] = ()  # predicted only: the names the article gave it (``nameAsStated``)


class OrgMatcher:
    """The organization match rule, with the country names the lexicon knows."""

    def __init__(self, lex: Lexicon) -> None:
        names = sorted({n for c in lex.countries.values() for n in (c.name, *c.aliases, c.state) if n},
                       key=len, reverse=True)
        alternatives = "|".join(re.escape(n.lower()) for n in names)
        self._suffix = re.compile(rf"\s+of\s+(?:{alternatives})\s*$") if alternatives else None

    def clean(self, name: str) -> str:
        text = " ".join(t for t in name.lower().replace("’", "'").split() if t != "the")
        if self._suffix is not None:
            stripped = self._suffix.sub("", text)
            text = stripped or text
        return text

    def __call__(self, predicted: Org, expected: Org) -> bool:
        if predicted.country and expected.country and predicted.country != expected.country:
            return False
        expected_name = self.clean(expected.name)
        return any(fuzz.token_set_ratio(self.clean(name), expected_name) >= ORG_THRESHOLD
                   for name in (predicted.name, *predicted.stated))


# --- what a record says ------------------------------------------------------------------------

def _list(value: Any) -> list[Any]:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def _iri(value: Any) -> str | None:
    if isinstance(value, dict):
        v = value.get("@id")
        return v if isinstance(v, str) else None
    return value if isinstance(value, str) else None


def _types(node: dict[str, Any]) -> set[str]:
    return {t for t in _list(node.get("@type")) if isinstance(t, str)}


def _key(iri: str, prefix: str) -> str:
    return iri[len(prefix):] if iri.startswith(prefix) else iri.rsplit("/", 1)[-1].rsplit(":", 1)[-1]


def agreement_classes(mappings_dir: Path = ROOT / "mappings") -> dict[str, str]:
    """Ontology class -> kind key, from mappings/agreements.toml."""
    with (mappings_dir / "agreements.toml").open("rb") as f:
        kinds = tomllib.load(f).get("kinds", {})
    return {table["class"]: key for key, table in kinds.items() if isinstance(table, dict) and "class" in table}


@dataclass
class Facts:
    """The six fields of one article, predicted or expected."""

    events: list[tuple[str, str | None]] = field(default_factory=list)
    participants: list[str] = field(default_factory=list)
    organizations: list[Org] = field(default_factory=list)
    agreements: list[tuple[str, tuple[int, int] | None]] = field(default_factory=list)
    topics: set[str] = field(default_factory=set)
    dates: set[str] = field(default_factory=set)


def _period(node: dict[str, Any]) -> tuple[int, int] | None:
    period = node.get("validityPeriod")
    if not isinstance(period, dict):
        return None
    years: list[int | None] = []
    for end in ("hasBeginning", "hasEnd"):
        instant = period.get(end)
        year = instant.get("inXSDgYear") if isinstance(instant, dict) else None
        if isinstance(year, dict):
            year = year.get("@value")
        years.append(int(str(year)[:4]) if year is not None and re.match(r"-?\d{4}", str(year)) else None)
    first, last = years
    if first is None and last is None:
        return None
    return (first if first is not None else last or 0, last if last is not None else first or 0)


def record_facts(record: dict[str, Any], lex: Lexicon, classes: dict[str, str]) -> Facts:
    """What the extractor's record says, in the fields scored."""
    nodes = {n["@id"]: n for n in _list(record.get("@included")) if isinstance(n, dict) and "@id" in n}
    events = [e for key in ("reportsEvent", "mentionsEvent") for e in _list(record.get(key)) if isinstance(e, dict)]
    for e in events:
        nodes.setdefault(e.get("@id", ""), e)
    facts = Facts()

    def country_code(place: str | None, depth: int = 0) -> str | None:
        if place is None or depth > 3:
            return None
        key = _key(place, "place/")
        if key in lex.countries:
            return lex.countries[key].code
        node = nodes.get(place)
        return country_code(_iri(node.get("country")), depth + 1) if node else None

    org_iris: list[str] = []

    def add_org(value: Any) -> None:
        iri = _iri(value)
        if iri and iri not in org_iris:
            org_iris.append(iri)

    persons: list[str] = []
    for e in events:
        kind = _key(str(e.get("eventKind", "")), "kinds:")
        date = e.get("date")
        value = date.get("@value") if isinstance(date, dict) else date
        facts.events.append((kind, str(value) if value is not None else None))
        if value is not None:
            facts.dates.add(str(value))
        facts.topics.update(_key(t, "topics:") for t in _list(e.get("topic")) if isinstance(t, str))
        for org in _list(e.get("involvesOrganization")):
            add_org(org)
        for part in _list(e.get("hasParticipation")):
            if not isinstance(part, dict):
                continue
            person = _iri(part.get("participant"))
            if person and person not in persons:
                persons.append(person)
            add_org(part.get("onBehalfOf"))
    for node in nodes.values():
        kinds = [classes[t] for t in _types(node) if t in classes]
        if not kinds:
            continue
        facts.agreements.append((kinds[0], _period(node)))
        facts.topics.update(_key(t, "topics:") for t in _list(node.get("subject")) if isinstance(t, str))
        for party in _list(node.get("party")):
            add_org(party)
    for person in persons:
        node = nodes.get(person, {})
        label = node.get("label") or node.get("name") or _key(person, "person/").replace("-", " ")
        facts.participants.append(str(label))
    for iri in org_iris:
        node = nodes.get(iri, {})
        if "NewsAgency" in _types(node):
            continue
        label = node.get("label") or _key(iri, "org/").replace("-", " ")
        facts.organizations.append(Org(str(label), country_code(_iri(node.get("country"))),
                                       tuple(str(n) for n in _list(node.get("nameAsStated")))))
    return facts


# --- what an annotation says -------------------------------------------------------------------

def parse_org(text: str) -> Org:
    name, _, code = text.partition("|")
    return Org(name.strip(), code.strip().upper() or None)


def annotation_facts(annotation: dict[str, Any]) -> Facts:
    facts = Facts()
    names: list[str] = []
    orgs: list[Org] = []

    def add_name(name: Any) -> None:
        if isinstance(name, str) and name and name not in names:
            names.append(name)

    def add_org(org: Org) -> None:
        if org.name and org not in orgs:
            orgs.append(org)

    for p in _list(annotation.get("participants")):
        add_name(p.get("name") if isinstance(p, dict) else p)
        if isinstance(p, dict) and isinstance(p.get("organization"), str):
            add_org(parse_org(p["organization"]))
    for o in _list(annotation.get("organizations")):
        if isinstance(o, dict):
            add_org(Org(str(o.get("name", "")), (o.get("country") or None)))
        elif isinstance(o, str):
            add_org(parse_org(o))
    for e in _list(annotation.get("events")):
        facts.events.append((str(e["kind"]), e.get("date")))
        if e.get("date"):
            facts.dates.add(str(e["date"]))
        for name in _list(e.get("participants")):
            add_name(name)
        for o in _list(e.get("organizations")):
            add_org(parse_org(o))
    for a in _list(annotation.get("agreements")):
        period = a.get("period")
        facts.agreements.append((str(a["kind"]), (int(period[0]), int(period[1])) if period else None))
        for o in _list(a.get("parties")):
            add_org(parse_org(o))
    facts.topics = set(_list(annotation.get("topics")))
    facts.participants = names
    facts.organizations = orgs
    return facts


# --- scoring -----------------------------------------------------------------------------------

class Scorer:
    def __init__(self, lex: Lexicon, mappings_dir: Path = ROOT / "mappings") -> None:
        self.lex = lex
        self.classes = agreement_classes(mappings_dir)
        self.org_match = OrgMatcher(lex)

    def predicted(self, record: dict[str, Any]) -> Facts:
        return record_facts(record, self.lex, self.classes)

    def score(self, record: dict[str, Any], annotation: dict[str, Any]) -> dict[str, Counts]:
        return self.compare(self.predicted(record), annotation_facts(annotation))

    def compare(self, pred: Facts, exp: Facts) -> dict[str, Counts]:
        return {
            "events": count(pred.events, exp.events, _equal),
            "participants": count(pred.participants, exp.participants, names_match),
            "organizations": count(pred.organizations, exp.organizations, self.org_match),
            "agreements": count(pred.agreements, exp.agreements, _equal),
            "topics": count(sorted(pred.topics), sorted(exp.topics), _equal),
            "dates": count(sorted(pred.dates), sorted(exp.dates), _equal),
        }


def article_for(annotation: Path) -> Path:
    """The article an annotation describes: NAME.txt beside it, else data/articles/NAME.txt."""
    beside = annotation.with_suffix(".txt")
    return beside if beside.exists() else SEED_ARTICLES / f"{annotation.stem}.txt"


def annotation_files(directory: Path) -> list[Path]:
    return sorted(p for p in directory.glob("*.json") if p.is_file())


@dataclass
class ArticleResult:
    name: str
    counts: dict[str, Counts]
    seconds: float


@dataclass
class Section:
    name: str
    articles: list[ArticleResult]

    @property
    def totals(self) -> dict[str, Counts]:
        totals = {f: Counts() for f in FIELDS}
        for a in self.articles:
            for f in FIELDS:
                totals[f] += a.counts[f]
        return totals

    @property
    def seconds(self) -> float:
        return sum(a.seconds for a in self.articles)

    def as_dict(self) -> dict[str, Any]:
        totals = self.totals
        n = len(self.articles)
        return {
            "articles": n,
            "fields": {f: totals[f].as_dict() for f in FIELDS},
            "macro_f1": round(macro_f1(totals), 4),
            "ms_per_article": round(1000 * self.seconds / n, 2) if n else None,
            "articles_per_second": round(n / self.seconds, 2) if self.seconds else None,
            "per_article": {a.name: {"fields": {f: a.counts[f].as_dict() for f in FIELDS},
                                     "macro_f1": round(macro_f1(a.counts), 4),
                                     "ms": round(1000 * a.seconds, 2)} for a in self.articles},
        }


def run_section(name: str, annotations: Iterable[Path], scorer: Scorer) -> Section:
    results = []
    for path in annotations:
        annotation = json.loads(path.read_text(encoding="utf-8"))
        article = read_article(article_for(path))
        start = time.perf_counter()
        record = extract_record(article, scorer.lex)
        seconds = time.perf_counter() - start
        results.append(ArticleResult(path.stem, scorer.score(record, annotation), seconds))
    return Section(name, results)


# --- output ------------------------------------------------------------------------------------

def format_section(section: Section, per_article: bool = False) -> str:
    totals = section.totals
    n = len(section.articles)
    lines = [f"== {section.name}: {n} articles ==",
             f"{'field':<14}{'tp':>5}{'fp':>5}{'fn':>5}{'P':>8}{'R':>8}{'F1':>8}"]
    for f in FIELDS:
        c = totals[f]
        lines.append(f"{f:<14}{c.tp:>5}{c.fp:>5}{c.fn:>5}{c.precision:>8.3f}{c.recall:>8.3f}{c.f1:>8.3f}")
    lines.append(f"{'macro-F1':<29}{macro_f1(totals):>24.3f}")
    if n and section.seconds:
        lines.append(f"time: {1000 * section.seconds / n:.1f} ms/article, {n / section.seconds:.1f} articles/s "
                     "(extraction only, after a warm-up article)")
    if per_article and n:
        width = max(len(a.name) for a in section.articles) + 2
        heads = "".join(f"{f[:6]:>8}" for f in FIELDS)
        lines += ["", f"{'article (F1 per field)':<{width}}{heads}{'macro':>8}{'ms':>8}"]
        for a in section.articles:
            cells = "".join(f"{a.counts[f].f1:>8.2f}" for f in FIELDS)
            lines.append(f"{a.name:<{width}}{cells}{macro_f1(a.counts):>8.2f}{1000 * a.seconds:>8.0f}")
    return "\n".join(lines)


_WORKER_LEX: Lexicon | None = None


def _extract_one(path: Path) -> None:
    global _WORKER_LEX
    if _WORKER_LEX is None:
        _WORKER_LEX = load_lexicon(ROOT / "mappings", ROOT / "ontology" / "vocab")
    extract_record(read_article(path), _WORKER_LEX)


def throughput(articles: Sequence[Path], jobs: int, rounds: int = 3) -> float:
    """Wall-clock seconds per article for extracting ``articles`` ``rounds`` times over with
    ``jobs`` worker processes, after each worker has loaded the lexicon and the model."""
    from concurrent.futures import ProcessPoolExecutor

    with ProcessPoolExecutor(jobs) as pool:
        list(pool.map(_extract_one, list(articles[:1]) * jobs * 2))  # warm every worker
        work = list(articles) * rounds
        start = time.perf_counter()
        list(pool.map(_extract_one, work, chunksize=2))
        return (time.perf_counter() - start) / len(work)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.extraction", description=__doc__.split("\n\n")[0]
                                     if __doc__ else None)
    parser.add_argument("--corpus", metavar="DIR", type=Path, nargs="+", action="extend",
                        help="folders of NAME.json annotations (each a section); default: tests/corpus and its seeds/")
    parser.add_argument("--per-article", action="store_true", help="also print one row per article")
    parser.add_argument("--json", metavar="OUT", type=Path, help="write the scores as JSON to OUT")
    parser.add_argument("--jobs", type=int, default=1,
                        help="also measure wall-clock time per article with this many processes (as a build does)")
    args = parser.parse_args(argv)

    if args.corpus:
        sections = [(str(d), annotation_files(d)) for d in args.corpus]
    else:
        sections = [("corpus", annotation_files(CORPUS)), ("seeds", annotation_files(SEEDS))]
    missing = [str(d) for d, files in sections if not files]
    if missing:
        print(f"no annotation files in: {', '.join(missing)}", file=sys.stderr)
        return 2

    lex = load_lexicon(ROOT / "mappings", ROOT / "ontology" / "vocab")
    scorer = Scorer(lex)
    first = next(files[0] for _, files in sections if files)
    extract_record(read_article(article_for(first)), lex)  # warm-up: loading is not timed

    results = [run_section(name, files, scorer) for name, files in sections]
    print("\n\n".join(format_section(s, args.per_article) for s in results))
    if args.jobs > 1:
        articles = [article_for(f) for _, files in sections for f in files]
        one, many = throughput(articles, 1), throughput(articles, args.jobs)
        print(f"\nthroughput over {len(articles)} articles: {one * 1000:.0f} ms/article in 1 process, "
              f"{many * 1000:.0f} ms/article with {args.jobs} processes (ratio {one / many:.2f}, same run)")
    if args.json:
        payload = {"fields": list(FIELDS), "sections": {s.name: s.as_dict() for s in results}}
        args.json.write_text(json.dumps(payload, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
