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
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Protocol

from flask import Flask, g, request

from coopld.errors import StoreError
from coopld.publish import CURRENT, Lease, lease_current
from coopld.store import Store
from coopld.store.embedded import open_store
from coopld.store.remote import RemoteConfig, RemoteStore

log = logging.getLogger(__name__)

#: set in a request's WSGI environment once the current version was looked up for it (``coopld.web.front``)
FOLLOWED = "coopld.followed"


@dataclass(eq=False)
class Generation:
    """One published generation, open for serving: a build folder's generation over the embedded
    store (``path`` is its folder), or what ``coopld load`` last published into a remote store
    (``path`` is None: there are no files)."""

    path: Path | None
    summary: dict[str, Any]
    store: Store
    modified: datetime
    lease: Lease | None = None
    #: where the dump files are (a build's generation folder); None: written from the store on demand
    dumps: Path | None = None
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
        return self.path.name if self.path is not None else self.version

    def close(self) -> None:
        pool = self.cache.pop("query_pool", None)
        if pool is not None:
            pool.close()
        self.cache.clear()
        self.store.close()
        if self.lease is not None:
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
    return Generation(lease.generation, summary, store, modified, lease, dumps=lease.generation)


class Source(Protocol):
    """Where generations come from: ``marker()`` names the one published now, cheaply, and
    ``open()`` opens it."""

    def marker(self) -> str | None: ...

    def open(self) -> Generation: ...


class BuildFolder:
    """The generations a build folder publishes, told apart by its ``current`` pointer."""

    def __init__(self, out: Path) -> None:
        self.out = out
        self._pointer = str(out / CURRENT)

    def marker(self) -> str | None:
        """The name of the generation the pointer names (asked before every request: one
        system call, no path objects)."""
        try:
            return os.path.basename(os.readlink(self._pointer).rstrip("/"))
        except OSError:
            return None

    def open(self) -> Generation:
        return open_generation(self.out)


class RemotePublication:
    """What ``coopld load`` last published into a remote store, told apart by its version,
    which is asked of the store at most once every ``poll`` seconds."""

    def __init__(self, config: RemoteConfig, poll: float = 5.0, build: Path | None = None) -> None:
        self.config = config
        self.poll = poll
        self.build = build
        self._poller = RemoteStore(config)  # asks only the publication record
        self._asked = -float("inf")
        self._marker: str | None = None
        self._lock = threading.Lock()

    def marker(self) -> str | None:
        with self._lock:
            if time.monotonic() - self._asked >= self.poll:
                try:
                    summary = self._poller.publication()
                    self._marker = str(summary["dumps"]["coopld.nq"]["sha256"]) if summary else None
                except StoreError as exc:  # keep serving what we have
                    log.error("coopld: cannot ask the store what is published: %s", exc)
                self._asked = time.monotonic()
            return self._marker

    def open(self) -> Generation:
        store = RemoteStore(self.config)
        summary = store.publication()
        if summary is None:
            store.close()
            raise StoreError("nothing is published in this store; run 'coopld load --store URL' first",
                             path=self.config.query)
        with self._lock:
            self._marker, self._asked = str(summary["dumps"]["coopld.nq"]["sha256"]), time.monotonic()
        if summary.get("union_graph"):
            store.default_graph = str(summary["union_graph"])
        try:
            modified = datetime.fromisoformat(str(summary["published"]))
        except (KeyError, ValueError):
            modified = datetime.now(tz=UTC)
        return Generation(None, summary, store, modified, dumps=self._local_dumps(summary))

    def _local_dumps(self, summary: dict[str, Any]) -> Path | None:
        """The build folder's generation of the same version, when this server has it: its dump
        files are the very bytes the summary lists."""
        if self.build is None:
            return None
        try:
            local = Path(os.readlink(self.build / CURRENT))
            local = local if local.is_absolute() else self.build / local
            built = json.loads((local / "build.json").read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        same = built.get("dumps", {}).get("coopld.nq", {}).get("sha256") == summary["dumps"]["coopld.nq"]["sha256"]
        return local if same else None


class Published:
    """The generation being served by this process, moved forward between requests."""

    def __init__(self, source: Source, base_iri: str, first: Generation | None = None) -> None:
        self.source = source
        self.base_iri = base_iri
        self._lock = threading.Lock()
        self.current = first if first is not None else source.open()

    def acquire(self, follow: bool = True) -> Generation:
        """The generation for a request that starts now (release it when the request ends);
        ``follow=False`` when the request's publication was looked up already (``version``)."""
        with self._lock:
            if follow:
                self._follow()
            self.current.users += 1
            return self.current

    def version(self) -> str:
        """The version a request that starts now is answered from (``coopld.web.front`` keys
        kept answers by it)."""
        with self._lock:
            self._follow()
            return self.current.version

    def _follow(self) -> None:
        marker = self.source.marker()
        if marker is not None and marker != self.current.name:
            self._move()

    def _move(self) -> None:
        try:
            fresh = self.source.open()
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
        g.coopld_generation = published.acquire(follow=not request.environ.get(FOLLOWED))

    @app.teardown_request
    def _unbind(_exc: BaseException | None) -> None:
        generation = g.pop("coopld_generation", None)
        if generation is not None:
            published.release(generation)


def generation() -> Generation:
    """The generation the current request is answered from."""
    found: Generation = g.coopld_generation
    return found
