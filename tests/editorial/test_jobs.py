"""``earlyhelp jobs run``: review digests, suggestion notices and account emails received by a real SMTP
server (aiosmtpd on 127.0.0.1), in each reader's language; once per owner, never twice; a lock; a
server that is down, then back."""

from __future__ import annotations

import datetime as dt
import email
import email.policy
import fcntl
import os
import socket

import pytest
import yaml
from aiosmtpd.controller import Controller
from babel.dates import format_date
from click.testing import CliRunner

from app import config
from app.cli import main
from app.content.model import add_months
from app.editorial import accounts, audit, jobs, reviews, suggestions, two_factor

from ..factories import service, write_content
from .helpers import EMAILS, PASSWORD


class Inbox:
    """An aiosmtpd handler keeping every message; refuses the recipients in ``refuse``."""

    def __init__(self):
        self.messages: list[email.message.EmailMessage] = []
        self.refuse: set[str] = set()

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in self.refuse:
            return "550 5.1.1 No such mailbox"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        message = email.message_from_bytes(envelope.original_content, policy=email.policy.default)
        self.messages.append(message)
        return "250 OK: queued"

    def to(self, address: str) -> list[email.message.EmailMessage]:
        return [message for message in self.messages if address in message["To"]]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class SmtpServer:
    def __init__(self):
        self.port = free_port()
        self.inbox = Inbox()
        self.controller = None

    def start(self):
        self.controller = Controller(self.inbox, hostname="127.0.0.1", port=self.port)
        self.controller.start()

    def stop(self):
        if self.controller:
            self.controller.stop()
            self.controller = None


@pytest.fixture
def smtp():
    server = SmtpServer()
    server.start()
    yield server
    server.stop()


TODAY = dt.date.today()


def ago(days: int) -> str:
    return (TODAY - dt.timedelta(days=days)).isoformat()


@pytest.fixture
def now(clock):
    """Three days ago, when the accounts were made (so there are no account emails to send); the people
    fixture then moves it to today at 10:00 in the UK, after the default digest hour (7)."""
    clock.now = dt.datetime.combine(TODAY - dt.timedelta(days=3), dt.time(10), reviews.LOCAL_TIME)
    return clock


@pytest.fixture
def content(tmp_path):
    root = write_content(tmp_path / "content", [
        service("overdue-group", title="Overdue group", last_reviewed=ago(400)),
        service("soon-group", title="Soon group", last_reviewed=ago(355)),
        service("later-group", title="Later group", last_reviewed=ago(20)),
        service("other-overdue", title="Other overdue", organisation="other-org", last_reviewed=ago(500)),
    ])
    text = yaml.safe_dump({"id": "other-org", "name": "Other Organisation", "website": "https://example.org"})
    (root / "organisations" / "other-org.md").write_text(f"---\n{text}---\nAbout.\n")
    return root


@pytest.fixture
def people(now, db, accounts_by_role):
    """The provider of test-org reads Polish; a second provider of test-org reads English; other-org has
    no provider, so the editor hears about it."""
    accounts.set_language(db, EMAILS["provider"], "pl", languages=("en", "pl"), actor="cli")
    accounts.create_user(db, "second@example.org", PASSWORD, "provider", name="Second Provider",
                         organisation="test-org", actor="cli")
    now.now = dt.datetime.combine(TODAY, dt.time(10), reviews.LOCAL_TIME)
    return {"pl": EMAILS["provider"], "en": "second@example.org", "editor": EMAILS["editor"]}


@pytest.fixture
def run(monkeypatch, tmp_path, instance_dir, content, people, now, smtp):
    monkeypatch.setenv("EARLYHELP_INSTANCE_DIR", str(instance_dir))
    monkeypatch.setenv("EARLYHELP_CONTENT_DIR", str(content))
    monkeypatch.setenv("EARLYHELP_INDEX_DIR", str(tmp_path / "search_index"))
    monkeypatch.setenv("EARLYHELP_SMTP_HOST", "127.0.0.1")
    monkeypatch.setenv("EARLYHELP_SMTP_PORT", str(smtp.port))
    monkeypatch.setenv("EARLYHELP_MAIL_FROM", "Early Help Directory <directory@example.org>")
    monkeypatch.setenv("EARLYHELP_BASE_URL", "https://directory.example.org")
    for name in ("SMTP_USER", "SMTP_PASSWORD", "SMTP_SECURITY", "DIGEST_HOUR", "REMINDER_DAYS",
                 "REPEAT_DAYS"):
        monkeypatch.delenv(f"EARLYHELP_{name}", raising=False)

    def invoke(*arguments):
        return CliRunner().invoke(main, ["jobs", "run", *arguments], catch_exceptions=False)

    return invoke


def digests(inbox: Inbox) -> list[email.message.EmailMessage]:
    return [message for message in inbox.messages if "to check" in message["Subject"]
            or "do sprawdzenia" in message["Subject"]]


def test_each_owner_gets_one_digest_in_their_language(run, smtp, people, db):
    result = run()
    assert result.exit_code == 0, result.output
    assert sorted(message["To"].addresses[0].addr_spec for message in smtp.inbox.messages) == sorted(
        people.values())

    [polish] = smtp.inbox.to(people["pl"])
    assert polish["Subject"] == "Testshire Early Help Directory: 2 wpisy do sprawdzenia"
    assert polish["Content-Language"] == "pl"
    assert polish["Message-ID"] and polish["Date"]
    assert polish["From"] == "Early Help Directory <directory@example.org>"
    body = polish.get_content()
    assert body.startswith("Dzień dobry, Provider Person,")
    assert "Zaległe do sprawdzenia:" in body
    overdue_since = format_date(add_months(TODAY - dt.timedelta(days=400), 12), "long", locale="pl")
    assert f"- Overdue group (zaległe od {overdue_since})" in body
    assert "- Soon group (termin: " in body
    assert "https://directory.example.org/editor/reviews#review-overdue-group" in body
    assert "https://directory.example.org/editor/reviews#review-soon-group" in body
    assert "Later group" not in body and "Other overdue" not in body
    assert "Overdue for a check" not in body  # no English left

    [english] = smtp.inbox.to(people["en"])
    assert english["Subject"] == "Testshire Early Help Directory: 2 entries to check"
    assert "Overdue for a check:" in english.get_content()

    [editor] = smtp.inbox.to(people["editor"])  # other-org has no provider: an editor must check it
    assert editor["Subject"] == "Testshire Early Help Directory: 1 entry to check"
    assert "- Other overdue (overdue since" in editor.get_content()
    assert "Overdue group" not in editor.get_content()

    sent = audit.entries(db, action="mail.sent")
    assert {entry.subject for entry in sent} == set(people.values())
    assert "review-digests: done" in result.output


def test_a_second_run_the_same_day_sends_nothing_again(run, smtp, db):
    assert run().exit_code == 0
    count = len(smtp.inbox.messages)
    result = run()
    assert result.exit_code == 0 and len(smtp.inbox.messages) == count
    assert "review-digests" not in result.output  # done for today: not even tried
    # Even when the job is made to run again, nothing already sent today goes out twice.
    db.execute("DELETE FROM job_runs")
    result = run()
    assert result.exit_code == 0, result.output
    assert len(smtp.inbox.messages) == count
    assert "review-digests:   nothing to send" in result.output


def test_an_entry_is_listed_again_after_the_repeat_days(run, smtp, now, people):
    run()
    now.advance(days=1)
    run()
    assert len(smtp.inbox.to(people["pl"])) == 1  # nothing new the next day
    now.advance(days=6)
    run()
    assert len(smtp.inbox.to(people["pl"])) == 2


def test_nothing_is_sent_before_the_digest_hour(run, smtp, now, monkeypatch):
    monkeypatch.setenv("EARLYHELP_DIGEST_HOUR", "11")
    result = run("--dry-run")
    assert "review-digests: not due" in result.output
    assert run().exit_code == 0 and digests(smtp.inbox) == []
    now.advance(hours=1)
    assert run().exit_code == 0 and len(digests(smtp.inbox)) == 3


def test_dry_run_says_what_would_be_sent_and_sends_and_records_nothing(run, smtp, db, people):
    result = run("--dry-run")
    assert result.exit_code == 0, result.output
    assert f"would email {people['pl']} (pl): Testshire Early Help Directory: 2 wpisy do sprawdzenia" \
        in result.output
    assert "search-log-purge: done" in result.output
    assert smtp.inbox.messages == []
    assert db.execute("SELECT COUNT(*) FROM job_runs").fetchone()[0] == 0
    assert db.execute("SELECT COUNT(*) FROM mail_sent").fetchone()[0] == 0
    assert run().exit_code == 0 and len(smtp.inbox.messages) == 3


def test_a_run_that_finds_another_running_does_nothing(run, smtp, instance_dir, db):
    descriptor = os.open(instance_dir / jobs.LOCK_NAME, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
        result = CliRunner().invoke(main, ["jobs", "run"])
        assert result.exit_code == 0
        assert "Another 'earlyhelp jobs run' is still running" in result.output
        assert smtp.inbox.messages == []
    finally:
        os.close(descriptor)
    assert run().exit_code == 0 and len(smtp.inbox.messages) == 3


def test_an_unreachable_server_is_reported_audited_and_the_digest_sent_on_the_next_run(run, smtp, db, people):
    smtp.stop()
    result = CliRunner().invoke(main, ["jobs", "run"])
    assert result.exit_code == 1
    assert f"review-digests:   cannot reach the SMTP server 127.0.0.1:{smtp.port}" in result.output
    assert "3 email(s) not sent: tried again on the next run" in result.output
    [failed] = audit.entries(db, action="mail.failed")
    assert failed.details["kind"] == "digest" and people["pl"] in failed.subject
    assert db.execute("SELECT COUNT(*) FROM mail_sent").fetchone()[0] == 0
    # The purges do not wait for the mail server.
    assert "suggestions-purge: done" in result.output

    smtp.start()
    result = run()
    assert result.exit_code == 0, result.output
    [polish] = smtp.inbox.to(people["pl"])
    assert "- Overdue group (zaległe od " in polish.get_content()
    assert len(smtp.inbox.messages) == 3


def test_a_refused_recipient_does_not_stop_the_others_and_is_tried_again(run, smtp, people):
    smtp.inbox.refuse.add(people["en"])
    result = run()
    assert result.exit_code == 1
    assert f"refused for {people['en']}" in result.output
    assert {message["To"].addresses[0].addr_spec for message in smtp.inbox.messages} == {
        people["pl"], people["editor"]}
    smtp.inbox.refuse.clear()
    assert run().exit_code == 0
    assert len(smtp.inbox.to(people["en"])) == 1 and len(smtp.inbox.to(people["pl"])) == 1


def suggest(db, clock, service_id: str, organisation: str) -> suggestions.Suggestion:
    token = suggestions.form_token("key", service_id)
    clock.advance(seconds=5)
    return suggestions.submit(db, "key", service_id=service_id, service_title=service_id.title(),
                              organisation=organisation, message="The phone number is wrong.", token=token,
                              ip="192.0.2.1")


def test_new_suggestions_are_told_to_the_owners_once(run, smtp, db, now, people):
    run()
    before = len(smtp.inbox.messages)
    suggest(db, now, "soon-group", "test-org")
    now.advance(hours=1)
    result = run()
    assert result.exit_code == 0, result.output
    notices = smtp.inbox.messages[before:]
    assert sorted(message["To"].addresses[0].addr_spec for message in notices) == sorted(
        [people["pl"], people["en"]])
    [polish] = smtp.inbox.to(people["pl"])[1:]
    assert polish["Subject"] == "Testshire Early Help Directory: 1 nowa sugestia"
    assert "- Soon-Group (" in polish.get_content()
    assert "The phone number is wrong" not in polish.get_content()  # the public's words stay in the queue
    assert "https://directory.example.org/editor/suggestions" in polish.get_content()
    now.advance(hours=1)
    run()
    now.advance(days=1)
    run()
    assert len(smtp.inbox.messages) == before + 2


def test_a_suggestion_not_yet_told_goes_in_the_digest(run, smtp, db, now, people):
    suggest(db, now, "other-overdue", "other-org")
    db.execute("INSERT INTO job_runs (job, done_period, started_at, status) VALUES (?, ?, ?, 'done')",
               ["suggestion-notices", now.now.astimezone(reviews.LOCAL_TIME).strftime("%Y-%m-%dT%H"), "x"])
    assert run().exit_code == 0
    [editor] = smtp.inbox.to(people["editor"])
    assert "- Other overdue (overdue since" in editor.get_content()
    assert "New suggestions from the public:\r\n\r\n- Other-Overdue (received " in editor.get_content()
    now.advance(hours=1)
    run()
    assert len(smtp.inbox.to(people["editor"])) == 1


def test_account_emails_say_what_changed_and_never_a_password(run, smtp, db, now):
    assert run().exit_code == 0
    before = len(smtp.inbox.messages)
    user = accounts.create_user(db, "new@example.org", PASSWORD, "editor", name="New Person", actor="admin")
    accounts.set_language(db, user.email, "pl", languages=("en", "pl"), actor="admin")
    now.advance(minutes=5)
    assert run().exit_code == 0
    [created] = smtp.inbox.messages[before:]
    assert created["To"].addresses[0].addr_spec == "new@example.org"
    assert created["Subject"] == "Testshire Early Help Directory: Twoje konto"
    assert "https://directory.example.org/editor/sign-in" in created.get_content()
    assert PASSWORD not in created.get_content()
    accounts.set_password(db, user.email, "another long passphrase", actor="admin")
    now.advance(minutes=5)
    run()
    now.advance(minutes=5)
    run()
    [changed] = smtp.inbox.messages[before + 1:]
    assert changed["Subject"] == "Testshire Early Help Directory: Twoje hasło zostało zmienione"
    assert "another long passphrase" not in changed.get_content()


def test_the_owner_is_told_when_an_admin_resets_their_two_factor_sign_in(run, smtp, db, now):
    user = accounts.create_user(db, "guarded@example.org", PASSWORD, "editor", name="Guarded", actor="admin")
    accounts.set_language(db, user.email, "pl", languages=("en", "pl"), actor="admin")
    now.advance(minutes=5)
    assert run().exit_code == 0
    before = len(smtp.inbox.messages)
    two_factor.reset(db, user.email, actor="admin@example.org")
    now.advance(minutes=5)
    assert run().exit_code == 0
    [told] = smtp.inbox.messages[before:]
    assert told["To"].addresses[0].addr_spec == "guarded@example.org"
    assert told["Subject"] == "Testshire Early Help Directory: logowanie dwuetapowe zostało wyłączone"
    assert "guarded@example.org" in told.get_content()


def test_status_shows_each_jobs_last_run(run):
    run()
    result = CliRunner().invoke(main, ["jobs", "status"])
    assert result.exit_code == 0
    assert "review-digests (daily, from the digest hour): done at " in result.output
    assert f"done for {TODAY.isoformat()}" in result.output


# -- settings --------------------------------------------------------------------------------------------

def test_mail_settings_come_from_mail_yml_and_the_environment_wins(tmp_path, monkeypatch):
    for name in ("SMTP_HOST", "SMTP_PORT", "SMTP_USER", "SMTP_PASSWORD", "SMTP_SECURITY", "MAIL_FROM",
                 "DIGEST_HOUR", "REMINDER_DAYS", "REPEAT_DAYS"):
        monkeypatch.delenv(f"EARLYHELP_{name}", raising=False)
    assert config.mail_settings(tmp_path).smtp is None
    (tmp_path / "mail.yml").write_text("smtp_host: mail.example.org\nsmtp_port: 465\nsmtp_user: directory\n"
                                       "smtp_password: s3cret\nmail_from: directory@example.org\n"
                                       "digest_hour: 6\n")
    settings = config.mail_settings(tmp_path)
    assert settings.smtp == config.SmtpSettings("mail.example.org", 465, "directory", "s3cret",
                                                "directory@example.org")
    assert settings.smtp.tls == "ssl" and settings.digest_hour == 6 and settings.repeat_days == 7
    monkeypatch.setenv("EARLYHELP_SMTP_PORT", "2525")
    monkeypatch.setenv("EARLYHELP_SMTP_SECURITY", "starttls")
    assert config.mail_settings(tmp_path).smtp.tls == "starttls"
    assert config.mail_settings(tmp_path).smtp.port == 2525
    monkeypatch.setenv("EARLYHELP_DIGEST_HOUR", "25")
    with pytest.raises(config.MailSettingsError, match="digest_hour must be a whole number from 0 to 23"):
        config.mail_settings(tmp_path)


def test_bad_mail_settings_fail_the_mail_jobs_with_a_clear_message(run, smtp, instance_dir, monkeypatch):
    (instance_dir / "mail.yml").write_text("smtp_security: carrier-pigeon\n")
    result = run()
    assert result.exit_code == 1
    assert "smtp_security must be one of starttls, ssl, none" in result.output
    assert "search-log-purge: done" in result.output
    assert smtp.inbox.messages == []


@pytest.mark.parametrize(("settings", "said"), [
    ({"EARLYHELP_SMTP_SECURITY": "starttls"}, "did not start TLS"),
    ({"EARLYHELP_SMTP_USER": "directory", "EARLYHELP_SMTP_PASSWORD": "s3cret"}, "refused to sign us in"),
])
def test_a_server_without_tls_or_sign_in_is_named_and_nothing_is_lost(run, smtp, monkeypatch, db, settings,
                                                                      said):
    for name, value in settings.items():
        monkeypatch.setenv(name, value)
    result = run()
    assert result.exit_code == 1
    assert f"the SMTP server 127.0.0.1:{smtp.port} {said}" in result.output
    assert smtp.inbox.messages == [] and db.execute("SELECT COUNT(*) FROM mail_sent").fetchone()[0] == 0
    for name in settings:
        monkeypatch.delenv(name)
    assert run().exit_code == 0 and len(smtp.inbox.messages) == 3


def test_without_the_sites_address_the_run_says_links_are_incomplete(run, smtp, monkeypatch, people):
    monkeypatch.delenv("EARLYHELP_BASE_URL")
    result = run()
    assert result.exit_code == 0
    assert "EARLYHELP_BASE_URL (or base_url in site.yml) is not set" in result.output
    [polish] = smtp.inbox.to(people["pl"])
    assert "\n  /editor/reviews#review-overdue-group" in polish.get_content().replace("\r\n", "\n")
