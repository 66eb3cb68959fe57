"""The Open Referral UK 3.0 feed: every endpoint validated against the standard's JSON Schemas
(offline: tests/oruk_samples.py says where they are found), and what the schemas cannot check: filters,
paging totals, ids that resolve, CORS and caching."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from jsonschema import Draft202012Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

from app import create_app
from app.config import TestingConfig
from app.content.model import stable_uuid
from app.publishing.publish import publish

from .factories import service, write_content
from .oruk_samples import oruk_specification

SCHEMA_DIR = oruk_specification() / "schema"
SCHEMA_BASE = "https://openreferraluk.org/specifications/3.0/schema/"
SERVICES = 260
NEEDS = ["parenting", "money-debt", "school-attendance", "speech-language", "domestic-abuse"]


def _registry() -> Registry:
    resources = []
    for path in SCHEMA_DIR.glob("*.json"):
        contents = json.loads(path.read_text(encoding="utf-8"))
        resources.append((SCHEMA_BASE + path.name, Resource.from_contents(contents,
                                                                          default_specification=DRAFT202012)))
    return Registry().with_resources(resources)


REGISTRY = _registry() if SCHEMA_DIR.is_dir() else None


def validate(document, schema_name: str) -> None:
    """Fail with every schema error of ``document`` against ``schema/<schema_name>``."""
    assert REGISTRY is not None, f"the ORUK schemas are missing: {SCHEMA_DIR}"
    schema = REGISTRY.contents(SCHEMA_BASE + schema_name)
    validator = Draft202012Validator(schema, registry=REGISTRY,
                                     format_checker=Draft202012Validator.FORMAT_CHECKER)
    errors = sorted(validator.iter_errors(document), key=lambda error: list(error.absolute_path))
    assert not errors, "\n".join(f"{schema_name} at {'/'.join(map(str, error.absolute_path)) or '(root)'}: "
                                 f"{error.message}" for error in errors[:10])
    assert_no_empty_values(document)


def assert_no_empty_values(value, path: str = "") -> None:
    """ORUK: optional fields are left out, never null or an empty string or list."""
    if isinstance(value, dict):
        for key, item in value.items():
            if key != "contents":  # an empty page is allowed
                assert item not in (None, "", [], {}), f"{path}/{key} is {item!r}"
            assert_no_empty_values(item, f"{path}/{key}")
    elif isinstance(value, list):
        for index, item in enumerate(value):
            assert_no_empty_values(item, f"{path}/{index}")


def varied_service(number: int) -> dict:
    """Services with every shape the feed must carry: venues, languages, costs, borough-wide."""
    fields = service(
        f"service-{number:03d}", title=f"Service {number:03d} for families",
        summary=f"Help number {number} for parents and children.",
        needs=[NEEDS[number % 5]] + ([NEEDS[(number + 1) % 5]] if number % 3 == 0 else []),
        ages={"min": number % 12, "max": 99 if number % 7 == 0 else 12 + number % 7,
              **({"pregnancy": True} if number % 11 == 0 else {})},
        levels=[1 + number % 4], hubs="all" if number % 4 == 0 else ["west", "east"][number % 2:],
        access=["self-referral", "drop-in"][: 1 + number % 2],
        delivery=["in-person", "phone"][: 1 + number % 2],
        languages=["en", "pl", "tr"][: number % 4], free=number % 5 != 0,
        cost="" if number % 5 else "£2 a session",
        contact={"phone": f"020 7946 {number:04d}", "email": f"service{number}@example.org",
                 **({"website": f"https://example.org/s/{number}"} if number % 2 else {}),
                 **({"referral_form": f"https://example.org/refer/{number}"} if number % 6 == 0 else {})},
        last_reviewed=f"2026-{1 + number % 9:02d}-15")
    if number % 3 == 0:
        fields["venues"] = [{"name": f"Centre {number}", "address": f"{number} High Road, Exampleton",
                             "postcode": "N22 6AA", "hub": "east", "schedule": "Mondays 10am to 12 noon",
                             "accessibility": "Step-free access",
                             **({"hours": ["Mon-Fri 09:00-17:00", "Sat 10:00-12:00"]}
                                if number % 2 == 0 else {})}]
    # Fields ORUK has no place of its own for (attributes of our taxonomies carry them).
    if number % 8 == 0:
        fields["evidence"] = {"rating": "3+", "source": "Foundations Guidebook",
                              "url": f"https://example.org/evidence/{number}"}
    if number % 10 == 0:
        fields["keywords"] = ["tantrums", f"keyword {number}"]
    if number % 6 == 0:
        fields["interpreters"] = True
    if number % 9 == 0:
        fields["review_months"] = 6
    return fields


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    """A published directory of 260 varied services; returns its root folder."""
    root = tmp_path_factory.mktemp("oruk")
    content = write_content(root / "content", [varied_service(number) for number in range(SERVICES)])
    (content / "organisations" / "test-org.md").write_text(
        "---\nid: test-org\nname: Test Organisation\nphone: 020 7946 0300\n---\nA test organisation.\n",
        encoding="utf-8")
    publish(content, root / "index", processes=1)
    return root


@pytest.fixture(scope="module")
def client(site):
    return create_app(TestingConfig(site / "content", site / "index", site / "instance")).test_client()


def get_json(client, url: str, status: int = 200):
    response = client.get(url)
    body = response.get_data(as_text=True)
    assert response.status_code == status, f"{url}: {response.status_code} {body[:200]}"
    assert response.headers["Access-Control-Allow-Origin"] == "*", url
    return response.get_json()


def test_api_details(client):
    details = get_json(client, "/api/oruk/")
    validate(details, "api_details.json")
    assert details["version"] == "HSDS-UK-3.0"
    openapi = get_json(client, details["openapi_url"].replace("http://localhost", ""))
    assert openapi["openapi"].startswith("3.") and "/services/{id}" in openapi["paths"]


@pytest.mark.parametrize("page", [1, 3, 6])
def test_service_pages_first_middle_and_last_validate(client, page):
    envelope = get_json(client, f"/api/oruk/services?page={page}")
    validate(envelope, "service_list.json")
    assert envelope["total_items"] == SERVICES and envelope["total_pages"] == 6
    assert envelope["page_number"] == page
    assert envelope["first_page"] is (page == 1) and envelope["last_page"] is (page == 6)
    assert envelope["size"] == len(envelope["contents"]) == (10 if page == 6 else 50)


def test_pages_add_up_to_every_service_once(client):
    ids = []
    for page in range(1, 5):
        envelope = get_json(client, f"/api/oruk/services?per_page=70&page={page}&minimal=true")
        validate(envelope, "service_list.json")
        ids += [item["id"] for item in envelope["contents"]]
    assert len(ids) == len(set(ids)) == SERVICES
    assert set(ids) == {stable_uuid("service", f"service-{number:03d}") for number in range(SERVICES)}
    past_the_end = get_json(client, "/api/oruk/services?page=99")
    validate(past_the_end, "service_list.json")
    assert past_the_end["empty"] is True and past_the_end["contents"] == []


def test_each_service_resolves_fully_nested(client):
    for number in (0, 3, 5, 11, 77, 259):
        uuid = stable_uuid("service", f"service-{number:03d}")
        record = get_json(client, f"/api/oruk/services/{uuid}")
        validate(record, "service.json")
        assert record["id"] == uuid and record["organization"]["id"] == record["organization_id"]
    rich = get_json(client, f"/api/oruk/services/{stable_uuid('service', 'service-066')}")
    assert rich["service_at_locations"][0]["location"]["addresses"][0]["postal_code"] == "N22 6AA"
    assert rich["schedules"][0]["service_at_location_id"] == rich["service_at_locations"][0]["id"]
    assert rich["contacts"][0]["phones"][0]["number"] == "020 7946 0066"
    assert rich["referral_url"] == "https://example.org/refer/66"
    assert rich["maximum_age"] == 15 and rich["minimum_age"] == 6
    assert {language["code"] for language in rich["languages"]} == {"en", "pl"}
    terms = {(item["taxonomy_term"]["taxonomy"], item["taxonomy_term"]["term"])
             for item in rich["attributes"]}
    assert {("needs", "money-debt"), ("needs", "school-attendance"), ("levels", "3"), ("hubs", "west"),
            ("access-routes", "self-referral"), ("delivery", "in-person")} <= terms
    charged = get_json(client, f"/api/oruk/services/{stable_uuid('service', 'service-005')}")
    assert charged["cost_options"][0]["option"] == "£2 a session" and charged["fees"] == "£2 a session"
    assert "maximum_age" in charged
    no_limit = get_json(client, f"/api/oruk/services/{stable_uuid('service', 'service-007')}")
    assert "maximum_age" not in no_limit


def test_unknown_ids_are_404_json(client):
    for url in ("/api/oruk/services/not-a-uuid", f"/api/oruk/services/{stable_uuid('service', 'nope')}",
                "/api/oruk/organizations/x", "/api/oruk/taxonomies/x", "/api/oruk/taxonomy_terms/x",
                "/api/oruk/service_at_locations/x"):
        assert get_json(client, url, status=404)["status"] == 404


@pytest.mark.parametrize(("endpoint", "list_schema", "item_schema"), [
    ("taxonomies", "taxonomy_list.json", "taxonomy.json"),
    ("taxonomy_terms", "taxonomy_term_list.json", "taxonomy_term.json"),
    ("organizations", "organization_list.json", "organization.json"),
    ("service_at_locations", "service_at_location_list.json", "service_at_location.json"),
])
def test_optional_endpoints_validate_and_their_ids_resolve(client, endpoint, list_schema, item_schema):
    envelope = get_json(client, f"/api/oruk/{endpoint}?per_page=100")
    validate(envelope, list_schema)
    assert envelope["contents"], endpoint
    for item in envelope["contents"][:5]:
        record = get_json(client, f"/api/oruk/{endpoint}/{item['id']}")
        validate(record, item_schema)
        assert record["id"] == item["id"]


def test_taxonomies_hold_our_terms(client):
    taxonomies = {item["name"]: item["id"] for item in get_json(client, "/api/oruk/taxonomies")["contents"]}
    assert len(taxonomies) == 8
    needs = get_json(client, f"/api/oruk/taxonomies/{taxonomies['Needs']}")
    assert {term["term"] for term in needs["taxonomy_terms"]} == set(NEEDS)
    levels_id = taxonomies["Levels of need (continuum of need)"]
    levels = get_json(client, f"/api/oruk/taxonomy_terms?taxonomy_id={levels_id}")
    assert [term["term"] for term in levels["contents"]] == ["1", "2", "3", "4"]


def organisation_services(client) -> list[dict]:
    organisation = get_json(client, "/api/oruk/organizations")["contents"][0]
    record = get_json(client, f"/api/oruk/organizations/{organisation['id']}?full_service=true")
    validate(record, "organization.json")
    return record["services"]


def all_ids(client, query: str) -> set[str]:
    envelope = get_json(client, f"/api/oruk/services?minimal=true&per_page=5000&{query}")
    validate(envelope, "service_list.json")
    assert envelope["total_items"] == len(envelope["contents"])
    return {item["id"] for item in envelope["contents"]}


def uuids(numbers) -> set[str]:
    return {stable_uuid("service", f"service-{number:03d}") for number in numbers}


def test_filters_really_filter_and_combine_with_and(client):
    parenting = stable_uuid("taxonomy_term", "needs/parenting")
    level_two = stable_uuid("taxonomy_term", "levels/2")
    expected_parenting = {n for n in range(SERVICES) if n % 5 == 0 or (n % 3 == 0 and (n + 1) % 5 == 0)}
    assert all_ids(client, f"taxonomy_term_id={parenting}") == uuids(expected_parenting)
    assert all_ids(client, f"taxonomy_term_id={level_two}") == uuids(n for n in range(SERVICES) if n % 4 == 1)
    assert all_ids(client, f"taxonomy_term_id={parenting}&modified_after=2026-09-01") == uuids(
        n for n in expected_parenting if 1 + n % 9 >= 9)
    assert all_ids(client, "search=Service+042") >= uuids([42])
    assert all_ids(client, "search=zzzqqq") == set()
    organisation = get_json(client, "/api/oruk/organizations")["contents"][0]["id"]
    assert len(all_ids(client, f"organization_id={organisation}")) == SERVICES
    assert all_ids(client, f"organization_id={stable_uuid('organisation', 'nobody')}") == set()
    assert all_ids(client, f"taxonomy_term_id={stable_uuid('taxonomy_term', 'needs/nothing')}") == set()
    assert len(organisation_services(client)) == SERVICES


def test_fields_without_an_oruk_field_of_their_own_are_attributes(client):
    """Evidence, keywords, interpreters, the review interval and our ids: attributes of our terms."""
    record = get_json(client, f"/api/oruk/services/{stable_uuid('service', 'service-000')}")
    validate(record, "service.json")
    values = {}
    keyword = stable_uuid("taxonomy_term", "directory-fields/keyword")
    for item in record["attributes"]:
        # Keywords name their term by id alone: the same term for every keyword.
        term = item.get("taxonomy_term") or get_json(client, f"/api/oruk/taxonomy_terms/{keyword}")
        assert term["id"] == item["taxonomy_term_id"]
        values.setdefault((term["taxonomy"], term["term"]), []).append(item.get("value"))
    assert values[("directory-fields", "entry-id")] == ["service-000"]
    assert values[("evidence-ratings", "3+")] == [None]
    assert values[("directory-fields", "evidence-source")] == ["Foundations Guidebook"]
    assert values[("directory-fields", "evidence-url")] == ["https://example.org/evidence/0"]
    assert values[("directory-fields", "keyword")] == ["tantrums", "keyword 0"]
    assert values[("directory-fields", "interpreters")] == [None]
    assert values[("directory-fields", "review-months")] == ["6"]
    assert record["accreditations"].startswith(
        "Foundations Guidebook evidence rating 3+: evidence of efficacy")
    hours = [(item["byday"], item["opens_at"], item["closes_at"]) for item in record["schedules"]
             if "byday" in item]
    assert hours == [("MO,TU,WE,TH,FR", "09:00", "17:00"), ("SA", "10:00", "12:00")]
    assert all(item["freq"] == "WEEKLY" for item in record["schedules"] if "byday" in item)
    organisation = record["organization"]
    assert organisation["phones"][0]["number"] == "020 7946 0300"
    assert [item["value"] for item in organisation["attributes"]] == ["test-org"]
    plain = get_json(client, f"/api/oruk/services/{stable_uuid('service', 'service-001')}")
    ours = {item["taxonomy_term"]["taxonomy"] for item in plain["attributes"] if "taxonomy_term" in item}
    assert ours & {"evidence-ratings", "directory-fields"} == {"directory-fields"}
    assert "accreditations" not in plain


def test_filters_by_our_other_terms(client):
    def term(taxonomy: str, value: str) -> str:
        return stable_uuid("taxonomy_term", f"{taxonomy}/{value}")

    assert all_ids(client, f"taxonomy_term_id={term('evidence-ratings', '3+')}") == uuids(
        range(0, SERVICES, 8))
    assert all_ids(client, f"taxonomy_term_id={term('evidence-ratings', '4')}") == set()
    assert all_ids(client, f"taxonomy_id={stable_uuid('taxonomy', 'evidence-ratings')}") == uuids(
        range(0, SERVICES, 8))
    assert all_ids(client, f"taxonomy_term_id={term('directory-fields', 'interpreters')}") == uuids(
        range(0, SERVICES, 6))
    assert all_ids(client, f"taxonomy_term_id={term('directory-fields', 'keyword')}") == uuids(
        range(0, SERVICES, 10))
    assert all_ids(client, f"taxonomy_term_id={term('directory-fields', 'evidence-url')}") == uuids(
        range(0, SERVICES, 8))
    assert all_ids(client, f"taxonomy_term_id={term('directory-fields', 'review-months')}") == uuids(
        range(0, SERVICES, 9))
    assert len(all_ids(client, f"taxonomy_term_id={term('directory-fields', 'entry-id')}")) == SERVICES


def test_postcode_filter_uses_hub_coverage(client):
    def at(postcode: str) -> set[str]:
        envelope = get_json(client, f"/api/oruk/service_at_locations?per_page=100&postcode={postcode}")
        validate(envelope, "service_at_location_list.json")
        return {item["service_id"] for item in envelope["contents"]}

    venues = uuids(n for n in range(SERVICES) if n % 3 == 0)  # every venue is in the east hub
    in_west = uuids(n for n in range(SERVICES) if n % 4 == 0 or n % 2 == 0)  # borough-wide or west
    assert at("n17%206aa") == venues & in_west == at("N176AA")
    assert venues & in_west != venues
    assert at("N22") == venues
    assert at("E1%201AA") == set()  # outside the borough
    assert get_json(client, "/api/oruk/service_at_locations?postcode=not-a-postcode", status=400)["error"]


def test_ndjson_streams_every_service(client):
    response = client.get("/api/oruk/services?format=ndjson")
    assert response.status_code == 200 and response.mimetype == "application/x-ndjson"
    lines = response.get_data(as_text=True).splitlines()
    assert len(lines) == SERVICES
    validate(json.loads(lines[0]), "service.json")


@pytest.mark.parametrize("query", ["page=0", "page=x", "per_page=-1", "minimal=maybe", "format=xml",
                                   "modified_after=yesterday"])
def test_bad_parameters_are_explained(client, query):
    assert "must be" in get_json(client, f"/api/oruk/services?{query}", status=400)["error"]


def test_page_size_is_capped(client):
    assert get_json(client, "/api/oruk/services?per_page=100000")["size"] == 100


def test_responses_can_be_cached_until_the_next_publish(client):
    response = client.get("/api/oruk/services?per_page=1")
    assert response.headers["ETag"] and response.headers["Last-Modified"]
    again = client.get("/api/oruk/services?per_page=1", headers={"If-None-Match": response.headers["ETag"]})
    assert again.status_code == 304
    assert again.headers["Access-Control-Allow-Origin"] == "*"



def test_export_oruk_writes_the_feed_as_static_files_that_validate(site, tmp_path, client):
    folder = tmp_path / "feed"
    result = subprocess.run([sys.executable, "-m", "app", "export", "oruk", str(folder), "--index",
                             str(site / "index"), "--base-url", "https://data.example.gov.uk/oruk/"],
                            capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr
    assert f"{SERVICES} services" in result.stdout
    details = json.loads((folder / "index.json").read_text())
    validate(details, "api_details.json")
    assert details["openapi_url"] == "https://data.example.gov.uk/oruk/openapi.json"
    everything = json.loads((folder / "services.json").read_text())
    validate(everything, "service_list.json")
    assert everything["total_items"] == SERVICES == len(list((folder / "services").glob("*.json")))
    for name, schema in (("organizations", "organization_list.json"), ("taxonomies", "taxonomy_list.json"),
                         ("taxonomy_terms", "taxonomy_term_list.json"),
                         ("service_at_locations", "service_at_location_list.json")):
        validate(json.loads((folder / f"{name}.json").read_text()), schema)
    one = stable_uuid("service", "service-066")
    assert json.loads((folder / "services" / f"{one}.json").read_text()) == get_json(
        client, f"/api/oruk/services/{one}")
    assert len((folder / "services.ndjson").read_text().splitlines()) == SERVICES


def test_export_oruk_before_any_publish_says_what_to_do(tmp_path):
    result = subprocess.run([sys.executable, "-m", "app", "export", "oruk", str(tmp_path / "feed"), "--index",
                             str(tmp_path / "empty")], capture_output=True, text=True, check=False)
    assert result.returncode == 1 and "run 'earlyhelp publish' first" in result.stderr
