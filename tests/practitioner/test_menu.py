"""The Menu of Interventions: the needs x levels grid, its filters, the sortable table and the CSV."""

from __future__ import annotations

import csv
import io
from urllib.parse import parse_qs, urlsplit

import pytest

from app import create_app
from app.config import TestingConfig
from app.practitioner.menu import csv_text, evidence_strength, spreadsheet_safe
from app.publishing.publish import publish

from ..factories import service, write_content
from ..pages import get_page

DEBT = "Debt and benefits advice"
IDVA = "Domestic abuse outreach"
IY = "Incredible Years parenting group"
SCHOOL = "School attendance support"
STAY = "Stay and Chat speech drop-in"


def grid(soup) -> dict[tuple[str, int], list[str]]:
    """(need label, level) -> service titles in that cell."""
    table = soup.find(id="menu-grid")
    levels = [int(th.get_text().split()[1][0]) for th in table.select("thead th")[1:]]
    cells = {}
    for row in table.select("tbody tr"):
        need = row.find("th").get_text(strip=True)
        for level, cell in zip(levels, row.find_all("td"), strict=True):
            links = cell.select(".menu-grid__services > li > a")
            cells[need, level] = [a.get_text(strip=True) for a in links]
    return cells


def test_grid_rows_are_needs_columns_are_levels(page):
    cells = grid(page("/menu"))
    assert cells["Parenting", 2] == [IY]
    assert cells["Money, debt and benefits", 1] == cells["Money, debt and benefits", 2] == [DEBT]
    assert cells["Money, debt and benefits", 3] == []
    assert cells["Domestic abuse", 3] == cells["Domestic abuse", 4] == [IDVA]
    assert cells["School attendance", 2] == [SCHOOL]
    assert "A draft service" not in str(cells)


def test_each_cell_shows_ages_access_and_evidence_and_links_to_the_filtered_search(page):
    soup = page("/menu?hub=west&age=3-5")
    row = soup.find("th", id="need-parenting").parent
    cell = row.find_all("td")[1]  # level 2
    facts = " ".join(cell.select_one(".menu-service__facts").get_text(" ").split())
    assert facts == "Ages 3 to 6 · Contact them yourself; A professional can refer you"
    search = urlsplit(cell.select_one("a.menu-grid__search")["href"])
    assert search.path == "/search"
    assert parse_qs(search.query) == {"need": ["parenting"], "level": ["2"], "hub": ["west"], "age": ["3-5"]}


@pytest.mark.parametrize("query, present, absent", [
    ("hub=west", [IY, DEBT, STAY],
     [SCHOOL]),
    ("hub=east", [SCHOOL, IDVA], [IY]),
    ("age=pregnancy", [IDVA], [DEBT, STAY]),
    ("age=0-2", [STAY], [IY]),
    ("hub=west&age=16-18", [DEBT, IDVA],
     [STAY, SCHOOL]),
])
def test_filter_by_hub_and_age_band(page, query, present, absent):
    titles = {title for cell in grid(page(f"/menu?{query}")).values() for title in cell}
    assert set(present) <= titles and not set(absent) & titles


@pytest.mark.parametrize("query", ["hub=nowhere", "age=99-100", "hub=%3Cscript%3E&age=x", "hub=" + "a" * 999])
def test_unknown_filters_are_explained_and_ignored(page, query):
    soup = page(f"/menu?{query}")
    assert soup.select("main .banner--warning")
    assert len({title for cell in grid(soup).values() for title in cell}) == 5
    assert "<script>" not in str(soup.find("main"))


def test_a_filter_with_no_services_says_so(page):
    soup = page("/menu?hub=west&age=12-15")
    assert not soup.find(id="menu-grid")
    assert "No services match" in soup.find("main").get_text()


def table_titles(soup) -> list[str]:
    return [row.find("th").get_text(strip=True) for row in soup.select("#menu-table tbody tr")]


@pytest.mark.parametrize("sort, expected", [
    ("title", [DEBT, IDVA, IY,
               SCHOOL, STAY]),
    ("-title", [STAY, SCHOOL, IY,
                IDVA, DEBT]),
    ("ages", [IDVA, STAY, IY,
              SCHOOL, DEBT]),
    ("levels", [STAY, DEBT, IY,
                SCHOOL, IDVA]),
    ("cost", [DEBT, IDVA, IY,
              STAY, SCHOOL]),
    ("nonsense", [DEBT, IDVA, IY,
                  SCHOOL, STAY]),
])
def test_table_view_sorts_by_its_column_headings(page, sort, expected):
    soup = page(f"/menu?view=table&sort={sort}")
    assert table_titles(soup) == expected


def test_table_headings_are_sort_links_that_say_how_the_table_is_sorted(page):
    soup = page("/menu?view=table&sort=ages&hub=west")
    headings = soup.select("#menu-table thead th")
    sorted_by = [th for th in headings if th.get("aria-sort")]
    assert len(sorted_by) == 1 and sorted_by[0]["aria-sort"] == "ascending"
    link = parse_qs(urlsplit(sorted_by[0].a["href"]).query)
    assert link == {"hub": ["west"], "view": ["table"], "sort": ["-ages"]}
    again = page("/menu?view=table&sort=-ages&hub=west")
    assert [th["aria-sort"] for th in again.select("#menu-table thead th[aria-sort]")] == ["descending"]


def test_evidence_ratings_are_explained_with_their_source(page):
    key = page("/menu").find("section", class_="evidence-key")
    text = " ".join(key.get_text(" ").split())
    for rating in ("2", "3", "4", "NL2", "NE"):
        assert key.find("dt", string=rating)
    assert "Foundations Guidebook" in text and "Early Intervention Foundation" in text
    assert key.find("a", href="https://guidebook.foundations.org.uk/")
    assert "stronger than most" in text and "mixed" in text


def test_evidence_strength_orders_ratings():
    ratings = ["NE", None, "2", "4", "3+", "4*", "NL2", "4+", "2*", "3"]
    strongest_first = ["4+", "4", "4*", "3+", "3", "2", "2*", "NL2", "NE", None]
    assert sorted(ratings, key=evidence_strength) == strongest_first


HOSTILE = {
    "formula-title": "=HYPERLINK(\"http://evil.example\",\"Click\")",
    "plus": "+44 20 7946 0000 call us",
    "minus": "-2+3 sessions",
    "at": "@SUM(A1:A9)",
    "tab": "\t=1+1",
}


@pytest.fixture
def hostile_client(folders):
    content = write_content(folders["content"], [
        service("formula-title", title="Sum groups", summary=HOSTILE["formula-title"],
                how_to_access=HOSTILE["at"], evidence={"rating": "3+", "source": "-Guidebook"}),
        service("plus", title="Plus", summary=HOSTILE["plus"], cost=HOSTILE["minus"], free=False),
        service("quotes", title='Quotes "and", commas', summary="Line one; \"quoted\", and more",
                hubs="all", levels=[1, 3]),
    ])
    publish(content, folders["index"], processes=1)
    return create_app(TestingConfig(content, folders["index"], folders["instance"])).test_client()


def test_csv_has_one_row_per_service_and_every_field(hostile_client):
    response = hostile_client.get("/menu.csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert response.headers["Content-Disposition"] == 'attachment; filename="menu-of-interventions.csv"'
    text = response.get_data(as_text=True)
    assert text.startswith("\ufeff")
    rows = list(csv.DictReader(io.StringIO(text.removeprefix("\ufeff"))))
    assert [row["Service"] for row in rows] == ["Plus", 'Quotes "and", commas', "Sum groups"]
    quotes = rows[1]
    assert quotes["Summary"] == "Line one; \"quoted\", and more"
    assert quotes["Levels of need"] == "1; 3" and quotes["Area"] == "Across the borough"
    assert quotes["Phone"] == "020 7946 0210" and quotes["Page"] == "http://localhost/services/quotes"
    for column in ("Organisation", "Needs", "Ages", "How to get it", "Free", "Cost", "Delivery", "Venues",
                   "Evidence rating", "Evidence source", "Last checked", "Referral form", "Email"):
        assert column in quotes


def test_csv_cells_never_become_formulas(hostile_client):
    text = hostile_client.get("/menu.csv").get_data(as_text=True).removeprefix("\ufeff")
    rows = {row[0]: row for row in csv.reader(io.StringIO(text))}
    for row in rows.values():
        for cell in row:
            assert not cell.startswith(("=", "+", "-", "@", "\t", "\r")), cell
    sums = rows["Sum groups"]
    assert "'" + HOSTILE["formula-title"] in sums and "'" + HOSTILE["at"] in sums and "'-Guidebook" in sums
    assert "'" + HOSTILE["plus"] in rows["Plus"] and "'" + HOSTILE["minus"] in rows["Plus"]


@pytest.mark.parametrize("value, safe", [
    ("=1+1", "'=1+1"), ("+1", "'+1"), ("-1", "'-1"), ("@A1", "'@A1"), ("\t=1", "'\t=1"), ("\r=1", "'\r=1"),
    ("\n=1", "'\n=1"), ("a=1", "a=1"), ("", ""), (None, ""), (5, "5"), (-5, "-5"), ("O'Brien", "O'Brien"),
])
def test_spreadsheet_safe(value, safe):
    assert spreadsheet_safe(value) == safe


def test_csv_text_escapes_the_header_too_and_quotes_as_rfc_4180():
    text = csv_text(["=Name", "Note"], [["a,b", 'say "hi"'], ["-x", "line\nbreak"]])
    assert text == '\ufeff\'=Name,Note\r\n"a,b","say ""hi"""\r\n\'-x,"line\nbreak"\r\n'


def test_csv_follows_the_filters(page, client):
    rows = list(csv.DictReader(io.StringIO(
        client.get("/menu.csv?hub=east&age=16-18").get_data(as_text=True).removeprefix("\ufeff"))))
    assert [row["Service"] for row in rows] == [DEBT, IDVA,
                                                SCHOOL]
    assert client.get("/menu.csv?hub=east&age=16-18").headers["Content-Disposition"].endswith(
        'filename="menu-of-interventions-east-16-18.csv"')
    menu = page("/menu?hub=east&age=16-18")
    assert menu.find("a", href="/menu.csv?hub=east&age=16-18")


def test_menu_on_a_phone_labels_each_cell_with_its_level(page):
    cell = page("/menu").select_one("#menu-grid tbody td")
    assert cell.select_one(".menu-grid__cell-heading").get_text().startswith("Level 1:")


def test_larger_directory_caps_each_cell_and_links_to_the_rest(folders):
    content = write_content(folders["content"], [service(f"group-{number:02d}", title=f"Group {number:02d}")
                                                 for number in range(15)])
    publish(content, folders["index"], processes=1)
    client = create_app(TestingConfig(content, folders["index"], folders["instance"])).test_client()
    soup = get_page(client, "/menu")
    cell = soup.find("th", id="need-parenting").parent.find_all("td")[1]
    assert len(cell.select(".menu-grid__services > li")) == 12
    assert cell.select_one("a.menu-grid__search").get_text().startswith("Search all 15 services")


def test_the_table_of_a_large_directory_comes_in_pages(folders):
    content = write_content(folders["content"], [service(f"group-{number:03d}", title=f"Group {number:03d}")
                                                 for number in range(130)])
    publish(content, folders["index"], processes=1)
    client = create_app(TestingConfig(content, folders["index"], folders["instance"])).test_client()
    first = get_page(client, "/menu?view=table&sort=-title")
    assert table_titles(first)[:2] == ["Group 129", "Group 128"] and len(table_titles(first)) == 100
    assert "Rows 1 to 100 of 130" in first.find(class_="pagination").get_text()
    next_page = first.select_one("a[rel=next]")["href"]
    assert parse_qs(urlsplit(next_page).query) == {"view": ["table"], "sort": ["-title"], "page": ["2"]}
    second = get_page(client, next_page)
    assert table_titles(second)[-1] == "Group 000" and len(table_titles(second)) == 30
    assert second.select_one("a[rel=prev]")["href"] == "/menu?view=table&sort=-title"
    for page in ("99", "x", "0", "9" * 5000, "-1"):
        assert len(table_titles(get_page(client, f"/menu?view=table&page={page}"))) in (100, 30)
