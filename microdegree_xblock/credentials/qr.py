"""
QR codes (segno): inline SVG for web pages, and the module matrix for drawing into a PDF.
"""
from __future__ import annotations

import segno

__all__ = ["qr_matrix", "qr_svg"]


def qr_svg(data: str, *, scale: int = 4) -> str:
    """
    An inline SVG (no XML declaration) of a QR code of ``data``; the data is encoded, never written as text.

    It has a ``viewBox`` and no fixed size, so that it scales to the size the page gives it (a fixed width and
    height would crop the code instead).
    """
    code = segno.make(data, error="m")
    svg: str = code.svg_inline(scale=scale, border=2, dark="#111", light="#fff", omitsize=True)
    return svg


def qr_matrix(data: str) -> list[list[bool]]:
    """The QR code of ``data`` as rows of dark (True) and light modules, without the quiet zone."""
    code = segno.make(data, error="m")
    return [[bool(module) for module in row] for row in code.matrix]
