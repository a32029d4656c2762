"""
The learner's achievements page in a real browser.

Sign-in, the panels, the awards and their links, keyboard, axe-core, 360 px, screenshots.
"""
from __future__ import annotations

import pytest

from ..conftest import BASICS, CLINICS, VET, send_grade
from .conftest import PHONE, run_axe, screenshot, tab_until

pytestmark = pytest.mark.django_db(transaction=True)
URL = "/microdegree/achievements/"


@pytest.fixture
def achiever(catalog, learner):
    """A learner with the AI_VET micro-degree, one Dr. med. KI record and a course under way."""
    for key in VET:
        send_grade(learner.pk, key, 0.9)
    send_grade(learner.pk, BASICS, 0.82)
    send_grade(learner.pk, CLINICS, 0.45)
    return learner


def test_sign_in_is_required(new_page, catalog):
    page = new_page()
    page.goto(URL)
    assert page.url.endswith("/login/?next=/microdegree/achievements/")


def test_page_shows_programs_and_awards(new_page, achiever):
    page = new_page(user=achiever)
    page.goto(URL)
    assert page.title() == "Your achievements"
    assert page.get_by_role("heading", level=1).inner_text() == "Your achievements"
    panels = page.locator(".microdegree-panel")
    assert panels.count() == 2
    assert page.get_by_role("heading", name="AI_VET", level=3).first.is_visible()
    assert "Micro-degree earned." in panels.nth(0).inner_text()
    awards = page.locator(".microdegree-award")
    assert awards.count() == 6
    degree = page.locator(".microdegree-award--degree")
    links = degree.get_by_role("link")
    assert links.count() >= 1
    for n in range(links.count()):
        assert links.nth(n).get_attribute("href").startswith("http")
    # every link names its award for screen readers
    assert degree.get_by_role("link", name="Verification page (AI_VET)", exact=True).count() == 1
    assert page.js_errors == []
    screenshot(page, "achievements-desktop")


def test_page_accessibility_and_keyboard(new_page, achiever):
    page = new_page(user=achiever)
    page.goto(URL)
    assert run_axe(page, "achievements") == []
    focused = tab_until(page, "el.closest('.microdegree-award')")
    assert focused[0] == "Back to your dashboard"
    assert page.evaluate("() => getComputedStyle(document.activeElement).outlineStyle") != "none"


def test_page_at_360_px(new_page, achiever):
    page = new_page(user=achiever, viewport=PHONE)
    page.goto(URL)
    overflow = page.evaluate("() => document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 0
    assert run_axe(page, "achievements-360") == []
    screenshot(page, "achievements-360")


def test_page_in_german(new_page, achiever):
    page = new_page(user=achiever, locale="de-DE")
    page.goto(URL)
    assert page.title() == "Ihre Erfolge"
    assert page.evaluate("() => document.documentElement.lang") == "de"
    assert "Leistungsnachweis" in page.locator(".microdegree-awards").inner_text()
