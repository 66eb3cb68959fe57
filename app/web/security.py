"""Response headers that keep visitors safe and editors' pages private."""

from __future__ import annotations

from flask import Flask

CONTENT_SECURITY_POLICY = "; ".join((
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
))


# A year, the value browsers' preload lists ask for; subdomains too, as the directory usually has a
# host of its own. Sent only when the site is served over HTTPS (a browser ignores it over HTTP).
STRICT_TRANSPORT_SECURITY = "max-age=31536000; includeSubDomains"


SECURITY_HEADERS = (
    ("Content-Security-Policy", CONTENT_SECURITY_POLICY),
    ("X-Content-Type-Options", "nosniff"),
    ("Referrer-Policy", "no-referrer"),
    ("X-Frame-Options", "DENY"),
    ("Cross-Origin-Opener-Policy", "same-origin"),
)


def register(app: Flask) -> None:
    https = bool(app.config.get("HTTPS"))
    added = SECURITY_HEADERS + ((("Strict-Transport-Security", STRICT_TRANSPORT_SECURITY),) if https else ())

    @app.after_request
    def add_security_headers(response):
        # Each unless the view set its own; the names present are read once, not once per header.
        headers = response.headers
        present = {name.lower() for name, _value in headers}
        for name, value in added:
            if name.lower() not in present:
                headers.add(name, value)
        return response
