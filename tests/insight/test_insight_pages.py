"""The insight pages at /editor/insight: who may read them, what they show, the CSV and JSON, and that a
query seen fewer than k times is on none of them."""

from __future__ import annotations

import csv
import io
from urllib.parse import parse_qs, urlsplit

import pytest

from app import create_app
from app.config import TestingConfig

from ..editorial.helpers import EMAILS, get_editor_page, sign_in

PAGES = ["/editor/insight", "/editor/insight/coverage", "/editor/insight/demand", "/editor/insight/quality",
         "/editor/insight/summary"]
DOWNLOADS = ["/editor/insight/coverage.csv", "/editor/insight/coverage.json", "/editor/insight/demand.csv",
             "/editor/insight/quality.csv"]


def _csv(response) -> list[list[str]]:
    assert response.status_code == 200 and response.mimetype == "text/csv"
    return list(csv.reader(io.StringIO(response.get_data(as_text=True).removeprefix("\ufeff"))))


@pytest.mark.parametrize("role", ["analyst", "admin"])
def test_analysts_and_admins_read_every_report(insight_app, role):
    client = insight_app.test_client()
    sign_in(client, EMAILS[role])
    for url in PAGES:
        soup = get_editor_page(client, url)
        assert soup.find("nav", attrs={"aria-label": "Insight reports"}), url
    for url in DOWNLOADS:
        response = client.get(url)
        assert response.status_code == 200 and response.headers["Cache-Control"] == "no-store", url


@pytest.mark.parametrize("role", ["provider", "editor", "publisher"])
def test_other_roles_are_refused(insight_app, role):
    client = insight_app.test_client()
    sign_in(client, EMAILS[role])
    for url in PAGES + DOWNLOADS:
        assert client.get(url).status_code == 403, url


def test_an_analyst_changes_nothing_and_sees_only_insight(analyst):
    soup = get_editor_page(analyst, "/editor/")
    tools = [link.get_text(strip=True) for link in soup.select(".link-list a")]
    assert tools == ["Insight", "Your account"]
    assert "Analyst" in soup.get_text()
    for url in ("/editor/services", "/editor/reviews", "/editor/suggestions", "/editor/changes",
                "/editor/users", "/editor/services/debt-line/edit"):
        assert analyst.get(url).status_code == 403, url


def test_coverage_cells_link_to_their_services_and_empty_ones_stand_out(analyst):
    soup = get_editor_page(analyst, "/editor/insight/coverage")
    west = soup.find("h2", id="hub-west").find_parent("section")
    links = west.select("a.coverage-cell")
    assert len(links) == 5 * 7
    cell = next(link for link in links if "need=parenting" in link["href"] and "age=0-2" in link["href"])
    assert cell.contents[0].strip() == "2" and "coverage-cell--covered" in cell["class"]
    assert parse_qs(urlsplit(cell["href"]).query) == {"hub": ["west"], "need": ["parenting"], "age": ["0-2"]}
    assert len(west.select("a.coverage-cell--empty")) == 31
    assert len(west.select("a.coverage-cell--thin")) == 2
    # The same services in the directory: the link's search finds exactly the cell's count.
    assert analyst.get("/api/search?hub=west&need=parenting&age=0-2").get_json()["total"] == 2


def test_coverage_json_and_csv_carry_the_same_cells_as_the_page(analyst):
    data = analyst.get("/editor/insight/coverage.json?level=2&thin=2").get_json()
    assert data["switches"] == {"level": 2, "free": False, "language": None, "thin": 2}
    cells = {(hub["id"], row["need"], cell["age_band"]): (cell["count"], cell["status"])
             for hub in data["hubs"] for row in hub["rows"] for cell in row["cells"]}
    assert cells[("west", "parenting", "0-2")] == (1, "thin")
    assert cells[("east", "money-debt", "19-25")] == (1, "thin")
    assert cells[("east", "parenting", "0-2")] == (0, "empty")
    link = data["hubs"][1]["rows"][0]["cells"][1]["services_url"]
    assert parse_qs(urlsplit(link).query) == {"hub": ["west"], "need": ["parenting"], "age": ["0-2"],
                                              "level": ["2"]}
    rows = _csv(analyst.get("/editor/insight/coverage.csv"))
    assert rows[0][:5] == ["Hub", "Need", "Age band", "Services", "Coverage"]
    assert len(rows) == 1 + 2 * 5 * 7
    assert ["West Hub", "Parenting", "0 to 2 years", "2", "covered", "west", "parenting", "0-2"] in rows
    assert ["East Hub", "Speech and language", "3 to 5 years", "1", "thin", "east", "speech-language",
            "3-5"] in rows


def test_demand_lists_and_the_csv_are_k_anonymous(analyst):
    soup = get_editor_page(analyst, "/editor/insight/demand")
    top = [[cell.get_text(strip=True) for cell in row.find_all("td")]
           for row in soup.find("h2", id="top").find_parent("section").select("tbody tr")]
    assert top == [["money worries", "", "6"], ["truancy", "", "6"], ["he hits me", "", "5"],
                   ["parenting", "", "5"]]
    zero = soup.find("h2", id="zero").find_parent("section").select("tbody tr")
    assert [cell.get_text(strip=True) for cell in zero[0].find_all("td")] == [
        "(filters only)",
        "Area (Early Help Hub): West Hub; What do you need help with?: Speech and language", "7"]
    rows = _csv(analyst.get("/editor/insight/demand.csv"))
    assert ["No results", "he hits me", "", "5", ""] in rows
    assert ["Need", "Speech and language", "", "7", "1"] in rows
    assert ["Few results", "money worries", "", "6", ""] in rows


def test_a_query_seen_four_times_is_on_no_page_and_in_no_download(analyst, corpus):
    for url in PAGES + DOWNLOADS + ["/editor/insight/demand?days=365", "/editor/insight/demand.csv?days=30",
                                    "/editor/insight/summary?days=365"]:
        assert "rare secret query" not in analyst.get(url).get_data(as_text=True), url
    # With k = 4 it would be shown: the rule is what keeps it out.
    config = TestingConfig(*corpus)
    config.INSIGHT_MIN_COUNT = 4
    client = create_app(config).test_client()
    sign_in(client, EMAILS["analyst"])
    assert ["No results", "rare secret query", "", "4", ""] in _csv(client.get("/editor/insight/demand.csv"))


def test_quality_lists_link_to_the_edit_pages(analyst):
    soup = get_editor_page(analyst, "/editor/insight/quality")
    overdue = soup.find("h2", id="overdue").find_parent("section")
    assert [link["href"] for link in overdue.select("li a")] == ["/editor/services/parenting-course/edit"]
    duplicates = soup.find("h2", id="duplicates").find_parent("section").select("li")
    assert [item.get_text(" ", strip=True) for item in duplicates] == [
        "Debt Advice Line! and Debt advice line : similar title, same phone",
        "Debt Advice Line! and Debt advice line : similar title, same phone"]
    assert {link["href"] for item in duplicates for link in item.select("a")} == {
        "/editor/services/debt-advice-line/edit", "/editor/services/debt-advice-west/edit",
        "/editor/services/debt-line/edit"}
    invalid = soup.find("h2", id="invalid").find_parent("section")
    assert "020 7946 021" in invalid.get_text()
    organisations = soup.find("caption", id="by-organisation").find_parent("table")
    assert organisations.select_one("a[href='/editor/organisations/other-org/edit']")
    test_org = organisations.select_one("a[href='/editor/organisations/test-org/edit']").find_parent("tr")
    # Services, overdue, without owner, completeness, invalid, duplicated, open and dealt-with suggestions.
    assert [cell.get_text(strip=True) for cell in test_org.find_all("td")] == [
        "4", "1", "0", "28%", "1", "2", "2", "0"]
    suggested = soup.find("h2", id="suggested").find_parent("section")
    assert suggested.select_one("li").get_text(" ", strip=True) == "Parenting course : 2 open suggestions"
    hubs = soup.find("caption", id="by-hub").find_parent("table")
    assert hubs.select_one("a[href='/editor/hubs/west/edit']")
    narrowed = get_editor_page(analyst, "/editor/insight/quality?organisation=other-org")
    unowned = narrowed.find("h2", id="unowned").find_parent("section")
    assert {link.get_text() for link in unowned.select("li a")} == {"Debt Advice Line!", "Stay and talk"}
    rows = _csv(analyst.get("/editor/insight/quality.csv"))
    course = next(row for row in rows if row[-1] == "parenting-course")
    assert course[3:6] == ["Yes", "Yes", "14"]


def test_charts_are_svg_with_a_table_of_the_same_numbers(analyst):
    soup = get_editor_page(analyst, "/editor/insight/summary")
    figure = soup.find("figure", attrs={"aria-labelledby": "summary-needs-caption"})
    svg = figure.find("svg")
    assert svg["role"] == "img" and svg.find("title").get_text()
    bars = svg.find_all("rect")
    table = [[cell.get_text(strip=True) for cell in row.find_all(["th", "td"])]
             for row in figure.select("tbody tr")]
    assert len(bars) == len(table) == 5
    assert table[0] == ["Speech and language", "7"]
    assert [text.get_text() for text in svg.select("text.chart__value")] == [row[1] for row in table]
    assert float(bars[0]["width"]) > float(bars[1]["width"]) > 0  # 7 against 6


def test_without_a_release_the_reports_say_so(corpus, tmp_path):
    content, _index, instance_dir = corpus
    client = create_app(TestingConfig(content, tmp_path / "nothing-published", instance_dir)).test_client()
    sign_in(client, EMAILS["analyst"])
    for url in PAGES + DOWNLOADS:
        response = client.get(url)
        assert response.status_code == 200 and "Nothing is published yet" in response.get_data(as_text=True)
