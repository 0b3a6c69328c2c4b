"""The store interface (``coopld.store``): what every store must answer alike."""

from __future__ import annotations

import pyoxigraph as ox
from hypothesis import given, settings
from hypothesis import strategies as st

from coopld.iris import iri_problem

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
