"""What every response says about itself, and how big a request may be.

Security headers are set by a small ``after_request`` hook rather than flask-talisman: the site is
read-only, serves no cookies or sessions, and is run on plain HTTP behind whatever terminates
TLS, so talisman's main features (forcing HTTPS, HSTS, secure session cookies, nonces) would have
to be switched off one by one; what remains is five headers and one page-specific policy, which
are clearer written out here than configured through another dependency.

* ``Content-Security-Policy``: only this site's own scripts, styles, images, fonts and
  connections; no inline scripts or styles anywhere, no plugins, no ``<base>``, forms post only
  here, and no other site may frame a page (``frame-ancestors 'none'``).
* ``X-Frame-Options: DENY`` for older browsers that ignore ``frame-ancestors``.
* ``X-Content-Type-Options: nosniff``: a JSONP answer or a Turtle file is never run as a script
  or shown as HTML because a browser guessed.
* ``Referrer-Policy: same-origin``: a visitor following a link to another site (an IRI of
  Wikidata, say) does not tell it which page of ours they came from.
* No server software or versions in ``Server``. The header is the server's, not the app's: gunicorn
  drops an app's ``Server`` and writes ``Server: gunicorn`` itself, a line
  ``coopld.web.gunicorn_conf`` removes (so under gunicorn there is none); Werkzeug's development
  server (``coopld serve``) writes ``Werkzeug/… Python/…`` before the app's headers unless it is
  run with ``DevRequestHandler``, which says ``coopld``.

Two exceptions, both on purpose. The query page runs YASGUI, whose editor (CodeMirror) and result
tables write ``style`` attributes into the markup they generate, so that page alone allows
``style-src 'unsafe-inline'`` (no inline *scripts*, and no ``'unsafe-eval'``: YASGUI does not
need it). The reconciliation preview card exists to be framed by a client such as OpenRefine,
which runs on another origin (``http://127.0.0.1:3333``), so it may be framed by anyone
(``frame-ancestors *``, no ``X-Frame-Options``); it is static HTML without scripts.

Request sizes: Flask's ``MAX_CONTENT_LENGTH`` makes Werkzeug refuse (413) a body whose
``Content-Length`` is over the bound before reading any of it; ``MAX_FORM_MEMORY_SIZE`` bounds
each text field of a multipart form. Both follow the longest query the endpoint takes
(``COOPLD_MAX_QUERY_LENGTH`` characters), percent-encoded. A chunked body has no length to check:
Werkzeug stops reading it at the bound but then hands the app the first bound's worth of bytes as
if that were all (a 413 comes only from a read after that), so ``_whole_chunked_body`` reads such
a body up to the bound before the view runs and refuses it if there is more.
"""

from __future__ import annotations

from functools import lru_cache

from flask import Flask, Response, request
from werkzeug.serving import WSGIRequestHandler

#: the most bytes one character of a query can take in a URL or a form body: a four-byte UTF-8
#: character, each byte percent-encoded (``%F0%9F%98%80``)
BYTES_PER_CHARACTER = 12
#: room for everything in a request besides the query itself (other parameters, the method, the
#: path, the protocol version)
SLACK_BYTES = 8190

BASE_POLICY = {
    "default-src": "'self'",
    "base-uri": "'none'",
    "object-src": "'none'",
    "form-action": "'self'",
    "frame-ancestors": "'none'",
}

#: what YASGUI needs on the query page, beyond the base policy (see the module docstring)
QUERY_PAGE_POLICY = {**BASE_POLICY, "style-src": "'self' 'unsafe-inline'", "img-src": "'self' data:"}
#: the reconciliation preview is framed by clients on other origins
PREVIEW_POLICY = {**BASE_POLICY, "frame-ancestors": "*"}

#: the response headers a script on another site may read (``Access-Control-Expose-Headers``)
CORS_EXPOSE = ["Link", "Location", "Content-Location", "ETag", "Vary"]


def request_bytes(max_query_length: int) -> int:
    """The longest request line or body a query of ``max_query_length`` characters needs."""
    return max_query_length * BYTES_PER_CHARACTER + SLACK_BYTES


def policy_text(policy: dict[str, str]) -> str:
    return "; ".join(f"{directive} {sources}" for directive, sources in policy.items())


_POLICIES = {"base": BASE_POLICY, "query-page": QUERY_PAGE_POLICY, "preview": PREVIEW_POLICY}


def _policy_name(path: str) -> str:
    if path == "/sparql":
        return "query-page"
    if path == "/reconcile/preview":
        return "preview"
    return "base"


@lru_cache(maxsize=8)
def _security(policy_name: str) -> tuple[tuple[str, str], ...]:
    policy = _POLICIES[policy_name]
    headers = [("Content-Security-Policy", policy_text(policy))]
    if policy["frame-ancestors"] == "'none'":
        headers.append(("X-Frame-Options", "DENY"))
    return (*headers, ("X-Content-Type-Options", "nosniff"), ("Referrer-Policy", "same-origin"))


def security_headers(path: str) -> tuple[tuple[str, str], ...]:
    """The security headers of a response to ``path`` (the same on every response to it)."""
    return _security(_policy_name(path))


def cors_headers() -> tuple[tuple[str, str], ...]:
    """What flask-cors writes on a simple (not preflight) response, for the answers made before
    Flask (``coopld.web.query_protocol``): any site may read them."""
    return (("Access-Control-Allow-Origin", "*"), ("Access-Control-Expose-Headers", ", ".join(sorted(CORS_EXPOSE))))


def secure(response: Response) -> Response:
    """The security headers, on every response the app makes (errors included)."""
    headers = response.headers
    for name, value in security_headers(request.path):
        headers[name] = value
    return response


def _whole_chunked_body() -> None:
    """A chunked body, read (and kept for the view) up to the bound, or a 413 if it goes on."""
    if request.content_length is None and "chunked" in request.headers.get("Transfer-Encoding", "").lower():
        request.get_data(cache=True)
        request.stream.read(1)  # Werkzeug's bounded stream raises RequestEntityTooLarge on a read past the bound


def init_app(app: Flask) -> None:
    """Bound request bodies by the longest query, unless set already, and add the headers."""
    bound = request_bytes(int(app.config["COOPLD_MAX_QUERY_LENGTH"]))
    if app.config.get("MAX_CONTENT_LENGTH") is None:
        app.config["MAX_CONTENT_LENGTH"] = bound
    app.config["MAX_FORM_MEMORY_SIZE"] = max(int(app.config.get("MAX_FORM_MEMORY_SIZE") or 0), bound)
    app.before_request(_whole_chunked_body)
    app.after_request(secure)


class DevRequestHandler(WSGIRequestHandler):
    """Werkzeug's development server's request handler, naming no software in ``Server``
    (``run_simple(..., request_handler=DevRequestHandler)``)."""

    def version_string(self) -> str:
        return "coopld"
