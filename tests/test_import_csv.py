"""`earlyhelp import csv` and `earlyhelp export csv`: services as a spreadsheet."""

from __future__ import annotations

import csv
import dataclasses
import datetime as dt
import io
from pathlib import Path

import pytest
from click.testing import CliRunner

from app.cli import main
from app.content import load_content
from app.opendata.importing.spreadsheet import COLUMNS, CsvFileError, export_csv, import_csv

from .factories import service, write_content, write_service

TODAY = dt.date(2026, 11, 22)
DOCS = Path(__file__).resolve().parent.parent / "docs"


@pytest.fixture
def target(tmp_path) -> Path:
    return write_content(tmp_path / "target", [])


def run(path, into, **kwargs):
    return import_csv(path, into, today=TODAY, **kwargs)


def check_errors(root: Path) -> list[str]:
    return [str(problem) for problem in load_content(root, today=TODAY).errors]


def write_rows(path: Path, rows: list[dict], columns=COLUMNS, encoding="utf-8", delimiter=",") -> Path:
    with open(path, "w", encoding=encoding, newline="") as stream:
        writer = csv.DictWriter(stream, fieldnames=columns, delimiter=delimiter, extrasaction="ignore")
        writer.writeheader()
        writer.writerows(rows)
    return path


def row(**cells) -> dict:
    """A good row; override any cell."""
    base = {"title": "Family drop-in", "summary": "Drop in for a chat about anything.",
            "organisation": "test-org", "needs": "parenting", "age_min": "0", "age_max": "5",
            "levels": "1; 2", "hubs": "west", "access": "drop-in", "free": "yes", "delivery": "in-person",
            "phone": "020 7946 0210", "status": "published", "last_reviewed": "2026-09-01"}
    base.update(cells)
    return base


def snapshot(root: Path) -> dict[str, tuple[int, bytes]]:
    return {path.relative_to(root).as_posix(): (path.stat().st_mtime_ns, path.read_bytes())
            for path in sorted(root.rglob("*")) if path.is_file()}


def comparable(entry) -> dict:
    return {key: value for key, value in dataclasses.asdict(entry).items() if key != "source"}


# -- the template ------------------------------------------------------------------------

def test_the_template_in_the_docs_imports_cleanly(target):
    template = DOCS / "services-template.csv"
    with open(template, encoding="utf-8", newline="") as stream:
        records = list(csv.reader(stream))
    assert tuple(records[0]) == COLUMNS and len(records) == 3  # the header and two example rows

    report = run(template, target)
    assert report.bad_rows == [] and report.count("services", "created") == 2
    assert check_errors(target) == []
    content = load_content(target, today=TODAY)
    talk, money = content.services["toddler-talk-group"], content.services["money-advice-line"]
    assert talk.needs == ["parenting", "speech-language"] and talk.venues[0].postcode == "N17 6BB"
    assert talk.body.startswith("Bring your toddler") and "\n\nYou do not need a referral." in talk.body
    assert money.borough_wide and money.age_max == 99 and money.pregnancy and not money.free
    assert money.needs == ["money-debt"]  # written as its label
    assert content.organisations["example-family-charity"].name == "Example Family Charity"


def test_every_column_is_documented():
    documented = (DOCS / "csv-import.md").read_text(encoding="utf-8")
    for column in COLUMNS:
        assert f"`{column}`" in documented, column


# -- rows with problems ------------------------------------------------------------------

def test_bad_rows_are_reported_by_row_and_column_and_good_rows_still_imported(target):
    path = write_rows(target.parent / "services.csv", [
        row(id="good-one", body="Line one.\n\nLine three of the same cell."),  # row 2 spans three lines
        row(id="bad-needs", needs="parenting; unicorns", age_min="seven"),       # row 3
        row(id="good-two", title="Another", hubs="West Hub"),                    # row 4
        row(id="Bad Id!", summary="x" * 201),                                    # row 5
        row(id="bad-venue", venue_name="Hall", venue_address="1 Road", venue_postcode="N17"),  # row 6
        row(id="good-one", title="Same id again"),                               # row 7
        row(id="bad-free", free="maybe", phone="2079460210"),                    # row 8
    ])
    report = run(path, target)

    assert report.bad_rows == [
        f"{path}:3: age_min: 'seven' is not a whole number from 0 to 99",
        f"{path}:3: needs: 'unicorns' is not a need; use an id, label or synonym from taxonomy/needs.yml",
        f"{path}:5: id: 'Bad Id!' is not a valid id (use a-z, 0-9 and single hyphens)",
        f"{path}:5: summary: is 201 characters long; the limit is 200",
        f"{path}:6: venue_postcode: 'N17' is not a UK postcode (e.g. N17 6BB)",
        f"{path}:7: id: the same service as row 2",
        f"{path}:8: free: 'maybe' is not yes or no",
        f"{path}:8: phone: '2079460210' has lost its leading 0 (spreadsheets do this to numbers); "
        "format the column as text and type it again",
    ]
    assert sorted(path.stem for path in (target / "services").glob("*.md")) == ["good-one", "good-two"]
    assert load_content(target, today=TODAY).services["good-two"].hubs == ["west"]
    assert check_errors(target) == []
    assert "rows not imported: 5" in report.text()


def test_the_command_exits_1_when_a_row_was_not_imported(target):
    path = write_rows(target.parent / "services.csv", [row(id="ok"), row(id="bad", levels="9")])
    result = CliRunner().invoke(main, ["import", "csv", str(path), "--into", str(target)])
    assert result.exit_code == 1
    assert f"{path}:3: levels: '9' is not a level of need" in result.output
    assert (target / "services" / "ok.md").exists()


def test_a_missing_required_column_stops_before_anything_is_written(target):
    columns = [column for column in COLUMNS if column != "needs"]
    path = write_rows(target.parent / "services.csv", [row(id="one")], columns=columns)
    report = run(path, target)
    assert report.bad_rows == [f"{path}:1: needs: column is missing (see docs/csv-import.md)"]
    assert not (target / "services" / "one.md").exists()


def test_an_empty_file_is_refused(target):
    (target.parent / "empty.csv").write_bytes(b"")
    with pytest.raises(CsvFileError, match="empty"):
        run(target.parent / "empty.csv", target)


# -- encodings and dialects ----------------------------------------------------------------

def test_utf8_with_a_byte_order_mark(target):
    path = write_rows(target.parent / "bom.csv", [row(id="cafe", title="Café for parents – weekly")],
                      encoding="utf-8-sig")
    assert path.read_bytes().startswith(b"\xef\xbb\xbf")
    report = run(path, target)
    assert report.bad_rows == [] and not report.notes
    assert load_content(target, today=TODAY).services["cafe"].title == "Café for parents – weekly"


def test_excel_csv_in_windows_1252_with_semicolons_and_headers_in_capitals(target):
    columns = [column.upper() for column in COLUMNS]
    cells = {key.upper(): value for key, value in row(id="creche", title="Crèche and café", needs="Parenting",
                                                         last_reviewed="01/09/2026").items()}
    path = write_rows(target.parent / "excel.csv", [cells], columns=columns, encoding="cp1252", delimiter=";")
    report = run(path, target)
    assert report.bad_rows == []
    assert any("Windows-1252" in note for note in report.notes)
    entry = load_content(target, today=TODAY).services["creche"]
    assert entry.title == "Crèche and café" and entry.last_reviewed == dt.date(2026, 9, 1)


def test_ids_are_made_from_titles_when_the_id_column_is_empty(target):
    path = write_rows(target.parent / "services.csv", [row(title="Stay & Play (Brook)")])
    run(path, target)
    assert (target / "services" / "stay-and-play-brook.md").exists()
    assert run(path, target).count("services", "unchanged") == 1


# -- re-running ------------------------------------------------------------------------------

def test_rerunning_rewrites_nothing_and_an_editors_change_is_kept(target):
    path = write_rows(target.parent / "services.csv", [row(id="one"), row(id="two", title="Two")])
    run(path, target)
    before = snapshot(target)
    assert run(path, target).count("services", "unchanged") == 2
    assert snapshot(target) == before

    entry = target / "services" / "one.md"
    entry.write_text(entry.read_text(encoding="utf-8") + "\nAn editor's note.\n", encoding="utf-8")
    write_rows(path, [row(id="one", summary="Changed in the spreadsheet."),
                      row(id="two", title="Two", summary="Also changed.")])
    report = run(path, target)
    assert "An editor's note." in entry.read_text(encoding="utf-8")
    assert [outcome.id for outcome in report.skipped] == ["one"]
    assert report.count("services", "updated") == 1
    assert "Also changed." in (target / "services" / "two.md").read_text(encoding="utf-8")

    run(path, target, force=True)
    assert "Changed in the spreadsheet." in entry.read_text(encoding="utf-8")


def test_a_new_organisation_is_created_once_and_then_left_to_editors(target):
    path = write_rows(target.parent / "services.csv", [
        row(id="one", organisation="Brook Family Trust"), row(id="two", organisation="brook family trust"),
        row(id="three", organisation="Test Organisation")])
    report = run(path, target)
    content = load_content(target, today=TODAY)
    assert content.services["one"].organisation == "brook-family-trust"
    assert content.services["two"].organisation == "brook-family-trust"
    assert content.services["three"].organisation == "test-org"
    assert report.count("organisations", "created") == 1
    organisation = target / "organisations" / "brook-family-trust.md"
    organisation.write_text(organisation.read_text(encoding="utf-8").replace(
        "name: Brook Family Trust", "name: Brook Family Trust\nwebsite: https://brook.example.org"))
    report = run(path, target)
    assert "website" in organisation.read_text(encoding="utf-8") and not report.skipped and not report.gone


# -- export ---------------------------------------------------------------------------------

def rich_services() -> list[dict]:
    return [
        service("two-venues", title="Two venues, one service", needs=["parenting", "speech-language"],
                ages={"min": 0, "max": 99, "pregnancy": True}, levels=[1, 2, 3], hubs=["west", "east"],
                access=["self-referral", "drop-in"], how_to_access="Just come: no booking.",
                free=False, cost="£2 a session; free on benefits", delivery=["in-person", "online"],
                languages=["en", "pl", "so"], interpreters=True,
                contact={"phone": "020 7946 0211", "email": "hello@example.org",
                         "website": "https://example.org/a?b=c", "referral_form": "https://example.org/refer"},
                venues=[{"name": "Brook Centre", "address": "3 Brook Street, Exampleton",
                         "postcode": "N17 6BB", "hub": "west", "schedule": "Tuesdays 9:30; term time",
                         "accessibility": "Step-free"},
                        {"name": "Gardens Library", "address": "1 Garden Road", "postcode": "N22 5AA",
                         "hub": "east"}],
                evidence={"rating": "4+", "source": "Foundations Guidebook", "url": "https://example.org/ev"},
                keywords=["tantrums", "naughty: help"], review_months=6, status="draft"),
        service("archived-one", title='Quotes "and" commas, too', status="archived", hubs="all"),
    ]


def test_export_then_import_into_an_empty_folder_gives_the_same_services(content_dir, target):
    for fields in rich_services():
        write_service(content_dir, fields, "First paragraph.\n\n- a list\n- with: colons\n\nÜnïcödé, عربى.")
    original = load_content(content_dir, today=TODAY)
    assert original.errors == []
    stream = io.StringIO()
    assert export_csv(content_dir, stream) == len(original.services) == 8
    path = target.parent / "export.csv"
    path.write_text(stream.getvalue(), encoding="utf-8", newline="")

    report = run(path, target)
    assert report.bad_rows == []
    imported = load_content(target, today=TODAY)
    assert imported.errors == []
    assert set(imported.services) == set(original.services)
    for service_id, entry in original.services.items():
        assert comparable(imported.services[service_id]) == comparable(entry), service_id


def test_a_second_venue_is_a_row_of_its_own(content_dir):
    write_service(content_dir, rich_services()[0])
    stream = io.StringIO()
    export_csv(content_dir, stream)
    rows = [cells for cells in csv.DictReader(io.StringIO(stream.getvalue())) if cells["id"] == "two-venues"]
    assert [cells["venue_name"] for cells in rows] == ["Brook Centre", "Gardens Library"]
    assert rows[1]["title"] == "" and rows[0]["hubs"] == "west; east"
    assert rows[0]["needs"] == "parenting; speech-language"


def test_export_command_writes_a_file_excel_reads(content_dir, tmp_path):
    output = tmp_path / "out.csv"
    result = CliRunner().invoke(main, ["export", "csv", "--content", str(content_dir),
                                       "--output", str(output)])
    assert result.exit_code == 0, result.output
    assert output.read_bytes().startswith(b"\xef\xbb\xbf" + b"id,title,summary")
    assert "Exported 6 services" in result.output


def test_export_command_to_standard_output(content_dir):
    result = CliRunner().invoke(main, ["export", "csv", "--content", str(content_dir)])
    assert result.exit_code == 0
    assert result.stdout.startswith("id,title,summary")
    assert len(list(csv.DictReader(io.StringIO(result.stdout)))) == 6


def test_export_refuses_content_with_errors(content_dir):
    write_service(content_dir, service("broken", needs=["unicorns"]))
    result = CliRunner().invoke(main, ["export", "csv", "--content", str(content_dir)])
    assert result.exit_code == 1
    assert "unknown need 'unicorns'" in result.output and "fix them first" in result.output
