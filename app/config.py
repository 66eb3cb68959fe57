"""Configuration from the environment, with a class per way of running."""

from __future__ import annotations

import datetime as dt
import os
import secrets
from dataclasses import dataclass
from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent
PROJECT_ROOT = PACKAGE_DIR.parent
# A package built from the repository carries static/ and the compiled translations/ inside
# itself (setup.py); a checkout, and an editable install of it, has them at the top level.
INSTALLED = (PACKAGE_DIR / "static").is_dir()


def site_files(name: str) -> Path:
    """The ``static`` or ``translations`` folder: the package's own when installed, else the checkout's."""
    return (PACKAGE_DIR if INSTALLED else PROJECT_ROOT) / name


def _folder(variable: str, default: str) -> Path:
    # An installed package keeps its data where it is run (the council's site folder), never
    # beside its code in site-packages.
    root = Path.cwd() if INSTALLED else PROJECT_ROOT
    return Path(os.environ.get(variable) or root / default)


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


def https() -> bool:
    """``EARLYHELP_HTTPS=1``: the site is served over HTTPS (so cookies are sent over HTTPS only)."""
    return os.environ.get("EARLYHELP_HTTPS", "").strip() == "1"


def trusted_proxies() -> int:
    """``EARLYHELP_TRUSTED_PROXIES``: how many reverse proxies stand in front and set X-Forwarded-For."""
    value = os.environ.get("EARLYHELP_TRUSTED_PROXIES", "").strip()
    return int(value) if value.isdigit() else 0


MAIL_SETTINGS_FILE = "mail.yml"  # in the instance folder; EARLYHELP_* variables win over it
SMTP_SECURITY = ("starttls", "ssl", "none")


class MailSettingsError(ValueError):
    """``mail.yml`` cannot be read, or holds a value that cannot be right."""


@dataclass(frozen=True)
class SmtpSettings:
    """Where emails are handed over: ``security`` is ``starttls``, ``ssl`` or ``none`` (by default
    ``ssl`` on port 465, ``starttls`` on 587 and ``none`` on any other port, such as a local relay's 25)."""

    host: str
    port: int
    user: str
    password: str
    mail_from: str
    security: str = ""

    @property
    def tls(self) -> str:
        if self.security:
            return self.security
        return {465: "ssl", 587: "starttls"}.get(self.port, "none")


@dataclass(frozen=True)
class MailSettings:
    """The SMTP server (None when none is configured) and when reminders go out."""

    smtp: SmtpSettings | None
    digest_hour: int = 7  # the review digests go out at the first `jobs run` from this hour (UK time)
    reminder_days: int = 30  # a digest lists the entries overdue or due within this many days
    repeat_days: int = 7  # an entry already in a digest is listed again after this many days


def _mail_file(instance: Path) -> dict:
    path = instance / MAIL_SETTINGS_FILE
    if not path.is_file():
        return {}
    import yaml

    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as error:
        raise MailSettingsError(f"{path}: cannot be read: {error}") from None
    if not isinstance(data, dict):
        raise MailSettingsError(f"{path}: expected settings such as 'smtp_host: mail.example.org'")
    return {str(key): "" if value is None else str(value).strip() for key, value in data.items()}


def _mail_number(values: dict, key: str, default: int, highest: int) -> int:
    value = values.get(key, "")
    if not value:
        return default
    if not value.isdigit() or int(value) > highest:
        raise MailSettingsError(f"{key} must be a whole number from 0 to {highest}, not {value!r}")
    return int(value)


def mail_settings(instance: Path | None = None) -> MailSettings:
    """Mail settings from ``<instance>/mail.yml`` (keys ``smtp_host``, ``smtp_port``, ``smtp_security``,
    ``smtp_user``, ``smtp_password``, ``mail_from``, ``digest_hour``, ``reminder_days``,
    ``repeat_days``), each overridden by the variable ``EARLYHELP_<KEY in capitals>`` when that is set.

    The SMTP server is None unless both the host and the sender are set. Raises
    :class:`MailSettingsError` for a file that cannot be read or a value that cannot be right.
    """
    values = _mail_file(instance_dir() if instance is None else Path(instance))
    for key in ("smtp_host", "smtp_port", "smtp_security", "smtp_user", "smtp_password", "mail_from",
                "digest_hour", "reminder_days", "repeat_days"):
        if os.environ.get(f"EARLYHELP_{key.upper()}", "").strip():
            values[key] = os.environ[f"EARLYHELP_{key.upper()}"].strip()
    security = values.get("smtp_security", "").lower()
    if security and security not in SMTP_SECURITY:
        raise MailSettingsError(f"smtp_security must be one of {', '.join(SMTP_SECURITY)}, not {security!r}")
    smtp = None
    if values.get("smtp_host") and values.get("mail_from"):
        smtp = SmtpSettings(values["smtp_host"], _mail_number(values, "smtp_port", 587, 65535),
                            values.get("smtp_user", ""), values.get("smtp_password", ""), values["mail_from"],
                            security)
    return MailSettings(smtp, _mail_number(values, "digest_hour", 7, 23),
                        _mail_number(values, "reminder_days", 30, 366),
                        _mail_number(values, "repeat_days", 7, 366))


def smtp_settings(instance: Path | None = None) -> SmtpSettings | None:
    """The SMTP server of :func:`mail_settings`, or None."""
    return mail_settings(instance).smtp


def base_url() -> str:
    """``EARLYHELP_BASE_URL``: where the site is served (``https://directory.example.gov.uk``), for
    absolute links in pages, the sitemap and emails; empty when not set (then site.yml's ``base_url``)."""
    return os.environ.get("EARLYHELP_BASE_URL", "").strip().rstrip("/")


def trusted_hosts() -> list[str]:
    """``EARLYHELP_TRUSTED_HOSTS``: host names, comma-separated, answered besides localhost when no
    base URL is configured (with one, every request is answered as the base URL)."""
    return [host.strip() for host in os.environ.get("EARLYHELP_TRUSTED_HOSTS", "").split(",") if host.strip()]


def max_shrink() -> float:
    """``EARLYHELP_MAX_SHRINK``: the largest share (a percentage, default 50) of the live services that
    one publish may drop without ``--allow-shrink``; a publish that drops all of them always stops."""
    value = os.environ.get("EARLYHELP_MAX_SHRINK", "").strip().rstrip("%")
    try:
        percent = float(value) if value else 50.0
    except ValueError:
        percent = 50.0
    return min(max(percent, 0.0), 100.0) / 100


def rendered_pages_bytes() -> int:
    """``EARLYHELP_RENDERED_PAGES_MB`` (64): memory each server process may keep rendered public
    pages of the live release in; 0 renders every page afresh."""
    value = os.environ.get("EARLYHELP_RENDERED_PAGES_MB", "").strip()
    return (int(value) if value.isdigit() else 64) * 1024 * 1024


EDITOR_SESSION_HOURS = 8  # a working day; then sign in again


def _whole_number(variable: str, default: int) -> int:
    value = os.environ.get(variable, "").strip()
    return int(value) if value.isdigit() and int(value) > 0 else default


def search_log_enabled() -> bool:
    """``EARLYHELP_SEARCH_LOG=0`` turns the privacy-safe search log (app/insight/searchlog.py) off."""
    return os.environ.get("EARLYHELP_SEARCH_LOG", "1").strip() != "0"


def insight_min_count() -> int:
    """``EARLYHELP_INSIGHT_MIN_COUNT`` (k, default 5): a query appears in the insight reports only
    when at least this many searches made it."""
    return _whole_number("EARLYHELP_INSIGHT_MIN_COUNT", 5)


def search_log_months() -> int:
    """``EARLYHELP_SEARCH_LOG_MONTHS`` (default 13): how long ``earlyhelp search-log purge`` keeps
    searches."""
    return _whole_number("EARLYHELP_SEARCH_LOG_MONTHS", 13)


class Config:
    """Production defaults; folders from the environment or the checkout."""

    TESTING = False
    BABEL_DEFAULT_LOCALE = "en_GB"  # British dates and spelling cues for screen readers
    BABEL_TRANSLATION_DIRECTORIES = str(site_files("translations"))
    MAX_CONTENT_LENGTH = 1024 * 1024
    STATIC_DIR = site_files("static")

    # The session cookie exists only for editors (public pages never touch the session).
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    PERMANENT_SESSION_LIFETIME = dt.timedelta(hours=EDITOR_SESSION_HOURS)
    # Not re-sent on every request: an editor reading public pages gets no Set-Cookie on
    # those (publicly cached) responses. The 8 hours count from sign-in (checked server-side).
    SESSION_REFRESH_EACH_REQUEST = False
    WTF_CSRF_ENABLED = True
    WTF_CSRF_TIME_LIMIT = EDITOR_SESSION_HOURS * 3600  # a form left open all day still submits
    # Flask-WTF's HTTPS check wants a Referer, which our Referrer-Policy (no-referrer) never
    # sends; the token in the session and the SameSite cookie do the work.
    WTF_CSRF_SSL_STRICT = False
    BASE_URL = ""
    ALLOWED_HOSTS: tuple[str, ...] = ()  # not Flask's TRUSTED_HOSTS: app/web/hosts.py does the checking

    # The search log and the insight reports (see app/insight/ and docs/insight.md).
    SEARCH_LOG = True
    INSIGHT_MIN_COUNT = 5
    SEARCH_LOG_MONTHS = 13

    def __init__(self):
        self.CONTENT_DIR = content_dir()
        self.INDEX_DIR = index_dir()
        self.INSTANCE_DIR = instance_dir()
        self.SECRET_KEY = secret_key(self.INSTANCE_DIR)
        self.TRUSTED_PROXIES = trusted_proxies()
        self.BASE_URL = base_url()
        self.ALLOWED_HOSTS = trusted_hosts()
        self.SEARCH_LOG = search_log_enabled()
        self.INSIGHT_MIN_COUNT = insight_min_count()
        self.SEARCH_LOG_MONTHS = search_log_months()
        self.RENDERED_PAGES_MAX_BYTES = rendered_pages_bytes()
        self.use_https(https())

    def use_https(self, on: bool) -> None:
        """Cookie settings for a site served over HTTPS (``on``) or plain HTTP."""
        self.HTTPS = on
        self.SESSION_COOKIE_SECURE = on
        # The __Host- prefix makes browsers refuse the cookie unless it is Secure, for this
        # host only and for every path, so a neighbouring subdomain cannot plant one.
        self.SESSION_COOKIE_NAME = "__Host-earlyhelp_editor" if on else "earlyhelp_editor"


class TestingConfig(Config):
    """For tests: pass the temporary folders to use."""

    __test__ = False  # not a pytest test class, despite the name

    TESTING = True

    def __init__(self, content: Path, index: Path, instance: Path, https: bool = False):
        self.CONTENT_DIR, self.INDEX_DIR, self.INSTANCE_DIR = Path(content), Path(index), Path(instance)
        self.SECRET_KEY = "test-secret-key"
        self.TRUSTED_PROXIES = 0
        self.use_https(https)
