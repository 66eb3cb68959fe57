"""`earlyhelp import oruk`: Open Referral UK 3.0 feeds (URL, file, ndjson, folder) into a content folder."""

from __future__ import annotations

import copy
import datetime as dt
import http.server
import json
import threading
import urllib.parse
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from app.cli import main
from app.content import load_content
from app.content.model import stable_uuid
from app.content.writing import render_entry
from app.opendata.importing import FeedError, TargetError, import_oruk
from app.opendata.importing.from_oruk import cut_summary, split_description

from .factories import service, write_content
from .oruk_samples import envelope, feed_of, oruk_specification

TODAY = dt.date(2026, 11, 22)
EXAMPLES = oruk_specification() / "examples"


@pytest.fixture
def target(tmp_path) -> Path:
    """An empty content folder (site, taxonomy, hubs, one organisation; no services)."""
    return write_content(tmp_path / "target", [])


@pytest.fixture
def feed(content_dir) -> list[dict]:
    """Our six test services as our own feed publishes them."""
    return feed_of(load_content(content_dir, today=TODAY))


def write_json(path: Path, data) -> Path:
    path.write_text(json.dumps(data, indent=1), encoding="utf-8")
    return path


def run(source, into, **kwargs):
    return import_oruk(str(source), into, today=TODAY, **kwargs)


def check_errors(root: Path) -> list[str]:
    return [str(problem) for problem in load_content(root, today=TODAY).errors]


def snapshot(root: Path) -> dict[str, tuple[int, bytes]]:
    return {path.relative_to(root).as_posix(): (path.stat().st_mtime_ns, path.read_bytes())
            for path in sorted(root.rglob("*")) if path.is_file()}


def served(entry) -> set[str]:
    return {"west", "east"} if entry.borough_wide else set(entry.served_hubs())


def by_title(root: Path) -> dict:
    return {entry.title: entry for entry in load_content(root, today=TODAY).services.values()}


# -- the published examples ------------------------------------------------------------

@pytest.mark.parametrize("name", ["service_full.json", "service_list.json", "organization_full.json",
                                  "service_at_location_full.json"])
def test_every_example_with_services_imports_without_breaking_the_check(target, name):
    report = run(EXAMPLES / name, target)

    assert check_errors(target) == []
    organisation = load_content(target, today=TODAY).organisations["example-organization-inc"]
    assert organisation.name == "Example Organization Inc."
    assert organisation.website == "http://example.com"
    assert "non-profit organization" in organisation.body
    # The example's terms name no need, level, hub or access route of ours: it waits for an editor.
    review = target / "import-review" / "services" / "community-counselling.md"
    assert review.exists() and not (target / "services" / "community-counselling.md").exists()
    [outcome] = report.needs_review
    reasons = "\n".join(outcome.reasons)
    for field_name in ("needs:", "levels:", "hubs:", "access:"):
        assert field_name in reasons
    data = yaml.safe_load(review.read_text(encoding="utf-8").split("---")[1])
    assert data["title"] == "Community Counselling"
    assert data["ages"] == {"min": 12, "max": 99}
    assert data["free"] is False and data["cost"] == "fees_description"
    assert data["contact"] == {"email": "email@example.com", "website": "http://example.com/counselling"}
    assert data["last_reviewed"] == dt.date(2005, 1, 1)
    assert data["status"] == "published"
    text = report.text()
    assert "1 need review" in text
    if name != "service_list.json":  # the list entry carries no attributes
        assert report.unmapped == {"taxonomy": {"name": 1}}
        assert "taxonomy: name (1)" in text
        assert data["venues"][0]["address"] == "1-30 Main Street, MyCity"
        assert "postcode" in reasons  # "ABC 1234" is not a UK postcode
    assert "accreditations" in report.ignored_fields


def test_a_list_page_saved_to_a_file_says_only_that_page_was_read(target):
    report = run(EXAMPLES / "service_list.json", target)
    assert any("page 1 of 10" in note for note in report.notes)


# -- our own feed maps back ---------------------------------------------------------------

def test_our_own_feed_maps_back_to_the_same_services(content_dir, feed, target):
    source = write_json(target.parent / "feed.json", feed)
    report = run(source, target)

    assert check_errors(target) == []
    assert report.count("services", "created") == 6 and not report.needs_review
    assert not report.unmapped and not report.missing
    original, imported = by_title(content_dir), by_title(target)
    assert set(original) == set(imported)
    for title, before in original.items():
        after = imported[title]
        for name in ("summary", "needs", "age_min", "age_max", "pregnancy", "levels", "access",
                     "how_to_access", "free", "cost", "delivery", "languages", "contact", "venues", "status",
                     "last_reviewed", "body"):
            assert getattr(after, name) == getattr(before, name), (title, name)
        # Hubs served are the same; a service listing every hub keeps its list (its areas name the hubs).
        assert served(after) == served(before)
        assert after.borough_wide == before.borough_wide
    assert imported["Stay and Chat speech drop-in"].hubs == ["west", "east"]
    # Our organisation comes back under the same id, recognised from its UUID.
    assert {entry.organisation for entry in imported.values()} == {"test-org"}


def test_slugs_that_name_our_uuid_keep_our_id(target, feed):
    [entry] = [item for item in feed if item["name"] == "Debt and benefits advice"]
    entry = {**entry, "id": stable_uuid("service", "debt-and-benefits-advice")}
    run(write_json(target.parent / "one.json", entry), target)
    assert (target / "services" / "debt-and-benefits-advice.md").exists()


# -- sources ---------------------------------------------------------------------------------

class FeedServer:
    """A paginated ORUK feed on localhost: page 2 lists summaries only, organisations by id only."""

    def __init__(self, services: list[dict], per_page: int = 2):
        self.services = services
        self.per_page = per_page
        self.requests: list[str] = []
        owner = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):
                owner.requests.append(self.path)
                status, body = owner.answer(self.path)
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/api/oruk/"

    def answer(self, raw_path: str) -> tuple[int, object]:
        parts = urllib.parse.urlsplit(raw_path)
        query = dict(urllib.parse.parse_qsl(parts.query))
        by_id = {item["id"]: item for item in self.services}
        organisations = {item["organization"]["id"]: item["organization"] for item in self.services}
        if parts.path == "/api/oruk/services":
            page = int(query.get("page", 1))
            pages = -(-len(self.services) // self.per_page)
            contents = copy.deepcopy(self.services[(page - 1) * self.per_page: page * self.per_page])
            for item in contents:
                del item["organization"]  # named by organization_id only
                if page == 2:  # a summary: the importer must fetch /services/{id}
                    kept = ("id", "name", "status", "organization_id")
                    for key in [key for key in item if key not in kept]:
                        del item[key]
            return 200, envelope(contents, page, pages, len(self.services))
        if parts.path.startswith("/api/oruk/services/"):
            found = by_id.get(parts.path.rsplit("/", 1)[1])
            return (200, found) if found else (404, {"error": "not found"})
        if parts.path.startswith("/api/oruk/organizations/"):
            found = organisations.get(parts.path.rsplit("/", 1)[1])
            return (200, found) if found else (404, {"error": "not found"})
        return 404, {"error": "not found"}

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=5)


def test_feed_over_http_follows_three_pages_and_fetches_what_is_not_nested(content_dir, feed, target):
    with FeedServer(feed) as server:
        report = run(server.url, target)

    pages = [path for path in server.requests if path.startswith("/api/oruk/services?")]
    assert len(pages) == 3
    for number, path in enumerate(pages, start=1):
        query = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(path).query))
        assert query == {"page": str(number), "full": "true"}
    page_two = [item["id"] for item in feed[2:4]]
    fetched = [path.rsplit("/", 1)[1] for path in server.requests if "/services/" in path]
    assert sorted(fetched) == sorted(page_two)
    assert sum("/organizations/" in path for path in server.requests) == 1  # asked once, then remembered
    assert report.count("services", "created") == 6 and not report.needs_review
    assert check_errors(target) == []
    assert set(by_title(target)) == set(by_title(content_dir))


def test_an_unreachable_feed_is_an_error_and_writes_nothing(target):
    with FeedServer([]) as server:
        url = server.url.replace("/api/oruk/", "/nothing/here")
        with pytest.raises(FeedError, match="HTTP 404"):
            run(url, target)
    assert not (target / ".import-state.json").exists()


def test_ndjson_file_one_service_per_line(feed, target):
    source = target.parent / "services.ndjson"
    source.write_text("\n".join(json.dumps(item) for item in feed) + "\n\nnot json\n", encoding="utf-8")
    report = run(source, target)
    assert report.count("services", "created") == 6
    assert any(":8: not JSON" in note for note in report.notes)  # the bad line is named, the rest imported
    assert check_errors(target) == []


@pytest.mark.parametrize("layout", ["services-folder", "services.ndjson"])
def test_a_folder_of_static_feed_files(feed, target, layout):
    folder = target.parent / "oruk"
    organisation = feed[0]["organization"]
    write_json(folder.mkdir() or folder / "organizations.json", [organisation])
    bare = [{key: value for key, value in item.items() if key != "organization"} for item in feed]
    if layout == "services-folder":
        (folder / "services").mkdir()
        for item in bare:
            write_json(folder / "services" / f"{item['id']}.json", item)
    else:
        (folder / "services.ndjson").write_text("".join(json.dumps(item) + "\n" for item in bare))
    report = run(folder, target)
    assert report.count("services", "created") == 6 and not report.needs_review
    assert {entry.organisation for entry in by_title(target).values()} == {"test-org"}


def test_a_json_array_of_services(feed, target):
    report = run(write_json(target.parent / "array.json", feed[:2]), target)
    assert report.count("services", "created") == 2


def test_a_folder_that_is_not_a_content_folder_is_refused(tmp_path, feed):
    with pytest.raises(TargetError, match="taxonomy"):
        run(write_json(tmp_path / "feed.json", feed), tmp_path / "empty")


# -- re-running ------------------------------------------------------------------------------

def test_rerunning_with_the_same_feed_rewrites_no_file(feed, target):
    source = write_json(target.parent / "feed.json", feed)
    run(source, target)
    before = snapshot(target)
    report = run(source, target)
    assert snapshot(target) == before
    assert report.count("services", "unchanged") == 6
    assert report.count("services", "created") == report.count("services", "updated") == 0


def test_a_changed_feed_updates_entries_in_place(feed, target):
    source = write_json(target.parent / "feed.json", feed)
    run(source, target)
    before = snapshot(target)
    feed[0]["name"] = "A new name for the same service"
    report = run(write_json(source, feed), target)
    after = snapshot(target)
    changed = {path for path in after if before.get(path) != after[path]}
    [path] = [path for path in changed if path.startswith("services/")]
    assert "A new name for the same service" in (target / path).read_text(encoding="utf-8")
    assert report.count("services", "updated") == 1 and report.count("services", "unchanged") == 5
    assert not report.count("services", "created")  # the id stays, though the name changed


def test_an_editors_change_is_not_overwritten_without_force(feed, target):
    source = write_json(target.parent / "feed.json", feed)
    run(source, target)
    path = next((target / "services").glob("*.md"))
    edited = path.read_text(encoding="utf-8").replace("status: published", "status: draft")
    path.write_text(edited, encoding="utf-8")
    for item in feed:
        item["description"] += "\n\nA new paragraph from the feed."

    report = run(write_json(source, feed), target)
    assert path.read_text(encoding="utf-8") == edited
    [skipped] = report.skipped
    assert skipped.path == f"services/{path.name}" and "changed since the last import" in skipped.reasons
    assert "--force" in report.text()
    assert report.count("services", "updated") == 5

    report = run(source, target, force=True)
    assert "A new paragraph from the feed." in path.read_text(encoding="utf-8")
    assert report.count("services", "updated") == 1
    assert run(source, target).count("services", "unchanged") == 6


def test_an_entry_deleted_by_an_editor_is_not_brought_back(feed, target):
    source = write_json(target.parent / "feed.json", feed)
    run(source, target)
    path = next((target / "services").glob("*.md"))
    path.unlink()
    report = run(source, target)
    assert not path.exists()
    [skipped] = report.skipped
    assert skipped.reasons == ["deleted since the last import; not brought back"]


def test_an_existing_entry_not_written_by_an_import_is_left_alone(target, feed):
    write_content(target, [service("debt-advice", title="Hand written")])
    [entry] = [item for item in feed if item["id"] == stable_uuid("service", "debt-advice")]
    report = run(write_json(target.parent / "one.json", entry), target)
    assert "Hand written" in (target / "services" / "debt-advice.md").read_text(encoding="utf-8")
    assert report.skipped[0].reasons == ["not written by an import"]


def test_services_no_longer_in_the_feed_are_listed(feed, target):
    source = write_json(target.parent / "feed.json", feed)
    run(source, target)
    report = run(write_json(source, feed[1:]), target)
    assert len(report.gone) == 1 and "no longer in this source" in report.text()


# -- entries that cannot be published yet -----------------------------------------------------

def test_incomplete_entries_go_to_import_review_with_what_is_missing(feed, target):
    entry = copy.deepcopy(feed[0])
    entry["attributes"] = without_taxonomy(entry["attributes"], "needs")
    for key in ("url", "email", "contacts", "referral_url"):
        entry.pop(key, None)
    source = write_json(target.parent / "feed.json", [entry])
    report = run(source, target)

    slug = report.needs_review[0].id
    review = target / "import-review" / "services" / f"{slug}.md"
    assert review.exists() and not (target / "services" / f"{slug}.md").exists()
    assert check_errors(target) == []
    reasons = report.needs_review[0].reasons
    assert any(reason.startswith("needs: no term in the feed maps") for reason in reasons)
    assert any(reason.startswith("contact: the feed has no phone") for reason in reasons)
    text = review.read_text(encoding="utf-8")
    assert text.startswith("---\n# Imported, but not ready to publish yet:\n# - needs:")
    assert f"import-review/services/{slug}.md" in report.text()

    # An editor finishes it and moves it into services/: the next import leaves it alone.
    finished = text.replace("summary:", "needs: [parenting]\ncontact: {phone: 020 7946 0999}\nsummary:", 1)
    (target / "services" / f"{slug}.md").write_text(finished, encoding="utf-8")
    review.unlink()
    assert check_errors(target) == []
    report = run(source, target)
    assert not review.exists()
    assert (target / "services" / f"{slug}.md").read_text(encoding="utf-8") == finished
    assert report.skipped[0].reasons[0].startswith("an editor has it at services/")


def test_an_entry_that_becomes_complete_moves_out_of_review(feed, target):
    entry = copy.deepcopy(feed[0])
    complete = copy.deepcopy(entry)
    entry["attributes"] = without_taxonomy(entry["attributes"], "levels")
    source = write_json(target.parent / "feed.json", [entry])
    slug = run(source, target).needs_review[0].id
    report = run(write_json(source, [complete]), target)
    assert (target / "services" / f"{slug}.md").exists()
    assert not (target / "import-review" / "services" / f"{slug}.md").exists()
    assert report.count("services", "updated") == 1


# -- other directories' feeds ------------------------------------------------------------------

def _foreign_service(number: int, terms: list[tuple[str, str]], **extra) -> dict:
    return {"id": f"00000000-0000-4000-8000-00000000000{number}", "name": f"Family service {number}",
            "description": "Help for families.", "status": "active", "url": "https://example.org/family",
            "organization": {"id": "00000000-0000-4000-8000-000000000100", "name": "Neighbouring Council",
                             "description": "A council next door."},
            "cost_options": [{"id": "c", "option": "Free"}], "minimum_age": 0, "maximum_age": 18,
            "assured_date": "2026-10-01",
            "attributes": [{"id": f"a{index}", "taxonomy_term": {"id": f"t{index}", "name": name,
                                                                  "description": name, "taxonomy": taxonomy}}
                           for index, (taxonomy, name) in enumerate(terms)],
            **extra}


def test_other_feeds_terms_match_our_labels_synonyms_and_hub_names(target):
    services = [
        _foreign_service(1, [("esd", "PARENTING COURSE"), ("esd", "Counselling"), ("areas", "West Hub"),
                             ("routes", "Self referral"), ("modes", "Face to face"),
                             ("level", "Early help")]),
        _foreign_service(2, [("esd", "Money worries"), ("esd", "Counselling"), ("esd", "Speech & Language"),
                             ("areas", "Ouest")]),
    ]
    report = run(write_json(target.parent / "feed.json", services), target)

    assert report.unmapped == {"esd": {"Counselling": 2}, "areas": {"Ouest": 1}, "level": {"Early help": 1}}
    # Neither gives a level of need (and the second no hub or access route): both wait for an editor.
    assert {outcome.id for outcome in report.needs_review} == {"family-service-1", "family-service-2"}
    first, second = (review_data(target, f"family-service-{number}") for number in (1, 2))
    assert (first["needs"], first["hubs"], first["access"], first["delivery"]) == (
        ["parenting"], ["west"], ["self-referral"], ["in-person"])
    assert second["needs"] == ["money-debt", "speech-language"] and "hubs" not in second
    assert first["organisation"] == "neighbouring-council"
    assert check_errors(target) == []


def without_taxonomy(attributes: list[dict], taxonomy: str) -> list[dict]:
    return [item for item in attributes if item["taxonomy_term"]["taxonomy"] != taxonomy]


def review_data(root: Path, slug: str) -> dict:
    text = (root / "import-review" / "services" / f"{slug}.md").read_text(encoding="utf-8")
    return yaml.safe_load(text.split("\n---\n")[0].removeprefix("---\n"))


def test_hubs_all_present_without_areas_means_borough_wide(target, feed):
    [entry] = [item for item in feed if item["name"] == "Stay and Chat speech drop-in"]  # west and east
    del entry["service_areas"]  # another directory's feed: hub terms, no areas naming hubs
    run(write_json(target.parent / "feed.json", entry), target)
    imported = by_title(target)["Stay and Chat speech drop-in"]
    assert imported.borough_wide and imported.hubs == []


def test_languages_by_code_or_name(target, feed):
    entry = copy.deepcopy(feed[0])
    entry["languages"] = [{"id": "1", "code": "pl"}, {"id": "2", "name": "Somali"},
                          {"id": "3", "code": "tur"}, {"id": "4", "name": "polski"},
                          {"id": "5", "name": "Klingon"}, {"id": "6"}]
    report = run(write_json(target.parent / "feed.json", entry), target)
    assert next(iter(by_title(target).values())).languages == ["pl", "so", "tr"]
    assert report.unmapped == {"languages": {"Klingon": 1}}
    assert any(what.startswith("languages: a language with neither") for what in report.missing)


def test_weekly_schedules_become_opening_hours_and_others_stay_words(target, feed):
    entry = copy.deepcopy(feed[0])
    at_location = "a-service-at-location"
    entry["service_at_locations"] = [{"id": at_location, "location": {
        "id": "a-location", "location_type": "physical", "name": "Library",
        "addresses": [{"id": "an-address", "address_1": "1 High Road", "postal_code": "N17 6AA"}]}}]
    entry["schedules"] = [
        {"id": "1", "service_at_location_id": at_location, "freq": "WEEKLY", "byday": "MO,TU,WE,TH,FR",
         "opens_at": "09:00:00", "closes_at": "17:00Z"},
        {"id": "2", "service_at_location_id": at_location, "byday": "SA,SU", "opens_at": "10:00",
         "closes_at": "12:00", "description": "Weekends, not bank holidays"},
        {"id": "3", "service_at_location_id": at_location, "freq": "MONTHLY", "byday": "1TH",
         "opens_at": "18:00", "closes_at": "20:00"},
        {"id": "4", "service_at_location_id": at_location, "freq": "WEEKLY", "byday": "TU",
         "opens_at": "17:00", "closes_at": "09:00"},
    ]
    run(write_json(target.parent / "feed.json", entry), target)
    venue = by_title(target)[entry["name"]].venues[0]
    assert venue.hours == ["Mon-Fri 09:00-17:00", "Sat, Sun 10:00-12:00"]
    assert venue.schedule == "Weekends, not bank holidays; 18:00 to 20:00; Tuesday 17:00 to 09:00"


def test_an_organisations_phone_and_no_description(target, feed):
    entry = copy.deepcopy(feed[0])
    entry["organization"] = {"id": "7b0c5a8e-2f1d-4c3b-9a6e-5d4c3b2a1f0e", "name": "Family Action",
                             "description": "Family Action",
                             "phones": [{"id": "1", "number": "not a number"},
                                        {"id": "2", "number": "0300 123 4567"}]}
    entry.pop("organization_id")
    run(write_json(target.parent / "feed.json", entry), target)
    organisation = load_content(target, today=TODAY).organisations["family-action"]
    assert organisation.phone == "0300 123 4567" and organisation.body == ""


@pytest.mark.parametrize(("status", "expected"), [("active", "published"), ("inactive", "draft"),
                                                  ("temporarily closed", "draft"), ("defunct", "archived")])
def test_status(target, feed, status, expected):
    run(write_json(target.parent / "feed.json", {**feed[0], "status": status}), target)
    assert next(iter(by_title(target).values())).status == expected


def test_missing_assured_date_is_today_and_kept_on_later_runs(target, feed):
    entry = {key: value for key, value in feed[0].items() if key != "assured_date"}
    source = write_json(target.parent / "feed.json", entry)
    report = run(source, target)
    assert next(iter(by_title(target).values())).last_reviewed == TODAY
    assert "last_reviewed: no assured_date in the feed; set to the import date" in report.missing
    before = snapshot(target)
    import_oruk(str(source), target, today=TODAY + dt.timedelta(days=3))
    assert snapshot(target) == before


def test_costs(target, feed):
    charged = {**feed[0], "cost_options": [{"id": "c", "option": "Per session", "amount": 35,
                                            "amount_description": "per hour"}]}
    charged.pop("fees", None)
    run(write_json(target.parent / "feed.json", charged), target)
    imported = next(iter(by_title(target).values()))
    assert (imported.free, imported.cost) == (False, "Per session £35 per hour")


# -- text ------------------------------------------------------------------------------------

def test_description_short_first_paragraph_is_the_summary():
    assert split_description("Short summary.\n\nThe body.\n\nMore body.") == (
        "Short summary.", "The body.\n\nMore body.", False)


def test_a_long_description_is_cut_at_a_sentence_and_kept_whole_in_the_body():
    text = "First sentence is here. " * 8 + "This last sentence goes past the limit of 200 characters."
    summary, body, cut = split_description(text)
    assert cut and len(summary) <= 200 and summary.endswith("is here.")
    assert body == text.strip()


def test_a_long_sentence_is_cut_at_a_word_with_an_ellipsis():
    summary = cut_summary("word " * 100)
    assert len(summary) <= 200 and summary.endswith("word…")


def test_html_descriptions_become_plain_summaries_and_markdown_bodies():
    summary, body, _ = split_description("<p>We help <b>families</b> &amp; carers.</p><ul><li>One</li>"
                                         "<li>Two</li></ul>")
    assert summary == "We help families & carers."
    assert body == "- One\n- Two"


def test_written_yaml_reads_back_exactly_whatever_the_text(target):
    awkward = {"title": "yes", "summary": "# not a comment: really, [honest] {ok} & 'quoted' \"too\"",
               "how_to_access": "- starts like a list", "cost": "@home; 50% off",
               "keywords": ["a: b", "no", "1"]}
    fields = service("awkward", **awkward, venues=[{"name": "*star", "address": "1 Road, Town", "postcode":
                                                    "N17 6BB", "schedule": "Mon: 9-5"}])
    (target / "services" / "awkward.md").write_text(render_entry(fields, "Body with ---\n\n---"),
                                                    encoding="utf-8")
    loaded = load_content(target, today=TODAY)
    assert [str(problem) for problem in loaded.errors] == []
    entry = loaded.services["awkward"]
    assert (entry.title, entry.summary, entry.how_to_access, entry.cost) == (
        awkward["title"], awkward["summary"], awkward["how_to_access"], awkward["cost"])
    assert entry.keywords == ["a: b", "no", "1"] and entry.venues[0].schedule == "Mon: 9-5"
    assert entry.body == "Body with ---\n\n---"


def test_new_ids_are_unique_and_stable_across_runs(target, feed):
    twins = [{**feed[0], "id": "11111111-1111-4111-8111-111111111111", "name": "Twin service"},
             {**feed[0], "id": "22222222-2222-4222-8222-222222222222", "name": "Twin service"}]
    source = write_json(target.parent / "feed.json", twins)
    run(source, target)
    written = sorted(path.stem for path in (target / "services").glob("*.md"))
    assert written == ["twin-service", "twin-service-2"]
    state = json.loads((target / ".import-state.json").read_text())
    assert state["entries"]["oruk:service:22222222-2222-4222-8222-222222222222"]["id"] == "twin-service-2"
    report = run(write_json(source, twins[::-1]), target)
    assert report.count("services", "unchanged") == 2


# -- the command line ------------------------------------------------------------------------

def test_command_prints_the_summary(feed, target):
    source = write_json(target.parent / "feed.json", feed)
    result = CliRunner().invoke(main, ["import", "oruk", str(source), "--into", str(target)])
    assert result.exit_code == 0, result.output
    assert "services (6): 6 created" in result.output


def test_command_reports_a_missing_source_plainly(target):
    result = CliRunner().invoke(main, ["import", "oruk", "/no/such/feed.json", "--into", str(target)])
    assert result.exit_code == 1
    assert "no such file or folder" in result.output
