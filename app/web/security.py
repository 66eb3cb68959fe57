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


def register(app: Flask) -> None:
    https = bool(app.config.get("HTTPS"))

    @app.after_request
    def add_security_headers(response):
        headers = response.headers
        headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        headers.setdefault("X-Content-Type-Options", "nosniff")
        headers.setdefault("Referrer-Policy", "no-referrer")
        headers.setdefault("X-Frame-Options", "DENY")
        headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
        if https:
            headers.setdefault("Strict-Transport-Security", STRICT_TRANSPORT_SECURITY)
        return response
