"""One identity per real thing: a thing reported by several articles is one resource with
every article as a source; agreements in a series are linked in order; where articles
disagree, both statements are kept, each with its source."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import ROOT, Built, iri, run_build

CONFERENCE = iri("event/conference-no8-china-vietnam")
SEED = iri("article/002-d895ca261d4fdf71")
REPORT = iri("article/vietnam-china-conference-2023")


@pytest.fixture(scope="module")
def both(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Built]:
    tmp = tmp_path_factory.mktemp("identity")
    articles = tmp / "articles"
    articles.mkdir()
    shutil.copy(ROOT / "data" / "articles" / "002_d895ca261d4fdf71.txt", articles)
    shutil.copy(ROOT / "tests" / "identity" / "vietnam_china_conference_2023.txt", articles)
    built = run_build(tmp, articles)
    assert built.result.exit_code == 0, built.result.errors + built.result.report.messages
    yield built


def test_an_event_reported_by_two_articles_is_one_resource(both: Built) -> None:
    rows = both.select(f"""PREFIX coop: <https://w3id.org/coopld/ontology#>
        SELECT ?article ?main WHERE {{ ?article coop:reportsEvent|coop:mentionsEvent <{CONFERENCE}>
        BIND(EXISTS {{ ?article coop:reportsEvent <{CONFERENCE}> }} AS ?main) }}""")
    assert {(r["article"], r["main"]) for r in rows} == {(SEED, False), (REPORT, True)}
    rows = [r for r in both.select("cq-events.rq") if r["kind"] == "conference"]
    assert {r["event"] for r in rows} == {CONFERENCE}
    assert {(r["article"], r["main"]) for r in rows} == {(SEED, False), (REPORT, True)}
    assert {r["date"] for r in rows} == {"2023-09", "2023-09-20"}, "which article says which: see the next test"


def test_disagreeing_statements_are_both_kept_with_their_sources(both: Built) -> None:
    rows = both.select(f"""PREFIX coop: <https://w3id.org/coopld/ontology#>
        SELECT ?graph ?date WHERE {{ GRAPH ?graph {{ <{CONFERENCE}> coop:date ?date }} }}""")
    assert {(r["graph"].rsplit("/", 1)[1], r["date"]) for r in rows} == {
        ("002-d895ca261d4fdf71", "2023-09"), ("vietnam-china-conference-2023", "2023-09-20")}


def test_the_same_official_across_articles(both: Built) -> None:
    rows = both.select("""PREFIX coop: <https://w3id.org/coopld/ontology#>
        SELECT DISTINCT ?event WHERE { ?event coop:hasParticipation/coop:participant
        <https://w3id.org/coopld/id/person/tran-quoc-to> }""")
    assert len(rows) == 2, "the reception of 2023-12-01 and the conference: one person"


def test_programmes_in_series_are_linked_in_order(seeds: Built) -> None:
    rows = seeds.select("""PREFIX coop: <https://w3id.org/coopld/ontology#>
        SELECT ?later ?earlier WHERE { ?later coop:succeeds ?earlier }""")
    chain = {r["later"].rsplit("-", 2)[-2]: r["earlier"].rsplit("-", 2)[-2] for r in rows}
    assert chain == {"2019": "2016", "2022": "2019", "2025": "2022"}
    assert seeds.ask("""PREFIX coop: <https://w3id.org/coopld/ontology#>
        ASK { <https://w3id.org/coopld/id/agreement/programme-russia-vietnam-2016-2018> coop:succeededBy
              <https://w3id.org/coopld/id/agreement/programme-russia-vietnam-2019-2021> }""")


def test_events_are_linked_to_the_agreements_they_refer_to(seeds: Built) -> None:
    rows = seeds.select("""PREFIX coop: <https://w3id.org/coopld/ontology#>
        SELECT ?event ?agreement WHERE { ?event coop:refersTo ?agreement }""")
    assert (iri("event/xxxx-10-31-talks-russia-vietnam-hanoi-to-lam-vladimir-kolokoltsev"),
            iri("agreement/programme-russia-vietnam-2025-2027")) in {(r["event"], r["agreement"]) for r in rows}


def test_the_identity_article_is_documented(tmp_path: Path) -> None:
    readme = (ROOT / "tests" / "identity" / "README.md").read_text(encoding="utf-8")
    assert "vietnam_china_conference_2023.txt" in readme
