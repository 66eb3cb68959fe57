"""Settings of this installation kept in the instance database (never in content/ or a release).

Values are stored as JSON text under a key. Each change is written to the audit
log with its old and new value, in the same transaction, so who switched off a
safeguard and when is always known. The keys in use are listed in ``DEFAULTS``:
reading a key that is not there is a programming error, not a missing setting.
"""

from __future__ import annotations

import json
import sqlite3
from typing import Any

from . import audit, instance

# key -> value used until an admin changes it. Add a key here before using it.
DEFAULTS: dict[str, Any] = {
    "two_factor_roles": [],  # roles that must use two-factor sign-in (app/editorial/two_factor.py)
    # A small team may let an admin approve and publish their own change (audited as self-approved).
    "allow_self_approval": False,
}


def get(db: sqlite3.Connection, key: str) -> Any:
    """The stored value of ``key``, or its default."""
    default = DEFAULTS[key]
    row = db.execute("SELECT value FROM instance_settings WHERE key = ?", [key]).fetchone()
    return default if row is None else json.loads(row["value"])


def put(db: sqlite3.Connection, key: str, value: Any, *, actor: str, actor_id: int | None = None,
        ip: str | None = None) -> bool:
    """Store ``value`` under ``key`` and audit the change; False (and nothing written) when unchanged."""
    if key not in DEFAULTS:
        raise KeyError(key)
    with instance.transaction(db):
        before = get(db, key)
        if before == value:
            return False
        db.execute(
            """INSERT INTO instance_settings (key, value, updated_at, updated_by) VALUES (?, ?, ?, ?)
               ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at,
                                               updated_by = excluded.updated_by""",
            [key, json.dumps(value), instance.iso(instance.utc_now()), actor_id])
        audit.record(db, actor, "setting.changed", key, {"before": before, "after": value}, ip=ip)
    return True
