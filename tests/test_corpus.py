"""The development corpus (tests/corpus/, format in its README.md) and the seed annotations
(tests/corpus/seeds/, describing data/articles/): (a) every annotation is well-formed, (b) the
scorer of ``bench.extraction`` counts right on a pair built by hand, and (c) the extractor finds
what each annotation states: the participants' names, every event's (kind, date), the agreements'
kinds and the countries of the organizations, pair by pair.

The fact tests (c) assert the annotated facts as they are, whatever the extractor does today:
they are the target the extractor is tuned towards, not a record of its current output."""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Callable
from datetime import date
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from rdflib import RDF, Graph, Namespace

from bench.extraction import (
    CORPUS,
    FIELDS,
    SEEDS,
    Counts,
    Facts,
    OrgMatcher,
    Scorer,
    annotation_facts,
    annotation_files,
    article_for,
    count,
    macro_f1,
    max_matching,
    names_match,
    parse_org,
)
from coopld.articles import read_article
from coopld.extract import extract_record, load_lexicon
from coopld.extract.lexicon import Lexicon

ROOT = Path(__file__).resolve().parent.parent
SKOS = Namespace("http://www.w3.org/2004/02/skos/core#")
TOPICS_NS = "https://w3id.org/coopld/vocab/topics/"

EVENT_KINDS = ("talks", "working-session", "phone-call", "meeting", "reception", "conference", "training", "visit",
               "welcome-ceremony", "signing-ceremony", "joint-operation", "extradition")
AGREEMENT_KINDS = ("mou", "programme", "agreement", "protocol", "treaty", "joint-statement", "letter-of-intent",
                   "arrangement")
EVENT_STATUSES = ("held", "planned")
AGREEMENT_STATUSES = ("signed", "planned", "in-force")

ANNOTATIONS = annotation_files(CORPUS) + annotation_files(SEEDS)
IDS = [p.stem if p.parent == CORPUS else f"seeds/{p.stem}" for p in ANNOTATIONS]

# What the extractor is known not to read yet, by fact test and article, each with the reason.
# The marks are strict: when the extractor learns one, its test fails until the entry goes.
KNOWN_MISSES = {
    ("participants", "b_eg_sa_headline"): "an Arabic name after 'Sheikh' in a co-chair list is not tied to the meeting",
    ("lead_event", "a_india_bangladesh_2025"): "the lead event is an extradition told as 'was handed over' in a feature",
    ("lead_event", "c_spain_morocco_2026"): "a meeting 'on the sidelines of the ... Conference ..., held in Rabat on 24 "
                                            "and 25 February' takes the conference's days, from the 24th; the signing "
                                            "'on Wednesday' implies the 25th",
    ("lead_event", "b_kh_cn_scam_raid"): "the raid's day is given later ('The raid, carried out on October 9')",
    ("most_events", "a_aseanapol_brunei_2025"): "courtesy calls on several leaders are one reception, not one each",
    ("most_events", "b_kh_cn_scam_raid"): "past signings told only by their month are not events",
    ("agreements", "a_korea_mongolia_2025"): "the 2015 agreement a new MoU replaces is read as part of the new one",
    ("countries", "a_aseanapol_brunei_2025"): "a delegation that only attends a conference is no party to it",
    ("countries", "b_eg_sa_headline"): "'the Saudi Ministry of Interior' after a co-chair's post is not tied to the meeting",
    ("countries", "c_spain_morocco_2026"): "a press release's own ministry ('The Minister of the Interior') has no country",
    ("countries", "c_vietnam_australia_undated"): "'co-organised by the Ministry of Public Security' is not tied to the course",
    ("countries", "c_vietnam_germany_2026"): "an unqualified 'Ministry of Public Security' in an NDO report has no country",
}


def cases(test: str) -> list[Any]:
    """The annotations as parameters of one fact test, the known misses marked."""
    out = []
    for path, name in zip(ANNOTATIONS, IDS, strict=True):
        reason = KNOWN_MISSES.get((test, name))
        marks = [pytest.mark.xfail(reason=reason, strict=True)] if reason else []
        out.append(pytest.param(path, id=name, marks=marks))
    return out

# XSD lexical forms of a date the annotations use: xsd:date, gYearMonth, gYear, gMonthDay, gMonth
_XSD_DATE = re.compile(r"(?P<y>\d{4})-(?P<m>\d{2})-(?P<d>\d{2})")
_XSD_OTHER = (re.compile(r"\d{4}-(0[1-9]|1[0-2])"), re.compile(r"\d{4}"), re.compile(r"--(0[1-9]|1[0-2])"))
_XSD_MONTH_DAY = re.compile(r"--(?P<m>\d{2})-(?P<d>\d{2})")


def xsd_date_ok(value: str) -> bool:
    if m := _XSD_DATE.fullmatch(value):
        try:
            date(int(m["y"]), int(m["m"]), int(m["d"]))
        except ValueError:
            return False
        return True
    if m := _XSD_MONTH_DAY.fullmatch(value):
        try:
            date(2000, int(m["m"]), int(m["d"]))  # a leap year: --02-29 is a valid gMonthDay
        except ValueError:
            return False
        return True
    return any(p.fullmatch(value) for p in _XSD_OTHER)


def load(path: Path) -> dict[str, Any]:
    data = json.loads(path.read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return data


@pytest.fixture(scope="module")
def lexicon() -> Lexicon:
    return load_lexicon(ROOT / "mappings", ROOT / "ontology" / "vocab")


@pytest.fixture(scope="module")
def scorer(lexicon: Lexicon) -> Scorer:
    return Scorer(lexicon)


@pytest.fixture(scope="module")
def topic_keys() -> set[str]:
    g = Graph().parse(ROOT / "ontology" / "vocab" / "topics.ttl")
    return {str(s)[len(TOPICS_NS):] for s in g.subjects(RDF.type, SKOS.Concept) if str(s).startswith(TOPICS_NS)}


@pytest.fixture(scope="module")
def extracted(scorer: Scorer) -> Callable[[Path], Facts]:
    """What the extractor finds in the article of an annotation, each article extracted once."""

    @cache
    def facts(annotation: Path) -> Facts:
        record = extract_record(read_article(article_for(annotation)), scorer.lex)
        return scorer.predicted(record)

    return facts


# --- (a) the annotations are well-formed ----------------------------------------------------------

def _readme_kinds(text: str, start: str, stop: str) -> set[str]:
    block = text[text.index(start) + len("`kind`"):]
    return set(re.findall(r"`([a-z-]+)`", block[: block.index(stop)]))


def test_the_kind_lists_are_the_readmes() -> None:
    text = (CORPUS / "README.md").read_text(encoding="utf-8")
    assert _readme_kinds(text, "`kind` is one of: `talks`", "`date`") == set(EVENT_KINDS)
    assert _readme_kinds(text, "`kind` is one of `mou`", "`period`") == set(AGREEMENT_KINDS)


def test_every_corpus_article_has_an_annotation_and_every_annotation_an_article() -> None:
    texts = {p.stem for p in CORPUS.glob("*.txt")}
    notes = {p.stem for p in CORPUS.glob("*.json")}
    assert texts == notes
    assert len(notes) >= 33
    seeds = {p.stem for p in (ROOT / "data" / "articles").glob("*.txt")}
    assert {p.stem for p in annotation_files(SEEDS)} == seeds
    for path in ANNOTATIONS:
        assert article_for(path).is_file(), path


def _check_org_string(text: Any, where: str, known: set[tuple[str, str | None]], errors: list[str]) -> None:
    if not isinstance(text, str) or text.count("|") != 1:
        errors.append(f"{where}: {text!r} is not 'Name|CC'")
        return
    org = parse_org(text)
    if org.country is not None and not re.fullmatch(r"[A-Z]{2}", text.partition("|")[2]):
        errors.append(f"{where}: {text!r}: the country is not an ISO alpha-2 code")
    if (org.name, org.country) not in known:
        errors.append(f"{where}: {text!r} is not in the top-level organizations")


def annotation_errors(data: dict[str, Any], topics: set[str]) -> list[str]:
    errors: list[str] = []
    keys = {"published", "events", "participants", "organizations", "agreements", "topics"}
    if missing := keys - set(data):
        return [f"missing keys {sorted(missing)}"]
    published = data["published"]
    if published is not None and not (isinstance(published, str) and _XSD_DATE.fullmatch(published)
                                      and xsd_date_ok(published)):
        errors.append(f"published {published!r} is not YYYY-MM-DD or null")

    known_orgs: set[tuple[str, str | None]] = set()
    for i, org in enumerate(data["organizations"]):
        if not isinstance(org, dict) or not isinstance(org.get("name"), str) or not org["name"]:
            errors.append(f"organizations[{i}]: {org!r} has no name")
            continue
        cc = org.get("country")
        if cc is not None and not (isinstance(cc, str) and re.fullmatch(r"[A-Z]{2}", cc)):
            errors.append(f"organizations[{i}]: country {cc!r} is not an ISO alpha-2 code or null")
        known_orgs.add((org["name"], cc or None))

    names: set[str] = set()
    for i, person in enumerate(data["participants"]):
        if not isinstance(person, dict) or not isinstance(person.get("name"), str) or not person["name"]:
            errors.append(f"participants[{i}]: {person!r} has no name")
            continue
        names.add(person["name"])
        if person.get("organization") is not None:
            _check_org_string(person["organization"], f"participants[{i}].organization", known_orgs, errors)
        cc = person.get("country")
        if cc is not None and not (isinstance(cc, str) and re.fullmatch(r"[A-Z]{2}", cc)):
            errors.append(f"participants[{i}]: country {cc!r} is not an ISO alpha-2 code or null")

    for i, event in enumerate(data["events"]):
        where = f"events[{i}]"
        if event.get("kind") not in EVENT_KINDS:
            errors.append(f"{where}: kind {event.get('kind')!r} is not one of the README's")
        if event.get("status") not in EVENT_STATUSES:
            errors.append(f"{where}: status {event.get('status')!r} is not held or planned")
        for key in ("date", "end"):
            value = event.get(key)
            if value is not None and not (isinstance(value, str) and xsd_date_ok(value)):
                errors.append(f"{where}: {key} {value!r} is not an XSD date form")
        if event.get("end") is not None and event.get("date") is None:
            errors.append(f"{where}: an end without a date")
        for name in event.get("participants", []):
            if name not in names:
                errors.append(f"{where}: participant {name!r} is not in the top-level participants")
        for text in event.get("organizations", []):
            _check_org_string(text, f"{where}.organizations", known_orgs, errors)

    for i, agreement in enumerate(data["agreements"]):
        where = f"agreements[{i}]"
        if agreement.get("kind") not in AGREEMENT_KINDS:
            errors.append(f"{where}: kind {agreement.get('kind')!r} is not one of the README's")
        if agreement.get("status") not in AGREEMENT_STATUSES:
            errors.append(f"{where}: status {agreement.get('status')!r} is not signed, planned or in-force")
        period = agreement.get("period")
        if period is not None and not (isinstance(period, list) and len(period) == 2
                                       and all(isinstance(y, int) and 1900 <= y <= 2100 for y in period)
                                       and period[0] <= period[1]):
            errors.append(f"{where}: period {period!r} is not [first year, last year] or null")
        signed = agreement.get("signed")
        if signed is not None and not (isinstance(signed, str) and xsd_date_ok(signed)):
            errors.append(f"{where}: signed {signed!r} is not an XSD date form")
        for text in agreement.get("parties", []):
            _check_org_string(text, f"{where}.parties", known_orgs, errors)

    if not isinstance(data["topics"], list) or len(set(data["topics"])) != len(data["topics"]):
        errors.append("topics is not a list of distinct keys")
    for key in data["topics"]:
        if key not in topics:
            errors.append(f"topic {key!r} is not a concept of ontology/vocab/topics.ttl")
    return errors


@pytest.mark.parametrize("path", ANNOTATIONS, ids=IDS)
def test_annotation_is_valid(path: Path, topic_keys: set[str]) -> None:
    assert annotation_errors(load(path), topic_keys) == []


def test_the_validator_catches_what_it_should(topic_keys: set[str]) -> None:
    bad = {
        "published": "2025-02-30",
        "events": [{"kind": "party", "date": "2025-13", "end": "--02-30", "status": "done",
                    "participants": ["Nobody"], "organizations": ["Unknown Police|VN", "Ministry"]}],
        "participants": [{"name": "Somebody", "organization": "Ministry|vn", "country": "VNM"}],
        "organizations": [{"name": "Ministry", "country": "vn"}],
        "agreements": [{"kind": "deal", "status": "done", "period": [2027, 2025], "signed": "March"}],
        "topics": ["cybercrime", "no-such-topic"],
    }
    errors = annotation_errors(bad, topic_keys)
    for expected in ("published", "kind 'party'", "status 'done'", "date '2025-13'", "end '--02-30'",
                     "'Nobody'", "'Unknown Police|VN' is not in", "'Ministry' is not 'Name|CC'", "'Ministry|vn'",
                     "country 'VNM'", "country 'vn'", "kind 'deal'", "period [2027, 2025]", "signed 'March'",
                     "'no-such-topic'"):
        assert any(expected in e for e in errors), (expected, errors)
    assert not any("cybercrime" in e for e in errors)


def test_xsd_date_forms() -> None:
    for good in ("2025-03-13", "2025-03", "2025", "--03-13", "--02-29", "--03"):
        assert xsd_date_ok(good), good
    for bad in ("2025-3-13", "2025-02-30", "25", "--13", "--02-30", "March 2025", "2025-00", ""):
        assert not xsd_date_ok(bad), bad


# --- (b) the scorer is right ---------------------------------------------------------------------

def _hand_built_record() -> dict[str, Any]:
    def person(key: str, label: str) -> dict[str, Any]:
        return {"@id": f"person/{key}", "@type": ["Person", "schema:Person"], "label": label}

    def org(key: str, label: str, country: str | None, *types: str) -> dict[str, Any]:
        node: dict[str, Any] = {"@id": f"org/{key}", "@type": [*types, "Organization"], "label": label}
        if country:
            node["country"] = country
        return node

    def part(key: str, org_key: str) -> dict[str, Any]:
        return {"@id": f"participation/x/{key}", "@type": "Participation", "participant": f"person/{key}",
                "onBehalfOf": f"org/{org_key}"}

    def day(value: str, kind: str = "xsd:date") -> dict[str, str]:
        return {"@value": value, "@type": kind}

    def period(first: int, last: int) -> dict[str, Any]:
        return {"@id": f"period/{first}-{last}", "@type": "Interval",
                "hasBeginning": {"@id": f"instant/{first}", "@type": "Instant", "inXSDgYear": str(first)},
                "hasEnd": {"@id": f"instant/{last}", "@type": "Instant", "inXSDgYear": str(last)}}

    return {
        "@id": "article/x",
        "reportsEvent": [
            {"@id": "event/1", "eventKind": "kinds:talks", "status": "held", "date": day("2025-03-13"),
             "involvesOrganization": ["org/mps", "org/pf", "org/vna"],
             "hasParticipation": [part("hoa", "mps"), part("costa", "pf"), part("lim", "moj"),
                                  part("thanakorn", "pf")],
             "topic": ["topics:cybercrime", "topics:drug-crime"]},
            {"@id": "event/2", "eventKind": "kinds:signing-ceremony", "status": "held", "date": day("2025-03-13"),
             "hasParticipation": [part("hoa", "mps"), part("smith", "hcmc")], "involvesOrganization": ["org/interpol"]},
        ],
        "mentionsEvent": [
            {"@id": "event/3", "eventKind": "kinds:visit", "status": "held", "date": day("2024-05", "xsd:gYearMonth")},
            {"@id": "event/4", "eventKind": "kinds:training", "status": "planned"},
        ],
        "@included": [
            {"@id": "agreement/1", "@type": "MemorandumOfUnderstanding", "party": ["org/mps", "org/pf"],
             "validityPeriod": period(2025, 2027), "subject": ["topics:human-trafficking"], "status": "signed"},
            {"@id": "agreement/2", "@type": "CooperationProgramme", "party": ["org/mps", "org/pf"], "status": "signed"},
            {"@id": "agreement/3", "@type": "Treaty", "status": "in-force"},
            person("hoa", "Nguyen Van Hoa"), person("costa", "Ana Costa"), person("lim", "Datuk Lim"),
            person("thanakorn", "Thanakorn Srisuwan"), person("smith", "John Smith"),
            org("mps", "Ministry of Public Security of Vietnam", "place/vietnam", "GovernmentAgency"),
            org("pf", "Federal Police", "place/brazil", "GovernmentAgency"),
            org("vna", "Vietnam News Agency", "place/vietnam", "NewsAgency"),
            org("interpol", "Interpol", None, "InternationalOrganization"),
            org("hcmc", "Ho Chi Minh City Police Department", "place/ho-chi-minh-city", "GovernmentAgency"),
            org("moj", "Ministry of Justice", "place/brazil", "GovernmentAgency"),
            {"@id": "place/ho-chi-minh-city", "@type": ["City"], "label": "Ho Chi Minh City", "country": "place/vietnam"},
            {"@id": "place/vietnam", "@type": ["Country"], "label": "Vietnam"},
            {"@id": "place/brazil", "@type": ["Country"], "label": "Brazil"},
        ],
    }


HAND_BUILT_ANNOTATION: dict[str, Any] = {
    "published": "2025-03-14",
    "events": [
        {"kind": "talks", "date": "2025-03-13", "end": None, "place": "Hanoi", "status": "held",
         "participants": ["Nguyen Van Hoa", "Ana Maria Costa", "Lim Kok Wah", "Thanakorn Srisuwann"],
         "organizations": ["Ministry of Public Security|VN", "Federal Police|BR"]},
        {"kind": "signing-ceremony", "date": "2025-03-14", "end": None, "place": "Hanoi", "status": "held",
         "participants": ["Maria Santos"], "organizations": ["Interpol|"]},
        {"kind": "visit", "date": "2024-05", "end": None, "place": "Vietnam", "status": "held",
         "participants": [], "organizations": []},
        {"kind": "training", "date": None, "end": None, "place": None, "status": "planned",
         "participants": [], "organizations": []},
        {"kind": "meeting", "date": None, "end": None, "place": None, "status": "planned",
         "participants": [], "organizations": ["Ho Chi Minh City Police Department|VN"]},
    ],
    "participants": [
        {"name": "Nguyen Van Hoa", "organization": "Ministry of Public Security|VN", "country": "VN"},
        {"name": "Ana Maria Costa", "organization": "Federal Police|BR", "country": "BR"},
        {"name": "Lim Kok Wah", "organization": "Ministry of Justice|VN", "country": "VN"},
        {"name": "Thanakorn Srisuwann", "organization": None, "country": "TH"},
        {"name": "Maria Santos", "organization": None, "country": "BR"},
    ],
    "organizations": [
        {"name": "Ministry of Public Security", "country": "VN"},
        {"name": "Federal Police", "country": "BR"},
        {"name": "Interpol", "country": None},
        {"name": "Ho Chi Minh City Police Department", "country": "VN"},
        {"name": "Ministry of Justice", "country": "VN"},
    ],
    "agreements": [
        {"kind": "mou", "parties": [], "period": [2025, 2027], "status": "signed", "signed": "2025-03-13"},
        {"kind": "programme", "parties": [], "period": [2025, 2026], "status": "signed", "signed": None},
        {"kind": "treaty", "parties": [], "period": None, "status": "in-force", "signed": None},
        {"kind": "treaty", "parties": [], "period": None, "status": "planned", "signed": None},
    ],
    "topics": ["cybercrime", "human-trafficking", "terrorism"],
}


def test_the_scorer_counts_a_hand_built_pair(scorer: Scorer) -> None:
    counts = scorer.score(_hand_built_record(), HAND_BUILT_ANNOTATION)
    got = {f: (c.tp, c.fp, c.fn) for f, c in counts.items()}
    assert got == {
        # talks/2025-03-13 and visit/2024-05 and training/None match; the signing's date differs,
        # the meeting is not predicted
        "events": (3, 1, 2),
        # Hoa exactly, Costa by tokens, Datuk Lim without the honorific, Srisuwan(n) by token_set_ratio;
        # John Smith is not expected, Maria Santos not found
        "participants": (4, 1, 1),
        # the news agency is left out; "of Vietnam" and "the" do not count, Interpol has no country,
        # the Ho Chi Minh City police get VN through their city; the Ministry of Justice is BR, not VN
        "organizations": (4, 1, 1),
        # the mou and one treaty; the programme has no period predicted
        "agreements": (2, 1, 2),
        # drug-crime is extra, terrorism missing; agreement subjects count
        "topics": (2, 1, 1),
        "dates": (2, 0, 1),
    }
    assert set(counts) == set(FIELDS)
    assert counts["events"].precision == pytest.approx(3 / 4)
    assert counts["events"].recall == pytest.approx(3 / 5)
    assert counts["events"].f1 == pytest.approx(2 / 3)
    assert macro_f1(counts) == pytest.approx(sum(c.f1 for c in counts.values()) / 6)


def test_the_scorer_reads_the_record(scorer: Scorer) -> None:
    facts = scorer.predicted(_hand_built_record())
    assert facts.events == [("talks", "2025-03-13"), ("signing-ceremony", "2025-03-13"), ("visit", "2024-05"),
                            ("training", None)]
    assert facts.participants == ["Nguyen Van Hoa", "Ana Costa", "Datuk Lim", "Thanakorn Srisuwan", "John Smith"]
    assert {(o.name, o.country) for o in facts.organizations} == {
        ("Ministry of Public Security of Vietnam", "VN"), ("Federal Police", "BR"), ("Interpol", None),
        ("Ho Chi Minh City Police Department", "VN"), ("Ministry of Justice", "BR")}
    assert sorted(facts.agreements, key=str) == sorted([("mou", (2025, 2027)), ("programme", None), ("treaty", None)],
                                                       key=str)
    assert facts.topics == {"cybercrime", "drug-crime", "human-trafficking"}
    assert facts.dates == {"2025-03-13", "2024-05"}


def test_the_annotation_side() -> None:
    facts = annotation_facts(HAND_BUILT_ANNOTATION)
    assert len(facts.participants) == 5
    assert len(facts.organizations) == 5  # "Name|CC" strings and top-level entries, once each
    assert facts.agreements[0] == ("mou", (2025, 2027))
    assert facts.dates == {"2025-03-13", "2025-03-14", "2024-05"}


def test_the_matching_is_one_to_one_and_maximum() -> None:
    # greedy in order would give a to x and leave b unmatched
    pairs = max_matching(["a", "b"], ["x", "y"], lambda p, e: (p, e) in {("a", "x"), ("a", "y"), ("b", "x")})
    assert pairs == [(0, 1), (1, 0)]
    assert count(["talks", "talks"], ["talks"], lambda p, e: p == e) == Counts(1, 1, 0)
    assert count([], [], lambda p, e: True) == Counts(0, 0, 0)
    assert Counts(0, 0, 0).f1 == 1.0
    assert Counts(0, 2, 0).f1 == 0.0
    assert Counts(0, 0, 2).f1 == 0.0


def test_name_matching() -> None:
    assert names_match("Kang Tae-seop", "Kang Taeseop")
    assert names_match("Vladislav Novikov", "Novikov Vladislav Anatolievich")
    assert names_match("Dato' Seri Mohd Yusof Karim", "Mohd Yusof Karim")
    assert names_match("H. E. Adel", "Adel bin Fahd Al-Mutairi")
    assert names_match("V. Putin", "Vladimir Putin")
    assert not names_match("V. Putin", "Dmitry Putin")
    assert names_match("Thanakorn Srisuwan", "Thanakorn Srisuwann")
    assert not names_match("Nguyen Van Hoa", "Nguyen Van Binh")
    assert not names_match("Datuk", "Datuk Seri")  # honorifics alone are no name
    assert not names_match("Tran Quoc To", "To Lam")


def test_organization_matching(lexicon: Lexicon) -> None:
    match = OrgMatcher(lexicon)
    org = parse_org
    assert match.clean("The Ministry of Internal Affairs of the Russian Federation") == "ministry of internal affairs"
    assert match(org("Ministry of Public Security of Vietnam|VN"), org("Ministry of Public Security|VN"))
    assert match(org("Ministry of Public Security|"), org("Ministry of Public Security|LA"))
    assert not match(org("Ministry of Public Security|VN"), org("Ministry of Public Security|LA"))
    assert match(org("Royal Thai Police|TH"), org("the Royal Thai Police|"))
    assert not match(org("Royal Thai Police|TH"), org("Royal Malaysia Police|TH"))


# --- (c) what each article states ----------------------------------------------------------------

@pytest.mark.parametrize("path", cases("participants"))
def test_participants_are_found(path: Path, extracted: Callable[[Path], Facts]) -> None:
    found = extracted(path).participants
    expected = [p["name"] for p in load(path)["participants"]]
    missing = [name for name in expected if not any(names_match(name, f) for f in found)]
    assert not missing, f"not found: {missing}; found: {found}"


def _events(path: Path, status: str) -> list[tuple[str, str | None]]:
    return [(e["kind"], e["date"]) for e in load(path)["events"] if e["status"] == status]


def _missing(expected: list[Any], found: list[Any]) -> list[Any]:
    matched = {j for _, j in max_matching(found, expected, lambda p, e: p == e)}
    return [e for j, e in enumerate(expected) if j not in matched]


@pytest.mark.parametrize("path", cases("lead_event"))
def test_the_lead_event_is_found_with_its_date(path: Path, extracted: Callable[[Path], Facts]) -> None:
    """The news the article leads with (its annotation's first held event), kind and date."""
    lead = _events(path, "held")[:1]
    missing = _missing(lead, extracted(path).events)
    assert not missing, f"(kind, date) not found: {missing}; found: {extracted(path).events}"


@pytest.mark.parametrize("path", cases("most_events"))
def test_most_events_are_found(path: Path, extracted: Callable[[Path], Facts]) -> None:
    """Every article's events, held and planned, are found with their dates for the most part:
    at least half of them, and no more than twice as many events as the article tells of.
    (``python -m bench.extraction`` gives the exact scores.)"""
    expected = _events(path, "held") + _events(path, "planned")
    found = extracted(path).events
    missing = _missing(expected, found)
    assert len(missing) <= len(expected) / 2, f"(kind, date) not found: {missing}; found: {found}"
    assert len(found) <= 2 * max(len(expected), 1), f"too many events: {found}"


@pytest.mark.parametrize("path", cases("agreements"))
def test_agreement_kinds_are_found(path: Path, extracted: Callable[[Path], Facts]) -> None:
    found = Counter(kind for kind, _ in extracted(path).agreements)
    expected = Counter(a["kind"] for a in load(path)["agreements"])
    missing = expected - found
    assert not missing, f"kinds not found: {dict(missing)}; found: {dict(found)}"


@pytest.mark.parametrize("path", cases("countries"))
def test_the_lead_events_countries_are_found(path: Path, extracted: Callable[[Path], Facts]) -> None:
    """The countries whose organizations take part in the news the article leads with."""
    held = [e for e in load(path)["events"] if e["status"] == "held"]
    countries = sorted({o.country for o in map(parse_org, held[0]["organizations"]) if o.country} if held else set())
    found = {o.country for o in extracted(path).organizations if o.country}
    assert set(countries) <= found, f"countries not found: {sorted(set(countries) - found)}; found: {sorted(found)}"
