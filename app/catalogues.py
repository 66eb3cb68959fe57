"""Checks on the interface catalogues: current with the code, and complete in every language.

``python -m app.catalogues`` (``make check-messages``) prints each problem and exits 1 if
there is any. The extraction settings are read from setup.cfg's ``[extract_messages]``, the same
ones ``make messages`` uses, so the check and the catalogue can never disagree on what to extract.
"""

from __future__ import annotations

import configparser
import sys
import tempfile
from pathlib import Path

import yaml
from babel.messages.catalog import Catalog
from babel.messages.frontend import CommandLineInterface
from babel.messages.pofile import read_po

from .config import PROJECT_ROOT, content_dir

TRANSLATIONS = PROJECT_ROOT / "translations"
TEMPLATE = TRANSLATIONS / "messages.pot"


def _message_keys(catalogue: Catalog) -> set[tuple]:
    return {(message.context, message.id if isinstance(message.id, str) else tuple(message.id))
            for message in catalogue if message.id}


def read_catalogue(path: Path) -> Catalog:
    with path.open("rb") as handle:
        return read_po(handle)


def extract(root: Path = PROJECT_ROOT) -> Catalog:
    """The strings the code holds now, extracted as ``make messages`` extracts them."""
    settings = configparser.ConfigParser()
    settings.read(root / "setup.cfg")
    options = settings["extract_messages"]
    with tempfile.TemporaryDirectory() as folder:
        output = Path(folder) / "messages.pot"
        arguments = ["pybabel", "-q", "extract", "-F", str(root / options["mapping_file"]),
                     "-o", str(output), str(root / options["input_paths"])]
        for keyword in options.get("keywords", "").split():
            arguments += ["-k", keyword]
        CommandLineInterface().run(arguments)
        return read_catalogue(output)


def template_problems(template: Catalog, extracted: Catalog) -> list[str]:
    """Differences between translations/messages.pot and the code's strings."""
    missing = _message_keys(extracted) - _message_keys(template)
    unused = _message_keys(template) - _message_keys(extracted)
    problems = [f"messages.pot: missing {key[1]!r} (run make messages)" for key in sorted(missing, key=str)]
    problems += [f"messages.pot: {key[1]!r} is no longer used (run make messages)"
                 for key in sorted(unused, key=str)]
    return problems


def catalogue_problems(language: str, catalogue: Catalog, template: Catalog) -> list[str]:
    """What stops a language's catalogue being complete: missing, unused, untranslated, fuzzy, bad."""
    where = f"translations/{language}/LC_MESSAGES/messages.po"
    problems = [f"{where}: missing {key[1]!r} (run make messages)"
                for key in sorted(_message_keys(template) - _message_keys(catalogue), key=str)]
    for message in catalogue:
        if not message.id:
            continue
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        if not all(strings):
            problems.append(f"{where}:{message.lineno}: not translated: {message.id!r}")
        elif message.fuzzy:
            problems.append(f"{where}:{message.lineno}: fuzzy (needs checking): {message.id!r}")
    for message, errors in catalogue.check():
        problems += [f"{where}:{message.lineno}: {error}" for error in errors]
    if catalogue.obsolete:
        problems.append(f"{where}: {len(catalogue.obsolete)} obsolete messages (run make messages)")
    return problems


def catalogue_languages(folder: Path = TRANSLATIONS) -> list[str]:
    return sorted(path.parent.parent.name for path in folder.glob("*/LC_MESSAGES/messages.po"))


def offered_languages(content: Path) -> list[str]:
    """The languages ``content/site.yml`` offers besides English."""
    site = yaml.safe_load((content / "site.yml").read_text(encoding="utf-8")) or {}
    return [code for code in site.get("languages") or [] if code != "en"]


def all_problems(content: Path | None = None) -> list[str]:
    template = read_catalogue(TEMPLATE)
    problems = template_problems(template, extract())
    problems += [f"content/site.yml offers {code!r} but there is no catalogue (run make language L={code})"
                 for code in offered_languages(content or content_dir()) if code not in catalogue_languages()]
    for language in catalogue_languages():
        path = TRANSLATIONS / language / "LC_MESSAGES" / "messages.po"
        problems += catalogue_problems(language, read_catalogue(path), template)
    return problems


def main() -> int:
    problems = all_problems()
    for problem in problems:
        print(problem)
    languages = catalogue_languages()
    if problems:
        print(f"{len(problems)} problems in the interface catalogues.", file=sys.stderr)
        return 1
    print(f"messages.pot is current; {len(languages)} catalogues complete: {', '.join(languages)}.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
