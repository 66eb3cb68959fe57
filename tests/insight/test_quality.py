"""Data quality over the made corpus: overdue reviews, owners, completeness, duplicates, invalid contacts,
suggestions, per entry, per organisation and per hub."""

from __future__ import annotations

from app.editorial import instance, suggestions
from app.editorial.reminders import providers_by_organisation
from app.insight.quality import Duplicate, InvalidContact, likely_duplicates, quality_report, valid_uk_phone

from .corpus import TODAY
from .release import open_corpus


def _report(corpus, extra_suggestions=()):
    directory, services, organisations = open_corpus(corpus[1])
    db = instance.open_instance(corpus[2])
    owned = set(providers_by_organisation(db))
    counts = suggestions.counts_by_service(db)
    db.close()
    return quality_report(services, organisations, directory.hubs, owned=owned,
                          suggestions=[*counts, *extra_suggestions], today=TODAY)


def test_suggestions_are_counted_per_service(corpus):
    db = instance.open_instance(corpus[2])
    assert suggestions.counts_by_service(db) == [("parenting-course", "open", 2),
                                                 ("talk-east", "dealt_with", 1)]
    db.close()
    # A suggestion about a service that has left the directory counts nowhere.
    report = _report(corpus, [("gone-service", "open", 3)])
    assert report.totals.open_suggestions == 2 and report.totals.dealt_with_suggestions == 1


def test_likely_duplicates_are_across_organisations_only(corpus):
    report = _report(corpus)
    assert report.duplicates == [
        Duplicate("debt-advice-line", "debt-advice-west", ("title", "phone")),
        Duplicate("debt-advice-line", "debt-line", ("title", "phone")),
    ]
    assert report.entries["debt-advice-line"].duplicates == ["debt-advice-west", "debt-line"]
    assert report.entries["talk-east"].duplicates == []


def test_a_shared_web_page_or_email_is_a_clue_but_a_shared_home_page_is_not():
    def make(service_id, organisation, **fields):
        return {"id": service_id, "organisation_id": organisation, "title": service_id, **fields}

    services = [make("alpha", "a", website="https://www.example.org/", email="Help@Example.org"),
                make("beta", "b", website="https://example.org", email="help@example.org"),
                make("gamma", "c", website="https://example.org/groups/gamma/"),
                make("delta", "d", website="https://www.example.org/groups/gamma")]
    assert likely_duplicates(services) == [Duplicate("alpha", "beta", ("email",)),
                                           Duplicate("delta", "gamma", ("website",))]


def test_per_entry_figures(corpus):
    entries = _report(corpus).entries
    assert set(entries) == {"baby-massage", "parenting-course", "debt-line", "debt-advice-line",
                            "debt-advice-west", "talk-east"}
    assert [entry_id for entry_id, entry in entries.items() if entry.overdue] == ["parenting-course"]
    assert {entry_id for entry_id, entry in entries.items() if not entry.has_owner} == {
        "debt-advice-line", "talk-east"}
    assert (entries["baby-massage"].completeness, entries["baby-massage"].missing) == (100, [])
    # Paid and in person: all seven fields apply; only the cost is given.
    assert entries["parenting-course"].missing == ["how_to_access", "venues", "times", "languages",
                                                   "evidence", "email"]
    assert entries["parenting-course"].completeness == 14
    # A free phone line: no venue, times or cost to give.
    assert entries["debt-line"].missing == ["how_to_access", "languages", "evidence", "email"]
    assert entries["debt-line"].completeness == 0
    assert entries["talk-east"].completeness == 25
    assert {entry_id: entry.invalid for entry_id, entry in entries.items() if entry.invalid} == {
        "parenting-course": [InvalidContact("phone", "020 7946 021")]}
    assert entries["parenting-course"].open_suggestions == 2
    assert entries["talk-east"].dealt_with_suggestions == 1
    assert entries["debt-line"].hubs == ["east", "west"]  # borough-wide


def test_per_organisation_and_per_hub(corpus):
    report = _report(corpus)
    organisations = {group.id: group for group in report.by_organisation}
    test_org, other_org = organisations["test-org"], organisations["other-org"]
    assert (test_org.services, test_org.overdue, test_org.without_owner, test_org.invalid,
            test_org.duplicates, test_org.open_suggestions) == (4, 1, 0, 1, 2, 2)
    assert test_org.completeness == round((100 + 14 + 0 + 0) / 4)
    assert (other_org.services, other_org.without_owner, other_org.duplicates,
            other_org.dealt_with_suggestions) == (2, 2, 1, 1)
    hubs = {group.id: group for group in report.by_hub}
    assert (hubs["west"].services, hubs["west"].overdue, hubs["west"].duplicates) == (4, 1, 2)
    assert (hubs["east"].services, hubs["east"].without_owner, hubs["east"].duplicates) == (3, 2, 2)
    assert report.totals.services == 6 and report.totals.overdue == 1


def test_uk_phone_numbers_are_checked_with_libphonenumber():
    assert valid_uk_phone("020 7946 0210") and valid_uk_phone("+44 300 123 1111")
    assert not valid_uk_phone("020 7946 021") and not valid_uk_phone("12345") and not valid_uk_phone("phone")


def test_similar_titles_are_found_as_a_comparison_of_every_pair_would():
    import itertools
    import random

    from app.insight.quality import TITLE_SIMILARITY, _similar_titles

    vocabulary = ["baby", "massage", "parenting", "group", "debt", "advice", "line", "youth", "club", "east",
                  "west", "drop", "in", "family", "support", "speech"]
    rng = random.Random(7)
    words = {f"s{number}": frozenset(rng.sample(vocabulary, rng.randint(1, 5))) for number in range(300)}

    def jaccard(first, second):
        return len(first & second) / len(first | second)

    expected = {tuple(sorted(pair)) for pair in itertools.combinations(words, 2)
                if jaccard(words[pair[0]], words[pair[1]]) >= TITLE_SIMILARITY}
    assert expected  # the sample holds some
    assert {tuple(sorted(pair)) for pair in _similar_titles(words)} == expected


def test_a_number_many_organisations_give_is_no_sign_of_a_copy():
    services = [{"id": f"s{number}", "organisation_id": f"org{number}", "title": f"Service {number}",
                 "phone": "0800 123 4567"} for number in range(7)]
    assert likely_duplicates(services) == []
    assert len(likely_duplicates(services[:6])) == 15  # six services: every pair is shown
