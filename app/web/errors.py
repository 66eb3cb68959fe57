"""Error responses: JSON for the API, a plain helpful page otherwise. Never a bare 500."""

from __future__ import annotations

from flask import Flask, jsonify, render_template, request
from flask_babel import gettext as _
from werkzeug.exceptions import HTTPException


def _title(code: int) -> str:
    if code == 404:
        return _("Page not found")
    if code == 400:
        return _("There is a problem with the address")
    if code == 503:
        return _("Sorry, the directory is not available")
    if code == 405:
        return _("That action is not allowed")
    if code == 403:
        return _("You do not have permission to see this page")
    return _("Sorry, there is a problem with the directory")


def _message(code: int) -> str:
    if code == 404:
        return _("We could not find that page. It may have been moved or removed.")
    if code == 503:
        return _("The directory is not available yet: nothing has been published. Please try again soon.")
    if code == 400:
        return _("Something in the address was not right. Please check it and try again.")
    if code == 405:
        return _("That action is not allowed here.")
    if code == 403:
        return _("Your account cannot do this. Ask an administrator if you need to.")
    return _("Sorry, something went wrong on our side. Please try again.")


def _wants_json() -> bool:
    return request.path.startswith("/api/") or request.path == "/healthz"


def error_response(code: int, title: str | None = None, message: str | None = None):
    """The error page (or JSON under /api/) for ``code``, with the usual words unless given others."""
    title, message = title or _title(code), message or _message(code)
    if _wants_json():
        return jsonify({"error": message, "status": code}), code
    response = render_template("error.html", code=code, title=title, message=message)
    return response, code, {"Cache-Control": "no-store"}


def register(app: Flask) -> None:
    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        if error.code is None or error.code < 400:  # a redirect raised as an exception
            return error
        return error_response(error.code)

    @app.errorhandler(UnicodeDecodeError)
    def undecodable_address(error: UnicodeDecodeError):
        # Bytes that are not UTF-8 in the query string (some WSGI servers pass them on).
        return error_response(400)

    @app.errorhandler(Exception)
    def unexpected_error(error: Exception):
        app.logger.exception("Unhandled error on %s", request.path)
        return error_response(500)
