"""ORUK 3.0 service objects shaped as docs/open-referral.md describes our feed, for import tests.

Written independently of the real exporter so the importer is tested against
the documented mapping, not against whatever the exporter happens to do.
"""

from __future__ import annotations

import os
from pathlib import Path

from app.config import PROJECT_ROOT
from app.content.loader import ContentSet
from app.content.model import NO_UPPER_AGE, Service, stable_uuid


def oruk_specification() -> Path:
    """The Open Referral UK 3.0 specification files (``schema/``, ``examples/``) the tests read.

    ``$EARLYHELP_ORUK_SPEC``, else ``shared/oruk-3.0`` beside the checkout (as CI lays it out)
    or beside a folder above it (a git worktree in a subfolder).
    """
    if os.environ.get("EARLYHELP_ORUK_SPEC"):
        return Path(os.environ["EARLYHELP_ORUK_SPEC"])
    for folder in PROJECT_ROOT.parents:
        if (folder / "shared" / "oruk-3.0").is_dir():
            return folder / "shared" / "oruk-3.0"
    return PROJECT_ROOT.parent / "shared" / "oruk-3.0"


STATUS = {"published": "active", "draft": "inactive", "archived": "defunct"}


def _term(taxonomy: str, term_id, name: str) -> dict:
    return {"id": stable_uuid("taxonomy_term", f"{taxonomy}/{term_id}"), "name": name, "description": name,
            "taxonomy_id": stable_uuid("taxonomy", taxonomy), "taxonomy": taxonomy, "term": str(term_id)}


def _attribute(service_id: str, taxonomy: str, term_id, name: str) -> dict:
    term = _term(taxonomy, term_id, name)
    return {"id": stable_uuid("attribute", f"{service_id}/{taxonomy}/{term_id}"),
            "link_id": stable_uuid("service", service_id), "link_type": "service",
            "taxonomy_term_id": term["id"], "taxonomy_term": term}


def organisation_json(content: ContentSet, organisation_id: str) -> dict:
    organisation = content.organisations[organisation_id]
    data = {"id": stable_uuid("organisation", organisation.id), "name": organisation.name,
            "description": organisation.body or organisation.name}
    if organisation.website:
        data["website"] = organisation.website
    if organisation.email:
        data["email"] = organisation.email
    return data


def service_json(content: ContentSet, service: Service) -> dict:
    """One service as our feed publishes it (docs/open-referral.md)."""
    sid = service.id
    uuid = stable_uuid("service", sid)
    data: dict = {"id": uuid, "organization_id": stable_uuid("organisation", service.organisation),
                  "organization": organisation_json(content, service.organisation),
                  "name": service.title, "description": f"{service.summary}\n\n{service.body}".strip(),
                  "status": STATUS[service.status]}
    if service.contact.website:
        data["url"] = service.contact.website
    if service.contact.email:
        data["email"] = service.contact.email
    if service.cost:
        data["fees"] = service.cost
    data["cost_options"] = [{"id": stable_uuid("cost_option", sid), "service_id": uuid,
                             **({"option": "Free", "amount": 0} if service.free else
                                {"option": service.cost or "There is a charge"})}]
    data["minimum_age"] = service.age_min
    if service.age_max != NO_UPPER_AGE:
        data["maximum_age"] = service.age_max
    if service.last_reviewed:
        data["assured_date"] = service.last_reviewed.isoformat()
        data["last_modified"] = f"{service.last_reviewed.isoformat()}T00:00:00Z"
    if service.languages:
        data["languages"] = [{"id": stable_uuid("language", f"{sid}/{code}"), "name": code, "code": code}
                             for code in service.languages]
    if service.contact.phone:
        contact_id = stable_uuid("contact", sid)
        data["contacts"] = [{"id": contact_id, "service_id": uuid,
                             "name": content.organisations[service.organisation].name,
                             "phones": [{"id": stable_uuid("phone", sid), "contact_id": contact_id,
                                         "number": service.contact.phone}]}]
    served = list(content.hubs) if service.borough_wide else service.served_hubs()
    data["service_areas"] = (
        [{"id": stable_uuid("service_area", f"{sid}/0"), "service_id": uuid, "name": content.site.council,
          "service_area": "Borough-wide"}] if service.borough_wide else
        [{"id": stable_uuid("service_area", f"{sid}/{index}"), "service_id": uuid,
          "name": content.hubs[hub].name} for index, hub in enumerate(served)])
    locations, schedules = [], []
    for index, venue in enumerate(service.venues):
        slug = f"{sid}/{index}"
        at_id, location_id = stable_uuid("service_at_location", slug), stable_uuid("location", slug)
        parts = [part.strip() for part in venue.address.split(",")]
        location = {"id": location_id, "location_type": "physical", "name": venue.name,
                    "addresses": [{"id": stable_uuid("address", slug), "location_id": location_id,
                                   "address_1": venue.address,
                                   "city": parts[-1] if len(parts) > 1 else content.site.council,
                                   "state_province": content.site.council, "postal_code": venue.postcode,
                                   "country": "GB", "address_type": "physical"}]}
        if venue.accessibility:
            location["accessibility"] = [{"id": stable_uuid("accessibility", slug),
                                          "location_id": location_id, "description": venue.accessibility}]
        if venue.hub:
            location["attributes"] = [_attribute(sid, "hubs", venue.hub, content.hubs[venue.hub].name)]
        locations.append({"id": at_id, "service_id": uuid, "location_id": location_id, "location": location})
        if venue.schedule:
            schedules.append({"id": stable_uuid("schedule", slug), "service_id": uuid,
                              "service_at_location_id": at_id, "description": venue.schedule})
    if locations:
        data["service_at_locations"] = locations
    if schedules:
        data["schedules"] = schedules
    attributes = [_attribute(sid, "needs", need, content.needs[need].label) for need in service.needs]
    attributes += [_attribute(sid, "age-bands", band.id, band.label) for band in content.age_bands.values()
                   if band.overlaps(service.age_min, service.age_max, service.pregnancy)]
    attributes += [_attribute(sid, "levels", level, content.levels[level].label) for level in service.levels]
    attributes += [_attribute(sid, "hubs", hub, content.hubs[hub].name) for hub in served]
    attributes += [_attribute(sid, "access-routes", route, route) for route in service.access]
    attributes += [_attribute(sid, "delivery", mode, mode) for mode in service.delivery]
    data["attributes"] = attributes
    if service.how_to_access:
        data["application_process"] = service.how_to_access
    if service.contact.referral_form:
        data["referral_url"] = service.contact.referral_form
    return data


def feed_of(content: ContentSet) -> list[dict]:
    return [service_json(content, service) for service in content.services.values()]


def envelope(contents: list[dict], page: int, total_pages: int, total_items: int) -> dict:
    return {"total_items": total_items, "total_pages": total_pages, "page_number": page,
            "size": len(contents), "first_page": page == 1, "last_page": page == total_pages,
            "empty": not contents, "contents": contents}
