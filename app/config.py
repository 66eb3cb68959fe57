"""Configuration from the environment, with a class per way of running."""

from __future__ import annotations

import os
import secrets
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def _folder(variable: str, default: str) -> Path:
    return Path(os.environ.get(variable) or PROJECT_ROOT / default)


def content_dir() -> Path:
    return _folder("EARLYHELP_CONTENT_DIR", "content")


def index_dir() -> Path:
    return _folder("EARLYHELP_INDEX_DIR", "search_index")


def instance_dir() -> Path:
    return _folder("EARLYHELP_INSTANCE_DIR", "instance")


def secret_key(instance: Path) -> str:
    """``EARLYHELP_SECRET_KEY``, else a key generated once into the instance folder."""
    if os.environ.get("EARLYHELP_SECRET_KEY"):
        return os.environ["EARLYHELP_SECRET_KEY"]
    path = instance / "secret_key"
    if not path.exists():
        instance.mkdir(parents=True, exist_ok=True)
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "w") as handle:
            handle.write(secrets.token_hex(32))
    return path.read_text().strip()


class Config:
    """Production defaults; folders from the environment or the checkout."""

    TESTING = False
    BABEL_DEFAULT_LOCALE = "en_GB"  # British dates and spelling cues for screen readers
    BABEL_TRANSLATION_DIRECTORIES = str(PROJECT_ROOT / "translations")
    MAX_CONTENT_LENGTH = 1024 * 1024
    STATIC_DIR = PROJECT_ROOT / "static"

    def __init__(self):
        self.CONTENT_DIR = content_dir()
        self.INDEX_DIR = index_dir()
        self.INSTANCE_DIR = instance_dir()
        self.SECRET_KEY = secret_key(self.INSTANCE_DIR)


class TestingConfig(Config):
    """For tests: pass the temporary folders to use."""

    __test__ = False  # not a pytest test class, despite the name

    TESTING = True

    def __init__(self, content: Path, index: Path, instance: Path):
        self.CONTENT_DIR, self.INDEX_DIR, self.INSTANCE_DIR = Path(content), Path(index), Path(instance)
        self.SECRET_KEY = "test-secret-key"
