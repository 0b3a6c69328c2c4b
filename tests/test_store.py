"""The store interface (``coopld.store``): what every store must answer alike."""

from __future__ import annotations

import pyoxigraph as ox
from hypothesis import given, settings
from hypothesis import strategies as st

from coopld.iris import iri_problem
from coopld.store import results
from tests.conftest import QUERIES, Built

_PIECES = st.sampled_from(["https://w3id.org/coopld/id/", "", "urn:", "http://[::1]", "a:", "http://x", "http://a@",
                           "HTTP://x/", "http://x:80/"])
_CHARS = st.sampled_from([chr(c) for c in [*range(0x20, 0x7F), 0x84, 0xA0, 0xE9, 0xE000, 0xF900, 0xFDD0, 0xFFFE,
                                            0x10000, 0xF0000]])


@settings(max_examples=3000, deadline=None)
@given(_PIECES, st.lists(_CHARS, min_size=1, max_size=10).map("".join))
def test_an_iri_from_a_request_is_judged_as_pyoxigraph_judges_it(start: str, rest: str) -> None:
    """An IRI a request carries (a path under /id/, a default-graph-uri, a reconciliation type)
    is checked before it reaches any store; the check must refuse what the embedded store would
    refuse (else a 500), and a remote store's query is written with the IRIs it lets through."""
    text = start + rest
    try:
        ox.NamedNode(text)
        accepted = True
    except ValueError:
        accepted = False
    assert (iri_problem(text) is None) == accepted, (text, iri_problem(text))


def test_results_written_from_json_are_those_the_embedded_store_writes(seeds: Built) -> None:
    """A remote store's answer, asked as JSON, is written in XML, CSV and TSV by
    coopld.store.results; on every competency question over the seed data the bytes are those
    pyoxigraph writes itself, so a client cannot tell which store answered."""
    for path in sorted(QUERIES.glob("*.rq")):
        text = path.read_text(encoding="utf-8")
        as_json = seeds.store.query(text).serialize(format=ox.QueryResultsFormat.JSON)
        for media_type in (results.XML, results.CSV, results.TSV):
            own = seeds.store.query(text).serialize(format=ox.QueryResultsFormat.from_media_type(media_type))
            assert results.convert(as_json, media_type) == own, (path.name, media_type)
