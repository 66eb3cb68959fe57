"""Gzip pages and JSON for clients that accept it: families on a poor signal pay for every byte."""

from __future__ import annotations

import gzip

from flask import Flask, request

from .assets import COMPRESSIBLE
from .request_overhead import vary_on

MINIMUM_SIZE = 500  # smaller bodies gain less than the gzip header costs


def register(app: Flask) -> None:
    @app.after_request
    def compress(response):
        if (response.direct_passthrough or response.is_streamed
                or response.status_code < 200 or response.status_code in (204, 304)
                or "Content-Encoding" in response.headers
                or not (response.mimetype or "").startswith(COMPRESSIBLE)):
            return response
        vary_on(response, "Accept-Encoding")  # caches must keep the two versions apart
        if "gzip" not in request.accept_encodings:
            return response
        body = response.get_data()
        if len(body) < MINIMUM_SIZE:
            return response
        response.set_data(gzip.compress(body, 6, mtime=0))
        response.headers["Content-Encoding"] = "gzip"
        return response
