"""
The reporting dashboard in a real browser: its charts drawn, axe-core clean, at desktop width and at 360 px.

The history is made as the demo makes it (``demo_history``: learners through the real api with the clock set to each
moment), so the charts show a year.
"""
from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command

from .conftest import PHONE, run_axe, screenshot

pytestmark = pytest.mark.django_db(transaction=True)
URL = "/microdegree/reporting/"


@pytest.fixture
def staff(catalog):  # pylint: disable=unused-argument
    """A staff member, and a generated year of awards."""
    call_command("demo_history", learners=60, seed=11)
    return get_user_model().objects.create_user("reporter", "reporter@example.org", "pw", is_staff=True)


@pytest.mark.parametrize("viewport", [None, PHONE], ids=["desktop", "360px"])
def test_the_dashboard_draws_its_charts_and_passes_axe(new_page, staff, viewport):
    page = new_page(user=staff, viewport=viewport)
    response = page.goto(URL)
    assert response.status == 200
    assert page.get_by_role("heading", level=1).inner_text() == "Micro-degree reporting"
    charts = page.locator("svg[role='img']")
    assert charts.count() >= 2  # awards per month and the funnel, per programme
    assert all(charts.nth(n).get_attribute("aria-labelledby") or charts.nth(n).locator("title").count()
               for n in range(charts.count()))
    assert page.locator("table").count() >= 2 and page.js_errors == []
    assert run_axe(page, f"reporting-{'phone' if viewport else 'desktop'}") == []
    # at 360 px nothing makes the page scroll sideways
    if viewport:
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    screenshot(page, f"reporting-{'360' if viewport else 'desktop'}")


def test_the_filter_form_narrows_to_one_program(new_page, staff):
    page = new_page(user=staff)
    page.goto(URL)
    page.get_by_label("Program").select_option("ai-vet")
    page.get_by_role("button", name="Show").click()
    assert "program=ai-vet" in page.url
    programs = page.locator("h2 code").all_inner_texts()  # each programme's section names its id
    assert programs == ["ai-vet"]
