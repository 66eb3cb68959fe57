"""Blueprints and request helpers: the only part of the package that imports Flask."""

from flask import abort, current_app, request

from ..live import OpenRelease


def live_release() -> OpenRelease:
    """The release being served; a 503 page when nothing is published yet."""
    opened = current_app.extensions["live_release"].get()
    if opened is None:
        abort(503)
    return opened


def service_url(service_id: str) -> str:
    """The public page of a service, ``/services/<id>`` (ids are URL-safe by construction)."""
    return f"{request.script_root}/services/{service_id}"
