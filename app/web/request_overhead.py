"""What Flask does on every request, trimmed where it does work a public page never needs.

A kept page is served in about a millisecond, so Flask's own steps are a large part of it: the
session is read (and its signing serializer built) for visitors who carry no cookie, each of a
dozen hooks is checked for ``async def`` on every request, and ``Vary`` is parsed and rewritten by
each step that adds to it. None of this changes what any page says.
"""

from __future__ import annotations

import functools
import gc

from flask import Flask, Response
from flask.sessions import SecureCookieSessionInterface


class CookieSessions(SecureCookieSessionInterface):
    """Flask's signed-cookie sessions, with no serializer built for a request without the cookie
    (every public visitor: only editors have one). The empty session is the one Flask would give."""

    def open_session(self, app, request):
        if app.secret_key and not request.cookies.get(self.get_cookie_name(app)):
            return self.session_class()
        return super().open_session(app, request)


def vary_on(response: Response, name: str) -> None:
    """Add ``name`` to the response's ``Vary`` (as ``response.vary.add``, which parses and rewrites
    the header each time, even when the name is already there: several steps add the same one)."""
    current = response.headers.get("Vary")
    if current is None:
        response.headers["Vary"] = name
    elif name.lower() not in {part.strip().lower() for part in current.split(",")}:
        response.vary.add(name)


def settle_heap() -> None:
    """Put what the process holds now (the code, the open release: its bitsets, orderings and
    readers) out of the garbage collector's reach, after freeing what an earlier release left.

    A full collection walks every object the process holds: about 140 ms at 10,000 services, paid
    by whichever request allocates past the collector's threshold (under load, every few hundred
    requests). Frozen objects are still freed when nothing refers to them; only a cycle among them
    would wait for the next call, which ``unfreeze`` and ``collect`` give (once a release, in the
    request that opens it). For a long-running server, not for a process that opens many releases.
    """
    gc.unfreeze()
    gc.collect()
    gc.freeze()


def register(app: Flask) -> None:
    app.session_interface = CookieSessions()
    # The views and hooks are fixed once the app is built: whether one is a coroutine is asked once.
    app.ensure_sync = functools.cache(app.ensure_sync)
