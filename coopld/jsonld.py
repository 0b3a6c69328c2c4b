"""The JSON-LD dump's node objects, compacted with the published context, written one resource at
a time.

rdflib's JSON-LD writer compacts a whole graph at once (about 70 µs a triple measured on the
seeds, and it holds the graph), which made the JSON-LD dump most of a large build's end. A
dump of flat node objects needs only the part of JSON-LD's compaction that picks a key and a
value form for each statement, and that part is small when the context is: here a term is used
only where its definition is a plain IRI mapping, with at most a type coercion ("@id", "@vocab"
or a datatype); any other term (a container, a language, a reverse property) is never chosen,
and its statements are written with a compact IRI and an expanded value, which every JSON-LD
processor reads back as the same triple. ``tests/test_dumps.py`` reads the dump back with
rdflib's processor and compares graphs.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from rdflib import BNode, Literal, URIRef
from rdflib.namespace import RDF, XSD

Term = URIRef | BNode | Literal
#: the characters a prefix's IRI may end with for JSON-LD 1.1 to use it in compact IRIs
_GEN_DELIMS = (":", "/", "?", "#", "[", "]", "@")
#: looked up once: rdflib's namespace attributes cost a call each, and a dump asks millions of times
_RDF_TYPE, _XSD_STRING = RDF.type, XSD.string
#: compacted IRIs a compactor keeps (a dump names the same terms over and over); bounded
_COMPACTED = 1 << 16


@dataclass
class Compactor:
    """The choices a context allows, worked out once: which term writes a property given its
    value's kind, which term names a class, which prefix shortens an IRI."""

    context: Mapping[str, Any]
    #: property IRI → [(term, coercion)]: coercion None (no @type), "@id", "@vocab" or a datatype IRI
    properties: dict[str, list[tuple[str, str | None]]] = field(default_factory=dict)
    #: IRI → the term naming it, for class names and "@vocab" values
    names: dict[str, str] = field(default_factory=dict)
    #: (IRI, prefix), longest IRI first
    prefixes: list[tuple[str, str]] = field(default_factory=list)
    #: strings plain in the context would be read with a default language or base: write value objects
    plain_strings: bool = True
    _compacted: dict[tuple[str, bool], str] = field(default_factory=dict, repr=False)

    @classmethod
    def of(cls, context: Mapping[str, Any]) -> Compactor:
        definitions = {k: v for k, v in context.items() if not k.startswith("@")}
        compactor = cls(context, plain_strings="@language" not in context)
        raw_prefixes = {k: v for k, v in definitions.items() if isinstance(v, str) and v.endswith(_GEN_DELIMS)}
        compactor.prefixes = sorted(((v, k) for k, v in raw_prefixes.items()), key=lambda p: (-len(p[0]), p[1]))
        for term, definition in sorted(definitions.items()):
            if isinstance(definition, str):
                iri, coercion = compactor.expand(definition), None
            elif isinstance(definition, dict) and set(definition) <= {"@id", "@type"} and isinstance(definition.get("@id"), str):
                iri = compactor.expand(definition["@id"])
                kind = definition.get("@type")
                coercion = kind if kind in (None, "@id", "@vocab") else compactor.expand(str(kind))
            else:
                continue  # a definition this writer does not use
            if ":" in term:  # a term that looks like a compact IRI is read as one: never chosen
                continue
            compactor.properties.setdefault(iri, []).append((term, coercion))
            if coercion is None:
                compactor.names.setdefault(iri, term)
        return compactor

    def expand(self, value: str) -> str:
        """A context's compact IRI ("coop:date") as the IRI; an absolute IRI as it is."""
        prefix, colon, rest = value.partition(":")
        mapped = self.context.get(prefix)
        if colon and not rest.startswith("//") and isinstance(mapped, str):
            return mapped + rest
        return value

    def compact_iri(self, iri: str, *, vocab: bool = False) -> str:
        """An IRI as a term (``vocab``: for class names and "@vocab" values), else as the shortest
        compact IRI a prefix gives, else whole."""
        known = self._compacted.get((iri, vocab))
        if known is None:
            if len(self._compacted) >= _COMPACTED:
                self._compacted.clear()
            known = self._compacted[(iri, vocab)] = self._compact(iri, vocab)
        return known

    def _compact(self, iri: str, vocab: bool) -> str:
        if vocab and iri in self.names:
            return self.names[iri]
        for base, prefix in self.prefixes:
            if iri.startswith(base) and len(iri) > len(base) and not iri[len(base):].startswith("//"):
                curie = f"{prefix}:{iri[len(base):]}"
                if curie not in self.context:
                    return curie
        return iri

    def _node_ref(self, value: URIRef | BNode) -> str:
        return f"_:{value}" if isinstance(value, BNode) else self.compact_iri(str(value))

    def statement(self, predicate: URIRef, value: Term) -> tuple[str, Any]:
        """The key and the value form of one statement of a node."""
        terms = self.properties.get(str(predicate), [])
        if isinstance(value, (URIRef, BNode)):
            for term, coercion in terms:
                if coercion == "@id":
                    return term, self._node_ref(value)
                if coercion == "@vocab" and isinstance(value, URIRef):
                    return term, self.compact_iri(str(value), vocab=True)
            key = next((t for t, c in terms if c is None), None) or self.compact_iri(str(predicate))
            return key, {"@id": self._node_ref(value)}
        datatype = value.datatype if value.datatype is not None else (None if value.language else _XSD_STRING)
        if datatype is not None and datatype != _XSD_STRING:
            match = next((t for t, c in terms if c == str(datatype)), None)
            if match is not None:
                return match, str(value)
        key = next((t for t, c in terms if c is None), None) or self.compact_iri(str(predicate))
        if value.language:
            return key, {"@value": str(value), "@language": value.language}
        if datatype == _XSD_STRING:
            return key, str(value) if self.plain_strings else {"@value": str(value)}
        return key, {"@value": str(value), "@type": self.compact_iri(str(datatype))}

    def node(self, subject: URIRef | BNode, statements: Iterable[tuple[Term, Term]]) -> dict[str, Any]:
        """One resource's node object: its "@id", its "@type"s, then a key per property, a
        single value unwrapped from its array, as compaction does."""
        out: dict[str, Any] = {"@id": self._node_ref(subject)}
        types: list[str] = []
        values: dict[str, list[Any]] = {}
        for predicate, value in statements:
            if not isinstance(predicate, URIRef):  # no RDF statement has another predicate
                raise ValueError(f"not a predicate: {predicate!r}")
            if predicate == _RDF_TYPE and isinstance(value, (URIRef, BNode)):
                types.append(self.compact_iri(str(value), vocab=True) if isinstance(value, URIRef) else f"_:{value}")
                continue
            key, form = self.statement(predicate, value)
            values.setdefault(key, []).append(form)
        if types:
            out["@type"] = types[0] if len(types) == 1 else types
        for key, forms in values.items():
            out[key] = forms[0] if len(forms) == 1 else forms
        return out
