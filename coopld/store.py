"""The embedded pyoxigraph store the server queries, written next to the dumps.

Every named graph of the N-Quads dump is loaded as it is, and their union — each triple once —
is loaded as the store's default graph. pyoxigraph's own "default graph as union" repeats a
triple once per graph that holds it (a city's label, stated by every article naming the city),
which multiplied the rows of a join by thousands on a large dataset; a real union default graph
gives set semantics and plain, fast queries.

The store is written into a build's staging generation (``coopld.publish``), never into the
one being served, so a failed or killed load leaves nothing half-done where a server looks.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pyoxigraph as ox

from coopld.errors import StoreError


def write_store(nquads: Path, store_dir: Path) -> int:
    """Load the N-Quads dump into a new store at ``store_dir``; return its quad count."""
    if store_dir.exists():
        raise StoreError("a store is already there; a store is only ever written into a new generation", path=store_dir)
    try:
        store = ox.Store(str(store_dir))
        store.bulk_load(path=str(nquads), format=ox.RdfFormat.N_QUADS)
        store.bulk_load(input=_union(nquads), format=ox.RdfFormat.N_TRIPLES)
        store.flush()
        count = len(store)
        del store
    except (OSError, SyntaxError, ValueError) as exc:
        shutil.rmtree(store_dir, ignore_errors=True)
        raise StoreError(f"cannot load the store: {exc}", path=store_dir) from exc
    return count


def _union(nquads: Path) -> bytes:
    """The dump's triples without their graph names, each once (a graph name is the last term of
    a line and holds no space)."""
    triples = set()
    with nquads.open(encoding="utf-8") as lines:
        for line in lines:
            if line.strip():
                triples.add(line.rstrip().rsplit(" ", 2)[0])
    return ("\n".join(f"{t} ." for t in sorted(triples)) + "\n").encode("utf-8")


def open_store(store_dir: Path) -> ox.Store:
    """The built store, read-only."""
    if not store_dir.is_dir():
        raise StoreError("no store here; run 'coopld build' first", path=store_dir)
    try:
        return ox.Store.read_only(str(store_dir))
    except OSError as exc:
        raise StoreError(f"cannot open the store: {exc}", path=store_dir) from exc
