"""Static files under fingerprinted names, cached for a year, sent compressed.

``asset_url("css/site.css")`` gives ``/static/css/site.3f2a9c1b7e4d.css``. The
hash changes whenever the file does, so browsers may keep a copy for a year
without ever showing a stale one. Files are read and compressed once, when
the app starts (and again on each request in debug mode, for editing).
"""

from __future__ import annotations

import gzip
import hashlib
import mimetypes
from dataclasses import dataclass
from pathlib import Path

from flask import Blueprint, Flask, Response, abort, current_app, request

from .i18n import site_root

ONE_YEAR = 365 * 24 * 3600
COMPRESSIBLE = ("text/", "application/javascript", "application/json", "application/xml", "image/svg+xml")


@dataclass(frozen=True)
class Asset:
    name: str
    fingerprinted: str
    body: bytes
    compressed: bytes
    mimetype: str
    etag: str


def _fingerprinted(name: str, digest: str) -> str:
    stem, dot, suffix = name.rpartition(".")
    return f"{stem}.{digest}.{suffix}" if dot else f"{name}.{digest}"


def scan(folder: Path) -> dict[str, Asset]:
    """Every file under ``folder`` by both its plain and its fingerprinted name."""
    assets: dict[str, Asset] = {}
    if not folder.is_dir():
        return assets
    for path in sorted(folder.rglob("*")):
        if not path.is_file() or path.name.startswith("."):
            continue
        name = path.relative_to(folder).as_posix()
        body = path.read_bytes()
        digest = hashlib.sha256(body).hexdigest()[:12]
        mimetype = mimetypes.guess_type(name)[0] or "application/octet-stream"
        if mimetype.startswith("text/") or mimetype == "application/javascript":
            mimetype += "; charset=utf-8"
        compressed = gzip.compress(body, 9, mtime=0) if mimetype.startswith(COMPRESSIBLE) else b""
        asset = Asset(name, _fingerprinted(name, digest), body, compressed, mimetype, digest)
        assets[name] = assets[asset.fingerprinted] = asset
    return assets


class Assets:
    """The static folder of an app, scanned once (or per request when debugging)."""

    def __init__(self, folder: Path, rescan: bool = False):
        self.folder = folder
        self.rescan = rescan
        self._assets = scan(folder)

    def get(self, name: str) -> Asset | None:
        if self.rescan:
            self._assets = scan(self.folder)
        return self._assets.get(name)


blueprint = Blueprint("assets", __name__)


def asset_url(name: str) -> str:
    """The URL of a static file under its fingerprinted name."""
    asset = current_app.extensions["assets"].get(name)
    if asset is None:
        raise LookupError(f"no static file {name!r} in {current_app.extensions['assets'].folder}")
    return f"{site_root()}/static/{asset.fingerprinted}"


@blueprint.get("/static/<path:filename>")
def static_file(filename: str):
    asset = current_app.extensions["assets"].get(filename)
    if asset is None:
        abort(404)
    immutable = filename == asset.fingerprinted
    if request.if_none_match.contains(asset.etag):
        response = Response(status=304)
    else:
        use_gzip = bool(asset.compressed) and "gzip" in request.accept_encodings
        response = Response(asset.compressed if use_gzip else asset.body, mimetype=asset.mimetype)
        if use_gzip:
            response.headers["Content-Encoding"] = "gzip"
    response.set_etag(asset.etag)
    response.headers["Vary"] = "Accept-Encoding"
    response.headers["Cache-Control"] = (f"public, max-age={ONE_YEAR}, immutable" if immutable
                                         else "public, max-age=300")
    return response


def register(app: Flask, folder: Path) -> None:
    app.extensions["assets"] = Assets(folder, rescan=app.debug)
    app.register_blueprint(blueprint)
    app.add_template_global(asset_url)
