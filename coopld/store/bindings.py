"""Values bound into a query for a store reached over the SPARQL protocol, which has no
parameters of its own.

The embedded store binds variables itself (pyoxigraph's substitutions). Over HTTP, the values
go into the query as a ``VALUES`` block placed first in its ``WHERE`` group, where they join with
everything else in the group (its FILTERs and BINDs see them, as with substitution); aggregates
that group by a bound variable keep working. Each value is written by rdflib's N-Triples
serializer after an IRI check, so nothing a request carries can end the term it is written in.
This is for coopld's own queries (``queries/*.rq``), which all spell out ``WHERE``; a public
query is never rewritten.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import lru_cache

from rdflib import Literal, URIRef

from coopld.errors import StoreError
from coopld.iris import iri_problem
from coopld.store import Binding

#: the lexical pieces that can hold a "{" or a "WHERE" that is not the query's: IRIs (SPARQL's
#: IRIREF), strings (long ones first), comments
_SKIP = re.compile(r'<[^<>"{}|^`\\\x00-\x20]*>|"""(?:[^"\\]|\\.|"(?!""))*"""|'
                   r"'''(?:[^'\\]|\\.|'(?!''))*'''|\"(?:[^\"\\\n]|\\.)*\"|'(?:[^'\\\n]|\\.)*'|#[^\n]*")
_WHERE = re.compile(r"(?<![\w:?$])WHERE(?![\w:])", re.IGNORECASE)


@lru_cache(maxsize=256)  # coopld's own queries, bound again and again
def where_group_start(query: str) -> int:
    """The offset just after the ``{`` that opens the query's ``WHERE`` group."""
    pos, depth = 0, 0
    while pos < len(query):
        skipped = _SKIP.match(query, pos)
        if skipped:
            pos = skipped.end()
            continue
        char = query[pos]
        if char == "{":
            depth += 1
        elif char == "}":
            depth -= 1
        elif depth == 0 and _WHERE.match(query, pos):
            brace = query.find("{", pos)
            if brace < 0:
                break
            return brace + 1
        pos += 1
    raise StoreError("a query coopld binds values into must spell out its WHERE group")


def _written(value: URIRef | Literal) -> str:
    if isinstance(value, URIRef):
        problem = iri_problem(str(value))
        if problem is not None:
            raise StoreError(f"cannot bind {str(value)[:100]!r}: {problem}")
    return value.n3()


def with_values(query: str, bindings: Sequence[Binding]) -> str:
    """``query`` with one row of ``VALUES`` per binding (no bindings: the query as it is)."""
    if not bindings:
        return query
    names = sorted({name for binding in bindings for name in binding})
    for name in names:
        if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", name):
            raise StoreError(f"{name!r} is not a variable name")
    rows = " ".join("(" + " ".join(_written(b[n]) if n in b else "UNDEF" for n in names) + ")" for b in bindings)
    block = f" VALUES ({' '.join('?' + n for n in names)}) {{ {rows} }} "
    at = where_group_start(query)
    return query[:at] + block + query[at:]
