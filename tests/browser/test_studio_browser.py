"""
The Studio editor (``studio_view``) and the author's preview (``author_view``) in a real browser.

In the XBlock workbench: choosing a program with the keyboard, validation, saving through the handler, axe-core,
screenshots.
"""
from __future__ import annotations

import pytest

from .conftest import PHONE, run_axe, screenshot

pytestmark = pytest.mark.django_db(transaction=True)


def open_editor(new_page, scenario: str, **options):
    page = new_page(**options)
    page.goto(f"/workbench/scenario/{scenario}/studio_view/?student=anna")
    page.locator(".microdegree-studio").wait_for()
    return page


def test_editor_chooses_a_program_with_the_keyboard_and_saves(new_page, catalog, learner, workbench_scenarios):
    scenario = workbench_scenarios[""]  # the block with no program yet
    page = open_editor(new_page, scenario)
    program = page.get_by_label("Program", exact=True)
    assert program.input_value() == ""
    assert [o.strip() for o in program.locator("option").all_inner_texts()] == [
        "Choose a program…", "AI_VET (ai-vet)", "Dr. med. KI (dr-med-ki)"]

    # Save with no program: refused in the browser, the error tied to the field, focus on it
    page.get_by_role("button", name="Save").click()
    error = page.locator("#" + program.get_attribute("aria-describedby").split()[-1])
    assert error.inner_text() == "Choose a program."
    assert program.get_attribute("aria-invalid") == "true"
    assert page.evaluate("() => document.activeElement.name") == "program"

    # Keyboard only: choose Dr. med. KI, see its summary, Tab to Save, Enter
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowDown")
    assert program.input_value() == "dr-med-ki"
    assert page.locator(".microdegree-studio-summary p:not([hidden])").inner_text() == \
        "3 courses, 62 hours; issued by Charité Berlin, KI-Campus."
    page.keyboard.press("Tab")
    assert page.evaluate("() => document.activeElement.innerText") == "Save"
    page.keyboard.press("Enter")
    page.get_by_role("status").filter(has_text="Saved.").wait_for()
    assert program.get_attribute("aria-invalid") is None
    assert page.js_errors == []

    # the learner's view now shows the chosen program
    page.goto(f"/workbench/scenario/{scenario}/?student=anna")
    assert page.locator(".microdegree-title").inner_text() == "Dr. med. KI"


def test_editor_has_no_serious_accessibility_violation(new_page, catalog, learner, workbench_scenarios):
    page = open_editor(new_page, workbench_scenarios["dr-med-ki"])
    assert run_axe(page, "studio-editor", include=".microdegree-studio") == []
    screenshot(page, "studio-editor-desktop")
    phone = open_editor(new_page, workbench_scenarios["dr-med-ki"], viewport=PHONE)
    screenshot(phone, "studio-editor-360")


def test_author_preview_shows_the_real_structure(new_page, catalog, learner, workbench_scenarios):
    page = new_page()
    page.goto(f"/workbench/scenario/{workbench_scenarios['ai-vet']}/author_view/")
    panel = page.locator(".microdegree-panel")
    assert "Preview: every learner sees their own progress here." in panel.inner_text()
    assert page.locator(".microdegree-course-title").all_inner_texts() == ["AI_VET I", "AI_VET II", "AI_VET III",
                                                                           "AI_VET IV"]
    assert run_axe(page, "studio-preview", include=".microdegree-panel") == []
    page.goto(f"/workbench/scenario/{workbench_scenarios['']}/author_view/")
    assert "Edit this component and choose one of the configured programs." in page.locator(
        ".microdegree-panel").inner_text()
