"""Numbers about the served dataset, counted once per generation with the queries in
coopld/web/queries/ — so the VoID description says exactly what SPARQL counts."""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

from flask import current_app
from rdflib import Literal, URIRef

from coopld.store import Row, Store, Term
from coopld.web.generation import generation

QUERIES = Path(__file__).parent / "queries"


def solutions(store: Store, name: str, **bindings: URIRef | Literal) -> list[Row]:
    """The rows of ``queries/<name>.rq`` (a SELECT) over ``store``, with variables bound."""
    return store.select(query_text(name), [bindings] if bindings else [])


def python(term: Term | None) -> Any:
    """A value as a page shows it: integers and booleans as Python's, anything else as text."""
    if term is None:
        return None
    if isinstance(term, Literal) and term.datatype is not None:
        datatype = str(term.datatype)
        if datatype.endswith("#integer"):
            return int(str(term))
        if datatype.endswith("#boolean"):
            return str(term) in ("true", "1")
    return str(term)


def select(name: str, **bindings: URIRef | Literal) -> list[dict[str, Any]]:
    """Rows of one of the web layer's own queries over the served store, as plain Python values."""
    return [{k: python(v) for k, v in row.items()} for row in solutions(generation().store, name, **bindings)]


def select_once(name: str) -> list[dict[str, Any]]:
    """Rows of a query without bindings, asked once per generation: a generation's data never
    change, so the landing page and the VoID description need not ask again."""
    answered: dict[str, list[dict[str, Any]]] = generation().cache.setdefault("rows", {})
    if name not in answered:
        answered[name] = select(name)
    return answered[name]


@cache
def query_text(name: str) -> str:
    return (QUERIES / f"{name}.rq").read_text(encoding="utf-8")


def dataset_stats() -> dict[str, Any]:
    """Totals, class and property partitions and linksets, computed once per generation."""
    found = generation().cache.get("stats")
    if found is None:
        settings = current_app.config["COOPLD_SETTINGS"]
        entities = select("void-entities", space=URIRef(settings.id_base))
        found = {"triples": select("void-totals")[0]["triples"], "entities": entities[0]["entities"] if entities else 0,
                 "classes": select("void-classes"), "properties": select("void-properties"),
                 "linksets": [r for r in select("void-linksets") if r["target"] != "other"]}
        generation().cache["stats"] = found
    return found
