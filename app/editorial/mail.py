"""Email: writing a message in its reader's language, and handing messages to the SMTP server.

The SMTP server and the sender come from :func:`app.config.mail_settings`
(``instance/mail.yml`` and ``EARLYHELP_SMTP_*`` / ``EARLYHELP_MAIL_FROM``).
Messages are plain text with a Message-ID and a Date. Their words come from
the interface catalogues (``translations/``) through Babel, without Flask, so
a job run from cron writes the same Polish as the site does.
"""

from __future__ import annotations

import datetime as dt
import functools
import smtplib
import ssl
from email.message import EmailMessage
from email.utils import format_datetime, formataddr, make_msgid, parseaddr

from babel import Locale
from babel.dates import format_date, format_time
from babel.support import NullTranslations, Translations

from .. import config
from .reviews import LOCAL_TIME

SMTP_TIMEOUT = 30  # seconds: an unreachable server fails the run rather than hanging it
DEFAULT_LANGUAGE = "en"


# -- languages ---------------------------------------------------------------------------------------

@functools.cache
def languages() -> tuple[str, ...]:
    """The languages an account may choose for its emails: English and every interface catalogue."""
    folder = config.site_files("translations")
    found = sorted(path.name for path in folder.iterdir()
                   if (path / "LC_MESSAGES" / "messages.po").is_file() or
                   (path / "LC_MESSAGES" / "messages.mo").is_file()) if folder.is_dir() else []
    return (DEFAULT_LANGUAGE, *(code for code in found if code != DEFAULT_LANGUAGE))


@functools.cache
def language_name(code: str) -> str:
    """The language's name in itself: "Polski", "English"."""
    name = Locale.parse(code).get_display_name(code) or code
    return name[:1].upper() + name[1:]


def language_choices() -> list[tuple[str, str]]:
    """(code, label) for a form: "Polski (Polish)", "English"."""
    return [(code, language_name(code) if code == DEFAULT_LANGUAGE else
             f"{language_name(code)} ({Locale.parse(code).get_display_name('en')})") for code in languages()]


@functools.cache
def _catalogue(language: str) -> NullTranslations:
    if language == DEFAULT_LANGUAGE:
        return NullTranslations()  # the messages are written in English
    return Translations.load(str(config.site_files("translations")), [language], domain="messages")


class Words:
    """The words of one language: ``words.gettext("Hello %(name)s,", name=...)``, as Flask-Babel's
    ``gettext`` (same catalogues, same ``%(name)s`` placeholders, ``num`` given to ``ngettext``)."""

    def __init__(self, language: str):
        self.language = language if language in languages() else DEFAULT_LANGUAGE
        self._translations = _catalogue(self.language)
        # English dates as the site writes them: "1 September 2026", not "September 1, 2026".
        self._locale = "en_GB" if self.language == DEFAULT_LANGUAGE else self.language

    def gettext(self, message: str, **params) -> str:
        text = self._translations.gettext(message)
        return text % params if params else text

    def ngettext(self, singular: str, plural: str, num: int, **params) -> str:
        return self._translations.ngettext(singular, plural, num) % {"num": num, **params}

    def date(self, day: dt.date) -> str:
        """``1 September 2026``, ``1 września 2026``."""
        return format_date(day, "long", locale=self._locale)

    def time(self, moment: dt.datetime) -> str:
        """The time of day in the council's time zone: ``14:05``."""
        return format_time(moment.astimezone(LOCAL_TIME), "HH:mm", locale=self._locale)


# -- messages ----------------------------------------------------------------------------------------

def message(*, to_name: str, to_email: str, subject: str, body: str, mail_from: str,
            language: str = DEFAULT_LANGUAGE) -> EmailMessage:
    """A plain-text message with the headers mail servers expect (Message-ID, Date, Content-Language)."""
    email = EmailMessage()
    email["Subject"] = subject
    email["From"] = mail_from
    email["To"] = formataddr((to_name, to_email))
    email["Date"] = format_datetime(dt.datetime.now(dt.UTC))
    domain = parseaddr(mail_from)[1].rpartition("@")[2]
    email["Message-ID"] = make_msgid(domain=domain or None)
    email["Auto-Submitted"] = "auto-generated"  # so vacation replies are not sent back to us
    email.set_content(body)
    email["Content-Language"] = language  # after set_content, which clears the Content-* headers
    return email


# -- sending -------------------------------------------------------------------------------------------

class MailError(Exception):
    """The SMTP server could not be reached, or refused us (not one recipient: see :meth:`Mailer.send`)."""


class Mailer:
    """One connection to the SMTP server: ``with Mailer(settings) as mailer: mailer.send(message)``.

    Connecting and signing in raise :class:`MailError` with a message that names the server; a
    message the server refuses raises :class:`smtplib.SMTPException` from :meth:`send`, and the
    connection stays usable for the next one.
    """

    def __init__(self, settings: config.SmtpSettings):
        self.settings = settings
        self._server: smtplib.SMTP | None = None

    def __enter__(self) -> Mailer:
        settings = self.settings
        where = f"{settings.host}:{settings.port}"
        try:  # smtplib's errors are OSErrors too
            if settings.tls == "ssl":
                server = smtplib.SMTP_SSL(settings.host, settings.port, timeout=SMTP_TIMEOUT,
                                          context=ssl.create_default_context())
            else:
                server = smtplib.SMTP(settings.host, settings.port, timeout=SMTP_TIMEOUT)
        except OSError as error:
            raise MailError(f"cannot reach the SMTP server {where}: {error}") from None
        try:
            if settings.tls == "starttls":
                server.starttls(context=ssl.create_default_context())
        except OSError as error:
            server.close()
            raise MailError(f"the SMTP server {where} did not start TLS: {error}") from None
        try:
            if settings.user:
                server.login(settings.user, settings.password)
        except OSError as error:
            server.close()
            raise MailError(f"the SMTP server {where} refused to sign us in: {error}") from None
        self._server = server
        return self

    def send(self, email: EmailMessage) -> None:
        try:
            self._server.send_message(email)
        except OSError as error:  # smtplib's errors are OSErrors too
            refused = not isinstance(error, smtplib.SMTPServerDisconnected)
            if isinstance(error, smtplib.SMTPException) and refused:
                raise  # the server refused this message (a recipient, its size): the next may go
            raise MailError(f"the SMTP server {self.settings.host}:{self.settings.port} went away: "
                            f"{error}") from None

    def __exit__(self, *exc_info) -> None:
        try:
            self._server.quit()
        except (OSError, smtplib.SMTPException):  # the server went away after the last message
            self._server.close()
