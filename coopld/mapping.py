"""Records to RDF through the JSON-LD context in mappings/context.jsonld — the same context
the JSON-LD download is compacted with — so the mapping is declarative: change a term there
and both the graph and the download follow."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF, XSD

from coopld.errors import MappingError, RecordError
from coopld.vocab import PREFIXES

# Lexical forms of the XSD types rdflib has no converter for (its ``ill_typed`` says None).
_G_FORMS = {
    XSD.gYear: re.compile(r"-?\d{4,}(?:Z|[+-]\d\d:\d\d)?"),
    XSD.gYearMonth: re.compile(r"-?\d{4,}-(?:0[1-9]|1[0-2])(?:Z|[+-]\d\d:\d\d)?"),
    XSD.gMonthDay: re.compile(r"--(?:0[1-9]|1[0-2])-(?:0[1-9]|[12]\d|3[01])(?:Z|[+-]\d\d:\d\d)?"),
    XSD.gMonth: re.compile(r"--(?:0[1-9]|1[0-2])(?:Z|[+-]\d\d:\d\d)?"),
    XSD.gDay: re.compile(r"---(?:0[1-9]|[12]\d|3[01])(?:Z|[+-]\d\d:\d\d)?"),
}
# What an IRI may not hold (RFC 3987): spaces, controls and ``<>"{}|^`\``.
_NOT_IN_IRI = re.compile(r'[\x00-\x20<>"{}|^`\\\x7f-\x9f]')
_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*:")
# Terms the context leaves untyped because each value says which of these it is.
_DATE_TERMS = {"date", "endDate"}
_DATE_TYPES = (XSD.date, XSD.gYearMonth, XSD.gYear, XSD.gMonthDay, XSD.gMonth)


def load_context(mappings_dir: Path) -> dict[str, Any]:
    """The published context document (``{"@context": {...}}``)."""
    path = mappings_dir / "context.jsonld"
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise MappingError(f"cannot read the JSON-LD context: {exc}", path=path) from exc
    if not isinstance(data, dict) or not isinstance(data.get("@context"), dict):
        raise MappingError("the file must hold one object with an '@context' object", path=path)
    return data


def new_graph(identifier: str | None = None) -> Graph:
    graph = Graph(identifier=identifier) if identifier else Graph()
    for prefix, iri in PREFIXES.items():
        graph.bind(prefix, iri, replace=True)
    return graph


def record_to_graph(record: dict[str, Any], context: dict[str, Any], id_base: str,
                    *, source: Path | None = None) -> Graph:
    """The record's triples; relative IRIs resolve against ``id_base`` (``<base>id/``)."""
    document = {**record, "@context": context["@context"]}
    graph = new_graph()
    try:
        graph.parse(data=json.dumps(document), format="json-ld", base=id_base)
    except Exception as exc:  # the JSON-LD processor raises many types; each means a bad record
        raise RecordError(f"not a valid JSON-LD record: {exc}", path=source) from exc
    if len(graph) == 0:
        raise RecordError("the record yields no triples", path=source)
    _check_terms(graph, context, source)
    _check_types(graph, id_base, source)
    return graph


def _check_types(graph: Graph, id_base: str, source: Path | None) -> None:
    """Refuse a '@type' that is no term of the context ("Protocol" misspelt, or a class the
    context lacks): JSON-LD would resolve it against the base into a class nobody defined."""
    for value in sorted({str(o) for o in graph.objects(None, RDF.type)}):
        if value.startswith(id_base):
            raise RecordError(f"'@type' {value[len(id_base):]!r} is not a class of the JSON-LD context", path=source)


def _expand(context: dict[str, Any], iri: str) -> str:
    prefix, _, local = iri.partition(":")
    namespace = context["@context"].get(prefix)
    return namespace + local if isinstance(namespace, str) else iri


def _terms_by_iri(context: dict[str, Any]) -> dict[str, tuple[str, str | None]]:
    """The context's term for each property IRI (to name a property as the record writes it),
    with the datatype the term declares, if any."""
    out: dict[str, tuple[str, str | None]] = {}
    for term, definition in context["@context"].items():
        iri = definition.get("@id") if isinstance(definition, dict) else definition
        if isinstance(iri, str) and not term.startswith("@"):
            declared = definition.get("@type") if isinstance(definition, dict) else None
            datatype = _expand(context, declared) if isinstance(declared, str) and declared.startswith("xsd:") else None
            out.setdefault(_expand(context, iri), (term, datatype))
    return out


def _check_terms(graph: Graph, context: dict[str, Any], source: Path | None) -> None:
    """Refuse a record whose values are not what their property's datatype allows ("beginIndex":
    "abc") or whose IRIs are not IRIs: later stages (the reasoner, pySHACL, the dumps) would
    fail on them with a traceback naming neither the record nor the value."""
    terms = _terms_by_iri(context)
    for s, p, o in graph:
        term, declared = terms.get(str(p), (str(p), None))
        problem = _bad_iri(s) or _bad_iri(p) or _bad_iri(o) or _bad_literal(o) or _wrong_type(term, declared, o)
        if problem is not None:
            raise RecordError(f"{term!r} has the value {problem}", path=source)


def _wrong_type(term: str, declared: str | None, value: object) -> str | None:
    """A value of another datatype than its term's ({"@value": 1.5, "@type": "xsd:decimal"} as a
    span index), or a date that is no date: the shapes' SPARQL would fail on it, not report it."""
    if not isinstance(value, Literal):
        return None
    if declared is not None and str(value.datatype) != declared:
        return f"{_shown(str(value))} of type {_datatype_name(value.datatype)}, not {_datatype_name(URIRef(declared))}"
    if term in _DATE_TERMS and value.datatype not in _DATE_TYPES:
        kinds = ", ".join(_datatype_name(t) for t in _DATE_TYPES)
        return f"{_shown(str(value))}, which is not a date (one of {kinds})"
    return None


def _bad_iri(term: object) -> str | None:
    if not isinstance(term, URIRef):
        return None
    text = str(term)
    if _NOT_IN_IRI.search(text) or not _SCHEME.match(text):
        return f"{_shown(text)}, which is not a valid IRI"
    return None


def _bad_literal(term: object) -> str | None:
    if not isinstance(term, Literal) or term.datatype is None:
        return None
    form = _G_FORMS.get(term.datatype)
    # a fresh literal: those the JSON-LD parser makes do not always say whether they are ill-typed
    ill_typed = Literal(str(term), datatype=term.datatype).ill_typed if form is None else (
        form.fullmatch(str(term)) is None)
    if ill_typed:
        return f"{_shown(str(term))}, which is not a valid {_datatype_name(term.datatype)}"
    return None


def _datatype_name(datatype: URIRef | None) -> str:
    """``xsd:date`` rather than the datatype's whole IRI."""
    if datatype is None:
        return "a plain string"
    text = str(datatype)
    return "xsd:" + text[len(str(XSD)):] if text.startswith(str(XSD)) else text


def _shown(value: str) -> str:
    return repr(value if len(value) <= 80 else value[:77] + "...")
