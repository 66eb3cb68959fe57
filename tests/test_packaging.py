"""A wheel built from the repository installs without warnings and serves pages with no checkout.

The wheel goes into a fresh virtual environment in a temporary folder; the sample content is
copied beside it, published with the installed ``earlyhelp`` and served by it on a free port.
The dependencies come from a wheel cache kept in pytest's cache folder (filled from the
package index the first time, or when setup.cfg asks for something new), so the test stays
well under a minute once the cache is warm.
"""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from http.cookiejar import CookieJar
from pathlib import Path

import pytest

from app.config import PROJECT_ROOT

pytestmark = pytest.mark.slow
PASSWORD = "a long enough passphrase"

# What setuptools prints when the packaging is ambiguous or deprecated ("Package
# 'app.templates' is absent from the `packages` configuration" is a BuildBackendWarning).
SETUPTOOLS_WARNING = re.compile(r"\b\w*(?:Warning|Deprecation)\b")


def _run(command: list, **options) -> subprocess.CompletedProcess:
    result = subprocess.run(command, capture_output=True, text=True, timeout=300, **options)
    assert result.returncode == 0, f"{' '.join(map(str, command))} failed:\n{result.stdout}\n{result.stderr}"
    return result


def _clean_environment(**extra) -> dict:
    """The environment without anything that would let the checkout leak into the installed package."""
    environment = {key: value for key, value in os.environ.items()
                   if not key.startswith(("EARLYHELP_", "PYTHON", "VIRTUAL_ENV"))}
    return {**environment, **extra}


def _pip(*arguments) -> list:
    return [sys.executable, "-m", "pip", "--disable-pip-version-check", *arguments]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _get(url: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status, response.read().decode("utf-8")
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode("utf-8", "replace")


def _wait_for(url: str, server: subprocess.Popen, seconds: float = 60.0) -> None:
    deadline = time.monotonic() + seconds
    while True:
        if server.poll() is not None:
            pytest.fail(f"the server stopped: {server.stderr.read()}")
        try:
            _get(url)
            return
        except (urllib.error.URLError, ConnectionError):
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    """The wheel built from the working tree (with build isolation, as pip or a CI job builds it)."""
    dist = tmp_path_factory.mktemp("dist")
    built = _run(_pip("wheel", "--no-deps", "--wheel-dir", dist, PROJECT_ROOT), env=_clean_environment())
    warnings = [line.strip() for line in (built.stdout + built.stderr).splitlines()
                if SETUPTOOLS_WARNING.search(line)]
    assert warnings == [], "building the wheel printed warnings:\n" + "\n".join(warnings)
    return next(dist.glob("earlyhelp-*.whl"))


def _install(wheel: Path, venv: Path, wheelhouse: Path) -> None:
    """Install ``wheel`` and its dependencies into ``venv``, from the wheel cache when it has them."""
    # --no-compile: byte-compiling every dependency is most of an install's CPU time, and not what is tested.
    target = ["--python", venv / "bin" / "python", "install", "--quiet", "--no-compile"]
    offline = subprocess.run(_pip(*target, "--no-index", "--find-links", wheelhouse, wheel),
                             capture_output=True, text=True, env=_clean_environment())
    if offline.returncode == 0:
        return
    _run(_pip("download", "--quiet", "--dest", wheelhouse, wheel), env=_clean_environment())
    for copy in wheelhouse.glob("earlyhelp-*"):  # the project itself always comes from the build
        copy.unlink()
    _run(_pip(*target, "--no-index", "--find-links", wheelhouse, wheel), env=_clean_environment())


def test_wheel_carries_templates_static_files_and_compiled_catalogues(wheel):
    import zipfile

    names = set(zipfile.ZipFile(wheel).namelist())
    for path in PROJECT_ROOT.glob("app/templates/**/*"):
        if path.is_file():
            assert path.relative_to(PROJECT_ROOT).as_posix() in names
    for path in (PROJECT_ROOT / "static").rglob("*"):
        if path.is_file() and not path.name.startswith("."):
            assert "app/" + path.relative_to(PROJECT_ROOT).as_posix() in names
    catalogues = (PROJECT_ROOT / "translations").glob("*/LC_MESSAGES/messages.po")
    languages = [po.parent.parent.name for po in catalogues]
    assert languages
    for language in languages:
        assert f"app/translations/{language}/LC_MESSAGES/messages.mo" in names
    assert not [name for name in names if name.startswith(("tests/", "bench/", "content/"))]


def test_installed_wheel_publishes_and_serves_the_sample_content(wheel, tmp_path, request):
    wheelhouse = Path(request.config.cache.mkdir("wheelhouse"))
    venv = tmp_path / "venv"
    _run([sys.executable, "-m", "venv", "--without-pip", venv])
    _install(wheel, venv, wheelhouse)

    # The council's site folder: content/ here; search_index/ and instance/ are made beside it.
    site = tmp_path / "site"
    shutil.copytree(PROJECT_ROOT / "content", site / "content",
                    ignore=shutil.ignore_patterns(".*", "*.lock"))
    environment = _clean_environment()
    located = _run([venv / "bin" / "python", "-c", "import app; print(app.__file__)"],
                   cwd=site, env=environment)
    assert Path(located.stdout.strip()).is_relative_to(venv), "the package must come from the new venv"

    _run([venv / "bin" / "earlyhelp", "publish"], cwd=site, env=environment)
    assert (site / "search_index" / "current").exists()
    # The instance database is created and migrated by the installed code.
    _run([venv / "bin" / "earlyhelp", "user", "add", "admin@example.org", "--role", "admin",
          "--password-stdin"], cwd=site, env=environment, input=f"{PASSWORD}\n")
    assert (site / "instance" / "editorial.db").exists()

    port = _free_port()
    server = subprocess.Popen([venv / "bin" / "earlyhelp", "serve", "--host", "127.0.0.1",
                               "--port", str(port)], cwd=site, env=environment,
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_for(f"{base}/healthz", server)
        status, home = _get(f"{base}/")
        assert status == 200 and "<h1" in home
        stylesheet = re.search(r'href="(/static/css/site\.[0-9a-f]+\.css)"', home)
        assert stylesheet, "the home page links its fingerprinted stylesheet"
        status, css = _get(base + stylesheet.group(1))
        assert status == 200 and "body" in css

        service = re.search(r'href="(/services/[a-z0-9-]+)"', _get(f"{base}/search?q=parenting")[1])
        assert service, "a search finds a service"
        assert _get(base + service.group(1))[0] == 200
        status, sitemap = _get(f"{base}/sitemap.xml")
        assert status == 200 and "<urlset" in sitemap

        # The interface in Polish comes from the compiled catalogue inside the package.
        status, polish = _get(f"{base}/pl/")
        assert status == 200 and 'lang="pl"' in polish
        assert "Exit this page" not in polish and "Exit this page" in home

        # The editor's templates are in the package too: sign in and reach the dashboard.
        editor = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(CookieJar()))
        form = editor.open(f"{base}/editor/sign-in", timeout=10).read().decode("utf-8")
        token = re.search(r'name="csrf_token" value="([^"]+)"', form).group(1)
        signed_in = editor.open(f"{base}/editor/sign-in", timeout=10, data=urllib.parse.urlencode(
            {"csrf_token": token, "email": "admin@example.org", "password": PASSWORD}).encode())
        assert signed_in.status == 200 and signed_in.url.endswith("/editor/")
        assert "Sign out" in signed_in.read().decode("utf-8")
    finally:
        server.terminate()
        server.wait(timeout=10)
