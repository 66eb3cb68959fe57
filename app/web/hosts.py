"""Which host the site answers as: absolute links never come from a visitor's ``Host`` header.

Pages, ``sitemap.xml`` and ``robots.txt`` carry absolute links (canonical, hreflang, the
sitemap's own address) and are publicly cacheable, so a forged ``Host: evil.example``
must not reach them. With a base URL configured (``EARLYHELP_BASE_URL``, else
``base_url`` in site.yml) every request is answered as if made to that address,
whatever host it named: a health check by IP still works, and links always point
home. With none, only requests for this machine (localhost, 127.0.0.1, ::1) or a host
in ``EARLYHELP_TRUSTED_HOSTS`` are answered, as local development needs; any other
host gets "400 Bad Request". See docs/operations.md.
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from urllib.parse import urlsplit

from flask import Flask, abort, request

LOCAL_HOSTS = frozenset({"localhost", "127.0.0.1", "::1"})
UNKNOWN_HOST = "earlyhelp.unknown_host"


def origin_of(url: str) -> tuple[str, str] | None:
    """(scheme, host[:port]) of an http(s) address, or None when ``url`` is not one."""
    try:
        parts = urlsplit(url.strip())
        parts.port  # noqa: B018 - raises ValueError for a port that is not a number
    except ValueError:
        return None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return None
    return parts.scheme, parts.netloc.rpartition("@")[2]


def host_name(host: str) -> str:
    """The name in a ``Host`` header, without its port or IPv6 brackets, lower case."""
    host = host.strip().lower()
    if host.startswith("["):
        return host[1:].partition("]")[0]
    return host.rpartition(":")[0] if host.count(":") == 1 else host


class CanonicalHost:
    """WSGI middleware answering every request as the configured base URL, or marking a request for
    an unknown host when there is none (the app then refuses it; see :func:`register`)."""

    def __init__(self, wsgi_app, base_url: Callable[[], str], trusted_hosts: Collection[str] = ()):
        self.wsgi_app = wsgi_app
        self.base_url = base_url
        self.trusted = LOCAL_HOSTS | {host_name(host) for host in trusted_hosts if host.strip()}

    def __call__(self, environ, start_response):
        origin = origin_of(self.base_url())
        if origin is not None:
            environ["wsgi.url_scheme"], environ["HTTP_HOST"] = origin
        elif host_name(environ.get("HTTP_HOST") or environ.get("SERVER_NAME", "")) not in self.trusted:
            # Answered (with a 400) as localhost, so not even the error page repeats the forged name.
            environ["HTTP_HOST"] = "localhost"
            environ[UNKNOWN_HOST] = True
        return self.wsgi_app(environ, start_response)


def register(app: Flask, trusted_hosts: Collection[str]) -> None:
    """Put :class:`CanonicalHost` in front of the app (inside any proxy fix, so it sees the host the
    visitor asked for) and refuse requests it marked."""
    configured = app.config.get("BASE_URL", "")
    live = app.extensions["live_release"]

    def base_url() -> str:
        if configured:
            return configured
        opened = live.get()
        return opened.directory.site.get("base_url", "") if opened is not None else ""

    app.wsgi_app = CanonicalHost(app.wsgi_app, base_url, trusted_hosts)

    @app.before_request
    def refuse_unknown_host():
        if request.environ.get(UNKNOWN_HOST):
            abort(400)
