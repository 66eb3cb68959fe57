"""Factories that write small content folders for tests."""

from __future__ import annotations

from pathlib import Path

from app.content.yamlfile import dump_yaml

SITE = {
    "name": "Testshire Early Help Directory",
    "council": "Testshire Council",
    "default_language": "en",
    "languages": ["en"],
    "front_door": {"name": "Children's Front Door", "phone": "020 7946 0100",
                   "email": "frontdoor@example.org", "website": "https://example.org/worried"},
    "emergency": "If a child is in immediate danger, call 999.",
    "quick_exit_url": "https://www.bbc.co.uk/weather",
    "review_months": 12,
}

NEEDS = [
    {"id": "parenting", "label": "Parenting", "description": "Support for parents.",
     "synonyms": ["parenting course", "tantrums", "cant cope"]},
    {"id": "money-debt", "label": "Money, debt and benefits", "description": "Help with money.",
     "synonyms": ["money worries", "debt", "bailiffs", "universal credit"]},
    {"id": "school-attendance", "label": "School attendance", "description": "Getting back to school.",
     "synonyms": ["truancy", "wont go to school", "school refusal"]},
    {"id": "speech-language", "label": "Speech and language", "description": "Talking and understanding.",
     "synonyms": ["toddler not talking", "speech therapy", "salt"]},
    {"id": "domestic-abuse", "label": "Domestic abuse", "description": "Safety from abuse at home.",
     "synonyms": ["he hits me", "controlling partner"]},
]

AGE_BANDS = [
    {"id": "pregnancy", "label": "Pregnancy", "pregnancy": True},
    {"id": "0-2", "label": "0 to 2 years", "min": 0, "max": 2},
    {"id": "3-5", "label": "3 to 5 years", "min": 3, "max": 5},
    {"id": "6-11", "label": "6 to 11 years", "min": 6, "max": 11},
    {"id": "12-15", "label": "12 to 15 years", "min": 12, "max": 15},
    {"id": "16-18", "label": "16 to 18 years", "min": 16, "max": 18},
    {"id": "19-25", "label": "19 to 25 years", "min": 19, "max": 25},
]

LEVELS = [
    {"id": 1, "label": "No additional needs"},
    {"id": 2, "label": "Early help"},
    {"id": 3, "label": "Complex needs"},
    {"id": 4, "label": "Acute"},
]


def service(service_id: str, **overrides) -> dict:
    """Front matter of a valid published service; override any field."""
    fields = {
        "id": service_id,
        "title": service_id.replace("-", " ").capitalize(),
        "summary": f"About {service_id}.",
        "organisation": "test-org",
        "needs": ["parenting"],
        "ages": {"min": 0, "max": 5},
        "levels": [2],
        "hubs": ["west"],
        "access": ["self-referral"],
        "free": True,
        "delivery": ["in-person"],
        "contact": {"phone": "020 7946 0210"},
        "status": "published",
        "last_reviewed": "2026-09-01",
    }
    fields.update(overrides)
    return fields


def _front_matter_file(path: Path, fields: dict, body: str = "") -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    text = dump_yaml(fields, sort_keys=False, allow_unicode=True)
    path.write_text(f"---\n{text}---\n{body}\n", encoding="utf-8")


def write_content(root: Path, services: list[dict] | None = None, *, bodies: dict[str, str] | None = None,
                  needs: list[dict] | None = None, site: dict | None = None) -> Path:
    """Write a small valid content folder to ``root`` and return it."""
    root.mkdir(parents=True, exist_ok=True)
    (root / "site.yml").write_text(dump_yaml(site or SITE, sort_keys=False), encoding="utf-8")
    taxonomy = root / "taxonomy"
    taxonomy.mkdir(exist_ok=True)
    (taxonomy / "needs.yml").write_text(dump_yaml(needs or NEEDS, sort_keys=False), encoding="utf-8")
    (taxonomy / "age-bands.yml").write_text(dump_yaml(AGE_BANDS, sort_keys=False), encoding="utf-8")
    (taxonomy / "levels.yml").write_text(dump_yaml(LEVELS, sort_keys=False), encoding="utf-8")
    for hub_id, covers in (("west", ["N17", "N15 3"]), ("east", ["N22"])):
        _front_matter_file(root / "hubs" / f"{hub_id}.md",
                           {"id": hub_id, "name": f"{hub_id.title()} Hub", "address": "1 High Road",
                            "postcode": "N17 6AA", "phone": "020 7946 0200", "covers": covers,
                            "wards": ["Central"]}, "About the hub.")
    _front_matter_file(root / "organisations" / "test-org.md",
                       {"id": "test-org", "name": "Test Organisation", "website": "https://example.org"},
                       "A test organisation.")
    _front_matter_file(root / "pages" / "about.md", {"title": "About"}, "About this directory.")
    bodies = bodies or {}
    (root / "services").mkdir(exist_ok=True)
    for fields in services if services is not None else [service("parenting-group")]:
        write_service(root, fields, bodies.get(fields["id"], "What happens."))
    return root


def write_service(root: Path, fields: dict, body: str = "What happens.") -> Path:
    path = root / "services" / f"{fields['id']}.md"
    _front_matter_file(path, fields, body)
    return path


def site(languages: list[str] | None = None, **overrides) -> dict:
    """site.yml offering ``languages`` (English first)."""
    return {**SITE, "languages": languages or ["en"], **overrides}


def write_translation(root: Path, folder: str, entry_id: str, language: str, fields: dict,
                      body: str = "") -> Path:
    """Write ``<folder>/<id>.<lang>.md`` (a service, hub or page translation) and return its path."""
    path = root / folder / f"{entry_id}.{language}.md"
    _front_matter_file(path, fields, body)
    return path


def write_yaml(path: Path, data) -> Path:
    """Write any YAML file (taxonomy or site translations) and return its path."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(dump_yaml(data, sort_keys=False, allow_unicode=True), encoding="utf-8")
    return path
