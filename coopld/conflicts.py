"""Where the records meet: one IRI, one thing.

A build refuses to merge two records' resources of one IRI whose single-valued facts clash: that
IRI would stand for two things. The facts are gathered article by article as they are built
(:class:`ConflictIndex`), keeping only the watched facts and where each was read, so the check
costs memory for the facts, not for the articles' graphs.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF, RDFS, XSD

from coopld.vocab import COOP

if TYPE_CHECKING:
    from coopld.build import ArticleResult

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


@dataclass
class ConflictIndex:
    """The watched facts of the records seen so far, each value with where it was read; the
    clashes found, one sentence each (the IRI, the fact, both values and both records)."""

    classes: frozenset[URIRef]
    id_base: str
    found: list[str] = field(default_factory=list)
    _seen: dict[tuple[URIRef, str], list[tuple[frozenset[Any], str]]] = field(default_factory=dict)

    def add(self, result: ArticleResult) -> None:
        """Check one record's facts against those of the records before it. A fact only one
        record states is no clash (the other article may not say it), and neither is a date
        one record gives more precisely than the other."""
        here = _source(result)
        for key, values in _facts(result.asserted, self.classes).items():
            earlier = self._seen.setdefault(key, [])
            clash = next(((v, where) for v, where in earlier if where != here and _clash(key[1], v, values)), None)
            if clash is not None:
                first, where = clash
                self.found.append(f"{key[0]}: its {key[1]} is {_shown(first, self.id_base)} in {where} but "
                                  f"{_shown(values, self.id_base)} in {here}")
            if all(v != values for v, _ in earlier):
                earlier.append((values, here))


def find_conflicts(built: list[ArticleResult], classes: frozenset[URIRef], id_base: str) -> list[str]:
    """The clashes between the records of ``built``, in their order (see :class:`ConflictIndex`)."""
    index = ConflictIndex(classes, id_base)
    for result in built:
        index.add(result)
    return index.found


def _source(result: ArticleResult) -> str:
    record = result.record or "its record"
    return f"{record} (article {result.path})"
