"""Which SERVICE calls a query makes, decided from its parse tree, not from a pattern over its text.

A regular expression cannot tell an IRI from two comparisons (``?a<2 … ?b>0``) nor find a
keyword glued to a number (``1036SERVICE``); a SPARQL parser can. This module parses the query
with rdflib's SPARQL grammar, walks the whole tree (subqueries, EXISTS, OPTIONAL, UNION, MINUS,
GRAPH, nested groups) and refuses any ``SERVICE`` unless it names an endpoint on the allow-list.

It runs inside the query process (``query_child.py``), where it is time-limited and killable
like the query itself: rdflib needs seconds for some long queries and deep recursion for deeply
nested ones. It is loaded there by file path, so it imports nothing of coopld (the package
imports Flask): only the standard library and rdflib.

The parse is the first line only. With federation off the query process has no network at all
(a seccomp filter), so a query rdflib misreads cannot reach anyone; with federation on, a query
rdflib cannot parse, or one with codepoint escapes (``\\u0053``, which rdflib and pyoxigraph do
not expand in the same places), is refused rather than run unchecked.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

#: deepest nesting of groups ``{…}`` and expressions ``(…)`` a query may have; rdflib's parser
#: and pyoxigraph's both recurse once per level, and rdflib needs about 3 ms per level
MAX_DEPTH = 500

FORBIDDEN = "federated SERVICE calls are disabled on this endpoint"

# the tokens inside which brackets do not nest: strings, IRIs (IRIREF's own characters), comments
_OPAQUE = re.compile(r'"""(?:[^"\\]|\\.|"(?!""))*"""|\'\'\'(?:[^\'\\]|\\.|\'(?!\'\'))*\'\'\'|"(?:[^"\\\n\r]|\\.)*"'
                     r"|'(?:[^'\\\n\r]|\\.)*'|<[^<>\"{}|^`\\\x00-\x20]*>|#[^\n\r]*")
_ESCAPE = re.compile(r"\\u([0-9A-Fa-f]{4})|\\U([0-9A-Fa-f]{8})")
_VARIABLE = re.compile(r"[?$]\w+")
_BRACKETS = re.compile(r"[{}()\[\]]")
_ABSOLUTE = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*:")
# parse-tree nodes that are one level of nesting: a group pattern, a subquery, an expression
_LEVELS = frozenset({"GroupGraphPatternSub", "SubSelect", "ConditionalOrExpression"})


class Refused(Exception):
    """A query that must not run; ``kind`` is "forbidden" (403), "too-deep" or "unchecked" (400)."""

    def __init__(self, kind: str, message: str) -> None:
        self.kind = kind
        self.message = message
        super().__init__(message)


def too_deep(depth: int | str) -> Refused:
    return Refused("too-deep", f"the query is nested too deeply ({depth} levels of {{…}} or (…)); "
                               f"this endpoint takes at most {MAX_DEPTH}")


def bracket_depth(text: str) -> int:
    """How deep brackets nest outside strings, IRIs and comments: a cheap bound checked before
    the parse, so that a query of thousands of nested braces is refused in microseconds rather
    than after seconds of parsing. (A comparison ``?a<…>`` read as an IRI only lowers the count;
    the parse tree is measured afterwards.)"""
    depth = deepest = 0
    for match in _BRACKETS.finditer(_OPAQUE.sub(" ", text)):
        if match.group() in "{([":
            depth += 1
            deepest = max(deepest, depth)
        else:
            depth = max(depth - 1, 0)
    return deepest


def too_deep_at_most(text: str) -> int:
    """The bracket depth of ``text`` when it can exceed :data:`MAX_DEPTH`, else 0: a text with no
    more opening brackets than that cannot nest deeper, and counting them (in C) is a hundredth
    of what :func:`bracket_depth` costs, which most queries then need not pay."""
    if text.count("{") + text.count("(") + text.count("[") <= MAX_DEPTH:
        return 0
    return bracket_depth(text)


def mentions_service(text: str) -> bool:
    """Whether the letters of SERVICE appear, in any case and glued to anything, outside strings,
    IRIs, comments and variable names: the answer for the few queries rdflib cannot parse."""
    return "service" in _VARIABLE.sub(" ", _OPAQUE.sub(" ", expand(text))).lower()


def expand(text: str) -> str:
    """``text`` with its codepoint escapes (``\\u0053``, ``\\U00000053``) replaced, as rdflib reads it."""
    return _ESCAPE.sub(lambda m: chr(int(m.group(1) or m.group(2), 16)) if int(m.group(1) or m.group(2), 16) < 0x110000
                       else m.group(), text)


def _children(node: Any) -> Iterable[Any]:
    """The sub-trees of a parse-tree node (CompValue is a dict, ParseResults a list; terms are
    strings and have none)."""
    if isinstance(node, str):
        return ()
    if isinstance(node, dict):
        return list(node.values())
    if isinstance(node, list | tuple) or type(node).__name__ == "ParseResults":
        return list(node)
    return ()


def walk(tree: Any) -> tuple[int, list[Any]]:
    """The nesting depth of ``tree`` and every ServiceGraphPattern in it, iteratively (a
    recursive walk would fail on the very trees this must refuse)."""
    services: list[Any] = []
    deepest = 0
    stack: list[tuple[Any, int]] = [(tree, 0)]
    while stack:
        node, depth = stack.pop()
        name = getattr(node, "name", None) if isinstance(node, dict) else None
        if name in _LEVELS:
            depth += 1
            deepest = max(deepest, depth)
        if name == "ServiceGraphPattern":
            services.append(node)
        stack.extend((child, depth) for child in _children(node))
    return deepest, services


def prefixes(prologue: Any) -> dict[str, str]:
    """The query's PREFIX declarations as written (not resolved against BASE: see _endpoint)."""
    return {str(decl.get("prefix") or ""): str(decl.get("iri")) for decl in prologue
            if getattr(decl, "name", None) == "PrefixDecl"}


def _endpoint(service: Any, declared: dict[str, str]) -> tuple[str | None, str]:
    """The endpoint IRI of one SERVICE (None for a variable, "" for one that is not an absolute
    IRI once its prefix is expanded) and how the query wrote it."""
    from rdflib.term import Variable

    term = service.get("term")
    if isinstance(term, Variable):
        return None, "?" + str(term)
    if isinstance(term, dict):  # a prefixed name
        written = f"{term.get('prefix') or ''}:{term.get('localname') or ''}"
        namespace = declared.get(str(term.get("prefix") or ""))
        raw = None if namespace is None else namespace + str(term.get("localname") or "")
    else:
        written = f"<{term}>"
        raw = str(term)
    if raw is None or not _ABSOLUTE.match(raw):
        # not resolved against BASE here: rdflib's resolution (urljoin) is not pyoxigraph's (RFC 3986)
        return "", written
    return raw, written


def warm() -> None:
    """Import rdflib's SPARQL grammar now (about half a second), while the process waits for its
    first query, rather than during it."""
    import rdflib.plugins.sparql.parser  # noqa: F401


def parse(text: str) -> Any:
    """rdflib's parse tree of a query; RecursionError becomes a "too deep" refusal."""
    from rdflib.plugins.sparql.parser import parseQuery

    try:
        return parseQuery(text)
    except RecursionError as exc:
        raise too_deep(f"more than {MAX_DEPTH}") from exc


def check(text: str, allowed: frozenset[str]) -> None:
    """Raise :class:`Refused` unless every SERVICE of ``text`` names an endpoint in ``allowed``
    (none may when it is empty) and the query nests at most :data:`MAX_DEPTH` levels."""
    depth = too_deep_at_most(text)
    if depth > MAX_DEPTH:
        raise too_deep(depth)
    if allowed and re.search(r"\\[uU]", text):
        raise Refused("unchecked", "the query cannot be checked against the federation allow-list: it has "
                                   "\\u or \\U escapes; write the characters themselves")
    if not allowed and "service" not in expand(text).lower():
        return  # no SERVICE can be spelt without its letters: most queries need no parse (30–60 ms)
    try:
        tree = parse(text)
    except Refused:
        raise
    except Exception as exc:  # rdflib's grammar is not pyoxigraph's: which it rejects, pyoxigraph may accept
        if allowed:
            raise Refused("unchecked", f"the query cannot be checked against the federation allow-list: {exc}") from exc
        if mentions_service(text):  # a tie-breaker only: the sandbox would stop the call anyway
            raise Refused("forbidden", f"{FORBIDDEN} (the query has the word SERVICE outside strings, IRIs and "
                                       f"comments, and the SERVICE check cannot parse it: {exc})") from exc
        return  # without federation the query process has no network: pyoxigraph may judge the rest
    depth, services = walk(tree)
    if depth > MAX_DEPTH:
        raise too_deep(depth)
    if not services:
        return
    if not allowed:
        raise Refused("forbidden", FORBIDDEN)
    declared = prefixes(tree[0])
    for service in services:
        check_endpoint(*_endpoint(service, declared), allowed)


def check_forwarded(text: str, allowed: frozenset[str]) -> bool:
    """Refuse a query to be forwarded to a remote store unless rdflib parses it and its SERVICE
    calls pass :func:`check`; return whether it names its own dataset (FROM, FROM NAMED).

    Stricter than :func:`check`: a remote store has the network, and no sandbox stands behind
    this check, so a query rdflib cannot read (a store's own pragmas, such as Virtuoso's
    ``DEFINE``) is not sent at all."""
    depth = too_deep_at_most(text)
    if depth > MAX_DEPTH:
        raise too_deep(depth)
    try:
        tree = parse(text)
    except Refused:
        raise
    except Exception as exc:
        raise Refused("syntax", f"the query does not parse as standard SPARQL 1.1, so it is not forwarded to the "
                                f"store: {exc}") from exc
    depth, services = walk(tree)
    if depth > MAX_DEPTH:
        raise too_deep(depth)
    if services and not allowed:
        raise Refused("forbidden", FORBIDDEN)
    declared = prefixes(tree[0])
    for service in services:
        check_endpoint(*_endpoint(service, declared), allowed)
    query = tree[1]
    return "datasetClause" in query.keys() and bool(query["datasetClause"])  # noqa: SIM118 (a parse node, not a dict)


def check_endpoint(endpoint: str | None, written: str, allowed: frozenset[str]) -> None:
    """Refuse one SERVICE endpoint unless it is a constant, absolute IRI on the allow-list."""
    if endpoint is None:
        raise Refused("forbidden", f"SERVICE {written}: a variable endpoint is not allowed here; name one of "
                                   f"the endpoints this server federates with: {', '.join(sorted(allowed))}")
    if not endpoint:
        raise Refused("forbidden", f"SERVICE {written}: write the endpoint as an absolute IRI")
    if endpoint not in allowed:
        raise Refused("forbidden", f"SERVICE <{endpoint}> is not on this endpoint's federation allow-list: "
                                   f"{', '.join(sorted(allowed))}")


def calls_service(text: str) -> bool:
    """Whether rdflib reads a SERVICE clause in ``text`` (False when it cannot parse it): for
    callers that run rdflib's own engine, which runs only what rdflib parses."""
    try:
        return bool(walk(parse(text))[1])
    except Exception:
        return False
