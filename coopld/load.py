"""``coopld load``: a build published into a remote SPARQL store.

Each named graph of the build is replaced whole, in batches of SPARQL Update requests; each
request also records, in the publication graph, the checksum of every graph it wrote. A reload
therefore sends only the graphs whose checksum changed and drops those the build no longer has,
and a load that was killed half-way, run again, carries on from the last request the store
took: it converges to the same contents as a load that ran through.

A graph too big for one request is written into a staging graph in pieces and moved into
place with one ``MOVE`` (the triples that mention blank nodes go in the first piece, since a
blank node is the same node only within one request). The union of all graphs, which the server
queries as its default graph, is written last into a graph of its own named after its checksum;
then one small request switches the publication record (the build's summary, its version, its
union) to it. Until then readers see the previous version's default graph, whole, on every
store — Virtuoso included, which runs an update request operation by operation, so that a
named graph being replaced there can be read half written, but never the default graph.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from rdflib import Literal

from coopld.errors import StoreError
from coopld.publish import lease_current
from coopld.store.remote import PUBLICATION_GRAPH, RemoteStore, insertion, replacement

PUB = "https://w3id.org/coopld/publication#"
#: the most N-Triples one update request carries
DEFAULT_BATCH_BYTES = 4_000_000


@dataclass
class Plan:
    """What a load would change: graphs to write (new or changed), to drop, and left alone."""

    write: dict[str, bytes] = field(default_factory=dict)
    drop: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    union: bytes | None = None       # None: the publication is current; b"": only its record is to switch
    union_graph: str | None = None   # the union graph of this build (None: the store's default graph is the union)
    old_unions: list[str] = field(default_factory=list)  # unions of earlier versions, to drop
    version: str = ""
    summary: dict[str, Any] = field(default_factory=dict)
    checksums: dict[str, str] = field(default_factory=dict)

    @property
    def bytes(self) -> int:
        return sum(len(v) for v in self.write.values()) + len(self.union or b"")

    def describe(self) -> str:
        union = ("the union graph written" if self.union else "the publication record switched" if self.union is not None
                 else "the union graph unchanged")
        return (f"{len(self.write)} graph(s) to write ({self.bytes:,} bytes of N-Triples), {len(self.drop)} to "
                f"drop, {len(self.unchanged)} unchanged; {union}; version {self.version[:12]}")


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def build_graphs(nquads: Path) -> dict[str, bytes]:
    """graph IRI -> its triples as sorted N-Triples lines, from the build's N-Quads dump (a
    graph name is the last term of a line and holds no space)."""
    lines: dict[str, list[str]] = {}
    with nquads.open(encoding="utf-8") as dump:
        for line in dump:
            line = line.rstrip()
            if not line:
                continue
            triple, graph = line[:-1].rstrip().rsplit(" ", 1)
            if not (graph.startswith("<") and graph.endswith(">")):
                raise StoreError(f"a quad outside a named graph: {line[:200]}", path=nquads)
            lines.setdefault(graph[1:-1], []).append(triple + " .")
    return {g: ("\n".join(sorted(set(ts))) + "\n").encode("utf-8") for g, ts in sorted(lines.items())}


def union_of(graphs: dict[str, bytes]) -> bytes:
    triples = {line for data in graphs.values() for line in data.decode("utf-8").splitlines() if line}
    return ("\n".join(sorted(triples)) + "\n").encode("utf-8")


def plan(out: Path, store: RemoteStore) -> Plan:
    """Compare the build being served from ``out`` with what the store holds."""
    lease = lease_current(out)
    try:
        summary = json.loads((lease.generation / "build.json").read_text(encoding="utf-8"))
        graphs = build_graphs(lease.generation / "coopld.nq")
    except (OSError, ValueError) as exc:
        raise StoreError(f"cannot read the build: {exc}", path=lease.generation) from exc
    finally:
        lease.release()
    stored = store.checksums()
    found = Plan(version=str(summary["dumps"]["coopld.nq"]["sha256"]), summary=summary)
    for name, data in graphs.items():
        found.checksums[name] = sha256(data)
        if stored.get(name) == found.checksums[name]:
            found.unchanged.append(name)
        else:
            found.write[name] = data
    current = store.publication()
    found.drop = sorted(g for g in stored if g not in graphs and not store.is_union(g))
    published = current is not None and current.get("dumps", {}).get("coopld.nq", {}).get("sha256") == found.version
    if store.config.union_graph:
        union = union_of(graphs)
        found.union_graph = store.union_for(sha256(union))
        found.checksums[found.union_graph] = sha256(union)
        in_use = str(current.get("union_graph", "")) if current else ""
        keep = {found.union_graph, in_use}  # a server may still ask the one in use until it polls again
        found.old_unions = sorted(g for g in stored if store.is_union(g) and g not in keep)
        if stored.get(found.union_graph) != found.checksums[found.union_graph]:
            found.union = union
        elif not published or in_use != found.union_graph:
            found.union = b""  # its graph is there: only the record is to switch
    elif not published or found.write or found.drop:
        found.union = b""  # nothing to write but the record
    return found


def _recorded(graph: str, checksum: str | None) -> str:
    """Update operations that record (or, with None, forget) the checksum of one graph."""
    forget = f"DELETE WHERE {{ GRAPH <{PUBLICATION_GRAPH}> {{ <{graph}> <{PUB}sha256> ?old }} }}"
    if checksum is None:
        return forget
    return f"{forget} ;\nINSERT DATA {{ GRAPH <{PUBLICATION_GRAPH}> {{ <{graph}> <{PUB}sha256> \"{checksum}\" }} }}"


def _pieces(data: bytes, size: int) -> Iterator[bytes]:
    """N-Triples in pieces of about ``size`` bytes, every line that mentions a blank node in the
    first."""
    lines = data.decode("utf-8").splitlines()
    blank = [line for line in lines if "_:" in line]
    rest = [line for line in lines if "_:" not in line]
    piece: list[str] = blank
    length = sum(len(line) + 1 for line in piece)
    for line in rest:
        if piece and length + len(line) + 1 > size and length > 0:
            yield ("\n".join(piece) + "\n").encode("utf-8")
            piece, length = [], 0
        piece.append(line)
        length += len(line) + 1
    yield ("\n".join(piece) + "\n").encode("utf-8") if piece else b""


def _write_big(store: RemoteStore, graph: str, data: bytes, checksum: str, size: int,
               progress: Callable[[int], None] = lambda n: None) -> None:
    """A graph too big for one request: written into a staging graph piece by piece, then
    moved into place in one operation with its checksum."""
    staging = graph + ("&" if "?" in graph else "?") + "coopld-staging"
    _write_pieces(store, staging, data, size, progress)
    store.update(f"MOVE SILENT GRAPH <{staging}> TO <{graph}> ;\n{_recorded(graph, checksum)}")


def _write_pieces(store: RemoteStore, graph: str, data: bytes, size: int, progress: Callable[[int], None]) -> None:
    """A graph no reader uses, emptied and written piece by piece."""
    store.update(f"DROP SILENT GRAPH <{graph}>")
    for piece in _pieces(data, size):
        if piece.strip():
            store.update(insertion(graph, piece))
        progress(len(piece))


def _batches(graphs: dict[str, bytes], size: int) -> Iterator[dict[str, bytes]]:
    batch: dict[str, bytes] = {}
    length = 0
    for name, data in graphs.items():
        if batch and length + len(data) > size:
            yield batch
            batch, length = {}, 0
        batch[name] = data
        length += len(data)
    if batch:
        yield batch


def _put_graphs(store: RemoteStore, found: Plan, batch_bytes: int, progress: Callable[[int], None]) -> None:
    """The graphs written with the Graph Store Protocol, each whole in one PUT; the checksums of
    each batch recorded once its graphs are in (a graph written but not yet recorded when the load
    stops is sent again by the next one)."""
    for batch in _batches(found.write, batch_bytes):
        for name, data in batch.items():
            store.put_graph(name, data)
            progress(len(data))
        store.update(" ;\n".join(_recorded(g, found.checksums[g]) for g in batch))


def apply(store: RemoteStore, found: Plan, *, batch_bytes: int = DEFAULT_BATCH_BYTES,
          progress: Callable[[int], None] = lambda n: None) -> None:
    """Carry a plan out, request by request (each one the store takes is kept if the load stops).
    With a graph store endpoint configured, graphs are sent with its PUT; else as update requests."""
    gsp = bool(store.config.graph_store)
    if gsp:
        _put_graphs(store, found, batch_bytes, progress)
    small = {} if gsp else {g: d for g, d in found.write.items() if len(d) <= batch_bytes}
    for batch in _batches(small, batch_bytes):
        records = " ;\n".join(_recorded(g, found.checksums[g]) for g in batch)
        store.update(replacement(batch, records))
        progress(sum(len(d) for d in batch.values()))
    for name, data in ({} if gsp else found.write).items():
        if name not in small:
            _write_big(store, name, data, found.checksums[name], batch_bytes, progress=progress)
    for name in found.drop:
        store.update(f"DROP SILENT GRAPH <{name}> ;\n{_recorded(name, None)}")
    if found.union is None:
        return
    if found.union and found.union_graph:  # a new graph, read by no one yet
        if gsp:
            store.put_graph(found.union_graph, found.union)
            progress(len(found.union))
        else:
            _write_pieces(store, found.union_graph, found.union, batch_bytes, progress)
        store.update(_recorded(found.union_graph, found.checksums[found.union_graph]))
    # when it was published: the Last-Modified of everything served from it, on every server
    record = {**found.summary, "published": datetime.now(tz=UTC).replace(microsecond=0).isoformat()}
    if found.union_graph:
        record["union_graph"] = found.union_graph
    summary = Literal(json.dumps(record, sort_keys=True)).n3()
    # the switch: one small request names the new version and its union
    store.update(f"DELETE WHERE {{ GRAPH <{PUBLICATION_GRAPH}> {{ <{PUB}current> ?p ?o }} }} ;\n"
                 f"INSERT DATA {{ GRAPH <{PUBLICATION_GRAPH}> {{ <{PUB}current> <{PUB}summary> {summary} ; "
                 f"<{PUB}version> \"{found.version}\" }} }}")
    for name in found.old_unions:
        store.update(f"DROP SILENT GRAPH <{name}> ;\n{_recorded(name, None)}")
