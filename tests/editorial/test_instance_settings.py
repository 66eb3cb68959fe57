"""Installation settings in the instance database: defaults, storing, and the audit trail."""

import json

import pytest

from app.editorial import instance, instance_settings


@pytest.fixture
def db(tmp_path, monkeypatch):
    monkeypatch.setitem(instance_settings.DEFAULTS, "example_flag", False)
    connection = instance.open_instance(tmp_path)
    yield connection
    connection.close()


def test_a_setting_reads_as_its_default_until_stored(db):
    assert instance_settings.get(db, "example_flag") is False
    assert instance_settings.put(db, "example_flag", True, actor="admin@example.org") is True
    assert instance_settings.get(db, "example_flag") is True


def test_each_change_is_audited_with_before_and_after_and_a_repeat_writes_nothing(db):
    instance_settings.put(db, "example_flag", True, actor="admin@example.org", ip="192.0.2.1")
    assert instance_settings.put(db, "example_flag", True, actor="admin@example.org") is False
    rows = db.execute("SELECT actor, action, subject, details, ip FROM audit_log").fetchall()
    found = [(r["actor"], r["action"], r["subject"], json.loads(r["details"]), r["ip"]) for r in rows]
    assert found == [("admin@example.org", "setting.changed", "example_flag",
                      {"before": False, "after": True}, "192.0.2.1")]


def test_an_unknown_key_is_refused(db):
    with pytest.raises(KeyError):
        instance_settings.get(db, "no_such_setting")
    with pytest.raises(KeyError):
        instance_settings.put(db, "no_such_setting", 1, actor="cli")
