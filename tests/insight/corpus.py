"""A made corpus for the insight reports: services with known gaps, duplicates, invalid contacts and
overdue reviews, and a search log with known counts. Every figure the tests assert follows from here."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from app.insight.searchlog import LoggedSearch, SearchLog

from ..factories import service, write_content

TODAY = dt.datetime.now(dt.UTC).date()
RECENT = (TODAY - dt.timedelta(days=60)).isoformat()  # reviewed lately: not overdue


def _service(service_id: str, **fields) -> dict:
    fields.setdefault("last_reviewed", RECENT)
    return service(service_id, **fields)


SERVICES = [
    # Complete: every field that applies is filled in.
    _service("baby-massage", title="Baby massage", needs=["parenting"], ages={"min": 0, "max": 1}, levels=[1],
             hubs=["west"], how_to_access="Just come along.", languages=["en", "pl"],
             contact={"phone": "020 7946 0210", "email": "baby@example.org"},
             venues=[{"name": "Brook Centre", "address": "3 Brook Street", "postcode": "N17 6BB",
                      "hub": "west", "schedule": "Tuesdays 10:00 to 11:30"}],
             evidence={"rating": "3", "source": "Foundations Guidebook"}),
    # Paid, overdue, nearly empty, an invalid phone number (one digit short).
    _service("parenting-course", title="Parenting course", needs=["parenting"], ages={"min": 0, "max": 5},
             levels=[2], hubs=["west"], free=False, cost="10 pounds a session",
             contact={"phone": "020 7946 021"}, last_reviewed="2024-01-01"),
    # Borough-wide phone line: counts in every hub.
    _service("debt-line", title="Debt advice line", needs=["money-debt"], ages={"min": 16, "max": 99},
             levels=[1], hubs="all", delivery=["phone"],
             contact={"phone": "0300 123 1111", "website": "https://example.org/debt-line"}),
    # The same line listed again by another organisation: a likely duplicate (title and phone).
    _service("debt-advice-line", title="Debt Advice Line!", organisation="other-org", needs=["money-debt"],
             ages={"min": 16, "max": 25}, levels=[2], hubs=["east"], delivery=["phone"],
             contact={"phone": "0300 1231111"}),
    # Same title and phone as debt-line but the same organisation: not a duplicate of it.
    _service("debt-advice-west", title="Debt advice line", needs=["money-debt"], ages={"min": 16, "max": 18},
             levels=[2], hubs=["west"], delivery=["phone"], contact={"phone": "0300 123 1111"}),
    _service("talk-east", title="Stay and talk", organisation="other-org", needs=["speech-language"],
             ages={"min": 2, "max": 3}, levels=[2], hubs=["east"], delivery=["online"],
             contact={"email": "talk@example.org"}),
    _service("not-yet", title="A draft", needs=["domestic-abuse"], status="draft"),
]


def write_corpus(root: Path) -> Path:
    content = write_content(root, SERVICES)
    (content / "organisations" / "other-org.md").write_text(
        "---\nid: other-org\nname: Other Organisation\nwebsite: https://other.example.org\n---\nAnother.\n",
        encoding="utf-8")
    return content


def day(days_ago: int) -> str:
    return (TODAY - dt.timedelta(days=days_ago)).isoformat()


def searches(query: str, times: int, *, results: int, filters: str = "", language: str = "en",
             days_ago: int = 1) -> list[LoggedSearch]:
    return [LoggedSearch(day(days_ago), query, filters, language, results) for _ in range(times)]


LOGGED = [
    *searches("money worries", 6, results=3),
    *searches("he hits me", 5, results=0),
    *searches("rare secret query", 4, results=0),  # seen 4 times: must never appear anywhere
    *searches("", 7, results=0, filters="hub=west&need=speech-language"),
    *searches("parenting", 5, results=10, language="pl"),
    *searches("truancy", 3, results=1),
    *searches("truancy", 3, results=1, filters="hub=east"),
    *searches("money worries", 10, results=3, days_ago=200),  # outside the default 91 days
]


def log_searches(instance_dir: Path) -> SearchLog:
    log = SearchLog(instance_dir)
    log.add(LOGGED)
    return log
