"""
Generated badge images (SVG and PNG).

The SVG is well-formed XML (W3C SVG 1.1 / XML 1.0) with every text escaped, the PNG a
400 x 400 RGBA image (PNG, ISO/IEC 15948); each award kind has its colours and label.
"""
from __future__ import annotations

import io
import xml.etree.ElementTree as ET

import pytest
from PIL import Image

from microdegree_xblock.credentials.images import badge_png, badge_svg
from microdegree_xblock.data import ACHIEVEMENT, DEGREE, PARTICIPATION

SVG = "{http://www.w3.org/2000/svg}"
LOOKS = {  # kind: (outer ring colour, inner fill colour, label)
    PARTICIPATION: ("#2b6cb0", "#e8f1fb", "PARTICIPATION"),
    ACHIEVEMENT: ("#2f855a", "#e9f7ef", "ACHIEVEMENT"),
    DEGREE: ("#b7791f", "#fdf3e1", "MICRO-DEGREE"),
}


def _svg(title: str = "Basics", subtitle: str = "Dr. med. KI", kind: str = ACHIEVEMENT) -> ET.Element:
    root = ET.fromstring(badge_svg(title=title, subtitle=subtitle, kind=kind))
    assert root.tag == f"{SVG}svg"
    return root


def _texts(root: ET.Element) -> list[str]:
    return [text.text or "" for text in root.iter(f"{SVG}text")]


def _title_lines(root: ET.Element) -> list[ET.Element]:
    return [text for text in root.iter(f"{SVG}text") if text.get("font-weight") == "bold"]


def test_svg_is_a_400_square_with_label_title_and_subtitle():
    root = _svg(title="Basics", subtitle="Dr. med. KI", kind=DEGREE)
    assert (root.get("width"), root.get("height"), root.get("viewBox")) == ("400", "400", "0 0 400 400")
    assert root.get("aria-label") == "Basics"
    assert _texts(root) == ["MICRO-DEGREE", "Basics", "Dr. med. KI"]


@pytest.mark.parametrize("title", [
    '<script>alert("x")</script>',
    "Tom & Jerry's \"best\" <b>course</b>",
    "]]><script>alert(1)</script><![CDATA[",
])
def test_hostile_titles_stay_text(title):
    root = _svg(title=title, subtitle=title)
    assert not [el for el in root.iter() if el.tag.split("}")[-1] in ("script", "b", "foreignObject")]
    assert root.get("aria-label") == title
    assert "".join(line.text for line in _title_lines(root)).replace(" ", "") == title.replace(" ", "")
    assert set(root.attrib) == {"width", "height", "viewBox", "role", "aria-label"}


@pytest.mark.parametrize("title", ["evil\u202egpj.exe", "evil\x00gpj\x07.exe\x1b", "evil\u2066gpj\ufffe.exe"])
def test_controls_and_reordering_characters_are_not_drawn(title):
    """A title stored past the catalog's checks still gives well-formed XML, drawn in its logical order."""
    root = _svg(title=title, subtitle=title)
    assert root.get("aria-label") == "evilgpj.exe"
    assert "".join(line.text for line in _title_lines(root)) == "evilgpj.exe"


def test_long_titles_are_wrapped_on_at_most_four_centred_lines():
    title = "Artificial intelligence in clinical practice and research: foundations, methods, ethics and law"
    lines = _title_lines(_svg(title=title))
    assert len(lines) == 4
    assert all(len(line.text) <= 22 for line in lines)
    assert " ".join(line.text for line in lines) in title  # whole words, cut after the fourth line
    ys = [int(line.get("y")) for line in lines]
    assert ys == sorted(ys) and sum(ys) / len(ys) == 200


def test_a_short_title_is_one_line_at_the_centre():
    lines = _title_lines(_svg(title="Ethics"))
    assert [(line.text, line.get("y")) for line in lines] == [("Ethics", "200")]


def test_long_subtitles_are_shortened_with_an_ellipsis():
    subtitle = _texts(_svg(subtitle="Doctor of Medicine in Artificial Intelligence, Charité Berlin"))[-1]
    assert len(subtitle) <= 34
    assert subtitle.endswith("…")
    assert subtitle.startswith("Doctor of Medicine")


@pytest.mark.parametrize("kind", list(LOOKS))
def test_each_kind_has_its_look_in_the_svg(kind):
    ring, fill, label = LOOKS[kind]
    root = _svg(kind=kind)
    assert [circle.get("fill") for circle in root.iter(f"{SVG}circle")] == [ring, fill]
    assert _texts(root)[0] == label


def test_an_unknown_kind_looks_like_an_achievement_without_a_label():
    root = _svg(kind="unknown")
    assert [circle.get("fill") for circle in root.iter(f"{SVG}circle")] == list(LOOKS[ACHIEVEMENT][:2])
    assert _texts(root)[0] == ""


def _png(kind: str, title: str = "Basics") -> Image.Image:
    data = badge_png(title=title, subtitle="Dr. med. KI", kind=kind)
    assert data.startswith(b"\x89PNG\r\n\x1a\n")
    image = Image.open(io.BytesIO(data))
    assert image.format == "PNG"
    return image


def _rgb(colour: str) -> tuple[int, int, int, int]:
    return (int(colour[1:3], 16), int(colour[3:5], 16), int(colour[5:7], 16), 255)


@pytest.mark.parametrize("kind", list(LOOKS))
def test_png_is_a_400_square_rgba_medallion_in_the_kinds_colours(kind):
    ring, fill, _label = LOOKS[kind]
    image = _png(kind)
    assert (image.size, image.mode) == ((400, 400), "RGBA")
    assert image.getpixel((0, 0))[3] == 0  # transparent corners
    assert image.getpixel((200, 19)) == _rgb(ring)  # between radius 172 and 190
    assert image.getpixel((200, 50)) == _rgb(fill)


def test_png_draws_the_title():
    assert _png(ACHIEVEMENT, "Basics").tobytes() != _png(ACHIEVEMENT, "Clinics").tobytes()
    assert _png(ACHIEVEMENT, '<script>alert("x")</script> & \u202e').size == (400, 400)
