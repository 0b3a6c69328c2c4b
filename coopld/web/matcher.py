"""Name matching for the reconciliation service: which of coopld's things a name in someone
else's spreadsheet most likely means, and how sure we are.

The index holds every name each reconcilable thing goes by (its label, alternative labels and
the names the articles used), read once per server process from the store, which a server never
writes. Scores run from 0 to 100: 100 only when the name, folded for case, accents and
punctuation, equals one of the thing's names; otherwise the better of rapidfuzz's token-sort
ratio (word order does not matter, extra words cost) and a discounted token-set ratio (a
shorter form of the name still scores well, but below the full form). A candidate is a ``match``
— one a client may accept without asking a person — only when it alone has an exact name and
satisfies every property constraint given.
"""

from __future__ import annotations

import re
import threading
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from rapidfuzz import fuzz, process
from rdflib import Literal, URIRef

from coopld.store import Store
from coopld.web.describe import local_name
from coopld.web.stats import solutions

SUBSET_DISCOUNT = 0.9   # a name that contains the query, or is contained in it, scores at most 90
NEAR = 50               # candidates below this score are not worth showing
PROPERTY_WEIGHT = 0.25  # share of the score the property constraints decide when a name is given
HOLDERS_CHECKED = 500  # candidates of a name-less query checked against every constraint


@dataclass
class Entity:
    iri: str
    name: str
    types: dict[str, str] = field(default_factory=dict)   # class IRI -> label
    names: set[str] = field(default_factory=set)          # folded
    aliases: set[str] = field(default_factory=set)        # as written


@dataclass(frozen=True)
class Candidate:
    entity: Entity
    score: float
    exact: bool
    properties_met: bool


@dataclass(frozen=True)
class Constraint:
    """One property constraint of a query: the property's IRI and the values wanted, folded
    (names) or as given (IRIs)."""

    property: str
    values: tuple[str, ...]


def fold(text: str) -> str:
    """A name as compared: no accents, no case, punctuation and apostrophes as spaces."""
    decomposed = unicodedata.normalize("NFKD", text)
    bare = "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()
    return " ".join(re.sub(r"[^\w]+", " ", bare).split())


class Index:
    """The reconcilable things of one store, with their names and classes."""

    def __init__(self, store: Store, kinds: list[str], space: str) -> None:
        self.store = store
        self.space = space
        self.entities: dict[str, Entity] = {}
        self.kinds: dict[str, str] = {}
        # per property and per kind, the answers of a read-only store, kept for the process
        # (bounded: clients choose the properties they ask about)
        self._values = lru_cache(maxsize=64)(self._values)  # type: ignore[method-assign]
        self.properties = lru_cache(maxsize=64)(self.properties)  # type: ignore[method-assign]
        for kind in kinds:
            self._load(kind)
        self._names: list[str] = []
        self._owners: list[Entity] = []
        for entity in self.entities.values():
            for name in sorted(entity.names):
                self._names.append(name)
                self._owners.append(entity)
        #: every class the things have, with its label: what type suggestions choose from
        self.types: dict[str, str] = {t: label for e in self.entities.values() for t, label in e.types.items()}

    def _load(self, kind: str) -> None:
        bindings: dict[str, URIRef | Literal] = {"kind": URIRef(kind), "space": Literal(self.space)}
        preferred: dict[str, list[str]] = {}
        for row in solutions(self.store, "reconcile-names", **bindings):
            iri, name = str(row["entity"]), str(row["name"])
            entity = self.entities.setdefault(iri, Entity(iri, ""))
            entity.names.add(fold(name))
            entity.aliases.add(name)
            if str(row["preferred"]) in ("true", "1"):
                preferred.setdefault(iri, []).append(name)
        for iri, labels in preferred.items():
            self.entities[iri].name = min(labels)  # several labels (disagreeing sources): the same one every time
        for row in solutions(self.store, "reconcile-types", **bindings):
            typed = self.entities.get(str(row["entity"]))
            if typed is not None:
                label = str(row["typeLabel"]) if row["typeLabel"] is not None else local_name(str(row["type"]))
                typed.types.setdefault(str(row["type"]), label)
        self.kinds[kind] = next((e.types[kind] for e in self.entities.values() if kind in e.types), local_name(kind))
        for entity in self.entities.values():
            if not entity.name:
                entity.name = min(entity.names) if entity.names else local_name(entity.iri)

    def find(self, query: str | None, types: list[str], type_strict: str, constraints: list[Constraint],
             limit: int) -> list[Candidate]:
        """The best candidates for one reconciliation query, best first; on equal scores the
        candidate whose whole name is closest to the query first ("Kolokoltsev": the minister
        before the visit named after him)."""
        scores = (self._name_scores(query) if query
                  else {iri: (100.0, False, 100.0) for iri in self._holders(constraints[0])} if constraints else {})
        ranked: list[tuple[float, Candidate]] = []
        for iri, (score, exact, closeness) in scores.items():
            entity = self.entities[iri]
            if types and type_strict != "should":
                wanted = [t in entity.types for t in types]
                if not (all(wanted) if type_strict == "all" else any(wanted)):
                    continue
            elif types and not any(t in entity.types for t in types):
                score *= 0.9   # "should": of another type, kept but ranked lower
            ranked.append((closeness, Candidate(entity, score, exact, True)))
        ranked.sort(key=lambda r: (-r[1].score, -r[0], r[1].entity.name, r[1].entity.iri))
        candidates = [c for _closeness, c in ranked]
        if constraints:
            # with a name, only the best-named are worth checking; without, every holder of the
            # first property is a candidate (up to a bound)
            shortlist = candidates[: max(limit * 5, 50)] if query else candidates[:HOLDERS_CHECKED]
            candidates = self._constrain(shortlist, constraints, name_given=bool(query))
        return [c for c in candidates if c.score >= NEAR][:limit]

    def _name_scores(self, query: str) -> dict[str, tuple[float, bool, float]]:
        """IRI -> (score, whether a name equals the query, best token-sort ratio)."""
        folded = fold(query)
        best: dict[str, tuple[float, bool, float]] = {}
        for scorer, weight in ((fuzz.token_sort_ratio, 1.0), (fuzz.token_set_ratio, SUBSET_DISCOUNT)):
            for name, score, position in process.extract(folded, self._names, scorer=scorer, limit=None,
                                                         score_cutoff=NEAR / weight):
                exact = name == folded
                value = 100.0 if exact else min(99.0, score * weight)
                iri = self._owners[position].iri
                old = best.get(iri, (0.0, False, 0.0))
                closeness = max(old[2], score if weight == 1.0 else 0.0)
                best[iri] = (max(value, old[0]), exact or old[1], closeness)
        return best

    def _constrain(self, ranked: list[Candidate], constraints: list[Constraint], *, name_given: bool) -> list[Candidate]:
        out = []
        for candidate in ranked:
            met = sum(self._meets(candidate.entity.iri, c) for c in constraints)
            share = met / len(constraints)
            score = (candidate.score * (1 - PROPERTY_WEIGHT + PROPERTY_WEIGHT * share) if name_given
                     else 100.0 * share)
            out.append(Candidate(candidate.entity, round(score, 2), candidate.exact and name_given,
                                 met == len(constraints)))
        out.sort(key=lambda c: -c.score)  # stable: equal scores keep the closeness order
        return out

    def _values(self, prop: str) -> dict[str, set[str]]:
        """entity -> the values it has for a property, as compared (IRIs, the identifiers of
        things, folded literals and folded labels of values). Asked once per property (see
        ``__init__``): the store does not change, and a batch checks many candidates."""
        found: dict[str, set[str]] = {}
        for row in solutions(self.store, "reconcile-values", property=URIRef(prop)):
            value, values = row["value"], found.setdefault(str(row["entity"]), set())
            if isinstance(value, URIRef):
                values.add(str(value))
                if value.startswith(self.space):
                    values.add(value[len(self.space):])
            elif isinstance(value, Literal):
                values.add(fold(str(value)))
            if row["valueLabel"] is not None:
                values.add(fold(str(row["valueLabel"])))
        return found

    def _meets(self, iri: str, constraint: Constraint) -> bool:
        return bool(self._values(constraint.property).get(iri, set()) & set(constraint.values))

    def _holders(self, constraint: Constraint) -> list[str]:
        """The reconcilable things that meet one constraint: the candidates of a query that gives
        properties but no name."""
        wanted = set(constraint.values)
        return [iri for iri, values in self._values(constraint.property).items()
                if iri in self.entities and values & wanted]

    def suggest(self, prefix: str, types: list[str], limit: int) -> list[Entity]:
        """Things whose names start with (or contain a word starting with) ``prefix``: the
        auto-completion a client shows while someone types."""
        folded = fold(prefix)
        if not folded:
            return []
        hits: dict[str, tuple[int, Entity]] = {}
        for name, entity in zip(self._names, self._owners, strict=True):
            if types and not any(t in entity.types for t in types):
                continue
            rank = 0 if name.startswith(folded) else 1 if f" {folded}" in f" {name}" else None
            if rank is not None and rank < hits.get(entity.iri, (2, entity))[0]:
                hits[entity.iri] = (rank, entity)
        return [e for _r, e in sorted(hits.values(), key=lambda h: (h[0], h[1].name, h[1].iri))][:limit]

    def properties(self, kind: str) -> list[dict[str, Any]]:
        """The properties things of one kind have, most used first."""
        rows = solutions(self.store, "reconcile-properties", kind=URIRef(kind), space=Literal(self.space))
        return [{"id": str(r["property"]),
                 "name": str(r["propertyLabel"]) if r["propertyLabel"] is not None else local_name(str(r["property"])),
                 "uses": int(str(r["uses"]))} for r in rows]


_LOCK = threading.Lock()


def index_for(extensions: dict[str, Any], store: Store, kinds: list[str], space: str) -> Index:
    """The app's index, built by the first request that needs it."""
    with _LOCK:
        found = extensions.get("coopld_reconcile_index")
        if not isinstance(found, Index):
            found = Index(store, kinds, space)
            extensions["coopld_reconcile_index"] = found
        return found
