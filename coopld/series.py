"""Agreements in series, found across articles once every article is built: the programmes of
the same parties for 2016-2018, 2019-2021, 2022-2024 and 2025-2027 are linked in order
(coop:succeeds / coop:succeededBy), whichever articles mention them."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from itertools import pairwise
from pathlib import Path
from typing import Any

from rdflib import Graph, URIRef

from coopld.mapping import new_graph
from coopld.vocab import COOP

QUERY = Path(__file__).parent / "queries" / "series.rq"


def series(rows: Iterable[Mapping[str, Any]]) -> Graph:
    """The succession links between the agreements of all the articles, from the rows of
    ``QUERY`` over the union of the articles' graphs."""
    found: dict[tuple[URIRef, URIRef], tuple[int, int, set[URIRef]]] = {}
    for row in rows:
        agreement, cls, start, end, party = (row[k] for k in ("agreement", "class", "start", "end", "party"))
        key = (URIRef(agreement), URIRef(cls))
        entry = found.setdefault(key, (int(str(start)[:4]), int(str(end)[:4]), set()))
        entry[2].add(URIRef(party))
    groups: dict[tuple[URIRef, frozenset[URIRef]], list[tuple[int, int, URIRef]]] = {}
    for (agreement, cls), (start, end, parties) in found.items():
        groups.setdefault((cls, frozenset(parties)), []).append((start, end, agreement))
    out = new_graph()
    for members in groups.values():
        members.sort()
        for (_s1, end1, first), (start2, _e2, second) in pairwise(members):
            if start2 in (end1, end1 + 1):
                out.add((second, COOP.succeeds, first))
                out.add((first, COOP.succeededBy, second))
    return out
