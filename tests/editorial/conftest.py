"""Fixtures for the editorial workflow: a fast password hasher, a clock, the instance database,
an editor app (no release needed) with one account per role."""

from __future__ import annotations

from pathlib import Path

import pytest

from app import create_app
from app.config import TestingConfig
from app.editorial import accounts, instance

from ..factories import write_content
from .helpers import EMAILS, FAST_HASHER, PASSWORD, Clock


@pytest.fixture(autouse=True)
def fast_hashes(monkeypatch):
    monkeypatch.setattr(accounts, "PASSWORD_HASHER", FAST_HASHER)


@pytest.fixture
def clock(monkeypatch) -> Clock:
    moving = Clock()
    monkeypatch.setattr(instance, "utc_now", moving)
    return moving


@pytest.fixture
def instance_dir(tmp_path: Path) -> Path:
    return tmp_path / "instance"


@pytest.fixture
def db(instance_dir):
    connection = instance.open_instance(instance_dir)
    yield connection
    connection.close()


@pytest.fixture
def editor_content(tmp_path: Path) -> Path:
    """A content folder with the organisation ``test-org``."""
    return write_content(tmp_path / "content")


@pytest.fixture
def editor_app(editor_content, tmp_path, instance_dir):
    """The app with nothing published: editor pages do not need a release."""
    return create_app(TestingConfig(editor_content, tmp_path / "search_index", instance_dir))


@pytest.fixture
def accounts_by_role(db) -> dict[str, accounts.User]:
    """One active account per role, all with :data:`PASSWORD`."""
    return {role: accounts.create_user(db, email, PASSWORD, role, name=f"{role.title()} Person",
                                       organisation="test-org" if role == "provider" else None, actor="cli")
            for role, email in EMAILS.items()}


@pytest.fixture
def editor_client(editor_app, accounts_by_role):
    return editor_app.test_client()


# -- the change workflow (tests/editorial/test_changes*.py, test_entry_form*.py) ------------------------

@pytest.fixture
def workflow_site(tmp_path):
    """Content with two organisations (test-org, other-org), published once; (content, index)."""
    from .changes_helpers import publish_folder, write_two_organisations

    content = write_two_organisations(tmp_path / "content")
    publish_folder(content, tmp_path / "search_index")
    return content, tmp_path / "search_index"


@pytest.fixture
def workflow_users(db, accounts_by_role) -> dict[str, accounts.User]:
    """One account per role (the provider of test-org), a second editor and publisher, and a provider of
    other-org."""
    extra = {"editor2": ("editor2@example.org", "editor", None),
             "publisher2": ("publisher2@example.org", "publisher", None),
             "other_provider": ("other-provider@example.org", "provider", "other-org")}
    users = dict(accounts_by_role)
    for key, (email, role, organisation) in extra.items():
        users[key] = accounts.create_user(db, email, PASSWORD, role, organisation=organisation, actor="cli",
                                          organisations={"test-org": "Test", "other-org": "Other"})
    return users


@pytest.fixture
def workflow_app(workflow_site, instance_dir, workflow_users):
    """The app over the published two-organisation site, with the workflow's accounts."""
    content, index = workflow_site
    return create_app(TestingConfig(content, index, instance_dir))
