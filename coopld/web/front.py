"""A shared HTTP cache inside the server process, in front of the Flask application.

Documents, pages and the answers of GET queries are the same for every request until the next
dataset version (``coopld.web.cache`` makes each once). Sending a kept answer through Flask
still costs its request context, URL routing, content negotiation and the after-request hooks,
several times what gunicorn needs to write the bytes; so what the application marked as
shareable is kept here, as the application sent it, and sent again without entering Flask.

The rules are those of a shared cache (RFC 9111), narrowed to what this application sends:
a response is kept when it answers a GET with 200, carries an ``ETag``, ``Cache-Control:
public`` (and none of ``private``, ``no-store``, ``no-cache``), a ``Content-Length`` and no
``Set-Cookie``, and does not ``Vary: *``. It is found again by the request's URL (scheme, host,
path, query string) and the values of the request headers its ``Vary`` names, under the dataset
version it was made for: a new version is never answered from an old one's entries. A kept
answer is checked against ``If-None-Match`` and ``If-Modified-Since`` here (304, as the
application would answer); a request with ``Range``, ``If-Match``, ``If-Range`` or
``Authorization`` goes to the application.

An answer is kept the second time its URL is asked, not the first: most query texts a program
sends are asked once, and keeping each of those would cost every such request a copy and push
out of the bound the documents that are asked again and again. The URLs seen once are held as
hashes, a bounded set that starts again when full.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from werkzeug.http import is_resource_modified, parse_date, remove_entity_headers, unquote_etag

from coopld.web.cache import BoundedCache, revalidates
from coopld.web.generation import FOLLOWED

Headers = list[tuple[str, str]]
StartResponse = Callable[..., Any]
WSGIApp = Callable[[dict[str, Any], StartResponse], Iterable[bytes]]

#: request headers with which a kept answer is not used (the application decides)
_BYPASS = ("HTTP_RANGE", "HTTP_IF_MATCH", "HTTP_IF_RANGE", "HTTP_AUTHORIZATION")
#: the largest answer kept is this part of the bound: documents and answers, not the dumps, which
#: the server sends from their files
PART = 16
#: kept answers' URLs whose Vary lists are remembered; past it the list starts again
_MAX_URLS = 200_000
#: URLs asked once (as hashes), of which the next request's answer is kept; past it the set starts again
_MAX_SEEN = 100_000


class Versioned(Protocol):
    """What tells the current dataset version (``coopld.web.generation.Published``)."""

    def version(self) -> str: ...


@dataclass(frozen=True)
class Stored:
    """One kept answer: its headers as the application sent them (without ``Date``, which the
    server writes anew), the same headers fit for a 304, and what validates a client's copy."""

    body: bytes
    headers: Headers
    not_modified: Headers
    etag: str | None
    last_modified: datetime | None


def _vary_names(headers: Headers) -> tuple[str, ...] | None:
    """The request headers a response varies on, as WSGI keys; None for ``Vary: *``."""
    names: set[str] = set()
    for name, value in headers:
        if name.lower() == "vary":
            for item in value.split(","):
                item = item.strip().lower()
                if item == "*":
                    return None
                if item:
                    names.add("HTTP_" + item.upper().replace("-", "_"))
    return tuple(sorted(names))


def _header(headers: Headers, wanted: str) -> str | None:
    for name, value in headers:
        if name.lower() == wanted:
            return value
    return None


def storable(status: str, headers: Headers, limit: int) -> bool:
    """Whether a shared cache may keep this answer to a GET, by its status and headers alone."""
    if not status.startswith("200") or _header(headers, "etag") is None or _header(headers, "set-cookie") is not None:
        return False
    directives = {item.strip().split("=", 1)[0].lower() for item in (_header(headers, "cache-control") or "").split(",")}
    if "public" not in directives or directives & {"private", "no-store", "no-cache"}:
        return False
    length = _header(headers, "content-length")
    return length is not None and length.isdigit() and int(length) <= limit


class ResponseCache:
    """The WSGI middleware: ``app.wsgi_app = ResponseCache(app.wsgi_app, published, limit)``."""

    def __init__(self, app: WSGIApp, published: Versioned, limit_bytes: int) -> None:
        self.app = app
        self.published = published
        self.limit = limit_bytes
        self._lock = threading.Lock()
        self._version = ""
        self._answers: BoundedCache[Stored] = BoundedCache(limit_bytes)
        #: per URL, the Vary lists of its kept answers: replaced, never changed in place, so that a
        #: request reads a whole one without the lock
        self._vary: dict[tuple[str, ...], frozenset[tuple[str, ...]]] = {}
        self._seen: set[int] = set()

    def _for(self, version: str) -> tuple[BoundedCache[Stored], dict[tuple[str, ...], frozenset[tuple[str, ...]]]]:
        """This version's entries (a new version starts empty; the old entries are dropped)."""
        with self._lock:
            if version != self._version:
                self._version, self._answers, self._vary = version, BoundedCache(self.limit), {}
            return self._answers, self._vary

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        method = environ.get("REQUEST_METHOD")
        if method not in ("GET", "HEAD") or any(name in environ for name in _BYPASS):
            return self.app(environ, start_response)
        version = self.published.version()
        environ[FOLLOWED] = True  # the request is answered from this version: Flask need not look again
        answers, vary = self._for(version)
        url = (environ.get("wsgi.url_scheme", ""), environ.get("HTTP_HOST", ""), environ.get("SCRIPT_NAME", ""),
               environ.get("PATH_INFO", ""), environ.get("QUERY_STRING", ""))
        for names in vary.get(url, ()):
            found = answers.get((url, names, tuple(environ.get(name, "") for name in names)))
            if found is not None:
                return self._send(found, environ, start_response, method == "HEAD")
        if method != "GET" or not self._seen_before(url):
            return self.app(environ, start_response)
        return self._keep(url, environ, start_response, answers, vary)

    def kept_bytes(self) -> int:
        """The bytes of the answers kept for the current version (what the bound counts)."""
        return self._answers.size

    def _seen_before(self, url: tuple[str, ...]) -> bool:
        """Whether ``url`` was asked before (since the set last started again); it is, from now."""
        key = hash(url)
        if key in self._seen:
            return True
        if len(self._seen) >= _MAX_SEEN:
            self._seen = set()
        self._seen.add(key)
        return False

    def _keep(self, url: tuple[str, ...], environ: dict[str, Any], start_response: StartResponse,
              answers: BoundedCache[Stored], vary: dict[tuple[str, ...], frozenset[tuple[str, ...]]]) -> Iterable[bytes]:
        """The application's answer, kept on the way out when it may be."""
        seen: dict[str, Any] = {}

        def capture(status: str, headers: Headers, exc_info: Any = None) -> Any:
            seen["status"], seen["headers"] = status, list(headers)
            return start_response(status, headers, exc_info) if exc_info is not None else start_response(status, headers)

        body_iter = self.app(environ, capture)
        headers: Headers | None = seen.get("headers")
        if headers is None or not storable(seen["status"], headers, answers.limit // PART):
            return body_iter
        names = _vary_names(headers)
        try:
            body = b"".join(body_iter)
        finally:
            close = getattr(body_iter, "close", None)
            if close is not None:
                close()
        if names is None or len(body) != int(_header(headers, "content-length") or -1):
            return [body]
        kept = [(k, v) for k, v in headers if k.lower() != "date"]
        not_modified = list(kept)
        remove_entity_headers(not_modified)
        not_modified = [(k, v) for k, v in not_modified if k.lower() != "content-length"]
        etag = _header(headers, "etag")
        modified = _header(headers, "last-modified")
        answers.put((url, names, tuple(environ.get(name, "") for name in names)),
                    Stored(body, kept, not_modified, unquote_etag(etag)[0] if etag else None,
                           parse_date(modified) if modified else None))
        with self._lock:
            if len(vary) >= _MAX_URLS:
                vary.clear()
            vary[url] = vary.get(url, frozenset()) | {names}
        return [body]

    @staticmethod
    def _send(found: Stored, environ: dict[str, Any], start_response: StartResponse, head: bool) -> Iterable[bytes]:
        if revalidates(environ) and not is_resource_modified(environ, etag=found.etag, last_modified=found.last_modified):
            start_response("304 Not Modified", list(found.not_modified))
            return []
        start_response("200 OK", list(found.headers))
        return [] if head else [found.body]
