"""The release reader: the one object pages, practitioner tools and feeds read a release through.

Domain code, tested on a real published release without Flask.
"""

from __future__ import annotations

import threading

import pytest

from app.content.model import stable_uuid
from app.publishing.publish import publish
from app.publishing.releases import ReleaseStore
from app.release.reader import ReleaseReader, ServiceSelection
from app.release.schema import CHANGES_FILE
from app.search.request import parse_request

from ..factories import service, write_content, write_service


@pytest.fixture(params=["full", "incremental"])
def reader(request, published, content_dir, folders) -> ReleaseReader:
    """The release as a full build, and as one built incrementally, whose service tables the reader
    sees through views over the shared database and its ``changes.db`` (every query must give the
    same answers through both)."""
    if request.param == "incremental":
        write_service(content_dir, service(
            "stay-and-chat", title="Stay and Chat speech drop-in",
            summary="Drop in with your toddler and talk to a speech therapist.",
            needs=["speech-language"], ages={"min": 0, "max": 4}, levels=[1], hubs=["west", "east"],
            access=["drop-in"]))
        publish(content_dir, folders["index"], processes=1)
        assert (ReleaseStore(folders["index"]).current().path / CHANGES_FILE).is_file()
    return ReleaseReader(ReleaseStore(folders["index"]).current())


def test_directory_holds_settings_and_taxonomy_in_content_order(reader):
    assert reader.directory.site["name"] == "Testshire Early Help Directory"
    assert list(reader.directory.needs)[:2] == ["parenting", "money-debt"]
    assert set(reader.directory.hubs) == {"west", "east"}
    assert reader.directory.hubs["west"]["areas"] == ["N17", "N15 3"]


def test_cards_follow_the_order_asked_and_drop_unpublished_ids(reader):
    cards = reader.service_cards(["stay-and-chat", "old-draft", "no-such-id", "debt-advice"])
    assert [card["id"] for card in cards] == ["stay-and-chat", "debt-advice"]
    chat = cards[0]
    assert chat["title"] == "Stay and Chat speech drop-in"
    assert chat["hubs"] == ["west", "east"]
    assert chat["access"] == ["drop-in"]
    assert chat["translation"] == "original"
    assert reader.service_cards([]) == []


def test_service_details_have_every_list_the_organisation_and_none_for_a_draft(reader):
    details = reader.service_details("debt-advice")
    assert details["needs"] == ["money-debt"]
    assert details["levels"] == [1, 2]
    assert details["languages"] == ["en", "pl"]
    assert details["delivery"] == ["phone", "online"]
    assert details["borough_wide"]
    assert details["organisation"]["name"] == "Test Organisation"
    assert reader.service_details("old-draft") is None
    assert reader.service_details("../etc/passwd") is None


def test_hub_page_groups_services_by_need_and_counts_borough_wide_ones_apart(reader):
    groups = reader.hub_services_by_need("east", reader.directory.needs)
    assert [(group.need["id"], [s["id"] for s in group.services]) for group in groups] == [
        ("school-attendance", ["attendance-support"]), ("speech-language", ["stay-and-chat"])]
    assert reader.borough_wide_count() == 2
    assert reader.page("about")["title"] == "About"
    assert reader.page("missing") is None


def test_service_index_lists_every_published_service(reader):
    assert [service_id for service_id, _ in reader.service_index()] == [
        "attendance-support", "debt-advice", "idva-outreach", "incredible-years", "stay-and-chat"]


def test_menu_counts_filters_by_hub_and_age_and_grids_needs_by_level(reader):
    assert reader.menu_count() == 5
    # west's own services and the two borough-wide ones
    assert reader.menu_count(hub="west") == 4
    assert reader.menu_count(hub="west", age_band="0-2") == 1  # stay-and-chat
    assert reader.menu_count(hub="east", age_band="pregnancy") == 1  # idva-outreach, borough-wide
    rows = reader.menu_grid(reader.directory.needs, [1, 2, 3, 4], hub="east")
    cells = {row.need["id"]: [[s["id"] for s in cell.services] for cell in row.cells] for row in rows}
    assert cells["school-attendance"] == [[], ["attendance-support"], ["attendance-support"], []]
    assert "parenting" not in cells  # nothing for parenting in the east hub
    candidates = {c["id"]: c["levels"] for c in reader.menu_table_candidates(None, None)}
    assert candidates["idva-outreach"] == [3, 4]
    rows = reader.menu_table_rows(["stay-and-chat", "debt-advice"])
    assert [row["id"] for row in rows] == ["stay-and-chat", "debt-advice"]
    assert rows[1]["levels"] == [1, 2]


def test_feed_selections_combine_with_and(reader):
    everything = reader.service_ids(ServiceSelection())
    assert len(everything) == 5
    assert reader.service_ids(ServiceSelection(list_value=("needs", "money-debt"))) == ["debt-advice"]
    assert set(reader.service_ids(ServiceSelection(list_value=("levels", 3)))) == {
        "attendance-support", "idva-outreach"}
    assert set(reader.service_ids(ServiceSelection(hub="east", list_value=("levels", 1)))) == {
        "debt-advice", "stay-and-chat"}
    assert reader.service_ids(ServiceSelection(ids={"debt-advice", "old-draft"})) == ["debt-advice"]
    assert reader.service_ids(ServiceSelection(ids=set())) == []
    assert reader.service_ids(ServiceSelection(nothing=True)) == []
    organisation = stable_uuid("organisation", "test-org")
    assert len(reader.service_ids(ServiceSelection(organisation_uuid=organisation))) == 5
    assert reader.service_id_for_uuid(stable_uuid("service", "debt-advice")) == "debt-advice"
    assert reader.service_id_for_uuid(stable_uuid("service", "old-draft")) is None
    assert [row["title"] for row in reader.service_summaries(["stay-and-chat", "nope", "debt-advice"])] == [
        "Stay and Chat speech drop-in", "Debt and benefits advice"]
    assert [org["name"] for org in reader.organisations()] == ["Test Organisation"]


def test_search_through_the_reader_counts_facets(reader):
    result = reader.engine.search(parse_request({"q": ["debt"]}, reader.engine.vocabulary))
    assert [hit.id for hit in result.hits] == ["debt-advice"]
    assert result.facets["need"]["money-debt"] == 1


def test_each_thread_reads_through_its_own_connection(reader):
    found, errors = [], []

    def read():
        try:
            found.append(len(reader.service_cards([s for s, _ in reader.service_index()])))
        except Exception as error:  # pragma: no cover - reported below
            errors.append(error)

    threads = [threading.Thread(target=read) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == [] and found == [5] * 6


def test_a_reader_keeps_reading_its_own_release_after_a_new_publish(reader, content_dir, folders):
    write_content(content_dir, [service("new-service", title="A brand new service")])
    publish(content_dir, folders["index"], processes=1)
    assert reader.service_details("debt-advice") is not None  # the old release, still open
    newer = ReleaseReader(ReleaseStore(folders["index"]).current())
    assert newer.id != reader.id
    assert "new-service" in dict(newer.service_index())
    assert "new-service" not in dict(reader.service_index())
