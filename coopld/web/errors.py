"""HTTP errors, in one place: the project's error types and the web layer's own become a
status code and a short plain-text message a client can show."""

from __future__ import annotations

from flask import Flask, Response

from coopld.errors import CoopldError
from coopld.web.formats import NotAcceptable


class HTTPError(Exception):
    status = 500

    def __init__(self, message: str) -> None:
        self.message = message
        super().__init__(message)


class BadRequest(HTTPError):
    status = 400


class Forbidden(HTTPError):
    status = 403


class NotFound(HTTPError):
    status = 404


class PayloadTooLarge(HTTPError):
    status = 413


class ServiceUnavailable(HTTPError):
    status = 503


def _text(message: str, status: int) -> Response:
    return Response(message.rstrip() + "\n", status=status, mimetype="text/plain")


def register(app: Flask) -> None:
    @app.errorhandler(HTTPError)
    def http_error(exc: HTTPError) -> Response:
        return _text(exc.message, exc.status)

    @app.errorhandler(NotAcceptable)
    def not_acceptable(exc: NotAcceptable) -> Response:
        return _text("Not acceptable. This resource is available as: " + ", ".join(
            f"{f.media_type} (format={f.name})" for f in exc.offered), 406)

    @app.errorhandler(CoopldError)
    def coopld_error(exc: CoopldError) -> Response:
        return _text(exc.message, exc.http_status)
