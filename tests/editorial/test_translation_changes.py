"""The taxonomy and translations as kinds of change, without the web: the stamp set on approval (and kept
on a restore), the rules of ``earlyhelp check`` applied when a change is submitted and again when it is
approved, review dates of the kinds without ``last_reviewed``, and migration 8 keeping every change."""

from __future__ import annotations

import datetime as dt
import sqlite3

import pytest

from app.content.loader import load_content
from app.editorial import accounts, changes, entry_reviews, instance
from app.editorial.changes import ChangeError
from app.publishing.publish import publish

from ..factories import service, write_service
from ..translated_content import write_translated_content
from .helpers import PASSWORD


@pytest.fixture
def site(tmp_path):
    content = write_translated_content(tmp_path / "content")
    publish(content, tmp_path / "search_index", processes=1)
    return content, tmp_path / "search_index"


@pytest.fixture
def people(db, accounts_by_role):
    second = accounts.create_user(db, "publisher2@example.org", PASSWORD, "publisher", actor="cli")
    return {**accounts_by_role, "publisher2": second}


def proposed(db, content, user, kind, entry_id, **changed):
    live = changes.read_live(content, kind, entry_id)
    fields = {**live.fields, **changed} if live else changed
    change = changes.start(db, content, user, kind, entry_id, fields=fields, body=live.body if live else "",
                           action=changes.EDIT if live else changes.CREATE)
    return changes.submit(db, content, change.id, user)


def test_approving_a_translation_stamps_it_and_restoring_an_old_version_keeps_its_stamp(db, site, people):
    content, index = site
    english = content / "hubs" / "west.md"
    english.write_text(english.read_text().replace("About the hub.", "What the hub offers."))
    assert load_content(content).translations["hubs"]["pl"]["west"].stale
    old = changes.read_live(content, "hub_translation", "west.pl")

    change = proposed(db, content, people["editor"], "hub_translation", "west.pl",
                      name="Centrum Zachodnie (N17)")
    with pytest.raises(ChangeError) as refused:
        changes.approve(db, content, index, change.id, people["editor"])
    assert refused.value.code == "not_reviewable"
    approved = changes.approve(db, content, index, change.id, people["publisher"])
    translation = load_content(content).translations["hubs"]["pl"]["west"]
    assert translation.fields["name"] == "Centrum Zachodnie (N17)" and not translation.stale
    assert approved.fields["source_fingerprint"] == translation.current_fingerprint

    first = changes.versions(db, "hub_translation", "west.pl")[-1]
    assert first.text == old.text  # the version found on file, kept before it was replaced
    restore = changes.restore(db, content, first.id, people["editor"])
    changes.approve(db, content, index, restore.id, people["publisher"])
    assert (content / "hubs" / "west.pl.md").read_text() == old.text
    assert load_content(content).translations["hubs"]["pl"]["west"].stale  # as old as its stamp says


def test_a_translation_is_checked_with_the_loaders_rules(db, site, people):
    content, _index = site
    editor = people["editor"]
    with pytest.raises(ChangeError) as refused:
        proposed(db, content, editor, "service_translation", "debt-advice.pl", phone="020 7946 0000")
    assert [problem.field for problem in refused.value.problems] == ["phone"]
    assert "services/debt-advice.md" in refused.value.problems[0].message  # the real path, not a scratch one
    with pytest.raises(ChangeError) as refused:  # a language site.yml does not offer
        proposed(db, content, editor, "service_translation", "debt-advice.tr", title="Borç danışmanlığı")
    assert "not one of the languages offered" in refused.value.problems[0].message
    with pytest.raises(ChangeError) as refused:
        changes.start(db, content, editor, "service_translation", "debt-advice", fields={}, body="",
                      action=changes.CREATE)
    assert refused.value.code == "invalid_id"


def test_a_need_taken_into_use_after_submitting_its_removal_is_refused_at_approval(db, site, people):
    content, index = site
    live = changes.read_live(content, "taxonomy", "needs")
    kept = {term_id: term for term_id, term in live.fields.items() if term_id != "speech-language"}
    change = changes.start(db, content, people["editor"], "taxonomy", "needs", fields=kept, body="")
    with pytest.raises(ChangeError) as refused:  # stay-and-chat names it
        changes.submit(db, content, change.id, people["editor"])
    assert "'speech-language' cannot be removed: it is still used by 1 service(s): stay-and-chat" in \
        refused.value.problems[0].message

    path = content / "services" / "stay-and-chat.md"
    path.write_text(path.read_text().replace("needs:\n- speech-language\n", "needs:\n- parenting\n"))
    change = changes.submit(db, content, change.id, people["editor"])
    write_service(content, service("talking-toddlers", needs=["speech-language"]))  # meanwhile, by hand
    with pytest.raises(ChangeError) as refused:
        changes.approve(db, content, index, change.id, people["publisher"])
    assert refused.value.code == "invalid"
    assert "talking-toddlers" in refused.value.problems[0].message
    assert "speech-language" in load_content(content).needs


def test_removing_a_translated_need_is_refused_until_its_translations_are(db, site, people):
    content, _index = site
    live = changes.read_live(content, "taxonomy", "needs")
    for service_id in ("debt-advice", "benefits-check"):
        path = content / "services" / f"{service_id}.md"
        path.write_text(path.read_text().replace("needs:\n- money-debt\n", "needs:\n- parenting\n"))
    kept = {term_id: term for term_id, term in live.fields.items() if term_id != "money-debt"}
    change = changes.start(db, content, people["editor"], "taxonomy", "needs", fields=kept, body="")
    with pytest.raises(ChangeError) as refused:
        changes.submit(db, content, change.id, people["editor"])
    paths = {problem.path for problem in refused.value.problems}
    assert paths == {"taxonomy/needs.pl.yml", "taxonomy/needs.ar.yml", "taxonomy/needs.es.yml"}


def test_review_dates_come_from_publishing_through_the_editor_and_from_confirming(db, site, people):
    content, index = site
    loaded = load_content(content)
    today = dt.date(2026, 12, 1)
    hubs = {item.id: item for item in entry_reviews.review_items(db, loaded, "hub", today)}
    assert hubs["west"].last_reviewed is None and hubs["west"].bucket == "overdue"

    change = proposed(db, content, people["editor"], "hub", "west", name="West Family Hub")
    changes.approve(db, content, index, change.id, people["publisher"])
    published_on = dt.date.fromisoformat(changes.versions(db, "hub", "west")[0].published_at[:10])
    due = entry_reviews.confirm(db, loaded, "hub", "east", reviewer="editor@example.org", on=today)
    hubs = {item.id: item for item in entry_reviews.review_items(db, load_content(content), "hub", today)}
    assert hubs["west"].last_reviewed == published_on
    assert (hubs["east"].last_reviewed, hubs["east"].due, due) == (today, dt.date(2027, 12, 1), due)
    assert hubs["east"].bucket == "later"
    translations = entry_reviews.review_items(db, loaded, "service_translation", today)
    assert {item.id for item in translations} >= {"debt-advice.pl", "debt-advice.ar", "stay-and-chat.bn"}
    with pytest.raises(entry_reviews.EntryReviewError):
        entry_reviews.confirm(db, loaded, "page", "nowhere", reviewer="editor@example.org", on=today)


def test_migration_8_keeps_every_change_and_its_history(instance_dir):
    instance_dir.mkdir()
    path = instance.database_path(instance_dir)
    db = instance.connect(path)
    db.execute("CREATE TABLE schema_version (version INTEGER PRIMARY KEY, applied_at TEXT NOT NULL)")
    for version, statements in instance.MIGRATIONS:
        if version < 8:
            for statement in statements:
                db.execute(statement)
            db.execute("INSERT INTO schema_version VALUES (?, 'then')", [version])
    user = accounts.create_user(db, "old@example.org", PASSWORD, "editor", actor="cli")
    db.execute("INSERT INTO changes (kind, entry_id, action, status, author_id, created_at, updated_at) "
               "VALUES ('hub', 'west', 'edit', 'published', ?, 'then', 'then')", [user.id])
    db.execute("INSERT INTO history (kind, entry_id, text, published_at, change_id) "
               "VALUES ('hub', 'west', 'text', 'then', 1)")
    with pytest.raises(sqlite3.IntegrityError):  # the old CHECK
        db.execute("INSERT INTO changes (kind, entry_id, action, author_id, created_at, updated_at) "
                   "VALUES ('taxonomy', 'needs', 'edit', ?, 'now', 'now')", [user.id])
    assert instance.migrate(db) == instance.LATEST_VERSION
    rows = [tuple(row) for row in db.execute("SELECT id, kind, entry_id FROM changes")]
    assert rows == [(1, "hub", "west")]
    assert db.execute("SELECT change_id FROM history").fetchone()[0] == 1
    assert db.execute("PRAGMA foreign_key_check").fetchall() == []
    db.execute("INSERT INTO changes (kind, entry_id, action, author_id, created_at, updated_at) "
               "VALUES ('taxonomy', 'needs', 'edit', ?, 'now', 'now')", [user.id])
    db.close()


@pytest.mark.parametrize("taxonomy", ["needs", "age-bands", "levels"])
def test_a_taxonomy_form_posted_unchanged_proposes_the_same_terms(site, taxonomy):
    from werkzeug.datastructures import MultiDict

    from app.editorial import diffs, kinds

    content, _index = site
    live = changes.read_live(content, "taxonomy", taxonomy)
    values = kinds.form_from_fields("taxonomy", live.fields, "", taxonomy)
    posted = MultiDict()
    for row, term in enumerate(values["terms"]):
        for key, value in term.items():
            if value is True:
                posted[f"term-{row}-{key}"] = "1"
            elif value not in (None, False):
                posted[f"term-{row}-{key}"] = value
    parsed = kinds.fields_from_form("taxonomy", posted, taxonomy)
    text = changes.render(parsed.fields, "", "taxonomy")
    assert diffs.text_diff(live.text, text, "taxonomy").empty
    assert changes.check(content, "taxonomy", taxonomy, parsed.fields, "") == []
