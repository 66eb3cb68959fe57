"""QR codes drawn on our own server as SVG (segno), so no other site learns what a family was given."""

from __future__ import annotations

import io

import segno


def qr_svg(data: str, title: str) -> str:
    """An SVG QR code of ``data``, scalable (a viewBox, no fixed size), black on white.

    Error correction level M survives a crease or a smudge on a printed sheet
    and keeps the code small enough for a phone to read from arm's length.
    """
    code = segno.make(data, error="m", micro=False, boost_error=False)
    out = io.BytesIO()
    code.save(out, kind="svg", xmldecl=False, omitsize=True, border=4, dark="#000", light="#fff",
              title=title, svgclass="qr-code", lineclass=None, nl=False)
    return out.getvalue().decode("utf-8")
