"""What search engines read: robots.txt and sitemap.xml."""

from __future__ import annotations

from flask import Blueprint, Response, render_template, url_for

from . import live_release
from .i18n import offered_languages

blueprint = Blueprint("crawlers", __name__)

# Search result pages are endless filter combinations of the same services, in every language;
# crawlers find every service through the sitemap instead, and each language version through the
# hreflang links on its page (listing every version here too would pass the sitemap limit of 50,000
# URLs at 5,000 services in 10 languages).
ROBOTS = """User-agent: *
Disallow: /search
{language_searches}Disallow: /api/
Disallow: /editor/
Sitemap: {sitemap}
"""


@blueprint.get("/robots.txt")
def robots():
    language_searches = "".join(f"Disallow: /{code}/search\n" for code in offered_languages()[1:])
    text = ROBOTS.format(sitemap=url_for("crawlers.sitemap", _external=True),
                         language_searches=language_searches)
    return Response(text, mimetype="text/plain", headers={"Cache-Control": "public, max-age=3600"})


@blueprint.get("/sitemap.xml")
def sitemap():
    opened = live_release()
    urls = [(url_for("public.home", _external=True), None), (url_for("public.hubs", _external=True), None)]
    urls += [(url_for("public.hub", hub_id=hub_id, _external=True), None) for hub_id in opened.directory.hubs]
    urls += [(url_for("public.page", slug=slug, _external=True), None) for slug in opened.directory.pages]
    urls += [(url_for("public.service", service_id=service_id, _external=True), reviewed)
             for service_id, reviewed in opened.service_index()]
    body = render_template("sitemap.xml", urls=urls)
    return Response(body, mimetype="application/xml", headers={"Cache-Control": "public, max-age=3600"})
