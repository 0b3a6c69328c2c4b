"""The competency questions: the variables each promises, plain literals, one row per combination."""

from __future__ import annotations

import pyoxigraph as ox
import pytest

from tests.conftest import QUERIES, Built

PROMISED = {
    "cq-events.rq": ["event", "kind", "date", "place", "article", "main"],
    "cq-participants.rq": ["event", "person", "name", "rank", "post", "organization", "orgName", "country"],
    "cq-parties.rq": ["event", "organization", "orgName"],
    "cq-agreements.rq": ["agreement", "kind", "title", "party", "partyName", "start", "end", "event"],
    "cq-topics.rq": ["event", "topic", "label"],
    "cq-links.rq": ["resource", "label", "external"],
}
PLAIN = {"kind", "place", "name", "rank", "post", "orgName", "country", "title", "partyName", "label"}


def solutions(built: Built, name: str) -> ox.QuerySolutions:
    result = built.store.query((QUERIES / name).read_text(encoding="utf-8"))
    assert isinstance(result, ox.QuerySolutions)
    return result


@pytest.mark.parametrize("name", sorted(PROMISED))
def test_variables_literals_and_rows(seeds: Built, name: str) -> None:
    result = solutions(seeds, name)
    assert [v.value for v in result.variables] == PROMISED[name]
    rows = [tuple(row) for row in result]
    assert rows, f"{name} answers nothing"
    assert len(rows) == len(set(rows)), f"{name} repeats rows"
    for row in rows:
        for var, term in zip(PROMISED[name], row, strict=True):
            if var in PLAIN and term is not None:
                assert isinstance(term, ox.Literal) and term.language is None, (name, var, term)
                assert term.datatype.value == "http://www.w3.org/2001/XMLSchema#string", (name, var, term)


def test_every_query_file_parses_and_answers(seeds: Built) -> None:
    for path in sorted(QUERIES.glob("*.rq")):
        assert list(seeds.store.query(path.read_text(encoding="utf-8"))), path.name


def test_dates_are_as_precise_as_the_text(seeds: Built) -> None:
    types = {row[2].datatype.value.rsplit("#", 1)[1] for row in solutions(seeds, "cq-events.rq") if row[2] is not None}
    assert types == {"date", "gYearMonth", "gMonthDay", "gMonth"}


def test_links_are_the_verified_ones(seeds: Built) -> None:
    links = {(r["resource"].rsplit("/id/", 1)[1], r["external"]) for r in seeds.select("cq-links.rq")}
    assert ("place/hanoi", "http://www.wikidata.org/entity/Q1858") in links
    assert ("place/hanoi", "https://sws.geonames.org/1581130/") in links
    assert ("person/xi-jinping", "http://www.wikidata.org/entity/Q15031") in links
    assert not any(resource.startswith("person/to-lam") for resource, _ in links), "not verified: not published"
