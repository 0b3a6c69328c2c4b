"""SPARQL results written in the W3C formats from the JSON format, so that an answer reads the
same whichever store gave it: coopld asks a remote store for JSON (the format every store writes
to the letter) and writes XML, CSV or TSV itself, as the embedded store writes them (bare
integers, decimals and booleans in TSV, as its Turtle-like syntax allows)."""

from __future__ import annotations

import csv
import io
import json
from typing import Any
from xml.sax.saxutils import escape, quoteattr

JSON = "application/sparql-results+json"
XML = "application/sparql-results+xml"
CSV = "text/csv"
TSV = "text/tab-separated-values"
FORMATS = (JSON, XML, CSV, TSV)
_XSD = "http://www.w3.org/2001/XMLSchema#"
_BARE = {_XSD + "integer", _XSD + "decimal", _XSD + "boolean"}


def convert(body: bytes, media_type: str) -> bytes:
    """A JSON results document in ``media_type``."""
    data: dict[str, Any] = json.loads(body)
    if media_type == JSON:
        return body
    if media_type == XML:
        return _xml(data)
    if "boolean" in data:
        return b"true" if data["boolean"] else b"false"
    names = list(data["head"].get("vars", []))
    rows = data["results"]["bindings"]
    if media_type == CSV:
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\r\n")
        writer.writerow(names)
        for row in rows:
            writer.writerow([_csv(row.get(n)) for n in names])
        return out.getvalue().encode("utf-8")
    if media_type == TSV:
        lines = ["\t".join("?" + n for n in names)]
        lines += ["\t".join(_tsv(row.get(n)) for n in names) for row in rows]
        return ("\n".join(lines) + "\n").encode("utf-8")
    raise ValueError(f"not a SPARQL results format: {media_type}")


#: the RDF formats a CONSTRUCT or DESCRIBE answer is written in, by media type: rdflib's writers
RDF_WRITERS = {"text/turtle": "turtle", "application/n-triples": "nt", "application/ld+json": "json-ld",
               "application/rdf+xml": "xml", "application/trig": "trig", "application/n-quads": "nquads"}


def convert_triples(ntriples: bytes, media_type: str) -> bytes:
    """An N-Triples answer in another RDF format (a store's own Turtle or RDF/XML is not always
    the letter of the spec, and some stores write no TriG or JSON-LD at all)."""
    from rdflib import Dataset, Graph

    writer = RDF_WRITERS.get(media_type)
    if writer is None:
        raise ValueError(f"not an RDF format: {media_type}")
    if writer == "nt":
        return ntriples
    graph = Graph().parse(data=ntriples.decode("utf-8"), format="nt")
    if writer in ("trig", "nquads"):
        dataset = Dataset()
        dataset.default_context += graph
        return dataset.serialize(format=writer, encoding="utf-8")
    return graph.serialize(format=writer, encoding="utf-8")


def _csv(term: dict[str, str] | None) -> str:
    if term is None:
        return ""
    return "_:" + term["value"] if term["type"] == "bnode" else term["value"]


def _escaped(text: str) -> str:
    return (text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\r", "\\r")
            .replace("\t", "\\t"))


def _parts(term: dict[str, str]) -> tuple[str, str, str]:
    """A JSON results term as (kind, value, extra): "uri", "bnode", "lang" (extra: the tag),
    "typed" (extra: the datatype) or "plain"."""
    kind, value = term["type"], term["value"]
    if kind in ("uri", "bnode"):
        return kind, value, ""
    if "xml:lang" in term:
        return "lang", value, term["xml:lang"]
    datatype = term.get("datatype", "")
    return ("typed", value, datatype) if datatype and datatype != _XSD + "string" else ("plain", value, "")


def _tsv(term: dict[str, str] | None) -> str:
    if term is None:
        return ""
    kind, value, extra = _parts(term)
    written = {"uri": f"<{value}>", "bnode": f"_:{value}", "lang": f'"{_escaped(value)}"@{extra}',
               "typed": f'"{_escaped(value)}"^^<{extra}>', "plain": f'"{_escaped(value)}"'}[kind]
    return value if kind == "typed" and extra in _BARE and value and " " not in value else written


def _xml(data: dict[str, Any]) -> bytes:
    head = "".join(f"<variable name={quoteattr(n)}/>" for n in data["head"].get("vars", []))
    parts = ['<?xml version="1.0"?><sparql xmlns="http://www.w3.org/2005/sparql-results#">', f"<head>{head}</head>"]
    if "boolean" in data:
        parts.append(f"<boolean>{'true' if data['boolean'] else 'false'}</boolean>")
    else:
        parts.append("<results>")
        for row in data["results"]["bindings"]:
            parts.append("<result>")
            for name, term in row.items():
                parts.append(f"<binding name={quoteattr(name)}>{_xml_term(term)}</binding>")
            parts.append("</result>")
        parts.append("</results>")
    parts.append("</sparql>")
    return "".join(parts).encode("utf-8")


def _xml_term(term: dict[str, str]) -> str:
    kind, raw, extra = _parts(term)
    value = escape(raw, {'"': "&quot;", "'": "&apos;"})
    return {"uri": f"<uri>{value}</uri>", "bnode": f"<bnode>{value}</bnode>",
            "lang": f"<literal xml:lang={quoteattr(extra)}>{value}</literal>",
            "typed": f"<literal datatype={quoteattr(extra)}>{value}</literal>",
            "plain": f"<literal>{value}</literal>"}[kind]
