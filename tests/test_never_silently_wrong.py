"""Never silently wrong (issue 9): two different things never share an IRI; the build refuses
to merge records whose facts of one IRI clash, naming both; what the extractor could not settle
is written as review notes, listed by the build and shown on the pages until a person clears
them in the record.

The articles here are written for these tests: original text, invented people.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import XSD

from coopld import iris
from coopld.build import ArticleResult, build
from coopld.config import load_settings
from coopld.conflicts import find_conflicts
from coopld.extract.dates import PartialDate
from coopld.vocab import COOP
from tests.conftest import ROOT

# its module-scoped servers and runs are set up once, on one worker (bin/test: --dist loadgroup)
pytestmark = pytest.mark.xdist_group("never_silently_wrong")

BASE = "https://w3id.org/coopld/id/"


def article(date_line: str, *paragraphs: str) -> str:
    """An article file: its date line, a blank line, and its paragraphs."""
    return "\n\n".join([date_line, *paragraphs]) + "\n"


LAOS_VIETNAM = article(
    " date 2026-01-14 Delegates at the meeting in Vientiane",
    "VIENTIANE (VNA) – Lieutenant General Bui Quang Hieu, Deputy Minister of Public Security of Vietnam, "
    "held talks with Major General Khamphone Sisavath, Deputy Minister of Public Security of Laos, in "
    "Vientiane on January 13.",
    "During the meeting, officials reviewed the results of cooperation against drug trafficking along the"
    " border over the past year.",
    "A work plan for 2026-2027 was also approved at the meeting, with priority given to information "
    "exchange and personnel training.",
)

THAILAND_CAMBODIA = article(
    " date 2026-03-02 Officers of both police forces in Bangkok",
    "BANGKOK (VNA) – Police General Somchai Rattanakorn, Commissioner-General of the Royal Thai Police, "
    "received General Sok Vannara, Commissioner General of the Cambodian National Police, in Bangkok on "
    "March 1.",
    "At the reception, the officers discussed joint patrols against human trafficking and cross-border "
    "fraud.",
    "A work plan for 2026-2027 was approved at the end of the visit, covering border security and "
    "cybercrime.",
)

MOU = article(
    " date 2026-05-20 The two delegations at the talks",
    "HANOI (VNA) – Senior Lieutenant General Dang Minh Khoa, Deputy Minister of Public Security of "
    "Vietnam, held talks with Police General Arun Chaiyaporn, Deputy Commissioner-General of the Royal "
    "Thai Police, in Hanoi on May 19.",
    "The two sides reviewed how the memorandum of understanding between the two ministries on combating "
    "drug crime is being carried out, and agreed to exchange information more quickly.",
)

A, B = "laos_vietnam_workplan", "thailand_cambodia_workplan"


def cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "coopld", *args], capture_output=True, text=True, timeout=600,
                          cwd=ROOT, env=dict(os.environ))


@dataclass
class Corpus:
    root: Path
    run: subprocess.CompletedProcess[str]

    @property
    def articles(self) -> Path:
        return self.root / "articles"

    @property
    def records(self) -> Path:
        return self.root / "records"

    @property
    def out(self) -> Path:
        return self.root / "out"

    def record(self, name: str) -> dict[str, Any]:
        data: dict[str, Any] = json.loads((self.records / f"{name}.json").read_text(encoding="utf-8"))
        return data

    def write(self, name: str, record: dict[str, Any]) -> None:
        (self.records / f"{name}.json").write_text(json.dumps(record, indent=2, ensure_ascii=False), encoding="utf-8")

    def copy(self, to: Path) -> Corpus:
        shutil.copytree(self.root, to, symlinks=True)
        return Corpus(to, self.run)


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Corpus]:
    """Two articles, each with a work plan for 2026-2027 of a different pair of countries whose
    parties the sentence does not name, built with `coopld build`."""
    root = tmp_path_factory.mktemp("never-silently-wrong")
    (root / "articles").mkdir()
    (root / "articles" / f"{A}.txt").write_text(LAOS_VIETNAM, encoding="utf-8")
    (root / "articles" / f"{B}.txt").write_text(THAILAND_CAMBODIA, encoding="utf-8")
    run = cli("build", str(root / "articles"), "--out", str(root / "out"))
    assert run.returncode == 0, run.stderr
    yield Corpus(root, run)


def work_plan(record: dict[str, Any]) -> dict[str, Any]:
    found = [n for n in record["@included"] if str(n["@id"]).startswith("agreement/")
             and n.get("validityPeriod", {}).get("@id") == "period/2026-2027"]
    assert len(found) == 1, [n["@id"] for n in record["@included"]]
    plan: dict[str, Any] = found[0]
    return plan


def notes_about(record: dict[str, Any], about: str, fact: str | None = None) -> list[dict[str, Any]]:
    return [n for n in record.get("reviewNote", []) if n["about"] == about and (fact is None or n["fact"] == fact)]


def page(out: Path, ref: str) -> str:
    from coopld.web import create_app

    client = create_app({"COOPLD_BUILD": str(out)}).test_client()
    response = client.get(f"/doc/{ref}.html")
    assert response.status_code == 200, (ref, response.status_code)
    return response.get_data(as_text=True)


# --- 1. no two different things share an IRI -----------------------------------------------------

def test_two_work_plans_of_unfound_parties_are_two_agreements_each_with_a_note(corpus: Corpus) -> None:
    plans = {name: work_plan(corpus.record(name)) for name in (A, B)}
    assert plans[A]["@id"] != plans[B]["@id"], "two pairs' work plans must not merge into one resource"
    for name, plan in plans.items():
        if len(plan.get("party", [])) < 2:
            notes = notes_about(corpus.record(name), plan["@id"], "party")
            assert notes, f"{name}: no review note on the parties of {plan['@id']}"
            assert all("the extractor" in n["reason"] for n in notes), "say what the extractor could not find"
    dataset = (corpus.out / "coopld.nq").read_text(encoding="utf-8")
    for plan in plans.values():
        assert f"<{BASE}{plan['@id']}> <http://www.w3.org/1999/02/22-rdf-syntax-ns#type>" in dataset


def test_keys_hold_enough_content_to_tell_things_apart() -> None:
    day = PartialDate(2026, 5, 19)
    known = iris.agreement_key("mou", False, ["thailand", "vietnam"], None, None, "one-file")
    assert known == iris.agreement_key("mou", False, ["vietnam", "thailand"], None, None, "another-file") == \
        "mou-thailand-vietnam", "parties known: the file name plays no part"
    assert iris.agreement_key("mou", False, ["thailand", "vietnam"], None, day, "x") == "mou-thailand-vietnam-2026-05-19"
    assert iris.agreement_key("programme", False, [], (2026, 2027), None, "a") != \
        iris.agreement_key("programme", False, [], (2026, 2027), None, "b"), "parties unknown: the article tells apart"
    assert iris.agreement_key("programme", False, ["laos"], (2026, 2027), None, "a") != \
        iris.agreement_key("programme", False, ["laos"], (2026, 2027), None, "b"), "one party is not the parties"
    # two agencies of one country, or an international body: each by its own key
    assert iris.party_tokens([("vn-mps", "vietnam"), ("vn-police", "vietnam")]) == ["vn-mps", "vn-police"]
    assert iris.party_tokens([("interpol", None), ("vn-mps", "vietnam")]) == ["interpol", "vietnam"]
    # an event of which nothing tells who took part stays within its article
    assert iris.event_key("talks", day, [], "hanoi", None, [], fallback="a") != \
        iris.event_key("talks", day, [], "hanoi", None, [], fallback="b")
    assert iris.event_key("visit", None, ["laos", "vietnam"], None, None, [], fallback="a") != \
        iris.event_key("visit", None, ["laos", "vietnam"], None, None, [], fallback="b"), "undated, nobody named"
    assert iris.event_key("talks", day, ["thailand", "vietnam"], "hanoi", None, [], fallback="a") == \
        iris.event_key("talks", day, ["thailand", "vietnam"], "hanoi", None, [], fallback="b") == \
        "2026-05-19-talks-thailand-vietnam-hanoi"


def test_an_mous_iri_does_not_depend_on_the_article_file_name(tmp_path: Path) -> None:
    from coopld.articles import read_article
    from coopld.extract import extract_record, load_lexicon

    lexicon = load_lexicon(ROOT / "mappings", ROOT / "ontology" / "vocab")
    found = {}
    for stem in ("hanoi_talks_may", "report-0193"):
        path = tmp_path / f"{stem}.txt"
        path.write_text(MOU, encoding="utf-8")
        record = extract_record(read_article(path), lexicon)
        mous = [n for n in record["@included"] if n.get("@type") == "MemorandumOfUnderstanding"]
        assert len(mous) == 1 and len(mous[0].get("party", [])) == 2, mous
        found[stem] = mous[0]["@id"]
        assert "hanoi" not in found[stem].split("mou-", 1)[1] and "0193" not in found[stem], found[stem]
    assert found["hanoi_talks_may"] == found["report-0193"]


# --- 2. the build refuses to merge clashing facts ---------------------------------------------------

def test_a_clash_between_two_hand_edited_records_fails_naming_both(corpus: Corpus, tmp_path: Path) -> None:
    mine = corpus.copy(tmp_path / "clash")
    shared = "agreement/programme-shared-work-plan"
    for name, (start, end) in ((A, (2026, 2027)), (B, (2027, 2028))):
        record = mine.record(name)
        old = work_plan(record)["@id"]
        record = json.loads(json.dumps(record).replace(f'"{old}"', f'"{shared}"'))
        plan = next(n for n in record["@included"] if n["@id"] == shared)
        plan["validityPeriod"] = {
            "@id": f"period/{start}-{end}", "@type": "Interval", "label": f"{start}–{end}",
            "hasBeginning": {"@id": f"instant/{start}", "@type": "Instant", "label": str(start), "inXSDgYear": str(start)},
            "hasEnd": {"@id": f"instant/{end}", "@type": "Instant", "label": str(end), "inXSDgYear": str(end)}}
        mine.write(name, record)
    served = os.readlink(mine.out / "current")
    generations = sorted(p.name for p in (mine.out / "generations").iterdir())
    dump = (mine.out / "coopld.nq").read_bytes()
    run = cli("build", str(mine.articles), "--out", str(mine.out))
    assert run.returncode == 2, run.stdout + run.stderr
    message = run.stderr
    assert BASE + shared in message and "validity period" in message
    assert "period/2026-2027" in message and "period/2027-2028" in message
    for name in (A, B):
        assert str(mine.records / f"{name}.json") in message and f"{name}.txt" in message
    assert "nothing was published" in message
    assert os.readlink(mine.out / "current") == served, "the previous publication stays"
    assert sorted(p.name for p in (mine.out / "generations").iterdir()) == generations
    assert (mine.out / "coopld.nq").read_bytes() == dump


def test_dates_clash_only_when_they_cannot_be_one_date() -> None:
    event = URIRef(BASE + "event/conference-no3-laos-vietnam")

    def part(name: str, date: str, datatype: URIRef) -> ArticleResult:
        graph = Graph()
        graph.add((event, COOP.date, Literal(date, datatype=datatype)))
        return ArticleResult(Path(f"/a/{name}.txt"), name, record=f"/r/{name}.json", asserted=graph.serialize(format="nt"))

    month, day, other = part("one", "2023-09", XSD.gYearMonth), part("two", "2023-09-20", XSD.date), \
        part("three", "2024-09-20", XSD.date)
    no_year = part("four", "--09-20", XSD.gMonthDay)
    assert find_conflicts([month, day, no_year], frozenset(), BASE) == []
    clashes = find_conflicts([month, day, other], frozenset(), BASE)
    assert len(clashes) == 1
    assert "its date is 2023-09 in /r/one.json" in clashes[0] and "2024-09-20 in /r/three.json" in clashes[0]


# --- 3. review notes ------------------------------------------------------------------------------

def _a_note(corpus: Corpus) -> dict[str, Any]:
    record = corpus.record(A)
    notes = record.get("reviewNote", [])
    assert notes, "the Laos-Vietnam article's work plan names no parties: its record has a note"
    plan = work_plan(record)["@id"]
    return next((n for n in notes if n["about"] == plan), notes[0])


def test_a_review_note_is_in_the_record_build_json_cli_output_and_pages(corpus: Corpus) -> None:
    note = _a_note(corpus)
    assert note["@type"] == "ReviewNote" and note["fact"] and note["reason"]
    summary = json.loads((corpus.out / "build.json").read_text(encoding="utf-8"))
    listed = summary["review_notes"]
    assert listed["open"] == len(listed["notes"]) == summary["counts"]["review_notes"] > 0
    assert {"record": f"{A}.json", "article": f"{A}.txt", "about": BASE + note["about"], "fact": note["fact"],
            "reason": note["reason"], "reviewed": False} in listed["notes"]
    out = corpus.run.stdout
    assert f"{listed['open']} review note(s) to check" in out
    assert any(str(corpus.records / f"{A}.json") in line and BASE + note["about"] in line and note["fact"] in line
               and note["reason"] in line for line in out.splitlines()), out
    for ref in (note["about"], iris.article(A.replace("_", "-"))):
        html = page(corpus.out, ref)
        assert "To check" in html and note["reason"] in html, ref


def test_a_curated_record_clears_the_notes_its_curator_cleared(corpus: Corpus, tmp_path: Path) -> None:
    """A person clears a note by deleting it or marking it "reviewed": true; the notes of a
    curated record that were left as they were stay open."""
    mine = corpus.copy(tmp_path / "curated")
    note = _a_note(mine)
    record = mine.record(A)
    others = [n for n in record["reviewNote"] if n != note]
    record["reviewNote"] = others
    for n in others:
        n["reviewed"] = True
    mine.write(A, record)
    record_b = mine.record(B)
    record_b["label"] = record_b["label"] + " (checked)"  # curated, its notes untouched
    mine.write(B, record_b)
    before_b = [n for n in json.loads((corpus.out / "build.json").read_text(encoding="utf-8"))["review_notes"]["notes"]
                if n["record"] == f"{B}.json"]
    result = build(load_settings(articles_dir=mine.articles, records_dir=mine.records, out_dir=mine.out), progress=False)
    assert result.exit_code == 0, result.errors
    assert {a.record_status for a in result.articles} == {"curated"}
    open_a = [n for n in result.open_notes if n["article"] == f"{A}.txt"]
    assert open_a == [], open_a
    assert len([n for n in result.review_notes if n["article"] == f"{A}.txt" and n["reviewed"]]) == len(others)
    assert [n for n in result.open_notes if n["article"] == f"{B}.txt"] == [{**n, "record": str(mine.records / n["record"])}
                                                                            for n in before_b]
    summary = json.loads((mine.out / "build.json").read_text(encoding="utf-8"))["review_notes"]
    assert summary["reviewed"] == len(others) and summary["open"] == len(before_b)
    html = page(mine.out, note["about"])
    assert note["reason"] not in html
