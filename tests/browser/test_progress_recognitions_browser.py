"""
Recognitions, elective groups and nested programmes in a real browser.

The achievements page at 360 px and on a desktop, axe-core clean, the tree as nested lists, in English and German;
the panel in the demo's unit at 320 and 360 px.
"""
from __future__ import annotations

import pytest

from microdegree_xblock import api
from microdegree_xblock.catalog import parse_catalog

from ..test_progress_recognitions import BASICS, DEMO, ETHIK, VET
from .conftest import PHONE, run_axe, screenshot

pytestmark = pytest.mark.django_db(transaction=True)
URL = "/microdegree/achievements/"
OVERFLOW = "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"


@pytest.fixture
def stacked(learner):
    """The demo catalog; a learner at 65 % in Dr. med. KI Basics, with AI_VET I and an elective of KI in der Bildung."""
    api.load_catalog(parse_catalog(DEMO))
    for key, percent in ((BASICS, 0.65), (VET[0], 0.8), (ETHIK, 0.9)):
        api.record_grade(user_id=learner.pk, course_key=key, percent=percent, event_type="test")
    return learner


@pytest.mark.parametrize(("viewport", "name"), [(PHONE, "360"), (None, "desktop")])
def test_the_achievements_page_shows_recognitions_and_the_tree(new_page, stacked, viewport, name):
    page = new_page(user=stacked, viewport=viewport)
    page.goto(URL)
    assert page.evaluate(OVERFLOW) <= 0
    panel = page.locator("#program-ki-bildung")
    # the tree: the group's courses and the nested programme's are lists within the list
    nested = panel.locator("ol.microdegree-courses > li.microdegree-node > ol.microdegree-courses--nested")
    assert nested.count() == 2
    assert nested.first.get_attribute("aria-labelledby") == panel.locator(".microdegree-node-head").first.get_attribute(
        "id")
    assert "1 of 1 chosen" in panel.inner_text()
    cme = page.locator("#program-dr-med-ki .microdegree-recognition").first
    assert "best grade 65 %, 70 % needed" in cme.inner_text() and "12 CME points" in cme.inner_text()
    assert run_axe(page, f"achievements-recognitions-{name}") == []
    assert page.js_errors == []
    screenshot(page, f"achievements-recognitions-{name}")


def test_the_achievements_page_in_german(new_page, stacked):
    page = new_page(user=stacked, locale="de-DE", viewport=PHONE)
    page.goto(URL)
    assert page.evaluate(OVERFLOW) <= 0
    assert "beste Note 65 %, 70 % erforderlich" in page.locator("#program-dr-med-ki").inner_text()
    screenshot(page, "achievements-recognitions-360-de")


@pytest.mark.parametrize("program", ["ai-vet", "ki-bildung"])
def test_the_panel_fits_320_and_360_px(new_page, stacked, program):
    for width in (320, 360):
        page = new_page(viewport={"width": width, "height": 780})
        page.goto(f"/demo/unit/{program}/?student={stacked.username}")  # the unit as the MFE's iframe shows it
        panel = page.locator(".microdegree-panel")
        panel.wait_for()
        assert page.evaluate(OVERFLOW) <= 0, f"{width} px"
        box = panel.bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= width
    assert "On-site exam passed at Universität Mannheim: not yet recorded" in panel.inner_text()
    assert run_axe(page, f"panel-recognitions-{program}-360") == []
    assert page.js_errors == []
    screenshot(page, f"panel-recognitions-{program}-360")


def test_the_verification_page_of_a_recognition(new_page, learner, django_capture_on_commit_callbacks):
    """The chamber's CME recognition at 72 %: who recognised what, the credits, that body's threshold."""
    api.load_catalog(parse_catalog(DEMO))
    with django_capture_on_commit_callbacks(execute=True):
        api.record_grade(user_id=learner.pk, course_key=BASICS, percent=0.72, event_type="test")
    award = next(a for a in api.get_learner_awards(user_id=learner.pk) if a.kind == "recognition")
    for viewport, name in ((None, "desktop"), (PHONE, "360")):
        page = new_page(viewport=viewport)
        page.goto(f"/microdegree/verify/{award.id}/")
        text = page.locator("main").inner_text()
        assert "Landesärztekammer Baden-Württemberg" in text and "CME" in text and "70" in text and "72" in text
        assert page.evaluate(OVERFLOW) <= 0  # its address wraps on a phone too
        assert run_axe(page, f"verify-recognition-{name}") == []
        screenshot(page, f"verify-recognition-{name}")
