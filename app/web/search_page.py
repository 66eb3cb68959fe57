"""What the results page shows around the hits: filter groups, removable chips, paging links.

Links are built from the search request, so every link keeps the query and
the other filters, and the page works as a plain form without JavaScript.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urlencode

from flask import g, get_template_attribute, url_for
from flask_babel import get_locale, ngettext
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from markupsafe import Markup, escape

from ..content.model import ACCESS_ROUTES, DELIVERY_MODES
from ..release.directory import Directory
from ..search.engine import SearchResult
from ..search.request import DEFAULT_PER_PAGE, SearchRequest
from . import labels, page_cache
from .practitioner.shortlist import carried_ids, just_added, quoted_return_path, return_path_written_as
from .templating import formatted_number

GROUP_LEGENDS = {
    "need": _l("What do you need help with?"),
    "age": _l("Age of the child or young person"),
    "hub": _l("Area (Early Help Hub)"),
    "level": _l("Level of need"),
    "free": _l("Cost"),
    "delivery": _l("How it is delivered"),
    "language": _l("Language"),
    "access": _l("How to get it"),
}


@dataclass
class Option:
    value: str
    label: str
    count: int
    checked: bool


@dataclass
class FilterGroup:
    name: str
    legend: str
    options: list[Option]
    options_html: Markup  # the options as the page shows them (components.filter_option)

    @property
    def active(self) -> bool:
        return any(option.checked for option in self.options)


@dataclass
class Chip:
    label: str
    remove_url: str


def value_label(group: str, value: str, directory: Directory) -> str:
    """How a filter value is named on the page."""
    if group == "need":
        return directory.needs.get(value, {}).get("label", value)
    if group == "age":
        return directory.age_bands.get(value, {}).get("label", value)
    if group == "hub":
        return directory.hubs.get(value, {}).get("name", value)
    if group == "level":
        level = directory.levels.get(int(value)) if value.isdigit() else None
        return _("Level %(n)s: %(label)s", n=value, label=level["label"]) if level else value
    if group == "free":
        return _("Free services only")
    if group == "delivery":
        return labels.delivery_label(value)
    if group == "access":
        return labels.access_label(value)
    if group == "language":
        return labels.language_name(value)
    return value


def _group_values(group: str, directory: Directory) -> list[str]:
    """A group's values in the order the page lists them; the languages come from the facets."""
    if group == "need":
        return list(directory.needs)
    if group == "age":
        return list(directory.age_bands)
    if group == "hub":
        return list(directory.hubs)
    if group == "level":
        return [str(level) for level in directory.levels]
    if group == "free":
        return ["1"]
    if group == "delivery":
        return list(DELIVERY_MODES)
    if group == "access":
        return list(ACCESS_ROUTES)
    return []


# What components.filter_option is rendered with, once, where a page puts the option's number, its
# count and the word after the count; then made a format string with these fields.
_OPTION_SLOTS = {"\x00": "{0}", "\x01": "{1}", "\x02": "{2}"}
# Counts whose text is kept per language (a count is at most the number of services).
MAX_KEPT_COUNTS = 20000


class FacetLabels:
    """The filter groups' legends, their values' names and options' HTML in one language: each is a
    gettext or a CLDR lookup, and an option's HTML a macro call, so they are worked out once per
    release and language (the view keeps this object) rather than for every option of every results
    page. Build it while handling a request in that language."""

    def __init__(self, directory: Directory):
        self.directory = directory
        self.legends = {group: str(legend) for group, legend in GROUP_LEGENDS.items()}
        self._labels = {group: {value: value_label(group, value, directory)
                                for value in _group_values(group, directory)} for group in GROUP_LEGENDS}
        self.locale = str(get_locale() or "en")
        self._option_formats: dict[tuple[str, str, bool], str | None] = {}
        self._counts: dict[int, tuple[str, Markup]] = {}

    def label(self, group: str, value: str) -> str:
        """The name of one of the release's values (the languages are named as the facets bring them)."""
        labels = self._labels[group]
        found = labels.get(value)
        if found is None:
            found = labels[value] = value_label(group, value, self.directory)
        return found

    def values(self, group: str, facets: dict[str, int]) -> list[str]:
        if group == "language":
            return sorted(facets, key=lambda code: self.label(group, code).lower())
        return list(self._labels[group])

    def option_html(self, group: str, option: Option, number: int) -> str:
        """The HTML of ``option``, the ``number``-th of ``group`` on the page, as
        ``components.filter_option`` renders it."""
        key = (group, option.value, option.checked)
        try:
            form = self._option_formats[key]
        except KeyError:
            form = self._option_formats[key] = self._option_format(group, option)
        count_text, count_words = self._count_text(option.count)
        if form is None:  # a value or name holding one of the markers: rendered as it is
            return str(get_template_attribute("macros/components.html", "filter_option")(
                group, number, option, count_text, count_words))
        return form.format(number, count_text, count_words)

    def _option_format(self, group: str, option: Option) -> str | None:
        macro = get_template_attribute("macros/components.html", "filter_option")
        html = str(macro(group, "\x00", option, "\x01", "\x02"))
        if [html.count(marker) for marker in _OPTION_SLOTS] != [2, 1, 1]:
            return None
        html = html.replace("{", "{{").replace("}", "}}")
        for marker, field in _OPTION_SLOTS.items():
            html = html.replace(marker, field)
        return html

    def _count_text(self, count: int) -> tuple[str, Markup]:
        """A count as the page writes it, and the word after it ("services")."""
        found = self._counts.get(count)
        if found is None:
            # Markup, as the templates' ngettext gives it (a translation is not escaped again).
            found = (formatted_number(count, self.locale), Markup(ngettext("service", "services", count)))
            if len(self._counts) < MAX_KEPT_COUNTS:
                self._counts[count] = found
        return found


def filter_groups(result: SearchResult, directory: Directory,
                  labels: FacetLabels | None = None) -> list[FilterGroup]:
    """Every filter group with its values and counts; values nothing matches are left out unless chosen."""
    labels = labels or FacetLabels(directory)
    groups = []
    for group in GROUP_LEGENDS:
        facets = result.facets.get(group, {})
        chosen = result.request.filters.get(group, ())
        options = [Option(value, labels.label(group, value), count, value in chosen)
                   for value in labels.values(group, facets)
                   if (count := facets.get(value, 0)) or value in chosen]
        if options:
            html = Markup("".join([labels.option_html(group, option, number)
                                   for number, option in enumerate(options, 1)]))
            groups.append(FilterGroup(group, labels.legends[group], options, html))
    return groups


def search_params(request: SearchRequest, **changes) -> dict:
    """URL parameters that repeat ``request``, with ``changes`` applied (None removes a parameter)."""
    params: dict = {}
    if request.text:
        params["q"] = request.text
    for group, values in request.filters.items():
        params[group] = list(values)
    if request.sort != ("name" if request.is_browse else "relevance"):
        params["sort"] = request.sort
    if request.per_page != DEFAULT_PER_PAGE:
        params["per_page"] = request.per_page
    for name, value in changes.items():
        if value is None or value == []:
            params.pop(name, None)
        else:
            params[name] = value
    return params


# What url_for leaves unquoted in a query (werkzeug's url building; tests/test_search_page.py checks
# that search_url writes what url_for does).
_QUERY_SAFE = "!$'()*,/:;?@"


def search_url(request: SearchRequest, **changes) -> str:
    """The results page of ``request`` with ``changes`` (as :func:`search_params`), as ``url_for``
    writes it: a page has a dozen of these links (paging, chips), so the page's address is built once
    a request and each link's query here."""
    base = g.get("search_base_url")
    if base is None:
        base = g.search_base_url = url_for("public.search")
    params = search_params(request, **changes)
    # A practitioner's shortlist (practitioner tools) travels along while they search.
    carried = ",".join(carried_ids())
    if carried:
        params["s"] = carried
    if not params:
        return base
    pairs = [(name, value) for name, values in params.items()
             for value in (values if isinstance(values, list | tuple) else (values,))]
    return f"{base}?{urlencode(pairs, safe=_QUERY_SAFE)}"


CHIP_LENGTH = 40


def shortened(text: str, limit: int = CHIP_LENGTH) -> str:
    """``text`` cut to ``limit`` characters with an ellipsis, so one long word cannot widen a chip."""
    return text if len(text) <= limit else text[:limit - 1].rstrip() + "…"


def chips(request: SearchRequest, directory: Directory) -> list[Chip]:
    """One removable chip for the query and for each chosen filter value."""
    found = []
    if request.text:
        found.append(Chip(_("Search: %(text)s", text=shortened(request.text)), search_url(request, q=None)))
    for group, values in request.filters.items():
        for value in values:
            remaining = [other for other in values if other != value]
            found.append(Chip(value_label(group, value, directory),
                              search_url(request, **{group: remaining})))
    return found


@dataclass
class PageLink:
    number: int
    url: str
    current: bool


def page_links(result: SearchResult, window: int = 2) -> list[PageLink | None]:
    """Links to nearby pages, the first and the last; None marks a gap."""
    request, last = result.request, result.pages
    numbers = sorted({1, last, *range(max(1, request.page - window), min(last, request.page + window) + 1)})
    links: list[PageLink | None] = []
    for number in numbers:
        if links and links[-1] is not None and number - links[-1].number > 1:
            links.append(None)
        links.append(PageLink(number, search_url(request, page=number if number > 1 else None),
                              number == request.page))
    return links


# Where a kept result card has the address of the page it is on (its "Add to list" link comes back to
# it): letters and digits, which a link quotes and HTML escapes as they are; chosen afresh by each
# process, so no text of an entry can hold it.
_PAGE_ADDRESS = "page" + secrets.token_hex(16)


def result_cards(release_id: str | None, ids: list[str], load: Callable[[list[str]], list[dict]],
                 directory: Directory) -> Markup:
    """The result cards of ``ids`` (in that order) as ``components.service_card`` renders them.

    Each card is rendered once per release, language prefix, language, day and list a practitioner
    carries, and kept (page_cache.keep_fragment), with a marker where the address of the page it is
    on goes; a page puts its own address there. So a new search renders, and ``load`` reads from the
    release, only the cards no search has shown. With no ``release_id`` every card is rendered.
    """
    if release_id is None:
        macro = get_template_attribute("macros/components.html", "service_card")
        return Markup("".join([str(macro(card, directory)) for card in load(ids)]))
    carried, added = ",".join(carried_ids()), just_added()
    keys = [("result card", service_id, carried, service_id == added) for service_id in ids]
    found = page_cache.kept_fragments(release_id, keys)
    missing = [key[1] for key in keys if key not in found]
    if missing:
        macro = get_template_attribute("macros/components.html", "service_card")
        with return_path_written_as(_PAGE_ADDRESS):
            for card in load(missing):
                key = ("result card", card["id"], carried, card["id"] == added)
                found[key] = html = str(macro(card, directory))
                page_cache.keep_fragment(release_id, key, html)
    address = str(escape(quoted_return_path()))
    return Markup("".join([found[key].replace(_PAGE_ADDRESS, address) for key in keys if key in found]))
