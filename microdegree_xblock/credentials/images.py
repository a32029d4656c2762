"""
The badge image generated from a badge's title when the admin sets none: an SVG, every text escaped.
"""
from __future__ import annotations

import io
import re
import textwrap
from functools import cache
from pathlib import Path
from xml.sax.saxutils import escape

import reportlab
from PIL import Image, ImageDraw, ImageFont

from ..data import ACHIEVEMENT, DEGREE, PARTICIPATION, RECOGNITION

__all__ = ["badge_png", "badge_svg"]

_COLOURS = {PARTICIPATION: ("#e8f1fb", "#2b6cb0"), ACHIEVEMENT: ("#e9f7ef", "#2f855a"), DEGREE: ("#fdf3e1", "#b7791f"),
            RECOGNITION: ("#f3ecfb", "#6b46c1")}
_LABELS = {PARTICIPATION: "PARTICIPATION", ACHIEVEMENT: "ACHIEVEMENT", DEGREE: "MICRO-DEGREE",
           RECOGNITION: "RECOGNITION"}
# What may not appear in the drawn text: characters XML 1.0 forbids (C0 controls but tab and line breaks, lone
# surrogates, U+FFFE/U+FFFF) and the bidirectional controls that would reorder it. The catalog's checks refuse
# them in names and titles; a title stored otherwise still gives a well-formed image.
_NOT_DRAWN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff"
                        "\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def _drawn(text: str) -> str:
    """``text`` as the image shows it: without the characters above."""
    return _NOT_DRAWN.sub("", text)


def badge_svg(*, title: str, subtitle: str, kind: str) -> str:
    """A 400 x 400 SVG badge: a medallion with the kind, the title (wrapped) and the subtitle (e.g. the program)."""
    fill, stroke = _COLOURS.get(kind, _COLOURS[ACHIEVEMENT])
    title, subtitle = _drawn(title), _drawn(subtitle)
    lines = textwrap.wrap(title, width=22)[:4] or [""]
    first = 200 - (len(lines) - 1) * 13
    title_lines = "".join(
        f'<text x="200" y="{first + 26 * n}" font-size="22" font-weight="bold" text-anchor="middle" '
        f'fill="#1a202c">{escape(line)}</text>'
        for n, line in enumerate(lines)
    )
    sub = escape(textwrap.shorten(subtitle, width=34, placeholder="…"))
    return (
        '<svg xmlns="http://www.w3.org/2000/svg" width="400" height="400" viewBox="0 0 400 400" role="img" '
        f'aria-label="{escape(title, {chr(34): "&quot;"})}">'
        f'<circle cx="200" cy="200" r="190" fill="{stroke}"/>'
        f'<circle cx="200" cy="200" r="172" fill="{fill}"/>'
        '<g font-family="DejaVu Sans, Verdana, Arial, sans-serif">'
        f'<text x="200" y="110" font-size="18" letter-spacing="3" text-anchor="middle" fill="{stroke}">'
        f'{_LABELS.get(kind, "")}</text>'
        f"{title_lines}"
        f'<text x="200" y="310" font-size="16" text-anchor="middle" fill="#4a5568">{sub}</text>'
        "</g></svg>"
    )


@cache
def _font(size: int, *, bold: bool = False) -> ImageFont.FreeTypeFont:
    # Bitstream Vera, bundled with reportlab (which the PDF certificates use): no system font needed.
    return ImageFont.truetype(str(Path(reportlab.__file__).parent / "fonts" / ("VeraBd.ttf" if bold else "Vera.ttf")),
                              size)


def badge_png(*, title: str, subtitle: str, kind: str) -> bytes:
    """The same badge as :func:`badge_svg`, as a 400 x 400 PNG (for backpacks that take PNG baked badges only)."""
    fill, stroke = _COLOURS.get(kind, _COLOURS[ACHIEVEMENT])
    image = Image.new("RGBA", (400, 400), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    draw.ellipse((10, 10, 390, 390), fill=stroke)
    draw.ellipse((28, 28, 372, 372), fill=fill)
    draw.text((200, 110), _LABELS.get(kind, ""), font=_font(18), fill=stroke, anchor="ms")
    lines = textwrap.wrap(title, width=22)[:4] or [""]
    first = 200 - (len(lines) - 1) * 13
    for n, line in enumerate(lines):
        draw.text((200, first + 26 * n), line, font=_font(20, bold=True), fill="#1a202c", anchor="ms")
    draw.text((200, 310), textwrap.shorten(subtitle, width=34, placeholder="…"), font=_font(15), fill="#4a5568",
              anchor="ms")
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=True)
    return out.getvalue()
