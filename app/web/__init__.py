"""Blueprints and request helpers: the only part of the package that imports Flask."""

from flask import abort, current_app, request

from ..release.reader import ReleaseReader


def live_release() -> ReleaseReader:
    """The release being served; a 503 page when nothing is published yet."""
    opened = current_app.extensions["live_release"].get()
    if opened is None:
        abort(503)
    return opened


def service_url(service_id: str, language: str = "en") -> str:
    """The public page of a service, ``/services/<id>`` (ids are URL-safe by construction),
    under ``/<language>/`` for a language other than English."""
    prefix = "" if language == "en" else f"/{language}"
    return f"{request.script_root}{prefix}/services/{service_id}"
