"""Fixtures for the insight reports: the made corpus published, accounts for each role, the search log."""

from __future__ import annotations

import pytest

from app import create_app
from app.config import TestingConfig
from app.editorial import accounts, instance
from app.publishing.publish import publish

from ..editorial.helpers import EMAILS, FAST_HASHER, PASSWORD, sign_in
from .corpus import log_searches, write_corpus


@pytest.fixture(autouse=True)
def fast_hashes(monkeypatch):
    monkeypatch.setattr(accounts, "PASSWORD_HASHER", FAST_HASHER)


@pytest.fixture
def corpus(tmp_path):
    """(content, index, instance) folders: the corpus published, one account per role (the provider
    works for test-org, so other-org has no owner), three suggestions, the search log written."""
    content, index, instance_dir = tmp_path / "content", tmp_path / "search_index", tmp_path / "instance"
    write_corpus(content)
    publish(content, index, processes=1)
    db = instance.open_instance(instance_dir)
    for role, email in EMAILS.items():
        organisation = "test-org" if role == "provider" else None
        accounts.create_user(db, email, PASSWORD, role, organisation=organisation, actor="cli")
    # Suggestions from the public: two open about the parenting course, one dealt with about talk-east.
    for service_id, status in (("parenting-course", "open"), ("parenting-course", "open"),
                               ("talk-east", "dealt_with")):
        db.execute("INSERT INTO suggestions (service_id, message, created_at, status) "
                   "VALUES (?, 'The phone number is wrong', '2026-11-01T10:00:00Z', ?)", [service_id, status])
    db.close()
    log_searches(instance_dir)
    return content, index, instance_dir


@pytest.fixture
def insight_app(corpus):
    return create_app(TestingConfig(*corpus))


@pytest.fixture
def analyst(insight_app):
    """A test client signed in as the analyst."""
    client = insight_app.test_client()
    assert sign_in(client, EMAILS["analyst"]).status_code == 303
    return client
