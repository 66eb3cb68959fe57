"""Hostile text in entries and in queries is shown escaped and never runs.

Guards the promise in docs/content-format.md ("How files are written": untrusted text is
escaped; Markdown is rendered and then cleaned to an allow-list): entries whose fields carry
attribute breakouts, tags and ``javascript:`` links, and search queries and
filter values doing the same, must come out of every public page as visible
text, with no new element, no event-handler attribute, no script of anyone
but ours and no ``javascript:`` link. What the content checker refuses
instead (unsafe links, tags in plain-text fields) it must refuse with a
``path:line: field: message`` an editor can act on.
"""

from __future__ import annotations

import html
import json
import re
from pathlib import Path
from urllib.parse import quote

import pytest
from bs4 import BeautifulSoup

from app import create_app
from app.config import TestingConfig
from app.content import ContentError, load_content
from app.content.markdown import render_markdown
from app.publishing.publish import publish
from app.publishing.releases import ReleaseStore
from app.web import public as public_views

from .factories import NEEDS, SITE, _front_matter_file, service, write_content, write_service
from .pages import get_page

# -- hostile values ------------------------------------------------------------------------------

SCRIPT = "<script>alert(1)</script>"
IMG = "<img src=x onerror=alert(1)>"
DOUBLE_QUOTE_BREAKOUT = '" onmouseover="alert(1)'
SINGLE_QUOTE_BREAKOUT = "' onfocus='alert(1)' autofocus x='"
# The checker refuses "<" followed by a letter, "/" or "!" in plain text; these get through it.
ANGLE_BREAKOUT = "'>< svg onload=alert(1)> <3"
ENTITIES = "&lt;script&gt;alert(1)&lt;/script&gt; &amp; &#106;avascript:alert(1)"

TITLE = "Hostile group " + DOUBLE_QUOTE_BREAKOUT
SUMMARY = "Summary " + SINGLE_QUOTE_BREAKOUT + " " + ANGLE_BREAKOUT
HOW_TO_ACCESS = "Ring us " + DOUBLE_QUOTE_BREAKOUT + " " + ENTITIES
COST = "Cost " + ANGLE_BREAKOUT
VENUE_NAME = "Venue " + SINGLE_QUOTE_BREAKOUT
VENUE_ADDRESS = "1 Road " + DOUBLE_QUOTE_BREAKOUT
SCHEDULE = "Mondays " + ANGLE_BREAKOUT
ACCESSIBILITY = "Ramp " + ENTITIES
EVIDENCE_SOURCE = "Guidebook " + DOUBLE_QUOTE_BREAKOUT
WIDE_TITLE = "Borough-wide " + ANGLE_BREAKOUT
ORGANISATION_NAME = "Organisation " + DOUBLE_QUOTE_BREAKOUT
HUB_NAME = "West " + DOUBLE_QUOTE_BREAKOUT
HUB_ADDRESS = "1 High Road " + SINGLE_QUOTE_BREAKOUT
HUB_HOURS = "9 to 5 " + ANGLE_BREAKOUT
WARDS = [SCRIPT, DOUBLE_QUOTE_BREAKOUT]
NEED_LABEL = "Parenting " + DOUBLE_QUOTE_BREAKOUT
NEED_DESCRIPTION = "Support " + ANGLE_BREAKOUT
SITE_NAME = "Testshire " + DOUBLE_QUOTE_BREAKOUT
COUNCIL = "Testshire Council " + ANGLE_BREAKOUT
FRONT_DOOR = "Front Door " + SINGLE_QUOTE_BREAKOUT
PAGE_TITLE = "About " + DOUBLE_QUOTE_BREAKOUT
PAGE_SUMMARY = "Who we are " + ANGLE_BREAKOUT + " " + ENTITIES

# Shown by a Markdown code span, so it must appear as text.
CODE_TEXT = '<script>alert("shown as code")</script>'

# Raw HTML the checker accepts (no link with an unsafe scheme), which the sanitiser must defuse.
HOSTILE_MARKDOWN = f"""Before the hostile part.

{SCRIPT}

{IMG}

<div onclick="alert(2)">clickable div</div>

<svg><script>alert(3)</script></svg>

<svg onload=alert(4)></svg>

<iframe src="https://evil.example/"></iframe>

<object data="https://evil.example/x.swf"></object>

<a href="https://example.org/ok" onclick="alert(5)" style="color: red">a safe link</a>

<style>body {{ display: none }}</style>

<form action="https://evil.example/"><input autofocus onfocus="alert(6)"></form>

<details open ontoggle=alert(7)><summary>x</summary></details>

<math><mtext><table><mglyph><style><img src=x onerror=alert(8)></style></mglyph></table></mtext></math>

<noscript><p title="</noscript><img src=x onerror=alert(9)>"></p></noscript>

<base href="https://evil.example/">

<meta http-equiv="refresh" content="0; url=https://evil.example/">

[titled link](https://example.org/t "a&quot; onmouseover=&quot;alert(10)")

Code: `{CODE_TEXT}`

After the hostile part.
"""

SERVICE_ID = "hostile-group"
WIDE_ID = "hostile-wide"


def hostile_services() -> list[dict]:
    return [
        service(SERVICE_ID, title=TITLE, summary=SUMMARY, how_to_access=HOW_TO_ACCESS, free=False, cost=COST,
                keywords=[SCRIPT, DOUBLE_QUOTE_BREAKOUT, "javascript:alert(1)"],
                contact={"phone": "020 7946 0210", "email": "a&b@example.org",
                         "website": "https://example.org/?a=1&b=2"},
                venues=[{"name": VENUE_NAME, "address": VENUE_ADDRESS, "postcode": "N17 6BB", "hub": "west",
                         "schedule": SCHEDULE, "accessibility": ACCESSIBILITY}],
                evidence={"rating": "3", "source": EVIDENCE_SOURCE, "url": "https://example.org/evidence"}),
        service(WIDE_ID, title=WIDE_TITLE, summary="Open to all " + DOUBLE_QUOTE_BREAKOUT, hubs="all"),
    ]


def write_hostile_content(root: Path) -> Path:
    needs = [dict(need) for need in NEEDS]
    needs[0].update(label=NEED_LABEL, description=NEED_DESCRIPTION)
    site = {**SITE, "name": SITE_NAME, "council": COUNCIL,
            "front_door": {**SITE["front_door"], "name": FRONT_DOOR}}
    write_content(root, hostile_services(), bodies={SERVICE_ID: HOSTILE_MARKDOWN}, needs=needs, site=site)
    _front_matter_file(root / "hubs" / "west.md",
                       {"id": "west", "name": HUB_NAME, "address": HUB_ADDRESS, "postcode": "N17 6AA",
                        "phone": "020 7946 0200", "covers": ["N17", "N15 3"], "wards": WARDS,
                        "opening_hours": HUB_HOURS}, HOSTILE_MARKDOWN)
    _front_matter_file(root / "organisations" / "test-org.md",
                       {"id": "test-org", "name": ORGANISATION_NAME, "website": "https://example.org"},
                       HOSTILE_MARKDOWN)
    _front_matter_file(root / "pages" / "about.md", {"title": PAGE_TITLE, "summary": PAGE_SUMMARY},
                       HOSTILE_MARKDOWN)
    return root


@pytest.fixture(scope="module")
def hostile_client(tmp_path_factory):
    root = tmp_path_factory.mktemp("hostile")
    content = write_hostile_content(root / "content")
    assert not load_content(content).errors, "the hostile content should pass the checker"
    publish(content, root / "search_index", processes=1)
    application = create_app(TestingConfig(content, root / "search_index", root / "instance"))
    return application.test_client()


# -- what a safe page looks like -----------------------------------------------------------------

URL_ATTRIBUTES = ("href", "src", "action", "formaction", "data", "xlink:href", "poster", "background")
NAVIGATING_ATTRIBUTES = ("href", "action", "formaction", "xlink:href")
# Elements no page of ours uses that can run script, load another document or restyle the page.
FORBIDDEN_ELEMENTS = ("iframe", "object", "embed", "style", "base", "frame", "frameset", "applet")


def _normalised_url(value: str) -> str:
    """A URL as a browser reads its scheme: entities decoded, whitespace and controls removed, lower case."""
    return re.sub(r"[\x00-\x20\x7f]", "", html.unescape(value)).lower()


def assert_nothing_runs(soup: BeautifulSoup, url: str) -> None:
    """Only our scripts, no event handlers, no script URLs, no elements that can carry script."""
    for script in soup.find_all("script"):
        if script.get("type") == "application/ld+json":
            continue
        assert script.get("src", "").startswith("/static/") and not script.get_text(strip=True), \
            f"{url}: foreign script {script}"
    for tag in soup.find_all(True):
        for name, value in tag.attrs.items():
            attribute = name.lower()
            where = f"{url}: <{tag.name} {name}={value!r}>"
            assert not attribute.startswith("on") and attribute != "srcdoc", where
            if attribute in URL_ATTRIBUTES:
                target = _normalised_url(value if isinstance(value, str) else " ".join(value))
                assert not target.startswith(("javascript:", "vbscript:")), where
                assert attribute not in NAVIGATING_ATTRIBUTES or not target.startswith("data:"), where
    for name in FORBIDDEN_ELEMENTS:
        assert not soup.find(name), f"{url}: <{name}> element served"
    assert not soup.find("meta", attrs={"http-equiv": True}), f"{url}: <meta http-equiv> served"
    for form in soup.find_all("form"):
        assert not re.match(r"\s*(//|[a-z][a-z0-9+.-]*:)", form.get("action", ""), re.IGNORECASE), \
            f"{url}: form posts elsewhere: {form.get('action')}"


def fetch(client, url: str, status: int = 200) -> BeautifulSoup:
    """The page after the page-wide rules (tests/pages.py) and the no-script rules above."""
    soup = get_page(client, url, status)
    assert_nothing_runs(soup, url)
    return soup


# -- entries -------------------------------------------------------------------------------------

PLAIN_TEXT_ON_PAGE = {
    "/": [NEED_LABEL, NEED_DESCRIPTION, HUB_NAME, SITE_NAME, COUNCIL, FRONT_DOOR, PAGE_TITLE],
    "/search": [TITLE, SUMMARY, COST, ORGANISATION_NAME, HUB_NAME, NEED_LABEL, WIDE_TITLE],
    f"/services/{SERVICE_ID}": [TITLE, SUMMARY, HOW_TO_ACCESS, COST, VENUE_NAME, VENUE_ADDRESS, SCHEDULE,
                                ACCESSIBILITY, EVIDENCE_SOURCE, ORGANISATION_NAME, HUB_NAME, NEED_LABEL,
                                SITE_NAME, FRONT_DOOR, CODE_TEXT],
    f"/services/{WIDE_ID}": [WIDE_TITLE],
    "/hubs/": [HUB_NAME, HUB_ADDRESS, *WARDS],
    "/hubs/west": [HUB_NAME, HUB_ADDRESS, HUB_HOURS, *WARDS, TITLE, SUMMARY, NEED_LABEL, CODE_TEXT],
    "/pages/about": [PAGE_TITLE, PAGE_SUMMARY, CODE_TEXT],
}


@pytest.mark.parametrize("url", list(PLAIN_TEXT_ON_PAGE))
def test_hostile_entry_text_is_shown_as_text_and_nothing_runs(hostile_client, url):
    soup = fetch(hostile_client, url)
    text = soup.get_text()
    for value in PLAIN_TEXT_ON_PAGE[url]:
        assert value in text, f"{url}: {value!r} is not shown as text"


@pytest.mark.parametrize("url", [f"/services/{SERVICE_ID}", "/hubs/west", "/pages/about"])
def test_hostile_markdown_is_sanitised(hostile_client, url):
    soup = fetch(hostile_client, url)
    prose = soup.find_all(class_="prose")
    assert prose, url
    for block in prose:
        text = block.get_text()
        assert "Before the hostile part." in text and "After the hostile part." in text, url
        assert "alert(1)" not in text.replace(CODE_TEXT, ""), f"{url}: script text leaked: {text!r}"
        assert block.find("code").get_text() == CODE_TEXT, url
        assert {tag.name for tag in block.find_all(True)} <= {
            "p", "br", "strong", "em", "b", "i", "ul", "ol", "li", "a", "h2", "h3", "h4", "blockquote",
            "code", "pre", "hr", "table", "thead", "tbody", "tr", "th", "td"}, url
        safe_link = block.find("a", string="a safe link")
        assert safe_link is not None and safe_link["href"] == "https://example.org/ok", url
        assert set(safe_link.attrs) <= {"href", "title", "rel"}, url


def test_entity_looking_text_is_escaped_exactly_once(hostile_client):
    """'&lt;' typed in a plain field is shown as '&lt;': neither decoded to '<' nor shown as '&amp;lt;'."""
    for url in (f"/services/{SERVICE_ID}", "/pages/about"):
        text = fetch(hostile_client, url).get_text()
        assert ENTITIES in text, url
        assert "&amp;lt;" not in text and "<script>alert(1)" not in text, url


@pytest.mark.parametrize(("url", "title", "description"), [
    (f"/services/{SERVICE_ID}", TITLE, SUMMARY),
    ("/pages/about", PAGE_TITLE, PAGE_SUMMARY),
    ("/hubs/west", HUB_NAME, None),
])
def test_title_heading_and_description_carry_entry_text_verbatim(hostile_client, url, title, description):
    soup = fetch(hostile_client, url)
    assert soup.title.get_text() == f"{title} - {SITE_NAME}", soup.title
    assert soup.find("h1").get_text(strip=True) == title
    if description:
        assert soup.find("meta", attrs={"name": "description"})["content"] == description


def _json_ld(client, url: str) -> tuple[str, dict]:
    body = client.get(url).get_data(as_text=True)
    soup = BeautifulSoup(body, "html.parser")
    blocks = soup.find_all("script", type="application/ld+json")
    assert len(blocks) == 1, url
    match = re.search(r'<script type="application/ld\+json">(.*?)</script>', body, re.DOTALL)
    assert match, url
    raw = match.group(1)
    # Every "</script" in the page closes one of the page's own script elements.
    assert body.lower().count("</script") == len(soup.find_all("script")), url
    return raw, json.loads(raw)


def test_json_ld_parses_and_keeps_hostile_text_inside_the_script(hostile_client):
    raw, data = _json_ld(hostile_client, f"/services/{SERVICE_ID}")
    assert data["name"] == TITLE
    assert data["description"] == SUMMARY
    assert data["provider"]["name"] == ORGANISATION_NAME
    assert "</script" not in raw.lower() and "<!--" not in raw
    assert "<" not in raw and ">" not in raw and "&" not in raw, "JSON-LD should escape < > & as \\u003c..."
    raw, data = _json_ld(hostile_client, f"/services/{WIDE_ID}")
    assert data["name"] == WIDE_TITLE
    assert data["areaServed"][0]["name"] == COUNCIL


def test_json_ld_cannot_be_closed_early_even_by_text_the_checker_would_refuse(hostile_client, monkeypatch):
    """Defence in depth: whatever reaches the JSON-LD block is escaped by the template, not by the checker."""
    evil = "</script><script>alert(1)</script><!--<script>"
    monkeypatch.setattr(public_views, "service_json_ld",
                        lambda details, directory, url: {"@type": "Service", "name": evil, "url": url})
    hostile_client.application.extensions["rendered_pages"].clear()  # pages rendered before the patch
    raw, data = _json_ld(hostile_client, f"/services/{SERVICE_ID}")
    assert data["name"] == evil
    assert "</script" not in raw.lower() and "<!--" not in raw and "<script" not in raw.lower()
    assert "\\u003c/script" in raw
    assert_nothing_runs(BeautifulSoup(hostile_client.get(f"/services/{SERVICE_ID}").get_data(as_text=True),
                                      "html.parser"), "monkeypatched JSON-LD")


@pytest.mark.parametrize("markdown", [
    "[reference][evil]\n\n[evil]: javascript:alert(1)",
    '<a href=" javascript:alert(1)">leading space</a>',
    '<a href="jav&#x61;script:alert(1)">entity</a>',
    "[entity](jav&#x61;script:alert(1))",
    '<a href="java&#09;script:alert(1)">tab</a>',
    '<a href="JaVaScRiPt:alert(1)">case</a>',
    "[data](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "<vbscript:msgbox(1)>",
    '<a href="https://example.org" onmouseover="alert(1)">handler</a>',
    "<img src=javascript:alert(1)>",
])
def test_renderer_drops_unsafe_links_whatever_their_disguise(markdown):
    soup = BeautifulSoup(f"<div>{render_markdown(markdown)}</div>", "html.parser")
    assert_nothing_runs(soup, repr(markdown))
    assert not soup.find("img"), markdown


# -- what the checker refuses ---------------------------------------------------------------------

def _line_of(path: Path, leaf: str) -> int:
    """The line of the first ``leaf:`` key in a written entry."""
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if line.strip().removeprefix("- ").startswith(f"{leaf}:"):
            return number
    raise AssertionError(f"{leaf} not in {path}")


def _assert_refused(content: Path, relative: str, field: str, words: str, line: int | None = None) -> None:
    """An error on ``field`` of ``relative``, on its line, saying ``words``, as path:line: field: message."""
    checked = load_content(content)
    problems = [problem for problem in checked.errors
                if problem.field == field and problem.path.replace("\\", "/").endswith(relative)]
    found = "\n".join(str(problem) for problem in checked.problems)
    assert problems, f"{field} in {relative} was not refused; problems:\n{found}"
    problem = problems[0]
    if line is None:
        line = _line_of(content / relative, field.split(".")[-1].split("[")[0])
    assert problem.line == line, f"expected line {line}: {problem}"
    assert words in problem.message, str(problem)
    assert str(problem) == f"{problem.path}:{problem.line}: {field}: {problem.message}"


UNSAFE_SERVICE_FIELDS = [
    ("contact.website", {"contact": {"website": "javascript:alert(1)"}}, "not a safe link"),
    ("contact.website", {"contact": {"website": 'https://example.org/" onmouseover="alert(1)'}},
     "not a safe link"),
    ("contact.referral_form", {"contact": {"phone": "020 7946 0210", "referral_form": "JaVaScRiPt:alert(1)"}},
     "not a safe link"),
    ("contact.email", {"contact": {"email": '"><script>alert(1)</script>@example.org'}},
     "not an email address"),
    ("evidence.url", {"evidence": {"rating": "3", "url": "data:text/html;base64,PHNjcmlwdD4="}},
     "not a safe link"),
    ("title", {"title": "Group " + SCRIPT}, "must be plain text"),
    ("summary", {"summary": "'><svg onload=alert(1)>"}, "must be plain text"),
    ("how_to_access", {"how_to_access": IMG}, "must be plain text"),
    ("cost", {"free": False, "cost": "<b onmouseover=alert(1)>5 pounds</b>"}, "must be plain text"),
    ("venues[0].name", {"venues": [{"name": SCRIPT, "address": "1 Road", "postcode": "N17 6BB"}]},
     "must be plain text"),
    ("venues[0].schedule", {"venues": [{"name": "Hall", "address": "1 Road", "postcode": "N17 6BB",
                                        "schedule": "<!-- --><script>alert(1)</script>"}]},
     "must be plain text"),
    ("evidence.source", {"evidence": {"rating": "3", "source": "</p><script>alert(1)</script>"}},
     "must be plain text"),
]


@pytest.mark.parametrize(("field", "overrides", "words"), UNSAFE_SERVICE_FIELDS,
                         ids=[f"{case[0]}-{index}" for index, case in enumerate(UNSAFE_SERVICE_FIELDS)])
def test_checker_refuses_unsafe_service_fields_naming_file_line_and_field(folders, field, overrides, words):
    content = write_content(folders["content"], [service("evil", **overrides)])
    _assert_refused(content, "services/evil.md", field, words)


def test_checker_refuses_unsafe_links_and_tags_in_other_entries(folders):
    content = write_content(folders["content"], [service("fine")],
                            site={**SITE, "quick_exit_url": "javascript:alert(1)"})
    _assert_refused(content, "site.yml", "quick_exit_url", "not a safe link")
    _front_matter_file(content / "organisations" / "test-org.md",
                       {"id": "test-org", "name": "Org", "website": "javascript:alert(1)"})
    _assert_refused(content, "organisations/test-org.md", "website", "not a safe link")
    _front_matter_file(content / "hubs" / "west.md",
                       {"id": "west", "name": "<svg onload=alert(1)>", "address": "1 High Road",
                        "postcode": "N17 6AA", "phone": "020 7946 0200", "covers": ["N17"]})
    _assert_refused(content, "hubs/west.md", "name", "must be plain text")
    _front_matter_file(content / "pages" / "about.md", {"title": "About", "summary": SCRIPT}, "Text.")
    _assert_refused(content, "pages/about.md", "summary", "must be plain text")


def _write_body(content: Path, body: str) -> tuple[Path, int]:
    """A service whose body ends with ``body``; returns its path and the line ``body`` starts on."""
    path = write_service(content, service("evil"), "Some text first.\n\n" + body)
    lines = path.read_text(encoding="utf-8").splitlines()
    first = body.splitlines()[0]
    return path, lines.index(first) + 1


PLAIN_UNSAFE_BODY_LINKS = [
    "[click](javascript:alert(1))",
    "[click](JaVaScRiPt:alert(1))",
    "[click]( javascript:alert(1))",
    "[click](<javascript:alert(1)>)",
    '<a href="javascript:alert(1)">click</a>',
    "<a href=javascript:alert(1)>click</a>",
    "<javascript:alert(1)>",
    "[click](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "[click](vbscript:msgbox(1))",
    '<img src="javascript:alert(1)">',
]


@pytest.mark.parametrize("body", PLAIN_UNSAFE_BODY_LINKS)
def test_checker_refuses_unsafe_links_in_bodies(folders, body):
    content = write_content(folders["content"], [])
    _path, line = _write_body(content, body)
    _assert_refused(content, "services/evil.md", "body", "unsafe link", line)


DISGUISED_UNSAFE_BODY_LINKS = [
    "[click][evil]\n\n[evil]: javascript:alert(1)",
    '<a href=" javascript:alert(1)">click</a>',
    "[click](jav&#x61;script:alert(1))",
    '<a href="jav&#x61;script:alert(1)">click</a>',
    '<a href="java&#09;script:alert(1)">click</a>',
]


@pytest.mark.parametrize("body", DISGUISED_UNSAFE_BODY_LINKS, ids=[
    "reference-definition", "href-with-leading-space", "entity-in-markdown-link", "entity-in-href",
    "tab-entity-in-href"])
def test_checker_refuses_disguised_unsafe_links_in_bodies(folders, body):
    """Browsers read these as javascript: links. The sanitiser drops them (see the renderer test above),
    but an editor is owed the same "unsafe link" error as for the plain form, not a link that vanishes."""
    content = write_content(folders["content"], [])
    _path, line = _write_body(content, body)
    problems = [problem for problem in load_content(content).errors if problem.field == "body"]
    assert problems, f"{body!r} was not refused"
    assert "unsafe link" in problems[0].message and problems[0].line >= line, str(problems[0])


def test_refused_content_is_not_published(folders):
    content = write_content(folders["content"], [service("evil", contact={"website": "javascript:alert(1)"})])
    with pytest.raises(ContentError) as raised:
        publish(content, folders["index"], processes=1)
    assert any(problem.field == "contact.website" for problem in raised.value.problems)
    assert ReleaseStore(folders["index"]).current() is None


# -- queries and filter values --------------------------------------------------------------------

HOSTILE_QUERIES = [
    SCRIPT,
    '" autofocus onfocus="alert(1)',
    "javascript:alert(1)",
    "' onmouseover='alert(1)' x='",
    "</h1><img src=x onerror=alert(1)>",
    "&lt;script&gt;alert(1)&lt;/script&gt;",
    "{{ 7*7 }} {% raw %} ${7*7}",
    "%(query)s %s {0}",
]


def _search_url(**params) -> str:
    return "/search?" + "&".join(f"{name}={quote(value, safe='')}" for name, value in params.items())


def _shape(tag) -> list[tuple[str, tuple[str, ...]]]:
    """The elements inside ``tag`` and their attribute names: what a query must not be able to change."""
    return [(child.name, tuple(sorted(child.attrs))) for child in [tag, *tag.find_all(True)]]


@pytest.mark.parametrize("query", HOSTILE_QUERIES)
def test_hostile_query_is_shown_escaped_in_heading_box_and_chip(hostile_client, query):
    url = _search_url(q=query)
    soup = fetch(hostile_client, url)
    benign = fetch(hostile_client, _search_url(q="parenting"))
    assert soup.find("h1").get_text() == f"Search results for ‘{query}’", url
    for element in ("h1", ".search-box", "a.chip"):
        assert _shape(soup.select_one(element)) == _shape(benign.select_one(element)), f"{url}: {element}"
    assert soup.find("input", id="q")["value"] == query
    assert not soup.find(autofocus=True), f"{url}: autofocus appeared"
    chip = soup.find("a", class_="chip")
    assert chip is not None and f"Search: {query}" in chip.get_text(), chip
    assert chip["href"].startswith("/search"), chip
    if "7*7" in query:
        assert "49" not in soup.get_text(), "template syntax in the query was evaluated"


@pytest.mark.parametrize("query", [*HOSTILE_QUERIES, "can't cope", "money & debt"])
def test_hostile_query_is_shown_verbatim_in_the_page_title(hostile_client, query):
    soup = fetch(hostile_client, _search_url(q=query))
    title = soup.title.get_text()
    assert title.startswith(f"Search results for ‘{query}’ - "), f"<title> reads {title!r}"


@pytest.mark.parametrize(("params", "notice"), [
    ({"need": "<script>"}, "We do not know the need '<script>', so we left that filter out."),
    ({"hub": '"><svg onload=alert(1)>'}, "We do not know the hub '\"><svg onload=alert(1)>', so we left"),
    ({"age": "javascript:alert(1)"}, "We do not know the age 'javascript:alert(1)', so we left"),
    ({"language": "' onfocus='alert(1)"}, "We do not know the language '' onfocus='alert(1)', so we left"),
    ({"sort": "<script>"}, "We cannot sort by '<script>'"),
    ({"q": "parenting", "level": "</p><script>alert(1)</script>"},
     "We do not know the level '</p><script>alert(1)</script>', so we left"),
])
def test_hostile_filter_values_give_an_escaped_notice(hostile_client, params, notice):
    url = _search_url(**params)
    soup = fetch(hostile_client, url)
    banners = [banner.get_text(" ", strip=True) for banner in soup.find_all(class_="banner")]
    assert any(notice in banner for banner in banners), f"{url}: {banners}"
    chips = [chip.get_text() for chip in soup.find_all("a", class_="chip")]
    assert not any(re.search("script|svg|alert", chip) for chip in chips), f"{url}: unknown value as a chip"


@pytest.mark.parametrize("params", [
    {"q": SCRIPT, "page": "<script>alert(1)</script>"},
    {"q": '" autofocus onfocus="alert(1)', "per_page": "' onmouseover='alert(1)"},
])
def test_bad_number_page_shows_the_value_and_keeps_the_query_escaped(hostile_client, params):
    # An unreadable page number is left out (page 1, the usual page size) and the page says so.
    url = _search_url(**params)
    soup = fetch(hostile_client, url)
    name = "page" if "page" in params else "per_page"
    banners = " ".join(banner.get_text(" ", strip=True) for banner in soup.find_all(class_="banner"))
    assert f"‘{params[name][:20]}’ is not" in banners, banners
    assert not soup.find("script", string=re.compile("alert"))
    assert soup.find("input", id="q")["value"] == params["q"]


@pytest.mark.parametrize("url", [
    "/services/%3Cscript%3Ealert(1)%3C%2Fscript%3E",
    "/hubs/%22%20onmouseover%3D%22alert(1)",
    "/pages/javascript:alert(1)",
    "/%3Cimg%20src%3Dx%20onerror%3Dalert(1)%3E",
])
def test_not_found_pages_for_hostile_addresses_stay_inert(hostile_client, url):
    soup = fetch(hostile_client, url, status=404)
    assert "alert" not in soup.find("main").get_text(), f"{url}: the address is echoed"


def test_api_returns_hostile_text_as_json_data_not_html(hostile_client):
    response = hostile_client.get(_search_url(q=SCRIPT, need="<img src=x onerror=alert(1)>").replace(
        "/search", "/api/search"))
    assert response.status_code == 200
    assert response.mimetype == "application/json"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    data = response.get_json()
    assert data["query"] == SCRIPT
    assert data["notices"][0]["message"] == (
        "We do not know the need '<img src=x onerror=alert(1)>', so we left that filter out.")
    titles = {result["title"] for result in hostile_client.get("/api/search").get_json()["results"]}
    assert TITLE in titles and WIDE_TITLE in titles


def test_every_page_keeps_the_no_inline_script_policy(hostile_client):
    policy = hostile_client.get("/").headers["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "unsafe-inline" not in policy
