"""Whatever arrives in a URL, the public site answers 200, 400 or 404, never a server error.

Guards the promise in app/search/request.py ("nothing a visitor types may
raise") and in app/web/errors.py ("never a bare 500"): hypothesis throws
random and hostile values at every parameter of ``/search`` and
``/api/search`` (known and unknown names, repeated names, very long values,
RTL and combining marks, NUL and control characters, percent-encoded
surrogates and other invalid UTF-8, broken percent-encoding) and at the path
segment of ``/services/<id>``, ``/hubs/<id>`` and ``/pages/<slug>``. Query
strings are built by hand so that invalid encodings reach the application as
a client sent them. HTML answers must be text/html and run nothing of the
visitor's; API answers must be JSON. The one other answer allowed is
Werkzeug's 308 for a doubled slash ("/hubs/%2F"), and only to this site.
"""

from __future__ import annotations

import html
import re
from urllib.parse import quote, quote_from_bytes, unquote_to_bytes, urlsplit

import pytest
from bs4 import BeautifulSoup
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from app import create_app
from app.config import TestingConfig
from app.publishing.publish import publish

from .factories import service, write_content

FUZZ = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])

PARAMETERS = ("q", "need", "age", "hub", "level", "free", "delivery", "language", "access", "page",
              "per_page", "sort")
ALLOWED_STATUS = {200, 400, 404}


@pytest.fixture(scope="module")
def fuzz_client(tmp_path_factory):
    """One published directory for the whole module (hypothesis runs many examples per test)."""
    root = tmp_path_factory.mktemp("fuzz")
    services = [
        service("parenting-group", needs=["parenting"], ages={"min": 3, "max": 6}, keywords=["tantrums"]),
        service("debt-advice", title="Debt advice", needs=["money-debt"], ages={"min": 16, "max": 99},
                levels=[1, 2], hubs="all", delivery=["phone", "online"], languages=["en", "pl", "ar"]),
        service("school-attendance", needs=["school-attendance"], ages={"min": 5, "max": 16}, hubs=["east"],
                access=["professional-referral"], free=False, cost="Ask us"),
        service("speech-drop-in", needs=["speech-language"], ages={"min": 0, "max": 4}, levels=[1],
                hubs=["west", "east"], access=["drop-in"]),
        service("abuse-outreach", needs=["domestic-abuse"], ages={"min": 16, "max": 99, "pregnancy": True},
                levels=[3, 4], hubs="all", delivery=["phone", "home-visit"]),
        *(service(f"extra-service-{number}", summary=f"Extra service number {number}.")
          for number in range(25)),
    ]
    content = write_content(root / "content", services)
    publish(content, root / "search_index", processes=1)
    return create_app(TestingConfig(content, root / "search_index", root / "instance")).test_client()


# -- values ---------------------------------------------------------------------------------------

KNOWN_VALUES = ["parenting", "money-debt", "west", "east", "all", "0-2", "pregnancy", "19-25", "1", "2", "4",
                "true", "yes", "off", "in-person", "home-visit", "en", "pl", "self-referral", "drop-in",
                "relevance", "name", "debt", "speach", "money worries", "wont go to school", "3,4", " 2 ", ""]
NUMBERS = ["0", "-1", "1", "2", "50", "51", "10000", "10001", "999999999", "1000000000", "9" * 400,
           "1e3", "0x10", "1.5", " 3 ", "+3", "３", "٣", "²", "1_000", "3\u200f", "NaN", "Infinity"]
HOSTILE_VALUES = ["<script>alert(1)</script>", '" autofocus onfocus="alert(1)', "'><svg onload=alert(1)>",
                  "javascript:alert(1)", "{{ 7*7 }}", "%(query)s", "%s%s%n", "a:b(c~2*", "*", "?", "NOT",
                  "AND OR", "\"\"", "(", ")", "[a TO z]", "\\", "title:x", "^2", "a~", "' OR 1=1 --",
                  "../../etc/passwd", "\u202eevil\u202c", "\u200f\u0627\u0644\u0645\u0627\u0644",
                  "e\u0301" * 50, "\u0995\u09cd\u09b7", "\ufeff", "\ufffd", "\U0001f600" * 10, "\x00",
                  "\x1b[31m", "\r\n", "\u2028", "\t", " ", "\u00a0"]
BROKEN_ENCODINGS = ["%", "%%", "%zz", "%4", "%G0", "%ED%A0%80", "%ED%BF%BF", "%C0%AE", "%C0%80", "%FF%FE",
                    "%00", "%E2%82", "%F4%90%80%80", "%C3%28", "%25%32%35", "%u003c", "%2", "%%32%35", "+",
                    "%2B", "%26", "%3D", "%3B", "%23", "&", "=", ";", "#"]

unicode_text = st.text(max_size=40)
special_characters = st.lists(
    st.sampled_from(["\u200f", "\u200e", "\u202e", "\u2066", "\u0301", "\u0300\u0301\u0302", "\u200c",
                     "\u200d", "\x00", "\x01", "\x7f", "\x9f", "\ufeff", "\ufffe", "\U000e0001", "\U0010fffd",
                     "\u0627", "\u05d0", "\u0915\u094d", "a", " ", "-", ","]),
    max_size=30).map("".join)
long_values = st.one_of(
    st.integers(201, 20_000).map(lambda size: "a" * size),
    st.integers(100, 3_000).map(lambda size: "word " * size),
    st.integers(50, 2_000).map(lambda size: "e\u0301" * size),
    st.integers(50, 2_000).map(lambda size: ",parenting" * size),
)
plain_values = st.one_of(st.sampled_from(KNOWN_VALUES), st.sampled_from(NUMBERS),
                         st.sampled_from(HOSTILE_VALUES), unicode_text, special_characters)


@st.composite
def encoded_values(draw) -> str:
    """A value as it appears in a query string: encoded properly, loosely, byte by byte, or broken."""
    pieces = []
    for _ in range(draw(st.integers(1, 3))):
        kind = draw(st.sampled_from(["strict", "loose", "raw", "bytes", "broken", "long"]))
        if kind == "strict":
            pieces.append(quote(draw(plain_values), safe=""))
        elif kind == "loose":
            safe = draw(st.sampled_from(["", "&=", "%", "+;,/?:@", "#"]))
            pieces.append(quote(draw(plain_values), safe=safe))
        elif kind == "raw":
            pieces.append(draw(plain_values))
        elif kind == "bytes":
            pieces.append(quote_from_bytes(draw(st.binary(max_size=12)), safe=""))
        elif kind == "broken":
            pieces.append(draw(st.sampled_from(BROKEN_ENCODINGS)))
        else:
            pieces.append(quote(draw(long_values), safe=" ,"))
    return "".join(pieces)


parameter_names = st.one_of(
    st.sampled_from(PARAMETERS),
    st.sampled_from(PARAMETERS),  # twice as likely as the rest: these are what the code reads
    st.sampled_from(["Q", "q[]", "need[]", "page ", " q", "per-page", "lang", "__proto__", "q%00", "%71", "",
                     "utm_source", "s", "x" * 500]),
    st.text(max_size=10).map(lambda name: quote(name, safe="")),
)


# Values each parameter knows, so that filters, chips, paging and facets are reached too.
MEANINGFUL = {"q": ["debt", "extra service", "speach"], "need": ["parenting", "money-debt"],
              "age": ["0-2", "pregnancy"], "hub": ["west", "east"], "level": ["2", "3,4"], "free": ["1"],
              "delivery": ["phone"], "language": ["pl"], "access": ["drop-in"], "page": ["2", "3"],
              "per_page": ["5", "10"], "sort": ["name", "relevance"]}


@st.composite
def parameter_values(draw, name: str) -> str:
    """A value for a known parameter: one it knows, a number for the paging ones, or anything at all."""
    kind = draw(st.integers(0, 9))
    if kind < 3:
        return draw(st.sampled_from(MEANINGFUL[name]))
    if kind < 5 and name in ("page", "per_page"):
        return quote(draw(st.sampled_from(NUMBERS)), safe="")
    return draw(encoded_values())


@st.composite
def query_strings(draw) -> str:
    """A hand-built query string: every parameter absent, once or repeated, unknown and bare names,
    in any order, with odd separators."""
    parts = []
    for name in PARAMETERS:
        for _ in range(draw(st.sampled_from([0, 0, 1, 1, 2, 3]))):
            parts.append(f"{name}={draw(parameter_values(name))}")
    for _ in range(draw(st.integers(0, 4))):
        name = draw(parameter_names)
        parts.append(name if draw(st.booleans()) else f"{name}={draw(encoded_values())}")
    parts = draw(st.permutations(parts))
    separator = draw(st.sampled_from(["&", "&", "&", ";", "&&", "&amp;"]))
    return separator.join(parts)


# -- what every answer must be --------------------------------------------------------------------

def _assert_inert(body: str, where: str) -> BeautifulSoup:
    """No script but ours, no event handler attribute, no javascript: URL; returns the parsed page."""
    soup = BeautifulSoup(body, "html.parser")
    for script in soup.find_all("script"):
        assert script.get("type") == "application/ld+json" or (
            script.get("src", "").startswith("/static/") and not script.get_text(strip=True)), where
    for tag in soup.find_all(True):
        for name, value in tag.attrs.items():
            assert not name.lower().startswith("on"), f"{where}: {tag}"
            if name in ("href", "src", "action") and isinstance(value, str):
                target = re.sub(r"[\x00-\x20\x7f]", "", html.unescape(value)).lower()
                assert not target.startswith(("javascript:", "vbscript:")), f"{where}: {tag}"
    return soup


def _assert_html_answer(response, where: str) -> None:
    if response.status_code == 308:  # Werkzeug merges doubled slashes ("/hubs/%2F") by redirecting
        location = urlsplit(response.headers["Location"])
        assert location.netloc in ("", "localhost") and location.path.startswith("/"), \
            f"{where}: redirects off the site to {response.headers['Location']}"
        assert not location.path.startswith(("//", "/\\")), f"{where}: {response.headers['Location']}"
        return
    assert response.status_code in ALLOWED_STATUS, f"{where}: {response.status_code}"
    assert response.mimetype == "text/html", f"{where}: {response.mimetype}"
    assert response.mimetype_params.get("charset", "").lower() == "utf-8", where


@settings(FUZZ, max_examples=150)  # each example renders and parses a whole results page
@given(query=query_strings())
def test_search_page_answers_any_query_string(fuzz_client, query):
    response = fuzz_client.get("/search", query_string=query)
    where = f"/search?{query[:300]}"
    event(f"status {response.status_code}")
    _assert_html_answer(response, where)
    assert response.status_code in (200, 400), where
    soup = _assert_inert(response.get_data(as_text=True), where)
    assert len(soup.find_all("h1")) == 1, where
    if response.status_code == 200:
        assert soup.find(id="results") or not soup.select("a[href^='/services/']"), where


@FUZZ
@given(query=query_strings())
def test_search_api_answers_any_query_string(fuzz_client, query):
    response = fuzz_client.get("/api/search", query_string=query)
    where = f"/api/search?{query[:300]}"
    event(f"status {response.status_code}")
    if response.status_code == 200:
        event("some filter applied" if response.get_json()["filters"] else "no filter applied")
        event("with notices" if response.get_json()["notices"] else "without notices")
    assert response.status_code in (200, 400), f"{where}: {response.status_code}"
    assert response.mimetype == "application/json", where
    data = response.get_json()
    if response.status_code == 200:
        assert {"total", "page", "results", "facets", "notices"} <= set(data), where
        assert data["page"] >= 1 and 1 <= data["per_page"] <= 50, where
        assert len(data["results"]) <= data["per_page"], where
        assert all(result["url"] == f"/services/{result['id']}" for result in data["results"]), where
    else:
        assert "must be a whole number" in data["error"], where


SEGMENTS = ["", ".", "..", "...", "%2e%2e", "%2E%2E%2F", "..%2F..%2Fetc%2Fpasswd", "..%5C..%5Cwindows",
            "%2F", "a%2Fb", "%00", "west%00", "%ED%A0%80", "%C0%AE%C0%AE", "%FF", "%", "%zz", "west", "east",
            "about", "parenting-group", "WEST", "west%20", "%20west", "west.", "west;x=1", "west%3Fx",
            "west%23x", "%3Cscript%3Ealert(1)%3C%2Fscript%3E", "javascript:alert(1)", "~", "%7E",
            "index.html", "%E2%80%AEtsew", "\u200fwest", "e\u0301", "\U0001f600", "x" * 5000,
            "a-" * 3000, "%41" * 2000]

segments = st.one_of(
    st.sampled_from(SEGMENTS),
    st.text(max_size=60).map(lambda text: quote(text, safe="")),
    st.text(max_size=60).map(lambda text: quote(text, safe="/%.;:@&=+$,!~*'()")),
    st.binary(max_size=30).map(lambda raw: quote_from_bytes(raw, safe="")),
    st.lists(st.sampled_from(SEGMENTS[:20]), min_size=1, max_size=6).map("/".join),
    st.integers(1000, 50_000).map(lambda size: "a" * size),
)


@FUZZ
@given(prefix=st.sampled_from(["/services/", "/hubs/", "/pages/"]), segment=segments)
def test_entry_pages_answer_any_path_segment(fuzz_client, prefix, segment):
    path = prefix + segment
    where = path[:300]
    # As the test client sends it (it percent-decodes the path as UTF-8, replacing invalid bytes) ...
    response = fuzz_client.get(path)
    _assert_html_answer(response, where)
    event(f"status {response.status_code}")
    _assert_inert(response.get_data(as_text=True), where)
    # ... and as a WSGI server hands it over: percent-decoded to bytes, passed on as latin-1.
    raw_path = unquote_to_bytes(path.split("?", 1)[0].split("#", 1)[0]).decode("latin-1")
    response = fuzz_client.get("/", environ_overrides={"PATH_INFO": raw_path})
    _assert_html_answer(response, f"raw {where}")


def test_known_entries_are_found_so_the_fuzzing_reaches_real_pages(fuzz_client):
    for path in ("/services/parenting-group", "/hubs/west", "/pages/about", "/search?q=debt", "/api/search"):
        assert fuzz_client.get(path).status_code == 200, path


@settings(max_examples=100, deadline=None)
@given(name=st.sampled_from(PARAMETERS), raw=st.binary(min_size=1, max_size=16))
def test_raw_bytes_in_the_query_string_are_not_a_server_error(fuzz_client, name, raw):
    """Bytes a client sent without percent-encoding them, as a WSGI server passes them on (latin-1).

    waitress, which `earlyhelp serve` uses, refuses any non-ASCII request line with its own 400, so
    this guards deployments behind other WSGI servers, which hand the bytes to the application."""
    query = f"{name}=".encode() + raw
    for path in ("/search", "/api/search"):
        response = fuzz_client.get(path, environ_overrides={"QUERY_STRING": query.decode("latin-1")})
        assert response.status_code in (200, 400), f"{path}?{query!r}: {response.status_code}"
