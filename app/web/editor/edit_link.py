"""The "Edit this service" link that public pages show an account that may change the entry.

A public page is the same for everyone and kept per release (:mod:`app.web.page_cache`); a page with
this link is built for one signed-in account, so the view that shows it must neither keep it nor let
any cache store it (see ``public.service``).
"""

from __future__ import annotations

from flask import url_for

from ...editorial import changes as workflow
from .entries import endpoint
from .guard import signed_in_account


def edit_url(kind: str, entry_id: str, organisation: str | None) -> str | None:
    """The editor's address of the entry, when this browser is signed in as an account that may
    propose changes to it (a provider: to its own organisation's); else None."""
    user = signed_in_account()
    if user is None or not workflow.may_propose(user, organisation, kind, workflow.EDIT):
        return None
    return url_for(endpoint(kind, "open"), entry_id=entry_id)
