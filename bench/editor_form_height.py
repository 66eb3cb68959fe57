"""How tall the editor's service form is on a 375 px phone, in a real browser (Debian's Chromium).

    python -m bench.editor_form_height [--content content] [--service baby-massage]

Publishes a copy of the content folder, serves it as the browser tests do (waitress on 127.0.0.1),
signs an editor in and opens ``/editor/services/<id>/edit`` at 375 x 812, with and without
JavaScript. Prints the height of the page and of the form, the number of form controls and of
sections, and how many sections are open. Sizes depend on the fonts installed, not on the machine's
speed. Nothing is asserted (tests/browser/test_service_form_sections.py asserts the bounds).
"""

from __future__ import annotations

import argparse
import shutil
import tempfile
from pathlib import Path

from app.editorial import accounts, instance
from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS, serving

ROOT = Path(__file__).resolve().parent.parent
EMAIL, PASSWORD = "bench-editor@example.org", "a benchmark passphrase"
MEASURE = """() => {
  const form = document.getElementById('entry');
  return {page: document.documentElement.scrollHeight, form: Math.round(form.getBoundingClientRect().height),
          controls: form.querySelectorAll('input:not([type=hidden]), textarea, select').length,
          sections: form.querySelectorAll('details.form-section').length,
          open: form.querySelectorAll('details.form-section[open]').length};
}"""


def measure(content: Path, service_id: str) -> list[tuple[str, dict]]:
    from playwright.sync_api import sync_playwright

    rows = []
    with tempfile.TemporaryDirectory() as temporary:
        root = Path(temporary)
        shutil.copytree(content, root / "content")
        with serving(root / "content", root) as site:
            db = instance.open_instance(root / "instance")
            accounts.create_user(db, EMAIL, PASSWORD, "editor", actor="cli")
            db.close()
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True,
                                                     args=CHROMIUM_ARGS)
                for javascript in (True, False):
                    context = browser.new_context(viewport={"width": 375, "height": 812}, is_mobile=True,
                                                  has_touch=True, java_script_enabled=javascript)
                    page = context.new_page()
                    page.goto(site.url("/editor/sign-in"))
                    page.fill("#email", EMAIL)
                    page.fill("#password", PASSWORD)
                    page.get_by_role("button", name="Sign in").click()
                    page.wait_for_load_state()
                    page.goto(site.url(f"/editor/services/{service_id}/edit"))
                    rows.append(("with JavaScript" if javascript else "without JavaScript",
                                 page.evaluate(MEASURE)))
                    context.close()
                browser.close()
    return rows


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--content", type=Path, default=ROOT / "content")
    parser.add_argument("--service", default="baby-massage")
    options = parser.parse_args(argv)
    print("| at 375 px | page height | form height | controls | sections | open |")
    print("|---|---:|---:|---:|---:|---:|")
    for name, found in measure(options.content, options.service):
        print(f"| {name} | {found['page']:,} px | {found['form']:,} px | {found['controls']} | "
              f"{found['sections']} | {found['open']} |")


if __name__ == "__main__":
    main()
