"""
The demo served by ``make demo``, in a real browser.

The index shows each demo learner's panels (the XBlock in courseware units, in iframes) beside their achievements
page; sending a grade moves the panel.
"""
from __future__ import annotations

from pathlib import Path

import pytest
from django.core.management import call_command

from .conftest import PHONE, run_axe, screenshot

pytestmark = pytest.mark.django_db(transaction=True)
DEMO_PROGRAMS = Path(__file__).resolve().parents[2] / "lms_host" / "demo_programs.yaml"


@pytest.fixture
def demo(workbench_scenarios):  # pylint: disable=unused-argument
    call_command("microdegree_programs", "load", str(DEMO_PROGRAMS))
    call_command("demo_setup")


def unit(page, program: str):
    return page.frame_locator(f'iframe[data-src^="/demo/unit/{program}/"]')


def test_send_a_grade_and_watch_the_panel_move(new_page, demo):
    page = new_page()
    page.goto("/")
    vet = unit(page, "ai-vet")
    vet.locator(".microdegree-panel").wait_for()
    assert vet.locator(".microdegree-title").inner_text() == "AI_VET – KI in der beruflichen Bildung"
    assert vet.get_by_role("progressbar", name="0 of 4 courses earned").is_visible()
    assert unit(page, "dr-med-ki").locator(".microdegree-course-status").all_inner_texts() == [
        "Not started", "Not started", "Planned", "Planned"]

    # the grade form sends the real event; the page reloads and the panel has moved
    page.get_by_label("Learner", exact=True).first.select_option("anna")
    page.get_by_label("Course").select_option(label="AI_VET I – Grundlagen")
    page.get_by_label("Percent").fill("80")
    page.get_by_role("button", name="Send PERSISTENT_GRADE_SUMMARY_CHANGED").click()
    page.get_by_text("Sent PERSISTENT_GRADE_SUMMARY_CHANGED: anna").wait_for()
    vet = unit(page, "ai-vet")
    vet.get_by_role("progressbar", name="1 of 4 courses earned").wait_for()
    assert vet.locator(".microdegree-course-status").first.inner_text() == "Earned"
    assert vet.get_by_role("link", name="AI_VET II – KI im Unterricht").is_visible()  # the next step
    page.wait_for_timeout(300)  # let the units report their height
    screenshot(page, "demo-index-desktop")
    assert vet.locator(".microdegree-refresh").is_visible()  # the panel's script runs inside the unit


def test_signed_in_learner_sees_the_achievements_page_beside_the_panels(new_page, demo):
    page = new_page(viewport=PHONE)
    page.goto("/login/")
    page.get_by_label("Username").fill("anna")
    page.get_by_label("Password").fill("demo")
    page.get_by_role("button", name="Sign in").click()
    page.goto("/?learner=anna")
    achievements = page.frame_locator('iframe[title="Achievements page of anna"]')
    achievements.get_by_role("heading", name="Your achievements", level=1).wait_for()
    assert unit(page, "ai-vet").locator(".microdegree-panel").is_visible()
    screenshot(page, "demo-index-360")


def test_each_unit_alone_passes_axe(new_page, demo):
    page = new_page()
    page.goto("/demo/unit/dr-med-ki/?student=ben")
    page.locator(".microdegree-panel").wait_for()
    assert run_axe(page, "demo-unit-dr-med-ki") == []
    assert page.js_errors == []
