"""Cross-site request forgery protection for every POST, PUT, PATCH and DELETE in the app.

Flask-WTF's CSRFProtect keeps a random token in the (editor) session and
checks the signed copy each form sends back. Templates render the field with
the ``csrf_field()`` macro in ``macros/forms.html``, and only there. Public
pages have no forms that post, so they never create a session or a cookie.
"""

from __future__ import annotations

from flask import Flask, request
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError, CSRFProtect

from .errors import error_response

csrf = CSRFProtect()


def register(app: Flask) -> None:
    """Check the CSRF token of every unsafe request to ``app``; a friendly page when it fails."""
    csrf.init_app(app)

    @app.errorhandler(CSRFError)
    def session_expired(error: CSRFError):
        # A missing, forged or stale token is nearly always an old tab or a form
        # posted after signing out: say what to do, not what went wrong inside.
        app.logger.info("CSRF check failed on %s: %s", request.path, error.description)
        return error_response(400, title=_("Your session expired"),
                              message=_("Go back, reload the page and try again."))
