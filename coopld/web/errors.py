"""HTTP errors, in one place: the project's error types and the web layer's own become a
status code and a short plain-text message a client can show."""

from __future__ import annotations

from flask import Flask, Response, current_app
from werkzeug.exceptions import HTTPException as WerkzeugHTTPException
from werkzeug.exceptions import RequestEntityTooLarge
from werkzeug.wrappers import Response as BaseResponse

from coopld.errors import CoopldError
from coopld.web.formats import NotAcceptable


class HTTPError(Exception):
    status = 500

    def __init__(self, message: str) -> None:
        self.message = message
        super().__init__(message)

    def headers(self) -> list[tuple[str, str]]:
        """Headers the answer carries besides its message."""
        return []


class BadRequest(HTTPError):
    status = 400


class Forbidden(HTTPError):
    status = 403


class NotFound(HTTPError):
    status = 404


class PayloadTooLarge(HTTPError):
    status = 413


class UnsupportedMediaType(HTTPError):
    status = 415


class ServiceUnavailable(HTTPError):
    status = 503


class Busy(ServiceUnavailable):
    """Every query worker is busy and the queue in front of them is full: come back later."""

    def __init__(self, message: str, retry_after: int) -> None:
        self.retry_after = retry_after
        super().__init__(message)

    def headers(self) -> list[tuple[str, str]]:
        return [("Retry-After", str(self.retry_after))]


def error_text(exc: NotAcceptable) -> str:
    """A 406's message: what the resource is available as."""
    return "Not acceptable. This resource is available as: " + ", ".join(
        f"{f.media_type} (format={f.name})" for f in exc.offered)


def _text(message: str, status: int) -> Response:
    return Response(message.rstrip() + "\n", status=status, mimetype="text/plain")


def register(app: Flask) -> None:
    @app.errorhandler(HTTPError)
    def http_error(exc: HTTPError) -> Response:
        response = _text(exc.message, exc.status)
        for name, value in exc.headers():
            response.headers[name] = value
        return response

    @app.errorhandler(NotAcceptable)
    def not_acceptable(exc: NotAcceptable) -> Response:
        return _text(error_text(exc), 406)

    @app.errorhandler(CoopldError)
    def coopld_error(exc: CoopldError) -> Response:
        return _text(exc.message, exc.http_status)

    @app.errorhandler(RequestEntityTooLarge)
    def too_large(exc: RequestEntityTooLarge) -> Response:
        # raised by Werkzeug from the Content-Length alone, or while a chunked body is read: the
        # rest of the body is never read
        limit = current_app.config.get("MAX_CONTENT_LENGTH")
        return _text(f"the request body is larger than this server takes ({limit} bytes); "
                     "send a shorter query or fewer reconciliation queries at a time", 413)

    @app.errorhandler(WerkzeugHTTPException)
    def werkzeug_error(exc: WerkzeugHTTPException) -> BaseResponse:
        """Flask's and Werkzeug's own errors (404 of an unknown path, 405, a malformed form) as
        plain text too, keeping the headers they carry (``Allow`` of a 405)."""
        if exc.code is None:  # not an error: a response carried as an exception
            return exc.get_response()
        response = _text(f"{exc.name}: {exc.description or ''}", exc.code)
        for name, value in exc.get_headers():
            if name.lower() != "content-type":
                response.headers[name] = value
        return response
