"""gunicorn's settings for coopld: ``gunicorn -c python:coopld.web.gunicorn_conf 'coopld.web:create_app()'``
(``bin/serve`` and the tests run it so; flags on the command line still win).

The request line. The SPARQL protocol sends a GET query in the URL, and the endpoint takes
queries of ``COOPLD_MAX_QUERY_LENGTH`` characters (100,000 by default), but gunicorn refuses a
request line longer than ``limit_request_line`` bytes (4094 by default) with 400 before the app
sees it, and will not go above 8190: ``gunicorn.http.message.Request`` clamps any larger value to
its module constant ``MAX_REQUEST_LINE``. The one value that escapes the clamp, 0, is worse than
the problem: gunicorn's Python parser then reads a request line until it ends, however long, so a
client could make a worker hold gigabytes. Nor can a 100,000-character query be asked to move to
POST: the README promises GET.

So the bound is raised, not removed: ``on_starting`` (run in the master, before any worker is
forked, so every worker inherits it) raises ``MAX_REQUEST_LINE`` to the same bound we give
``limit_request_line``: room for the longest query percent-encoded at its worst (12 bytes per
character, ``coopld.web.headers.request_bytes``, about 1.2 MB). A request line is still read in
8 KiB pieces and refused (414 URI Too Long, with the sizes) as soon as it passes the bound, so a
worker holds at most that much for one. The app then counts the query's characters and answers a
query over the limit with its own 413 and message. Should a gunicorn release drop the constant,
``on_starting`` fails loudly instead of serving with the 8190-byte clamp.

Workers. Threaded, ``COOPLD_THREADS`` (16) threads each, with a deadline on reading headers:
see ``coopld.web.worker``.

Documents. Unless ``COOPLD_DOCUMENT_CACHE_DIR`` is set, ``on_starting`` makes a temporary folder
for this server and names it in the environment the workers inherit, so that a document one
worker made is sent by all (``coopld.web.cache``); ``on_exit`` removes it.

The ``Server`` header. gunicorn writes ``Server: gunicorn`` on every response, before the app's
headers; ``on_starting`` removes that line, and the app sends ``Server: coopld`` (see
``coopld.web.headers``), so no server software or version is shown.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import tomllib
from pathlib import Path
from typing import Any

from coopld.web.headers import request_bytes

DEFAULT_MAX_QUERY_LENGTH = 100_000  # as coopld.web.DEFAULTS (not imported: this module must stay light)


def max_query_length() -> int:
    """The endpoint's ``max_query_length`` as the app will read it: ``COOPLD_MAX_QUERY_LENGTH``,
    else the ``[web]`` section of the file ``COOPLD_CONFIG`` names, else the default."""
    given = os.environ.get("COOPLD_MAX_QUERY_LENGTH")
    if given is None and os.environ.get("COOPLD_CONFIG"):
        try:
            web = tomllib.loads(Path(os.environ["COOPLD_CONFIG"]).read_text(encoding="utf-8")).get("web", {})
        except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
            web = {}  # the app reports an unreadable file itself, with its path
        given = web.get("max_query_length")
    return int(given) if given is not None else DEFAULT_MAX_QUERY_LENGTH


limit_request_line = request_bytes(max_query_length())

# Threaded workers with a deadline on headers (coopld.web.worker): queries wait on their query
# processes, pages never wait behind them, and slow or idle clients hold no thread for long.
worker_class = "coopld.web.worker.HeaderDeadlineWorker"
threads = int(os.environ.get("COOPLD_THREADS", "16"))
keepalive = 5


def pre_request(worker: Any, req: Any) -> None:
    from coopld.web.worker import request_started

    request_started(worker, req)


#: the document folder this server made for itself (removed when it exits)
_OWN_CACHE: dict[str, str] = {}


def on_exit(server: Any) -> None:
    folder = _OWN_CACHE.pop("dir", None)
    if folder:
        shutil.rmtree(folder, ignore_errors=True)


def on_starting(server: Any) -> None:
    """gunicorn's hook in the master before workers start: lift the request-line clamp to our
    bound and drop gunicorn's ``Server`` line."""
    from gunicorn.http import message, wsgi  # type: ignore[import-untyped]

    if not hasattr(message, "MAX_REQUEST_LINE"):
        raise RuntimeError("gunicorn.http.message.MAX_REQUEST_LINE is gone: coopld.web.gunicorn_conf cannot "
                           "let GET queries of the documented length through; see its docstring")
    message.MAX_REQUEST_LINE = max(message.MAX_REQUEST_LINE, int(server.cfg.limit_request_line))
    if not os.environ.get("COOPLD_DOCUMENT_CACHE_DIR"):
        os.environ["COOPLD_DOCUMENT_CACHE_DIR"] = _OWN_CACHE["dir"] = tempfile.mkdtemp(prefix="coopld-documents-")
    default_headers = wsgi.Response.default_headers
    if getattr(default_headers, "coopld_without_server", False):
        return

    def without_server(self: Any) -> list[str]:
        return [line for line in default_headers(self) if not line.lower().startswith("server:")]

    without_server.coopld_without_server = True  # type: ignore[attr-defined]
    wsgi.Response.default_headers = without_server
