"""``earlyhelp review-reminders``: listing who must check what, and emailing them through an SMTP
server (a small one run by the test on 127.0.0.1: no network)."""

from __future__ import annotations

import base64
import datetime as dt
import email
import email.policy
import socketserver
import threading

import pytest
import yaml
from click.testing import CliRunner

from app.cli import main
from app.editorial import accounts, audit

from ..factories import service, write_content
from .helpers import EMAILS, PASSWORD

TODAY = dt.date.today()


def ago(days: int) -> str:
    return (TODAY - dt.timedelta(days=days)).isoformat()


class SmtpHandler(socketserver.StreamRequestHandler):
    """Just enough SMTP for smtplib: EHLO, AUTH PLAIN, MAIL, RCPT, DATA, RSET, NOOP, QUIT."""

    def reply(self, line: str) -> None:
        self.wfile.write(line.encode() + b"\r\n")

    def handle(self) -> None:
        server = self.server
        self.reply("220 localhost test SMTP")
        sender, recipients = None, []
        while True:
            line = self.rfile.readline().decode().rstrip("\r\n")
            if not line:
                return
            verb = line.split(" ", 1)[0].upper()
            if verb in ("EHLO", "HELO"):
                self.reply("250-localhost")
                self.reply("250 AUTH PLAIN")
            elif verb == "AUTH":
                _, user, password = base64.b64decode(line.split()[2]).decode().split("\0")
                server.logins.append((user, password))
                self.reply("235 2.7.0 Authentication successful")
            elif verb == "MAIL":
                sender, recipients = line.split(":", 1)[1].split()[0].strip("<>"), []
                self.reply("250 OK")
            elif verb == "RCPT":
                recipients.append(line.split(":", 1)[1].split()[0].strip("<>"))
                self.reply("250 OK")
            elif verb == "DATA":
                self.reply("354 End data with <CR><LF>.<CR><LF>")
                data = []
                while (chunk := self.rfile.readline()) not in (b".\r\n", b""):
                    data.append(chunk[1:] if chunk.startswith(b"..") else chunk)
                server.messages.append((sender, recipients, b"".join(data)))
                self.reply("250 OK: queued")
            elif verb in ("RSET", "NOOP"):
                self.reply("250 OK")
            elif verb == "QUIT":
                self.reply("221 Bye")
                return
            else:
                self.reply("502 Command not implemented")


@pytest.fixture
def smtp_server():
    server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), SmtpHandler)
    server.daemon_threads = True
    server.messages, server.logins = [], []
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


@pytest.fixture
def content(tmp_path):
    root = write_content(tmp_path / "content", [
        service("overdue-group", title="Overdue group", last_reviewed=ago(400)),
        service("soon-group", title="Soon group", last_reviewed=ago(355)),
        service("later-group", title="Later group", last_reviewed=ago(20)),
        service("old-draft", title="Old draft", status="draft", last_reviewed=ago(900)),
        service("other-overdue", title="Other overdue", organisation="other-org", last_reviewed=ago(500)),
    ])
    text = yaml.safe_dump({"id": "other-org", "name": "Other Organisation", "website": "https://example.org"})
    (root / "organisations" / "other-org.md").write_text(f"---\n{text}---\nAbout.\n")
    return root


@pytest.fixture
def providers(db, accounts_by_role):
    """Two active providers for test-org (one from accounts_by_role) and a disabled one."""
    accounts.create_user(db, "second@example.org", PASSWORD, "provider", name="Second Provider",
                         organisation="test-org", actor="cli")
    accounts.create_user(db, "gone@example.org", PASSWORD, "provider", organisation="test-org", actor="cli")
    accounts.disable_user(db, "gone@example.org", actor="cli")
    return [EMAILS["provider"], "second@example.org"]


@pytest.fixture
def run(monkeypatch, instance_dir, content, providers):
    monkeypatch.setenv("EARLYHELP_INSTANCE_DIR", str(instance_dir))
    monkeypatch.setenv("EARLYHELP_CONTENT_DIR", str(content))
    for name in ("SMTP_HOST", "SMTP_PORT", "SMTP_USER", "SMTP_PASSWORD", "MAIL_FROM", "BASE_URL"):
        monkeypatch.delenv(f"EARLYHELP_{name}", raising=False)

    def invoke(*arguments):
        return CliRunner().invoke(main, ["review-reminders", *arguments], catch_exceptions=False)

    return invoke


def use_smtp(monkeypatch, server, **extra):
    monkeypatch.setenv("EARLYHELP_SMTP_HOST", "127.0.0.1")
    monkeypatch.setenv("EARLYHELP_SMTP_PORT", str(server.server_address[1]))
    monkeypatch.setenv("EARLYHELP_MAIL_FROM", "Early Help Directory <directory@example.org>")
    monkeypatch.setenv("EARLYHELP_BASE_URL", "https://directory.example.org/")
    for name, value in extra.items():
        monkeypatch.setenv(f"EARLYHELP_{name}", value)


def test_lists_each_organisations_due_services_and_the_providers_to_remind(run):
    result = run()
    assert result.exit_code == 0, result.output
    output = result.output
    assert "Other Organisation (other-org): 1 service\n  other-overdue: Other overdue (overdue since" \
        in output
    assert "Test Organisation (test-org): 2 services\n  overdue-group: Overdue group (overdue since" \
        in output
    assert "  soon-group: Soon group (due by" in output
    assert f"  Remind: {EMAILS['provider']}, second@example.org\n" in output
    assert "no provider account for this organisation" in output
    assert "later-group" not in output and "old-draft" not in output and "gone@example.org" not in output
    assert "3 services in 2 organisations; 2 providers to remind." in output


def test_days_sets_how_far_ahead_to_look(run):
    assert "soon-group" not in run("--days", "0").output
    assert "later-group" in run("--days", "366").output


def test_send_without_smtp_says_it_cannot(run, db):
    result = run("--send")
    assert result.exit_code == 1
    assert "Cannot send: no SMTP server is configured" in result.output
    assert audit.entries(db, action="review.reminder_sent") == []


def test_send_emails_each_provider_one_message_listing_their_services(run, db, monkeypatch, smtp_server):
    use_smtp(monkeypatch, smtp_server, SMTP_USER="mailer", SMTP_PASSWORD="s3cret")
    result = run("--send")
    assert result.exit_code == 0, result.output
    assert "Sent 2 reminders." in result.output
    assert smtp_server.logins == [("mailer", "s3cret")]
    assert sorted(recipients[0] for _, recipients, _ in smtp_server.messages) == sorted(
        [EMAILS["provider"], "second@example.org"])
    for sender, _, data in smtp_server.messages:
        assert sender == "directory@example.org"
        message = email.message_from_bytes(data, policy=email.policy.default)
        assert message.get_content_type() == "text/plain"
        subject = "Testshire Early Help Directory: 2 services of Test Organisation to check"
        assert message["Subject"].strip() == subject
        body = message.get_content()
        assert "- Overdue group: overdue since" in body and "- Soon group: due by" in body
        assert "https://directory.example.org/editor/reviews#review-overdue-group" in body
        assert "https://directory.example.org/editor/reviews#review-soon-group" in body
        assert "Other overdue" not in body and "Later group" not in body
    logged = audit.entries(db, action="review.reminder_sent")
    assert sorted(entry.subject for entry in logged) == sorted([EMAILS["provider"], "second@example.org"])
    assert {entry.actor for entry in logged} == {"cli"}
    assert logged[0].details == {"organisation": "test-org", "days": 30,
                                 "services": ["overdue-group", "soon-group"]}


def test_an_unreachable_smtp_server_is_reported(run, monkeypatch, smtp_server):
    use_smtp(monkeypatch, smtp_server)
    port = smtp_server.server_address[1]
    smtp_server.shutdown()
    smtp_server.server_close()
    result = CliRunner().invoke(main, ["review-reminders", "--send"])
    assert result.exit_code == 1
    assert f"Cannot send: cannot reach the SMTP server 127.0.0.1:{port}" in result.output
