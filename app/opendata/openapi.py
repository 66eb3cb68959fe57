"""Our own OpenAPI 3.1 description of the feed, pointing at the ORUK 3.0 schemas for its bodies."""

from __future__ import annotations

from .oruk import VERSION

SCHEMA_BASE = "https://openreferraluk.org/specifications/3.0/schema/"

_PARAMETERS = {
    "search": ("string", "Words to search for, as the directory's own search understands them."),
    "page": ("integer", "Page number, from 1."),
    "per_page": ("integer", "Results per page (default 50, at most 100; 5000 with minimal=true)."),
    "format": ("string", "json (default) or ndjson: every result, one per line, without paging."),
    "taxonomy_term_id": ("string", "Only records linked to this taxonomy term."),
    "taxonomy_id": ("string", "Only records linked to a term of this taxonomy."),
    "organization_id": ("string", "Only services of this organization."),
    "modified_after": ("string", "Only services last checked on or after this date."),
    "minimal": ("boolean", "Only id, name, status and last_modified of each service."),
    "full": ("boolean", "Fully nested records (always true here)."),
    "full_service": ("boolean", "Nest each service of the organization in full."),
    "postcode": ("string", "Only services available at this UK postcode (by the hub covering it)."),
    "parent_id": ("string", "Only terms with this parent (our taxonomies are flat: none)."),
}

# path -> (summary, tag, parameters, response schema file)
_PATHS = {
    "/": ("API details", "required", [], "api_details.json"),
    "/services": ("Services, paginated", "required",
                  ["search", "page", "per_page", "format", "taxonomy_term_id", "taxonomy_id",
                   "organization_id", "modified_after", "minimal", "full"], "service_list.json"),
    "/services/{id}": ("A fully nested service", "required", [], "service.json"),
    "/service_at_locations": ("Services at locations, paginated", "optional",
                              ["search", "page", "per_page", "format", "taxonomy_term_id", "taxonomy_id",
                               "organization_id", "modified_after", "postcode"],
                              "service_at_location_list.json"),
    "/service_at_locations/{id}": ("A service at a location", "optional", [], "service_at_location.json"),
    "/organizations": ("Organizations, paginated", "optional", ["page", "per_page"],
                       "organization_list.json"),
    "/organizations/{id}": ("An organization with its services", "optional", ["full_service"],
                            "organization.json"),
    "/taxonomies": ("Taxonomies, paginated", "optional", ["page", "per_page"], "taxonomy_list.json"),
    "/taxonomies/{id}": ("A taxonomy with its terms", "optional", [], "taxonomy.json"),
    "/taxonomy_terms": ("Taxonomy terms, paginated", "optional",
                        ["page", "per_page", "taxonomy_id", "parent_id"], "taxonomy_term_list.json"),
    "/taxonomy_terms/{id}": ("A taxonomy term", "optional", [], "taxonomy_term.json"),
}


def openapi_document(server_url: str) -> dict:
    """The OpenAPI document served at ``/api/oruk/openapi.json``."""
    paths = {}
    for path, (summary, tag, names, schema) in _PATHS.items():
        parameters = [{"name": name, "in": "query", "required": False,
                       "description": _PARAMETERS[name][1], "schema": {"type": _PARAMETERS[name][0]}}
                      for name in names]
        if "{id}" in path:
            parameters.insert(0, {"name": "id", "in": "path", "required": True, "schema": {"type": "string"}})
        paths[path] = {"get": {
            "summary": summary, "tags": [tag], "parameters": parameters,
            "responses": {
                "200": {"description": summary,
                        "content": {"application/json": {"schema": {"$ref": SCHEMA_BASE + schema}}}},
                "400": {"description": "A parameter that cannot be used; the body says why."},
                "404": {"description": "No such record."},
            }}}
    return {
        "openapi": "3.1.0",
        "info": {"title": "Early Help Directory: Open Referral UK feed", "version": VERSION,
                 "description": "The published directory in the Open Referral UK 3.0 profile. Open data: "
                                "no key, GET only, CORS open to every origin."},
        "servers": [{"url": server_url}],
        "paths": paths,
    }
