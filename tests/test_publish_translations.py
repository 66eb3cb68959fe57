"""Publishing translations: stored with a stale flag, bodies sanitised, incremental == full."""

from __future__ import annotations

import pytest
import sqlite_utils

from app.publishing.publish import publish
from app.publishing.releases import ReleaseStore
from app.release.live import LiveRelease
from app.release.reader import open_database
from app.search.request import parse_request

from .factories import write_service, write_translation, write_yaml
from .translated_content import SERVICES, write_translated_content


@pytest.fixture
def root(tmp_path):
    return write_translated_content(tmp_path / "content")


def live_db(index_dir) -> sqlite_utils.Database:
    return open_database(ReleaseStore(index_dir).current().path / "directory.db")


def english(service_id: str) -> dict:
    return next(fields for fields in SERVICES if fields["id"] == service_id)


def test_translations_are_stored_with_their_status(root, tmp_path):
    write_translation(root, "services", "benefits-check", "pl",
                      {"source_fingerprint": "0123456789abcdef", "title": "Sprawdzenie zasiłków",
                       "summary": "Dowiedz się, jakie zasiłki Ci przysługują."},
                      "Zobacz <script>alert(1)</script>**ważne**.")
    result = publish(root, tmp_path / "index")
    manifest = result.manifest
    assert manifest["built"] == "full" and manifest["full_build_reason"] == "first release"
    assert manifest["languages"] == ["en", "pl", "ar", "bn", "ro", "es"]
    assert manifest["translations"]["pl"] == {"services": 2, "services_stale": 1, "hubs": 1, "pages": 1,
                                              "needs": 2}
    assert manifest["translations"]["es"]["services"] == 3

    db = live_db(tmp_path / "index")
    rows = {(row["service_id"], row["language"]): row for row in db["service_translations"].rows}
    assert set(rows) == {("debt-advice", "pl"), ("debt-advice", "ar"), ("debt-advice", "es"),
                         ("stay-and-chat", "bn"), ("stay-and-chat", "ro"), ("incredible-years", "es"),
                         ("incredible-years", "ro"), ("relaxation-class", "es"), ("benefits-check", "pl")}
    assert rows[("debt-advice", "pl")]["stale"] == 0 and rows[("benefits-check", "pl")]["stale"] == 1
    assert rows[("benefits-check", "pl")]["body_html"] == "<p>Zobacz <strong>ważne</strong>.</p>"
    assert rows[("debt-advice", "pl")]["how_to_access"].startswith("Zadzwoń")
    venues = list(db["venue_translations"].rows)
    assert [(v["service_id"], v["language"], v["schedule"]) for v in venues] == [
        ("debt-advice", "pl", "Poniedziałki od 10 do 13")]
    terms = {(row["taxonomy"], row["term_id"], row["language"]): row["label"]
             for row in db["term_translations"].rows}
    assert terms[("needs", "money-debt", "ar")] == "المال والديون والإعانات"
    synonyms = {row["synonym"] for row in db["need_synonym_translations"].rows_where("language = 'pl'")}
    assert synonyms == {"pieniądze", "komornik", "nie mam na czynsz"}
    assert db["hub_translations"].get(("west", "pl"))["name"] == "Centrum Zachodnie"
    assert db["page_translations"].get(("about", "pl"))["body_html"] == "<p>O tym katalogu.</p>"
    site = {row["key"]: row["value"] for row in db["site_translations"].rows}
    assert site == {"name": "Katalog wczesnej pomocy Testshire",
                    "front_door_name": "Punkt zgłoszeń dla dzieci"}


def search_ids(index_dir, language: str, **params) -> list[str]:
    engine = LiveRelease(index_dir).get().engine
    request = parse_request({key: [value] for key, value in params.items()} | {"per_page": ["50"]},
                            engine.vocabulary, language)
    return [(hit.id, hit.title, hit.translation) for hit in engine.search(request).hits]


TABLES = ("services", "venues", "service_translations", "venue_translations", "service_needs",
          "hub_translations", "page_translations", "term_translations", "need_synonym_translations",
          "site_translations")
QUERIES = [("pl", {"q": "porady"}), ("pl", {"q": "sprawdzenie"}), ("pl", {"q": "pieniądze"}),
           ("es", {"q": "yoga"}), ("es", {"q": "rabietas"}), ("ar", {"q": "الديون"}),
           ("ro", {"q": "vorbire"}), ("en", {"q": "debt"}),
           ("pl", {}), ("bn", {"q": "থেরাপিস্টের"}), ("pl", {"q": "zasilkow"})]


def assert_same_as_full_rebuild(root, index_dir, rebuilt):
    assert publish(root, rebuilt, incremental=False).manifest["built"] == "full"
    live, fresh = live_db(index_dir), live_db(rebuilt)
    for table in TABLES:
        query = f"select * from [{table}] order by 1, 2, 3"
        rows = [tuple(row) for row in live.execute(query)]
        assert rows == [tuple(row) for row in fresh.execute(query)], table
    for language, params in QUERIES:
        assert search_ids(index_dir, language, **params) == search_ids(rebuilt, language, **params), params


def test_changed_service_translations_update_a_copy_and_match_a_full_build(root, tmp_path):
    index = tmp_path / "index"
    publish(root, index)
    # A translation changed, one added, one deleted, and one made stale by its English.
    write_translation(root, "services", "debt-advice", "pl",
                      {"title": "Porady w sprawie długów", "summary": "Pomoc z długami i zasiłkami."},
                      "Pomagamy.")
    write_translation(root, "services", "benefits-check", "pl",
                      {"title": "Sprawdzenie zasiłków", "summary": "Jakie zasiłki Ci przysługują."},
                      "Sprawdzamy.")
    (root / "services" / "relaxation-class.es.md").unlink()
    write_service(root, {**english("incredible-years"), "summary": "A new summary in English."})
    result = publish(root, index)
    assert result.manifest["built"] == "incremental", result.manifest.get("full_build_reason")
    assert "full_build_reason" not in result.manifest

    assert [hit[0] for hit in search_ids(index, "es", q="yoga")] == ["yoga-for-parents"]
    assert search_ids(index, "es", q="rabietas")[0] == (
        "incredible-years", "Grupo para padres Incredible Years", "stale")
    assert search_ids(index, "pl", q="sprawdzenie")[0][0] == "benefits-check"
    assert_same_as_full_rebuild(root, index, tmp_path / "rebuilt")


@pytest.mark.parametrize("change", ["needs", "hub", "site", "page"])
def test_other_translation_changes_rebuild_and_say_why(root, tmp_path, change):
    index = tmp_path / "index"
    publish(root, index)
    path = {"needs": root / "taxonomy" / "needs.pl.yml", "hub": root / "hubs" / "west.pl.md",
            "site": root / "site.pl.yml", "page": root / "pages" / "about.pl.md"}[change]
    if change == "needs":
        write_yaml(path, [{"id": "money-debt", "label": "Finanse", "synonyms": ["finanse"]}])
    else:
        path.write_text(path.read_text(encoding="utf-8").replace("Centrum", "Ośrodek").replace(
            "Katalog", "Spis").replace("O nas", "O katalogu"), encoding="utf-8")
    result = publish(root, index)
    assert result.manifest["built"] == "full"
    relative = path.relative_to(root).as_posix()
    assert result.manifest["full_build_reason"] == f"files other than services changed: {relative}"
    assert_same_as_full_rebuild(root, index, tmp_path / "rebuilt")
    if change == "needs":
        assert search_ids(index, "pl", q="finanse")[0][0] == "debt-advice"
        assert not search_ids(index, "pl", q="komornik")
