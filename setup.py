"""Packaging: everything is declared in setup.cfg except one build step, below.

``static/`` and ``translations/`` live at the top of the repository, where designers and
translators work on them. A built package carries them inside itself, as ``app/static/`` and
``app/translations/`` (with every catalogue compiled to its ``.mo``), so an installed wheel
serves pages with no checkout; ``app.config`` looks there first. A checkout (``make run``, an
editable install) uses the top-level folders themselves.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

ROOT = Path(__file__).resolve().parent


class BuildWithSiteFiles(build_py):
    """The usual build, plus the static files and the compiled interface catalogues."""

    def run(self):
        super().run()
        if self.editable_mode:  # an editable install reads the checkout's own folders
            return
        package = Path(self.build_lib) / "app"
        static = package / "static"
        shutil.rmtree(static, ignore_errors=True)
        shutil.copytree(ROOT / "static", static, ignore=shutil.ignore_patterns(".*"))
        self._compile_catalogues(ROOT / "translations", package / "translations")

    @staticmethod
    def _compile_catalogues(source: Path, target: Path) -> None:
        # Babel is a dependency of flask-babel and a build requirement (pyproject.toml).
        from babel.messages.mofile import write_mo
        from babel.messages.pofile import read_po

        shutil.rmtree(target, ignore_errors=True)
        for po_path in sorted(source.glob("*/LC_MESSAGES/messages.po")):
            folder = target / po_path.relative_to(source).parent
            folder.mkdir(parents=True)
            shutil.copyfile(po_path, folder / po_path.name)  # the editor lists languages by their .po
            with po_path.open("rb") as handle:
                catalogue = read_po(handle, locale=po_path.parent.parent.name)
            with (folder / "messages.mo").open("wb") as handle:
                write_mo(handle, catalogue)


setup(cmdclass={"build_py": BuildWithSiteFiles})
