"""What the editor's service form costs the server at 1,000 and 10,000 services: showing it, and saving it.

    python -m bench.editor_form [--sizes 1000,10000] [--reps 15]

For each size, generates a content folder (bench.generate), signs an editor
in through the Flask test client (CSRF on, as in a browser) and times, as
medians of ``--reps`` requests:

- **edit form GET**: ``/editor/services/<id>/edit`` (the form filled from the live entry);
- **save**: posting the form back to the draft's own page (``/editor/changes/<n>/edit``),
  which checks the entry with check's rules and saves the draft.

Each is measured twice in the same run. **before**: every read of the content
folder loads it again, services and all, as the editor did before the content
cache (app/editorial/content_cache.py). **after**: the cache, warm (its
signature of the folder is still computed on every request, so a change to a
file is always seen). Nothing is asserted; numbers depend on the machine.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path

from bs4 import BeautifulSoup

from app import create_app
from app.config import TestingConfig
from app.content import load_content
from app.editorial import accounts, content_cache, instance

from .generate import generate

EMAIL, PASSWORD = "bench-editor@example.org", "a benchmark passphrase"


@contextmanager
def uncached():
    """The editor as it was: each read of the content folder loads all of it."""
    real = content_cache._cached
    content_cache._cached = lambda root, on, services: load_content(root, today=on)
    try:
        yield
    finally:
        content_cache._cached = real


def form_fields(html: str) -> dict:
    """The form's values as a browser would post them."""
    form = BeautifulSoup(html, "html.parser").find("form", id="entry")
    data: dict[str, list[str]] = {}
    for field in form.find_all(["input", "textarea", "select"]):
        name = field.get("name")
        if not name or (field.get("type") in ("checkbox", "radio") and not field.has_attr("checked")):
            continue
        if field.name == "textarea":
            value = field.get_text()
        elif field.name == "select":
            chosen = field.find("option", selected=True) or field.find("option")
            value = chosen.get("value", "") if chosen else ""
        else:
            value = field.get("value", "")
        data.setdefault(name, []).append(value)
    return data


def median_ms(call, reps: int) -> float:
    timings = []
    for _ in range(reps):
        start = time.perf_counter()
        response = call()
        timings.append((time.perf_counter() - start) * 1000)
        assert response.status_code in (200, 303), response.status_code
    return statistics.median(timings)


def measure(size: int, reps: int, tmp: Path) -> dict[str, float]:
    content = generate(tmp / f"content-{size}", size)
    service_id, other_id = sorted(path.stem for path in (content / "services").glob("*.md"))[:2]
    db = instance.open_instance(tmp / f"instance-{size}")
    accounts.create_user(db, EMAIL, PASSWORD, "editor", actor="bench")
    db.close()
    app = create_app(TestingConfig(content, tmp / f"index-{size}", tmp / f"instance-{size}"))
    client = app.test_client()
    token = BeautifulSoup(client.get("/editor/sign-in").get_data(as_text=True), "html.parser").find(
        "input", attrs={"name": "csrf_token"})["value"]
    client.post("/editor/sign-in", data={"email": EMAIL, "password": PASSWORD, "csrf_token": token})
    edit_url = f"/editor/services/{service_id}/edit"
    data = {**form_fields(client.get(edit_url).get_data(as_text=True)), "action": ["save"]}
    started = client.post(edit_url, data=data)  # the draft that every timed save saves again
    draft_url = started.headers["Location"] + "/edit"
    # The editor's own draft would redirect the live form to it: time the form of another service.
    other = f"/editor/services/{other_id}/edit"
    results = {}
    for mode in ("before", "after"):
        with uncached() if mode == "before" else _nothing():
            client.get(other)  # warm up (the cache, after)
            results[f"edit form GET, {mode}"] = median_ms(lambda: client.get(other), reps)
            results[f"save, {mode}"] = median_ms(lambda: client.post(draft_url, data=data), reps)
    return results


@contextmanager
def _nothing():
    yield


def print_table(measure, description: str, reps: int, argv: list[str] | None = None) -> None:
    """Run ``measure(size, reps, tmp)`` for each of ``--sizes`` and print its medians, a row each."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--sizes", default="1000,10000")
    parser.add_argument("--reps", type=int, default=reps)
    options = parser.parse_args(argv)
    sizes = [int(size) for size in options.sizes.split(",")]
    with tempfile.TemporaryDirectory() as temporary:
        table = {size: measure(size, options.reps, Path(temporary)) for size in sizes}
    rows = list(next(iter(table.values())))
    print("| median ms | " + " | ".join(f"{size:,} services" for size in sizes) + " |")
    print("|---|" + "---:|" * len(sizes))
    for row in rows:
        print(f"| {row} | " + " | ".join(f"{table[size][row]:.1f}" for size in sizes) + " |")


def main(argv: list[str] | None = None) -> None:
    print_table(measure, __doc__.splitlines()[0], reps=15, argv=argv)


if __name__ == "__main__":
    main()
