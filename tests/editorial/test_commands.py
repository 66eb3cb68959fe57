"""``earlyhelp user ...`` and ``earlyhelp backup``, run as an administrator would run them."""

from __future__ import annotations

import filecmp
import shutil
import stat

import pytest
from click.testing import CliRunner

from app.cli import COMMANDS, main
from app.editorial import accounts, audit, instance, two_factor

from .helpers import PASSWORD


@pytest.fixture
def run(monkeypatch, instance_dir, editor_content):
    """``run("user", "list", input=...)``: the command line on a temporary instance and content folder."""
    monkeypatch.setenv("EARLYHELP_INSTANCE_DIR", str(instance_dir))
    monkeypatch.setenv("EARLYHELP_CONTENT_DIR", str(editor_content))

    def invoke(*arguments, input=None):
        return CliRunner().invoke(main, list(arguments), input=input, catch_exceptions=False)

    return invoke


def open_db(instance_dir):
    return instance.open_instance(instance_dir)


def test_the_commands_are_registered_for_earlyhelp_and_flask():
    names = {command.name for command in COMMANDS}
    assert {"user", "backup"} <= names
    assert set(main.commands["user"].commands) == {"add", "list", "disable", "enable", "reset-password",
                                                    "reset-two-factor"}


def test_user_add_reads_the_password_from_stdin_for_scripts(run, instance_dir):
    result = run("user", "add", "Ann@Example.org", "--role", "admin", "--name", "Ann Admin",
                 "--password-stdin", input=PASSWORD + "\n")
    assert result.exit_code == 0, result.output
    assert "Added ann@example.org (admin)." in result.output
    db = open_db(instance_dir)
    assert isinstance(accounts.authenticate(db, "ann@example.org", PASSWORD), accounts.User)
    created = audit.entries(db, action="user.created")[0]
    assert (created.actor, created.subject) == ("cli", "ann@example.org")


def test_user_add_prompts_twice_and_asks_again_when_they_differ(run, instance_dir):
    result = run("user", "add", "bob@example.org", "--role", "editor",
                 input=f"{PASSWORD}\nsomething else entirely\n{PASSWORD}\n{PASSWORD}\n")
    assert result.exit_code == 0, result.output
    assert "do not match" in result.output
    assert PASSWORD not in result.output  # hidden input is not echoed
    assert accounts.find_user(open_db(instance_dir), "bob@example.org").role == "editor"


@pytest.mark.parametrize(("arguments", "password", "message"), [
    (["not-an-email", "--role", "editor"], PASSWORD, "Enter an email address"),
    (["bob@example.org", "--role", "editor"], "too short", "at least 12 characters"),
    (["bob@example.org", "--role", "editor"], "bob@example.org", "must not be the email"),
    (["bob@example.org", "--role", "provider"], PASSWORD, "needs the organisation"),
    (["bob@example.org", "--role", "provider", "--organisation", "nope"], PASSWORD, "no organisation 'nope'"),
])
def test_user_add_refuses_with_a_reason(run, instance_dir, arguments, password, message):
    result = run("user", "add", *arguments, "--password-stdin", input=password + "\n")
    assert result.exit_code == 1
    assert message in result.output
    assert accounts.list_users(open_db(instance_dir)) == []


def test_user_add_refuses_an_unknown_role(run):
    result = run("user", "add", "bob@example.org", "--role", "root", "--password-stdin",
                 input=PASSWORD + "\n")
    assert result.exit_code == 2 and "'root' is not one of" in result.output


def test_a_provider_gets_an_organisation_from_the_content(run, instance_dir):
    result = run("user", "add", "pat@example.org", "--role", "provider", "--organisation", "test-org",
                 "--password-stdin", input=PASSWORD + "\n")
    assert result.exit_code == 0, result.output
    assert "(provider for test-org)" in result.output


def test_list_disable_enable_and_reset_password(run, instance_dir):
    assert "No accounts yet" in run("user", "list").output
    run("user", "add", "ann@example.org", "--role", "admin", "--password-stdin", input=PASSWORD + "\n")
    run("user", "add", "bob@example.org", "--role", "editor", "--name", "Bob", "--password-stdin",
        input=PASSWORD + "\n")
    listing = run("user", "list").output.splitlines()
    assert listing[0].split() == ["EMAIL", "NAME", "ROLE", "ORGANISATION", "STATUS", "LAST", "SIGN-IN"]
    assert listing[1].split() == ["ann@example.org", "admin", "active", "never"]
    assert listing[2].split() == ["bob@example.org", "Bob", "editor", "active", "never"]

    assert run("user", "disable", "BOB@example.org").output == "Disabled bob@example.org.\n"
    assert "disabled" in run("user", "list").output
    assert run("user", "enable", "bob@example.org").output == "Enabled bob@example.org.\n"

    result = run("user", "reset-password", "bob@example.org", "--password-stdin",
                 input="a new long passphrase\n")
    assert result.output == "New password set for bob@example.org.\n"
    db = open_db(instance_dir)
    assert isinstance(accounts.authenticate(db, "bob@example.org", "a new long passphrase"), accounts.User)
    cli_actions = [entry.action for entry in audit.entries(db, actor="cli")]
    assert cli_actions == ["user.password_reset", "user.enabled", "user.disabled", "user.created",
                           "user.created"]


def test_changing_an_unknown_or_the_last_admin_account_fails_with_a_message(run):
    result = run("user", "disable", "nobody@example.org")
    assert result.exit_code == 1 and "There is no account for nobody@example.org" in result.output
    result = run("user", "reset-password", "nobody@example.org", "--password-stdin", input=PASSWORD)
    assert result.exit_code == 1
    run("user", "add", "ann@example.org", "--role", "admin", "--password-stdin", input=PASSWORD + "\n")
    result = run("user", "disable", "ann@example.org")
    assert result.exit_code == 1 and "only active admin" in result.output


def test_reset_two_factor_takes_it_off_and_ends_the_sessions(run, instance_dir):
    run("user", "add", "bob@example.org", "--role", "editor", "--password-stdin", input=PASSWORD + "\n")
    db = open_db(instance_dir)
    bob = accounts.find_user(db, "bob@example.org")
    key = two_factor.load_key(instance_dir)
    secret = two_factor.enrolment_secret(db, bob, key)
    bob, _codes = two_factor.confirm_enrolment(db, bob, two_factor.code_at(secret, instance.utc_now()), key)
    assert isinstance(accounts.authenticate(db, "bob@example.org", PASSWORD), accounts.CodeNeeded)

    result = run("user", "reset-two-factor", "BOB@example.org")
    assert result.exit_code == 0 and result.output == "Two-factor sign-in reset for bob@example.org.\n"
    assert not two_factor.is_enabled(db, bob.id)
    assert accounts.find_user(db, "bob@example.org").session_version == bob.session_version + 1
    assert db.execute("SELECT COUNT(*) FROM recovery_codes").fetchone()[0] == 0
    entry = audit.entries(db, actor="cli")[0]
    assert (entry.action, entry.subject, entry.details) == ("two_factor.reset", "bob@example.org",
                                                           {"was_on": True})
    assert isinstance(accounts.authenticate(db, "bob@example.org", PASSWORD), accounts.User)
    result = run("user", "reset-two-factor", "nobody@example.org")
    assert result.exit_code == 1 and "There is no account for nobody@example.org" in result.output


def test_backup_copies_the_database_and_the_content_and_the_copy_restores(run, instance_dir, editor_content,
                                                                          tmp_path):
    run("user", "add", "ann@example.org", "--role", "admin", "--password-stdin", input=PASSWORD + "\n")
    result = run("backup", str(tmp_path / "backups"))
    assert result.exit_code == 0, result.output
    [folder] = (tmp_path / "backups").iterdir()
    assert folder.name.startswith("earlyhelp-backup-")
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    assert f"Wrote {folder / 'editorial.db'}" in result.output
    assert f"Wrote {folder / 'content'}/" in result.output
    assert f"Backup complete: {folder}" in result.output

    # The content copy is the same files.
    comparison = filecmp.dircmp(editor_content, folder / "content")
    assert not comparison.left_only and not comparison.right_only and not comparison.diff_files

    # Restore: the copy becomes the instance database of a new folder, and works.
    restored_dir = tmp_path / "restored"
    restored_dir.mkdir()
    shutil.copy(folder / "editorial.db", restored_dir / "editorial.db")
    restored = instance.open_instance(restored_dir)
    assert isinstance(accounts.authenticate(restored, "ann@example.org", PASSWORD), accounts.User)
    assert [entry.action for entry in audit.entries(restored, action="user.created")] == ["user.created"]

    # The backup itself is in the live log.
    [entry] = audit.entries(open_db(instance_dir), action="backup.created")
    assert (entry.actor, entry.subject) == ("cli", str(folder))


def test_two_backups_in_the_same_second_do_not_collide(run, tmp_path, clock):
    run("backup", str(tmp_path / "backups"))
    run("backup", str(tmp_path / "backups"))
    assert len(list((tmp_path / "backups").iterdir())) == 2
