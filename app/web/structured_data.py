"""schema.org JSON-LD for a service page, so search engines and assistants read it correctly."""

from __future__ import annotations

from ..opening_hours import Period
from ..release.directory import Directory, has_no_upper_age


def _drop_empty(value):
    if isinstance(value, dict):
        cleaned = {key: _drop_empty(item) for key, item in value.items()}
        return {key: item for key, item in cleaned.items() if item not in (None, "", [], {})}
    if isinstance(value, list):
        return [item for item in (_drop_empty(item) for item in value) if item not in (None, "", [], {})]
    return value


SCHEMA_DAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


def _opening_hours(period: Period) -> dict:
    def clock(minutes: int) -> str:
        return "23:59" if minutes >= 1440 else f"{minutes // 60:02d}:{minutes % 60:02d}"
    return {"@type": "OpeningHoursSpecification", "dayOfWeek": f"https://schema.org/{SCHEMA_DAYS[period.day]}",
            "opens": clock(period.opens), "closes": clock(period.closes)}


def service_json_ld(service: dict, directory: Directory, url: str) -> dict:
    """A schema.org ``Service`` describing a service page (empty fields left out)."""
    organisation = service.get("organisation") or {}
    hub_names = [directory.hubs[hub]["name"] for hub in service["hubs"] if hub in directory.hubs]
    channels = [{"@type": "ServiceChannel", "servicePhone": {"@type": "ContactPoint",
                                                             "telephone": service["phone"]}}
                if service["phone"] else None,
                {"@type": "ServiceChannel", "serviceUrl": service["website"]} if service["website"] else None]
    channels += [{"@type": "ServiceChannel", "serviceLocation": {
        "@type": "Place", "name": venue["name"],
        "address": {"@type": "PostalAddress", "streetAddress": venue["address"],
                    "postalCode": venue["postcode"], "addressCountry": "GB"},
        "openingHoursSpecification": [_opening_hours(period) for period in venue.get("periods", [])]}}
        for venue in service["venues"]]
    return _drop_empty({
        "@context": "https://schema.org",
        "@type": "Service",
        "@id": url,
        "url": url,
        "inLanguage": service.get("lang", "en"),
        "name": service["title"],
        "description": service["summary"],
        "provider": {"@type": "Organization", "name": organisation["name"] if organisation else "",
                     "url": organisation["website"] if organisation else ""},
        "serviceType": [directory.needs[need]["label"] for need in service["needs"]
                        if need in directory.needs],
        "areaServed": ([{"@type": "AdministrativeArea", "name": directory.site.get("council", "")}]
                       if service["borough_wide"] else
                       [{"@type": "Place", "name": name} for name in hub_names]),
        "audience": {"@type": "PeopleAudience", "suggestedMinAge": service["age_min"],
                     "suggestedMaxAge": None if has_no_upper_age(service) else service["age_max"]},
        "isAccessibleForFree": bool(service["free"]),
        "availableLanguage": service["languages"],
        "availableChannel": [channel for channel in channels if channel],
        "dateModified": service["last_reviewed"],
    })
