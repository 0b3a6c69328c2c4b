"""Numbers about the served dataset, counted once per server process with the queries in
coopld/web/queries/ — so the VoID description says exactly what SPARQL counts."""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

import pyoxigraph as ox
from flask import current_app

from coopld.web.generation import generation

QUERIES = Path(__file__).parent / "queries"


def solutions(store: ox.Store, name: str, **bindings: ox.NamedNode | ox.Literal) -> ox.QuerySolutions:
    """The solutions of ``queries/<name>.rq`` (a SELECT) over ``store``, with variables bound."""
    result = store.query(query_text(name), substitutions={ox.Variable(k): v for k, v in bindings.items()})
    assert isinstance(result, ox.QuerySolutions), name
    return result


def select(name: str, **bindings: ox.NamedNode | ox.Literal) -> list[dict[str, Any]]:
    """Rows of one of the web layer's own queries over the served store, as plain Python values."""
    result = solutions(generation().store, name, **bindings)
    names = [v.value for v in result.variables]
    rows = []
    for solution in result:
        row: dict[str, Any] = {}
        for n in names:
            term = solution[n]
            if term is None:
                row[n] = None
            elif isinstance(term, ox.Literal) and term.datatype.value.endswith("#integer"):
                row[n] = int(term.value)
            elif isinstance(term, ox.Literal) and term.datatype.value.endswith("#boolean"):
                row[n] = term.value == "true"
            else:
                row[n] = term.value
        rows.append(row)
    return rows


def select_once(name: str) -> list[dict[str, Any]]:
    """Rows of a query without bindings, asked once per server process: a server never writes
    its store, so the landing page and the VoID description need not ask again."""
    answered: dict[str, list[dict[str, Any]]] = generation().cache.setdefault("rows", {})
    if name not in answered:
        answered[name] = select(name)
    return answered[name]


@cache
def query_text(name: str) -> str:
    return (QUERIES / f"{name}.rq").read_text(encoding="utf-8")


def dataset_stats() -> dict[str, Any]:
    """Totals, class and property partitions and linksets, computed once per process."""
    found = generation().cache.get("stats")
    if found is None:
        settings = current_app.config["COOPLD_SETTINGS"]
        totals = select("void-totals", space=ox.NamedNode(settings.id_base))[0]
        found = {"triples": totals["triples"], "entities": totals["entities"],
                 "classes": select("void-classes"), "properties": select("void-properties"),
                 "linksets": [r for r in select("void-linksets") if r["target"] != "other"]}
        generation().cache["stats"] = found
    return found
