"""
The panel in a real browser, in the XBlock workbench (xblock-sdk's runtime, as lms_host mounts it).

Its content and states, the refresh when the learner comes back, 320 px, keyboard, axe-core, German, screenshots.
"""
from __future__ import annotations

import pytest

from ..conftest import BASICS, CLINICS, send_grade
from .conftest import PHONE, run_axe, screenshot, tab_until

pytestmark = pytest.mark.django_db(transaction=True)


def statuses(page) -> list[str]:
    return page.locator(".microdegree-course-status").all_inner_texts()


def open_panel(new_page, scenario: str, student: str | None = "anna", **options):
    page = new_page(**options)
    query = f"?student={student}" if student else ""
    page.goto(f"/workbench/scenario/{scenario}/{query}")
    page.locator(".microdegree-panel").wait_for()
    return page


def test_panel_content_and_states_in_the_workbench(new_page, catalog, learner, workbench_scenarios):
    send_grade(learner.pk, BASICS, 0.82)
    send_grade(learner.pk, CLINICS, 0.45)
    page = open_panel(new_page, workbench_scenarios["dr-med-ki"])
    panel = page.locator(".microdegree-panel")
    assert panel.locator("h3").inner_text() == "Dr. med. KI"
    assert "Co-issued by Charité Berlin and KI-Campus" in panel.inner_text()
    assert statuses(page) == ["Earned", "In progress", "Planned"]
    bars = page.get_by_role("progressbar")
    assert bars.count() == 3
    courses = page.get_by_role("progressbar", name="1 of 3 courses earned")
    assert courses.get_attribute("aria-valuenow") == "1" and courses.get_attribute("aria-valuemax") == "3"
    grade = page.get_by_role("progressbar", name="Grade in Clinics")
    assert grade.get_attribute("aria-valuetext") == "45 %, 60 % needed"
    next_link = page.get_by_role("link", name="Clinics")
    assert next_link.get_attribute("href").endswith(f"/courses/{CLINICS}/about")
    assert next_link.get_attribute("target") == "_top"
    # state is told in text, and colour repeats it: earned and in-progress badges differ in colour
    colours = page.locator(".microdegree-course-status").evaluate_all(
        "nodes => nodes.map(n => getComputedStyle(n).color)")
    assert len(set(colours)) == 3
    # the script ran (through initialize_js, with no LMS page script): the refresh button is shown
    assert page.get_by_role("button", name="Refresh progress").is_visible()
    assert page.js_errors == []
    screenshot(page, "panel-workbench-desktop")


def test_panel_refreshes_when_the_learner_comes_back(new_page, catalog, learner, workbench_scenarios):
    page = open_panel(new_page, workbench_scenarios["dr-med-ki"], clock=True)
    assert statuses(page) == ["Not started", "Not started", "Planned"]
    send_grade(learner.pk, BASICS, 0.9)  # earned in another tab
    page.clock.fast_forward(6000)       # past the panel's minimum interval between automatic refreshes
    page.evaluate("() => document.dispatchEvent(new Event('visibilitychange'))")
    page.get_by_role("status").filter(has_text="Your progress was updated.").wait_for()
    assert statuses(page) == ["Earned", "Not started", "Planned"]
    assert page.get_by_role("progressbar", name="1 of 3 courses earned").get_attribute("aria-valuenow") == "1"
    # the button refreshes at once, and says when nothing changed
    page.get_by_role("button", name="Refresh progress").click()
    page.get_by_role("status").filter(has_text="Your progress is up to date.").wait_for()


def test_keyboard_reaches_every_control_and_refreshes(new_page, catalog, learner, workbench_scenarios):
    send_grade(learner.pk, CLINICS, 0.45)
    page = open_panel(new_page, workbench_scenarios["dr-med-ki"])
    focused = tab_until(page, "el.classList.contains('microdegree-next-link')")
    assert focused[-1] == "Basics"  # the next step: the first available course not earned
    outline = page.evaluate("() => getComputedStyle(document.activeElement).outlineStyle")
    assert outline != "none"  # a visible focus indicator
    tab_until(page, "el.classList.contains('microdegree-refresh')", limit=5)
    send_grade(learner.pk, BASICS, 0.9)
    page.keyboard.press("Enter")
    page.get_by_role("status").filter(has_text="Your progress was updated.").wait_for()
    assert statuses(page)[0] == "Earned"
    # focus stayed in the panel (on the button, which is not replaced)
    assert page.evaluate("() => document.activeElement.className") == "microdegree-refresh"


def test_panel_has_no_serious_accessibility_violation(new_page, catalog, learner, workbench_scenarios):
    send_grade(learner.pk, BASICS, 0.82)
    send_grade(learner.pk, CLINICS, 0.45)
    page = open_panel(new_page, workbench_scenarios["dr-med-ki"])
    assert run_axe(page, "panel-workbench", include=".microdegree-panel") == []
    anonymous = open_panel(new_page, workbench_scenarios["dr-med-ki"], student=None)
    assert run_axe(anonymous, "panel-anonymous", include=".microdegree-panel") == []


def test_anonymous_visitor_is_invited_to_sign_in(new_page, catalog, workbench_scenarios):
    page = open_panel(new_page, workbench_scenarios["ai-vet"], student=None)
    assert "Sign in to see your progress toward this micro-degree." in page.locator(".microdegree-panel").inner_text()
    assert page.get_by_role("link", name="Sign in").get_attribute("target") == "_top"
    assert statuses(page) == ["Available"] * 4
    assert page.get_by_role("progressbar").count() == 0
    assert page.locator(".microdegree-refresh").count() == 0


def test_no_program_warns(new_page, catalog, learner, workbench_scenarios):
    page = open_panel(new_page, workbench_scenarios[""])
    assert page.get_by_role("alert").inner_text() == "No micro-degree program is selected for this component."


def test_panel_fits_320_px_and_360_px(new_page, catalog, learner, workbench_scenarios):
    send_grade(learner.pk, BASICS, 0.82)
    send_grade(learner.pk, CLINICS, 0.45)
    for width in (320, 360):
        page = new_page(viewport={"width": width, "height": 780})
        page.goto(f"/demo/unit/dr-med-ki/?student={learner.username}")  # the unit as the MFE's iframe shows it
        page.locator(".microdegree-panel").wait_for()
        overflow = page.evaluate("() => document.documentElement.scrollWidth - document.documentElement.clientWidth")
        assert overflow <= 0, f"{width} px: {overflow} px of horizontal scrolling"
        box = page.locator(".microdegree-panel").bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= width
        if width == PHONE["width"]:
            screenshot(page, "panel-360")
            assert run_axe(page, "panel-unit-360") == []


def test_panel_in_german_from_the_browsers_language(new_page, catalog, learner, workbench_scenarios):
    send_grade(learner.pk, BASICS, 0.82)
    page = open_panel(new_page, workbench_scenarios["dr-med-ki"], locale="de-DE")
    text = page.locator(".microdegree-panel").inner_text()
    assert "Gemeinsam ausgestellt von Charité Berlin und KI-Campus" in text
    assert statuses(page) == ["Abgeschlossen", "Nicht begonnen", "Geplant"]
    assert page.get_by_role("button", name="Fortschritt aktualisieren").is_visible()
    screenshot(page, "panel-workbench-de")


def test_panel_script_needs_no_page_script(new_page, catalog, learner):
    """The fragment alone in a blank page (no jQuery, no LMS or workbench script) with a bare XBlock runtime."""
    from ..test_panel import make_block

    send_grade(learner.pk, BASICS, 0.82)
    block = make_block('<microdegree program="dr-med-ki"/>', learner.pk)
    fragment = block.student_view()
    # The runtime's resource URLs (here the workbench's, which the live server answers): the scripts load from them.
    scripts = [r.data for r in fragment.resources if r.mimetype == "application/javascript"]
    assert [r.kind for r in fragment.resources] == ["url"] * 3 and scripts[0].endswith("/static/js/common.js")
    send_grade(learner.pk, CLINICS, 0.9)
    fresh = block.refresh.__wrapped__(block, {}).json_body  # what the handler would answer now
    page = new_page()
    page.route("**/handler/refresh", lambda route: route.fulfill(json=fresh, headers={"Cache-Control": "no-store"}))
    page.goto("/login/")  # a page of the site with no script, for a same-origin fetch
    page.set_content(f"<!doctype html><html lang='en'><body><div id='unit'>{fragment.body_html()}</div></body></html>")
    for script in scripts:  # common.js, then panel.js, in the fragment's order
        page.add_script_tag(url=script)
    assert page.evaluate("() => typeof window.jQuery") == "undefined"
    page.evaluate("""(args) => {
        const runtime = {handlerUrl: (element, name) => '/handler/' + name};
        window.panel = new window.MicrodegreePanel(runtime, document.getElementById('unit'), args);
    }""", fragment.json_init_args)
    page.get_by_role("button", name="Refresh progress").click()
    page.get_by_role("status").filter(has_text="Your progress was updated.").wait_for()
    assert statuses(page) == ["Earned", "Earned", "Planned"]
    assert page.js_errors == []


def test_panel_css_and_js_load_as_separate_cacheable_files(new_page, catalog, learner):
    """In the demo unit (the workbench runtime), the panel's CSS and JS are files of their own, not inline."""
    send_grade(learner.pk, BASICS, 0.82)
    page = new_page()
    responses = {}
    page.on("response", lambda response: responses.setdefault(response.url.split("?")[0], response))
    page.goto(f"/demo/unit/dr-med-ki/?student={learner.username}")
    page.get_by_role("button", name="Refresh progress").wait_for()  # panel.js ran, from its URL

    base = f"{page.url.split('/demo/')[0]}/workbench/resource/microdegree/static/"
    types = {"css/panel.css": "text/css", "js/common.js": "javascript", "js/panel.js": "javascript"}
    for name, content_type in types.items():
        response = responses.get(base + name)
        assert response is not None, f"{name} was not requested: {sorted(responses)}"
        headers = response.all_headers()
        assert response.status == 200 and content_type in headers["content-type"], (name, headers)
        assert headers.get("etag") and "no-store" not in headers.get("cache-control", ""), (name, headers)
    assert page.locator("link[rel=stylesheet][href$='/static/css/panel.css']").count() == 1
    assert page.locator("script[src$='/static/js/common.js']").count() == 1
    assert page.locator("script[src$='/static/js/panel.js']").count() == 1
    # nothing of them is inline, yet the style sheet applies
    inline = page.evaluate("""() => [...document.querySelectorAll('style, script:not([src])')]
        .map(node => node.textContent).join('\\n')""")
    assert "--md-ink" not in inline and "MicrodegreeCommon =" not in inline  # panel.css, common.js
    assert "window.MicrodegreePanel = MicrodegreePanel" not in inline
    ink = page.locator(".microdegree-panel").evaluate("node => getComputedStyle(node).getPropertyValue('--md-ink')")
    assert ink.strip() == "#1f2933"

    # On the next visit the browser revalidates its copies: 304 Not Modified, no new download.
    etag = responses[base + "js/panel.js"].all_headers()["etag"]
    again = page.request.get(base + "js/panel.js", headers={"If-None-Match": etag})
    assert again.status == 304
    assert page.js_errors == []
