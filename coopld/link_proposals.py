"""``coopld link``: proposes links to another dataset (Wikidata by default) for the people,
organizations and places that have none, for a person to review.

Nothing is accepted automatically: proposals go to a review file; a person copies the ones
they have checked into mappings/links.toml with who verified them. Answers are cached, so a
second run asks the endpoint only about what is new; a timeout or an error from the endpoint
is reported for that resource and the others are still asked.
"""

from __future__ import annotations

import hashlib
import json
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rdflib import Literal
from SPARQLWrapper import JSON, SPARQLWrapper

from coopld import __version__
from coopld.config import Settings
from coopld.errors import MappingError
from coopld.store import Store
from coopld.store.embedded import open_store

QUERIES = Path(__file__).parent / "queries"


@dataclass
class Linking:
    endpoint: str
    kinds: dict[str, tuple[list[str], float]]


@dataclass
class Outcome:
    proposals: list[dict[str, Any]] = field(default_factory=list)
    errors: list[dict[str, str]] = field(default_factory=list)
    asked: int = 0
    cached: int = 0


def load_linking(mappings_dir: Path) -> Linking:
    path = mappings_dir / "linking.toml"
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise MappingError(f"cannot read the linking settings: {exc}", path=path) from exc
    kinds = {}
    for kind, spec in data.get("kinds", {}).items():
        if not isinstance(spec.get("types"), list) or not spec["types"]:
            raise MappingError(f"kinds.{kind}: 'types' must list class IRIs", path=path)
        kinds[kind] = ([str(t) for t in spec["types"]], float(spec.get("weight", 1.0)))
    return Linking(str(data.get("endpoint", "https://query.wikidata.org/sparql")), kinds)


def unlinked(store: Store) -> list[tuple[str, str, str]]:
    """(resource IRI, name, kind) of everything without an owl:sameAs yet."""
    rows = store.select((QUERIES / "link-unlinked.rq").read_text(encoding="utf-8"))
    return [(str(r["resource"]), str(r["name"]), str(r["kind"])) for r in rows]


def candidate_query(name: str, types: list[str]) -> str:
    """The query for one name; the name goes in as an escaped SPARQL literal."""
    literal = Literal(name, lang="en").n3()
    return ((QUERIES / "link-candidates.rq").read_text(encoding="utf-8")
            .replace("$NAME", literal).replace("$TYPES", " ".join(f"<{t}>" for t in types)))


def score(rows: list[dict[str, Any]], weight: float) -> list[dict[str, Any]]:
    """One candidate per item, best first: label over alias, lowered when several compete."""
    best: dict[str, dict[str, Any]] = {}
    for row in rows:
        item = row["item"]["value"]
        by_label = row.get("byLabel", {}).get("value") in ("true", "1")
        value = weight * (1.0 if by_label else 0.8)
        candidate = {"item": item, "label": row.get("itemLabel", {}).get("value", ""),
                     "matched_on": "label" if by_label else "alias", "type": row["type"]["value"]}
        if item not in best or value > best[item]["score"]:
            best[item] = {**candidate, "score": value}
    found = sorted(best.values(), key=lambda c: (-c["score"], c["item"]))
    for candidate in found:
        candidate["score"] = round(candidate["score"] / (len(found) ** 0.5), 3)
    return found


class Cache:
    """Endpoint answers on disk, keyed by endpoint and query."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8")) if path.is_file() else {}

    @staticmethod
    def key(endpoint: str, query: str) -> str:
        return hashlib.sha256(f"{endpoint}\n{query}".encode()).hexdigest()

    def get(self, endpoint: str, query: str) -> list[dict[str, Any]] | None:
        found = self.data.get(self.key(endpoint, query))
        return list(found) if found is not None else None

    def put(self, endpoint: str, query: str, rows: list[dict[str, Any]]) -> None:
        self.data[self.key(endpoint, query)] = rows

    def save(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.path.write_text(json.dumps(self.data, indent=1, sort_keys=True) + "\n", encoding="utf-8")


def ask(endpoint: str, query: str, timeout: float) -> list[dict[str, Any]]:
    client = SPARQLWrapper(endpoint, agent=f"coopld/{__version__} (link proposals)")
    client.setQuery(query)
    client.setReturnFormat(JSON)
    client.setTimeout(int(max(1, timeout)))
    client.setMethod("POST")
    answer = client.queryAndConvert()
    assert isinstance(answer, dict)
    return list(answer["results"]["bindings"])


def propose(settings: Settings, endpoint: str | None, review: Path, *, timeout: float = 30.0,
            cache_path: Path | None = None) -> Outcome:
    """Ask the endpoint about every unlinked resource and write the review file."""
    linking = load_linking(settings.mappings_dir)
    endpoint = endpoint or linking.endpoint
    cache = Cache(cache_path or settings.out / "link-cache.json")
    store = open_store(settings.out / "store")
    outcome = Outcome()
    failures = 0  # in a row: after three, the endpoint is taken to be down and the rest are not asked
    for resource, name, kind in unlinked(store):
        if kind not in linking.kinds:
            continue
        types, weight = linking.kinds[kind]
        query = candidate_query(name, types)
        rows = cache.get(endpoint, query)
        if rows is None and failures >= 3:
            outcome.errors.append({"resource": resource, "name": name,
                                   "error": "skipped: the endpoint failed three times in a row"})
            continue
        if rows is None:
            try:
                rows = ask(endpoint, query, timeout)
            except Exception as exc:  # timeouts, refused connections, HTTP errors: reported, not fatal
                failures += 1
                outcome.errors.append({"resource": resource, "name": name, "error": f"{type(exc).__name__}: {exc}"})
                continue
            failures = 0
            cache.put(endpoint, query, rows)
            outcome.asked += 1
        else:
            outcome.cached += 1
        candidates = score(rows, weight)
        if candidates:
            outcome.proposals.append({"resource": resource, "name": name, "kind": kind, "candidates": candidates,
                                      "accepted": None})
    cache.save()
    review.parent.mkdir(parents=True, exist_ok=True)
    review.write_text(json.dumps({
        "endpoint": endpoint,
        "how_to_accept": "Check each candidate; copy the right one into mappings/links.toml with 'verified_by'. "
                         "Nothing here is published.",
        "proposals": outcome.proposals, "errors": outcome.errors}, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return outcome
