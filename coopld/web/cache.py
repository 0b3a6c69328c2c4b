"""Answers computed once per dataset version and kept, bounded in bytes, for the process.

A generation's data never change, so a document, a page or a query's answer is the same for
every request until the next version: it is made once, kept here (the least recently used
dropped first when the bound is reached), and sent again as it is, at about what sending a file
costs. The cache lives in the generation (``Generation.cache``), so a new version starts empty.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from dataclasses import dataclass

from flask import Response, current_app, request

from coopld.web.generation import generation


@dataclass(frozen=True)
class Kept:
    body: bytes
    mimetype: str
    headers: tuple[tuple[str, str], ...]


class BoundedCache:
    """A thread-safe least-recently-used map whose values add up to at most ``limit`` bytes."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.size = 0
        self._items: OrderedDict[Hashable, Kept] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: Hashable) -> Kept | None:
        with self._lock:
            found = self._items.get(key)
            if found is not None:
                self._items.move_to_end(key)
            return found

    def put(self, key: Hashable, value: Kept) -> None:
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


def _cache(name: str, setting: str) -> BoundedCache:
    kept = generation().cache
    found = kept.get(name)
    if not isinstance(found, BoundedCache):
        found = kept.setdefault(name, BoundedCache(int(current_app.config[setting]) * 1024 * 1024))
    return found


def respond_once(name: str, setting: str, key: Hashable, make: Callable[[], Response]) -> Response:
    """The response ``make`` gives, made once per version for ``key`` (200s only), answered
    304 when the client's copy (``If-None-Match``, ``If-Modified-Since``) is current."""
    cache = _cache(name, setting)
    kept = cache.get(key)
    if kept is None:
        response = make()
        if response.status_code != 200 or response.is_streamed:
            response.make_conditional(request)
            return response
        kept = Kept(response.get_data(), response.mimetype or "application/octet-stream",
                    tuple((k, v) for k, v in response.headers.items() if k.lower() not in ("content-length", "content-type")))
        cache.put(key, kept)
    answer = Response(kept.body, mimetype=kept.mimetype, headers=list(kept.headers))
    answer.make_conditional(request)
    return answer
