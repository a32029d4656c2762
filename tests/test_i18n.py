"""
German and English catalogs ship compiled, and the plugin's strings come out in German.
"""
from __future__ import annotations

import ast
import gettext
import re
from pathlib import Path

import pytest
from django.utils import translation

from microdegree_xblock.models import Award
from microdegree_xblock.resources import render_template

LOCALE = Path(__file__).resolve().parent.parent / "microdegree_xblock" / "locale"


def _unquote(part: str) -> str:
    """The text of the quoted lines of a .po field (C escapes as in Python literals)."""
    return "".join(ast.literal_eval(f'"{line}"') for line in re.findall(r'"(.*)"', part))


def _po_messages(language: str) -> dict[str, str]:
    """Msgid -> msgstr of the singular messages of a .po file (enough to compare with its .mo)."""
    text = (LOCALE / language / "LC_MESSAGES" / "django.po").read_text(encoding="utf-8")
    messages = {}
    for entry in text.split("\n\n")[1:]:
        if "msgid_plural" in entry:
            continue
        msgid, msgstr = entry.split("msgid", 1)[1].split("msgstr", 1)
        messages[_unquote(msgid)] = _unquote(msgstr)
    return messages


@pytest.mark.parametrize("language", ["de", "en"])
def test_compiled_catalogs_match_their_sources(language):
    with open(LOCALE / language / "LC_MESSAGES" / "django.mo", "rb") as mo:
        compiled = gettext.GNUTranslations(mo)
    messages = _po_messages(language)
    assert len(messages) > 50
    for msgid, msgstr in messages.items():
        assert compiled.gettext(msgid) == (msgstr or msgid), msgid


def test_every_german_message_is_translated():
    text = (LOCALE / "de" / "LC_MESSAGES" / "django.po").read_text(encoding="utf-8")
    assert "#, fuzzy" not in text  # gettext skips fuzzy entries
    entries = text.split("\n\n")[1:]  # the first entry is the header
    untranslated = []
    for entry in entries:
        # The translation: the quoted strings from the msgstr line on (msgstr[0] for plurals).
        translated = "".join(re.findall(r'"(.*)"', entry.split("msgstr", 1)[1]))
        if not translated:
            untranslated.append(entry)
    assert entries and untranslated == []


def test_model_and_panel_strings_in_german():
    with translation.override("de"):
        assert str(dict(Award.KIND_CHOICES)[Award.ACHIEVEMENT]) == "Leistungsnachweis"
        assert str(Award._meta.verbose_name_plural) == "Nachweise"
    html = render_template("microdegree/panel.html", {"program": None, "program_id": ""}, language="de")
    assert "Für diese Komponente ist kein Micro-Degree-Programm ausgewählt." in html
    html = render_template("microdegree/panel.html", {"program": None, "program_id": ""}, language="en")
    assert "No micro-degree program is selected for this component." in html
