"""Writing the dataset out: TriG and N-Quads with a named graph per article (and for the
ontology, vocabularies, links, series, inferred triples and the validation report), and the
union of those graphs but the report as Turtle, gzipped N-Triples and JSON-LD compacted with
the published context.

The dumps are written from a build's spool (``coopld.spool``), sorted on disk
(``coopld.linesort``) and read back a piece at a time, so writing them costs memory for a piece,
not for the dataset. Every dump is byte for byte the same for the same statements: lines and
nodes are sorted, and the gzip header carries no time nor name, so a rebuild can be checked
with a checksum.
"""

from __future__ import annotations

import gzip
import hashlib
import itertools
import json
import os
import shutil
from collections.abc import Collection, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any, cast

from rdflib import BNode, URIRef

from coopld.jsonld import Compactor
from coopld.linesort import sort_unique
from coopld.spool import as_nquad, triples
from coopld.store.embedded import triples_in_pieces, write_rdf
from coopld.vocab import PREFIXES

#: file name → (media type, description) of every dump
DUMPS: dict[str, tuple[str, str]] = {
    "coopld.trig": ("application/trig", "every named graph, TriG"),
    "coopld.nq": ("application/n-quads", "every named graph, N-Quads, sorted by graph, then statement"),
    "coopld.ttl": ("text/turtle", "the data, ontology, vocabularies, links and inferred triples as one graph, Turtle"),
    "coopld.nt.gz": ("application/n-triples", "the same graph as coopld.ttl, N-Triples, sorted, gzipped"),
    "coopld.jsonld": ("application/ld+json", "the same graph as coopld.ttl, JSON-LD compacted with the coopld context"),
    "validation-report.ttl": ("text/turtle", "the SHACL validation report of the build"),
}
#: the dumps written from the union of the graphs
_FROM_UNION = {"coopld.ttl", "coopld.nt.gz", "coopld.jsonld"}


@dataclass
class Written:
    """What :func:`write_dumps` wrote: each dump's SHA-256, the number of statements of each
    graph, and (when asked for) the union as sorted N-Triples, for the store's default graph."""

    digests: dict[str, str] = field(default_factory=dict)
    graph_sizes: dict[str, int] = field(default_factory=dict)
    union: Path | None = None


def write_dumps(spool: Sequence[Path], out: Path, *, report_graph: URIRef, context: dict[str, Any], work: Path,
                only: Collection[str] | None = None, keep_union: bool = False, jobs: int = 2) -> Written:
    """Write every dump of the statements in the ``spool`` files into ``out`` — or only those
    named in ``only``, for a benchmark (what the server needs) — using ``work`` for temporary
    files. ``keep_union``: leave the union's N-Triples in ``work`` and name it in the result."""
    wanted = set(DUMPS) if only is None else set(only)
    if unknown := wanted - set(DUMPS):
        raise ValueError(f"no such dump: {', '.join(sorted(unknown))}")
    out.mkdir(parents=True, exist_ok=True)
    work.mkdir(parents=True, exist_ok=True)
    written = Written()
    by_graph = work / "by-graph.sp"
    sort_unique(spool, by_graph, temp=work / "sort", jobs=jobs)
    union_lines, report_lines = work / "union-unsorted.nt", work / "report.nt"
    with by_graph.open("rb") as lines, union_lines.open("wb") as union, report_lines.open("wb") as report, \
            _Dump(out, "coopld.nq", "coopld.nq" in wanted, written) as nq:
        statements = _split(lines, f"<{report_graph}>".encode(), nq, union, report, written.graph_sizes)
        if "coopld.trig" in wanted:
            with _Dump(out, "coopld.trig", True, written) as trig:
                write_rdf(statements, trig, "trig", PREFIXES)
        else:
            for _line in statements:
                pass
    by_graph.unlink()
    if "validation-report.ttl" in wanted:
        with report_lines.open("rb") as lines, _Dump(out, "validation-report.ttl", True, written) as ttl:
            write_rdf(lines, ttl, "ttl", PREFIXES)
    report_lines.unlink()
    union_path = work / "union.nt"
    if wanted & _FROM_UNION or keep_union:
        sort_unique([union_lines], union_path, temp=work / "sort", jobs=jobs)
    union_lines.unlink()
    if wanted & _FROM_UNION:
        _write_union(union_path, out, wanted, context, written)
    if keep_union:
        written.union = union_path
    else:
        union_path.unlink(missing_ok=True)
    shutil.rmtree(work / "sort", ignore_errors=True)
    return written


def write_report(report_spool: Path, path: Path, work: Path) -> None:
    """The validation report alone, as Turtle (for a build the shapes stopped)."""
    work.mkdir(parents=True, exist_ok=True)
    sorted_lines = work / "report.sp"
    sort_unique([report_spool], sorted_lines, temp=work / "sort")
    with sorted_lines.open("rb") as lines, path.open("wb") as out:
        write_rdf(triples(lines), out, "ttl", PREFIXES)
    sorted_lines.unlink()


def _split(lines: Iterable[bytes], report: bytes, nq: IO[bytes], union: IO[bytes], report_out: IO[bytes],
           sizes: dict[str, int]) -> Iterator[bytes]:
    """Each sorted spool line as an N-Quads line (written to ``nq`` and yielded for TriG), its
    triple into the union unless it is the report's (which goes to ``report_out``), counted by
    graph."""
    current, count = b"", 0
    for line in lines:
        graph, _, triple = line.partition(b"\t")  # the spool's line: graph, tab, N-Triples line
        if graph != current:
            if current:
                sizes[current[1:-1].decode()] = count
            current, count = graph, 0
        count += 1
        quad = as_nquad(graph, triple)
        nq.write(quad)
        (report_out if graph == report else union).write(triple)
        yield quad
    if current:
        sizes[current[1:-1].decode()] = count


def _write_union(union: Path, out: Path, wanted: set[str], context: dict[str, Any], written: Written) -> None:
    if "coopld.nt.gz" in wanted:
        with union.open("rb") as lines, _Dump(out, "coopld.nt.gz", True, written) as raw, \
                gzip.GzipFile(filename="", mode="wb", fileobj=raw, mtime=0) as packed:
            shutil.copyfileobj(lines, packed)
    if "coopld.ttl" in wanted:
        with union.open("rb") as lines, _Dump(out, "coopld.ttl", True, written) as ttl:
            write_rdf(lines, ttl, "ttl", PREFIXES)
    if "coopld.jsonld" in wanted:
        with union.open("rb") as lines, _Dump(out, "coopld.jsonld", True, written) as jsonld:
            _write_jsonld(lines, jsonld, context)


def _write_jsonld(lines: Iterable[bytes], out: IO[bytes], context: dict[str, Any]) -> None:
    """JSON-LD compacted with the published context (``coopld.jsonld``), one node object per
    resource in the order of the sorted union, each node's keys and values sorted."""
    compactor = Compactor.of(context["@context"])
    out.write(b'{\n "@context": ' + json.dumps(context["@context"], ensure_ascii=False).encode("utf-8")
              + b',\n "@graph": [')
    first = True
    for piece in triples_in_pieces(lines):
        for subject, statements in itertools.groupby(piece, key=lambda t: t[0]):
            assert isinstance(subject, (URIRef, BNode))
            node = compactor.node(subject, ((p, o) for _s, p, o in statements))
            text = json.dumps(_sort_jsonld(node), ensure_ascii=False, sort_keys=True)
            out.write((b"\n  " if first else b",\n  ") + text.encode("utf-8"))
            first = False
    out.write(b"\n ]\n}\n")


def _sort_jsonld(value: Any, ordered: bool = False) -> Any:
    """Order values by their JSON text, for a stable file — but never the members of an RDF
    list ("@list"), whose order is their meaning."""
    if isinstance(value, dict):
        return {k: _sort_jsonld(v, ordered=k == "@list") for k, v in sorted(value.items())}
    if isinstance(value, list) and ordered:
        return [_sort_jsonld(v) for v in value]
    if isinstance(value, list):
        items = [_sort_jsonld(v) for v in value]
        return sorted(items, key=lambda v: json.dumps(v, sort_keys=True, ensure_ascii=False))
    return value


class _Dump:
    """A dump file being written: under a temporary name until it is whole, then renamed, its
    SHA-256 computed as it is written. Not ``enabled``: a sink that keeps nothing. (It has what
    Oxigraph's serializers and gzip call of a binary file: ``write`` and ``flush``.)"""

    def __init__(self, out: Path, name: str, enabled: bool, written: Written) -> None:
        self.path, self.name, self.enabled, self.written = out / name, name, enabled, written
        self._tmp = self.path.with_name(f".{name}.tmp")
        self._digest = hashlib.sha256()
        self._file: IO[bytes] | None = None

    def __enter__(self) -> IO[bytes]:
        if self.enabled:
            self._file = self._tmp.open("wb")
        return cast(IO[bytes], self)

    def write(self, data: bytes) -> int:
        if self._file is None:
            return len(data)
        self._digest.update(data)
        return self._file.write(data)

    def flush(self) -> None:
        if self._file is not None:
            self._file.flush()

    def __exit__(self, kind: type[BaseException] | None, *_: object) -> None:
        if self._file is None:
            return
        self._file.close()
        if kind is None:
            os.replace(self._tmp, self.path)
            self.written.digests[self.name] = self._digest.hexdigest()
        else:
            self._tmp.unlink(missing_ok=True)
