"""Shared fixtures: temporary content, index and instance folders, a published app."""

from __future__ import annotations

from pathlib import Path

import pytest

from app import create_app
from app.config import TestingConfig
from app.publishing.publish import publish

from .factories import service, write_content


@pytest.fixture
def folders(tmp_path: Path) -> dict[str, Path]:
    return {"content": tmp_path / "content", "index": tmp_path / "search_index",
            "instance": tmp_path / "instance"}


@pytest.fixture
def content_dir(folders) -> Path:
    """A small valid content folder covering every filter group."""
    return write_content(folders["content"], [
        service("incredible-years", title="Incredible Years parenting group",
                summary="A 14-week group for parents who want calmer days and fewer tantrums.",
                needs=["parenting"], ages={"min": 3, "max": 6}, levels=[2], hubs=["west"],
                access=["self-referral", "professional-referral"], keywords=["behaviour course"]),
        service("debt-advice", title="Debt and benefits advice",
                summary="Free, confidential advice on debts, bills and Universal Credit.",
                needs=["money-debt"], ages={"min": 16, "max": 99}, levels=[1, 2], hubs="all",
                delivery=["phone", "online"], languages=["en", "pl"]),
        service("attendance-support", title="School attendance support",
                summary="Family workers help children who find it hard to go to school.",
                needs=["school-attendance"], ages={"min": 5, "max": 16}, levels=[2, 3], hubs=["east"],
                access=["professional-referral"], free=False, cost="No charge for families on benefits"),
        service("stay-and-chat", title="Stay and Chat speech drop-in",
                summary="Drop in with your toddler and talk to a speech and language therapist.",
                needs=["speech-language"], ages={"min": 0, "max": 4}, levels=[1], hubs=["west", "east"],
                access=["drop-in"]),
        service("idva-outreach", title="Domestic abuse outreach",
                summary="Independent advisers help you stay safe from an abusive partner.",
                needs=["domestic-abuse"], ages={"min": 16, "max": 99, "pregnancy": True}, levels=[3, 4],
                hubs="all", access=["self-referral", "professional-referral"], delivery=["phone"]),
        service("old-draft", title="A draft service", status="draft"),
    ])


@pytest.fixture
def published(content_dir, folders):
    """The content folder published once; returns the publish result."""
    return publish(content_dir, folders["index"], processes=1)


@pytest.fixture
def app(folders, published):
    return create_app(TestingConfig(folders["content"], folders["index"], folders["instance"]))


@pytest.fixture
def client(app):
    return app.test_client()


def pytest_terminal_summary(terminalreporter):
    """Print the search quality figures whenever that test ran."""
    from .test_search_quality import REPORT

    if REPORT:
        terminalreporter.write_sep("-", "search quality on the sample content")
        for language, report in REPORT.items():
            terminalreporter.write_line(
                f"{language}: {report['queries']} queries: success@5 = {report['success_at_5']:.3f}, "
                f"MRR = {report['mrr']:.3f}")
            for failure in report["failures"]:
                terminalreporter.write_line(f"  missed: {failure}")


@pytest.fixture
def page(client):
    """``page(url, status=200)``: the parsed page, after checking the rules every page keeps."""
    from .pages import get_page

    return lambda url, status=200: get_page(client, url, status)
