"""Answers computed once per dataset version and kept, bounded in bytes, for the process.

A generation's data never change, so a document, a page or a query's answer is the same for
every request until the next version: it is made once, kept here (the least recently used
dropped first when the bound is reached), and sent again as it is, at about what sending a file
costs. The cache lives in the generation (``Generation.cache``), so a new version starts empty.

Documents are also kept on disk when ``COOPLD_DOCUMENT_CACHE_DIR`` names a folder (gunicorn's
settings give every server one of its own): one file per document under the version's
checksum, written whole and renamed into place, so that every worker process of a server
sends what any of them made, and a document costs its rendering once per server, not once per
process. A new version's first document removes the folders of the others.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import shutil
import tempfile
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Generic, Protocol, TypeVar

from flask import Request, Response, current_app, request

from coopld.web.generation import generation


@dataclass(frozen=True)
class Kept:
    body: bytes
    mimetype: str
    headers: tuple[tuple[str, str], ...]


class _HasBody(Protocol):
    @property
    def body(self) -> bytes: ...


V = TypeVar("V", bound=_HasBody)


class BoundedCache(Generic[V]):
    """A thread-safe least-recently-used map whose values' bodies add up to at most ``limit`` bytes."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.size = 0
        self._items: OrderedDict[Hashable, V] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: Hashable) -> V | None:
        with self._lock:
            found = self._items.get(key)
            if found is not None:
                self._items.move_to_end(key)
            return found

    def put(self, key: Hashable, value: V) -> None:
        if len(value.body) > self.limit // 4:  # one huge answer must not push out everything else
            return
        with self._lock:
            old = self._items.pop(key, None)
            if old is not None:
                self.size -= len(old.body)
            self._items[key] = value
            self.size += len(value.body)
            while self.size > self.limit and self._items:
                _key, dropped = self._items.popitem(last=False)
                self.size -= len(dropped.body)


class DiskCache:
    """One version's documents as files named by the digest of their key. Reading a file that
    another process is writing is safe: it only appears, complete, when renamed into place."""

    def __init__(self, root: Path, version: str) -> None:
        self.folder = root / version
        self._ready = False

    @staticmethod
    def _name(key: Hashable) -> str:
        return hashlib.sha256(json.dumps(key, sort_keys=True, default=str).encode("utf-8")).hexdigest()

    def get(self, key: Hashable) -> Kept | None:
        try:
            raw = (self.folder / self._name(key)).read_bytes()
        except OSError:
            return None
        head, sep, body = raw.partition(b"\n")
        try:
            meta = json.loads(head)
        except ValueError:
            return None
        if not sep or not isinstance(meta, dict):
            return None
        return Kept(body, str(meta["mimetype"]), tuple((str(k), str(v)) for k, v in meta["headers"]))

    def put(self, key: Hashable, value: Kept) -> None:
        try:
            self._prepare()
            head = json.dumps({"mimetype": value.mimetype, "headers": list(value.headers)}).encode("utf-8")
            handle, temporary = tempfile.mkstemp(dir=self.folder, prefix=".part-")
            try:
                with os.fdopen(handle, "wb") as out:
                    out.write(head + b"\n" + value.body)
                os.replace(temporary, self.folder / self._name(key))
            except BaseException:
                with contextlib.suppress(OSError):
                    os.unlink(temporary)
                raise
        except OSError:
            pass  # a full or unwritable disk costs speed, never an answer: the memory cache still has it

    def _prepare(self) -> None:
        """The version's folder, and the other versions' removed (they are no longer served)."""
        if self._ready:
            return
        self.folder.mkdir(parents=True, exist_ok=True)
        for other in self.folder.parent.iterdir():
            if other != self.folder and other.is_dir():
                shutil.rmtree(other, ignore_errors=True)
        self._ready = True


def _disk(name: str) -> DiskCache | None:
    """The shared folder for ``name``'s entries of this version, when one is configured."""
    if name != "documents":
        return None  # query answers can be large and are many: they stay in memory
    root = current_app.config.get("COOPLD_DOCUMENT_CACHE_DIR") or os.environ.get("COOPLD_DOCUMENT_CACHE_DIR")
    if not root:
        return None
    kept = generation().cache
    found = kept.get("documents-on-disk")
    if not isinstance(found, DiskCache):
        found = kept.setdefault("documents-on-disk", DiskCache(Path(root), generation().version))
    return found


def _cache(name: str, setting: str) -> BoundedCache[Kept]:
    kept = generation().cache
    found = kept.get(name)
    if not isinstance(found, BoundedCache):
        found = kept.setdefault(name, BoundedCache[Kept](int(current_app.config[setting]) * 1024 * 1024))
    return found


def revalidates(environ: Mapping[str, Any]) -> bool:
    """Whether a request carries a validator a 304 could answer (most carry none, and checking
    one costs a parse of the dates and tags)."""
    return "HTTP_IF_NONE_MATCH" in environ or "HTTP_IF_MODIFIED_SINCE" in environ


def conditional(request: Request) -> bool:
    """Whether ``make_conditional`` has anything to do for a request: a validator, or an
    ``If-Match`` it answers 412."""
    return revalidates(request.environ) or "HTTP_IF_MATCH" in request.environ


def respond_once(name: str, setting: str, key: Hashable, make: Callable[[], Response]) -> Response:
    """The response ``make`` gives, made once per version for ``key`` (200s only), answered
    304 when the client's copy (``If-None-Match``, ``If-Modified-Since``) is current."""
    cache = _cache(name, setting)
    # the host is part of the key: links in an answer are written for the host the client asked
    key = (request.host_url, key)
    kept = cache.get(key)
    if kept is None:
        disk = _disk(name)
        kept = disk.get(key) if disk is not None else None
        if kept is None:
            response = make()
            if response.status_code != 200 or response.is_streamed:
                response.make_conditional(request)
                return response
            kept = Kept(response.get_data(), response.mimetype or "application/octet-stream",
                        tuple((k, v) for k, v in response.headers.items()
                              if k.lower() not in ("content-length", "content-type")))
            if disk is not None:
                disk.put(key, kept)
        cache.put(key, kept)
    answer = Response(kept.body, mimetype=kept.mimetype, headers=list(kept.headers))
    if conditional(request):
        answer.make_conditional(request)
    return answer
