"""Browser tabs signed in to the editor, for the tests that drive it through its forms."""

from __future__ import annotations

PASSWORD = "a browser test passphrase"


def submit_sign_in(tab, email: str, password: str) -> None:
    """Fill in and send the sign-in form; where it leads (the editor, a code, a refusal) is the caller's."""
    tab.open("/editor/sign-in")
    tab.page.fill("#email", email)
    tab.page.fill("#password", password)
    tab.page.get_by_role("button", name="Sign in").click()
    tab.page.wait_for_load_state()


def signed_in(new_tab, email: str, viewport: dict | None = None, **options):
    """A new tab (``new_tab``'s viewport and options) signed in as ``email`` with :data:`PASSWORD`."""
    tab = new_tab(viewport, **options)
    submit_sign_in(tab, email, PASSWORD)
    assert tab.path() == "/editor/"
    return tab


def click(tab, name: str) -> None:
    """Press the button called exactly ``name`` and wait for the page it leads to."""
    tab.page.get_by_role("button", name=name, exact=True).click()
    tab.page.wait_for_load_state()
