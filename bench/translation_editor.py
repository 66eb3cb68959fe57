"""What the translation editor and the taxonomy form cost the server at 1,000 and 10,000 services.

    python -m bench.translation_editor [--sizes 1000,10000] [--reps 5]

For each size, generates the content of ``bench.generate`` with every service,
need and hub translated into the nine other languages (``bench.translations``),
signs an editor in through the Flask test client (CSRF on) and times, as
medians of ``--reps`` requests, with the editor's content cache warm:

- **translation form GET**: ``/editor/translations/services/<id>.pl/edit``, the
  English beside the Polish;
- **translation save**: posting it back to its draft, which checks the file
  with the loader's rules in a scratch folder holding the English entry alone;
- **needs save**: posting the needs form back to its draft, which checks the
  file beside every service (a removed need matters to them);
- **review dates, service translations**: ``/editor/reviews?kind=service_translation``.

Nothing is asserted; numbers depend on the machine.
"""

from __future__ import annotations

from pathlib import Path

from bs4 import BeautifulSoup

from app import create_app
from app.config import TestingConfig
from app.editorial import accounts, instance

from .editor_form import EMAIL, PASSWORD, form_fields, median_ms, print_table
from .generate import generate
from .translations import add_translations


def measure(size: int, reps: int, tmp: Path) -> dict[str, float]:
    content = generate(tmp / f"content-{size}", size)
    add_translations(content)
    service_id = sorted(path.name.removesuffix(".pl.md")
                        for path in (content / "services").glob("*.pl.md"))[0]
    db = instance.open_instance(tmp / f"instance-{size}")
    accounts.create_user(db, EMAIL, PASSWORD, "editor", actor="bench")
    db.close()
    app = create_app(TestingConfig(content, tmp / f"index-{size}", tmp / f"instance-{size}"))
    client = app.test_client()
    token = BeautifulSoup(client.get("/editor/sign-in").get_data(as_text=True), "html.parser").find(
        "input", attrs={"name": "csrf_token"})["value"]
    client.post("/editor/sign-in", data={"email": EMAIL, "password": PASSWORD, "csrf_token": token})
    results = {}
    translation = f"/editor/translations/services/{service_id}.pl/edit"
    other = f"/editor/translations/services/{service_id}.ar/edit"
    data = {**form_fields(client.get(translation).get_data(as_text=True)), "action": ["save"]}
    draft = client.post(translation, data=data).headers["Location"] + "/edit"
    client.get(other)  # warm the content cache
    results["translation form GET"] = median_ms(lambda: client.get(other), reps)
    results["translation save"] = median_ms(lambda: client.post(draft, data=data), reps)
    needs = "/editor/taxonomy/needs/edit"
    data = {**form_fields(client.get(needs).get_data(as_text=True)), "action": ["save"]}
    draft = client.post(needs, data=data).headers["Location"] + "/edit"
    results["needs save"] = median_ms(lambda: client.post(draft, data=data), reps)
    reviews = "/editor/reviews?kind=service_translation"
    results["review dates, service translations"] = median_ms(lambda: client.get(reviews), reps)
    return results


def main(argv: list[str] | None = None) -> None:
    print_table(measure, __doc__.splitlines()[0], reps=5, argv=argv)


if __name__ == "__main__":
    main()
