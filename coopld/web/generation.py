"""The generation of the build a request is answered from.

A build publishes a new generation beside the one being served and switches one pointer
(``coopld.publish``). The server looks at that pointer before each request: a request is
answered from one generation from start to end — its store, its listing, its downloads, its
query process — and the server moves to a new generation between requests, never during one.
An old generation is closed (its query process stopped, its store and its lease released) once
the last request using it is done, and a build can then remove it.
"""

from __future__ import annotations

import atexit
import json
import logging
import os
import threading
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from flask import Flask, g

from coopld.errors import StoreError
from coopld.publish import CURRENT, Lease, lease_current
from coopld.store import Store
from coopld.store.embedded import open_store

log = logging.getLogger(__name__)


@dataclass(eq=False)
class Generation:
    """One published generation, open for serving."""

    path: Path
    summary: dict[str, Any]
    store: Store
    modified: datetime
    lease: Lease
    #: what the web layer computes once per generation (page models, counts, the reconciliation index)
    cache: dict[str, Any] = field(default_factory=dict)
    users: int = 0
    retired: bool = False

    @property
    def version(self) -> str:
        """The dataset's version: the checksum of its N-Quads dump, for ETags and the manifest."""
        return str(self.summary["dumps"]["coopld.nq"]["sha256"])

    @property
    def name(self) -> str:
        return self.path.name

    def close(self) -> None:
        runner = self.cache.pop("runner", None)
        if runner is not None:
            runner.close()
        self.cache.clear()
        self.store.close()
        self.lease.release()


def open_generation(out: Path) -> Generation:
    lease = lease_current(out)
    try:
        summary_path = lease.generation / "build.json"
        summary = json.loads(summary_path.read_text(encoding="utf-8"))
        store = open_store(lease.generation / "store")
    except (OSError, ValueError) as exc:
        lease.release()
        raise StoreError(f"cannot open the published generation: {exc}", path=lease.generation) from exc
    except BaseException:
        lease.release()
        raise
    modified = datetime.fromtimestamp(summary_path.stat().st_mtime, tz=UTC)
    return Generation(lease.generation, summary, store, modified, lease)


class Published:
    """The generation being served by this process, moved forward between requests."""

    def __init__(self, out: Path, base_iri: str) -> None:
        self.out = out
        self.base_iri = base_iri
        self._lock = threading.Lock()
        self.current = open_generation(out)

    def _pointer(self) -> str | None:
        try:
            return os.readlink(self.out / CURRENT)
        except OSError:
            return None

    def acquire(self) -> Generation:
        """The generation for a request that starts now (release it when the request ends)."""
        with self._lock:
            pointer = self._pointer()
            if pointer is not None and Path(pointer).name != self.current.name:
                self._move()
            self.current.users += 1
            return self.current

    def _move(self) -> None:
        try:
            fresh = open_generation(self.out)
        except StoreError as exc:  # keep serving what we have, whole, rather than fail
            log.error("coopld: cannot move to the new generation, still serving %s: %s", self.current.name, exc)
            return
        if fresh.summary.get("base_iri") != self.base_iri:
            log.error("coopld: generation %s is minted under %s, not %s; restart the server to serve it",
                      fresh.name, fresh.summary.get("base_iri"), self.base_iri)
            fresh.close()
            return
        old, self.current = self.current, fresh
        old.retired = True
        if old.users == 0:
            old.close()

    def release(self, generation: Generation) -> None:
        with self._lock:
            generation.users -= 1
            if generation.retired and generation.users == 0:
                generation.close()

    def close(self) -> None:
        with self._lock:
            self.current.close()


def install(app: Flask, published: Published) -> None:
    """Bind each request to one generation, from its first line to its last."""
    app.extensions["coopld_published"] = published
    atexit.register(published.close)  # the query process of the generation last served

    @app.before_request
    def _bind() -> None:
        g.coopld_generation = published.acquire()

    @app.teardown_request
    def _unbind(_exc: BaseException | None) -> None:
        generation = g.pop("coopld_generation", None)
        if generation is not None:
            published.release(generation)


def generation() -> Generation:
    """The generation the current request is answered from."""
    found: Generation = g.coopld_generation
    return found
