"""Numbers about the served dataset, counted once per server process with the queries in
coopld/web/queries/ — so the VoID description says exactly what SPARQL counts."""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

import pyoxigraph as ox
from flask import current_app

QUERIES = Path(__file__).parent / "queries"


def select(name: str, **bindings: ox.NamedNode | ox.Literal) -> list[dict[str, Any]]:
    """Rows of one of the web layer's own queries, as plain Python values."""
    store: ox.Store = current_app.extensions["coopld_store"]
    text = _text(name)
    result = store.query(text, substitutions={ox.Variable(k): v for k, v in bindings.items()})
    assert isinstance(result, ox.QuerySolutions)
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


@cache
def _text(name: str) -> str:
    return (QUERIES / f"{name}.rq").read_text(encoding="utf-8")


def dataset_stats() -> dict[str, Any]:
    """Totals, class and property partitions and linksets, computed once per process."""
    found = current_app.extensions.get("coopld_stats")
    if found is None:
        settings = current_app.config["COOPLD_SETTINGS"]
        totals = select("void-totals", space=ox.NamedNode(settings.id_base))[0]
        found = {"triples": totals["triples"], "entities": totals["entities"],
                 "classes": select("void-classes"), "properties": select("void-properties"),
                 "linksets": [r for r in select("void-linksets") if r["target"] != "other"]}
        current_app.extensions["coopld_stats"] = found
    return found
