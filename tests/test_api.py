"""The JSON API and health check, through Flask and through the real WSGI server."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request

import pytest

from app import create_app
from app.config import TestingConfig
from app.publishing.publish import publish

from .factories import service, write_service


def test_search_json_shape(client):
    response = client.get("/api/search?q=debt+advice&need=money-debt")
    assert response.status_code == 200
    data = response.get_json()
    assert data["total"] == 1 and data["page"] == 1
    assert data["results"] == [{"id": "debt-advice", "title": "Debt and benefits advice",
                                "summary": "Free, confidential advice on debts, bills and Universal Credit.",
                                "url": "/services/debt-advice"}]
    assert set(data["facets"]) == {"need", "age", "hub", "level", "free", "delivery", "language", "access"}
    assert data["facets"]["need"]["money-debt"] == 1
    assert data["filters"] == {"need": ["money-debt"]}


def test_repeated_parameters_combine(client):
    data = client.get("/api/search?need=parenting&need=money-debt&hub=west").get_json()
    assert {result["id"] for result in data["results"]} == {"incredible-years", "debt-advice"}


def test_did_you_mean_and_notices_are_explained(client):
    data = client.get("/api/search?q=speach&hub=atlantis").get_json()
    assert data["did_you_mean"] == "speech"
    assert data["results"][0]["id"] == "stay-and-chat"
    assert data["notices"] == [{"code": "unknown_filter_value",
                                "message": "We do not know the hub 'atlantis', so we left that filter out."}]


@pytest.mark.parametrize("query", ["page=abc", "page=-3", "per_page=x"])
def test_bad_numbers_give_a_clear_400(client, query):
    response = client.get(f"/api/search?{query}")
    assert response.status_code == 400
    assert "must be a whole number" in response.get_json()["error"]


@pytest.mark.parametrize("query", ["q=%00", "q=%FF%FE", "q=" + "x" * 10000, "q=a:b(c~2*", "need=%3Cscript%3E",
                                   "q=%22%22", "sort=%00"])
def test_odd_input_never_fails(client, query):
    assert client.get(f"/api/search?{query}").status_code == 200


def test_healthz(client, published):
    data = client.get("/healthz").get_json()
    assert data["status"] == "ok"
    assert data["release"] == published.release_id
    assert data["counts"]["services"] == 5


def test_before_any_publish_the_api_says_so(folders):
    app = create_app(TestingConfig(folders["content"], folders["index"], folders["instance"]))
    response = app.test_client().get("/api/search?q=x")
    assert response.status_code == 503
    assert "nothing has been published" in response.get_json()["error"]
    assert app.test_client().get("/healthz").status_code == 503


def test_security_headers(client):
    headers = client.get("/api/search").headers
    assert "frame-ancestors 'none'" in headers["Content-Security-Policy"]
    assert "unsafe-inline" not in headers["Content-Security-Policy"]
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"] == "no-referrer"
    assert "Set-Cookie" not in headers


def test_unknown_page_is_a_friendly_404(client):
    response = client.get("/no-such-page")
    assert response.status_code == 404
    assert b"We could not find that page" in response.data


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def get_json(url: str) -> dict:
    with urllib.request.urlopen(url, timeout=10) as response:
        return json.loads(response.read())


def wait_for(url: str, seconds: float = 30.0) -> dict:
    deadline = time.monotonic() + seconds
    while True:
        try:
            return get_json(url)
        except (urllib.error.URLError, ConnectionError):
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)


def test_served_workers_pick_up_a_new_release_without_restart(content_dir, folders):
    """`earlyhelp serve` publishes when there is no release, then follows each publish."""
    port = free_port()
    environment = dict(os.environ, EARLYHELP_CONTENT_DIR=str(content_dir),
                       EARLYHELP_INDEX_DIR=str(folders["index"]),
                       EARLYHELP_INSTANCE_DIR=str(folders["instance"]))
    server = subprocess.Popen([sys.executable, "-m", "app", "serve", "--port", str(port)],
                              env=environment, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        base = f"http://127.0.0.1:{port}"
        first = wait_for(f"{base}/healthz")
        assert first["counts"]["services"] == 5
        assert get_json(f"{base}/api/search?q=gardening")["total"] == 0

        write_service(content_dir, service("gardening-club", title="Family gardening club"))
        second = publish(content_dir, folders["index"], processes=1)
        assert get_json(f"{base}/healthz")["release"] == second.release_id
        found = get_json(f"{base}/api/search?q=gardening")
        assert [result["id"] for result in found["results"]] == ["gardening-club"]
    finally:
        server.terminate()
        server.wait(timeout=10)
