"""
The learner's achievements page, ``/microdegree/achievements/``.

Sign-in, the programs with progress (same panel as the courseware), every award with its links, language, caching
and a constant number of queries.
"""
from __future__ import annotations

import re

import pytest
from django.utils import translation

from microdegree_xblock import api, payloads, views

from .conftest import BASICS, CLINICS, VET, load_many_programs, send_grade
from .test_panel import text

pytestmark = pytest.mark.django_db
URL = "/microdegree/achievements/"
LINKS = ("verify_url", "pdf_url", "ob3_url", "ob2_url", "badge_url", "badge_png_url", "edc_url", "linkedin_url")


def _patch_award_json(monkeypatch, change):
    original = payloads.award_json

    def award_json(award):
        data = original(award)
        if data is not None:
            change(data)
        return data

    monkeypatch.setattr(payloads, "award_json", award_json)
    monkeypatch.setattr(views, "award_json", award_json)


@pytest.fixture
def all_links(monkeypatch):
    """Awards carry every link the credentials package adds (and a CLR for a degree)."""
    def add(data):
        base = f"https://lms.example.org/microdegree/credentials/{data['id']}"
        data.update({key: f"{base}/{key}" for key in LINKS})
        if data["kind"] == "degree":
            data["clr_url"] = f"{base}/clr_url"

    _patch_award_json(monkeypatch, add)


@pytest.fixture
def no_links(monkeypatch):
    """Awards carry no links (a platform without the credentials package's URLs)."""
    def strip(data):
        for key in (*LINKS, "clr_url"):
            data.pop(key, None)

    _patch_award_json(monkeypatch, strip)


def page(client, user, **headers) -> str:
    """The page's HTML (the page's own <head>, with its inline styles, is left out)."""
    client.force_login(user)
    response = client.get(URL, **headers)
    assert response.status_code == 200
    html = response.content.decode()
    head, body = html.split("</head>", 1)
    return re.search(r"<html[^>]*>", head).group(0) + re.search(r"<title>.*?</title>", head).group(0) + body


def award_items(html: str) -> list[tuple[str, str]]:
    """(kind, HTML) of each award in the list."""
    chunks = html.split('<li class="microdegree-award microdegree-award--')[1:]
    return [(chunk.split('"', 1)[0], chunk) for chunk in chunks]


def test_reversible_url():
    from django.urls import reverse

    assert reverse("microdegree:achievements") == URL


def test_sign_in_required(client, catalog):
    response = client.get(URL)
    assert response.status_code == 302
    assert response["Location"].startswith("/login/?next=/microdegree/achievements/")


def test_only_get(client, learner):
    client.force_login(learner)
    assert client.post(URL).status_code == 405


def test_shows_the_programs_with_progress_in_the_same_panel(client, catalog, learner):
    send_grade(learner.pk, BASICS, 0.82)
    send_grade(learner.pk, CLINICS, 0.4)
    html = page(client, learner)
    assert '<html lang="en">' in html and "<title>Your achievements</title>" in html
    assert html.count('<section class="microdegree-panel') == 1  # dr-med-ki only: nothing done in AI_VET
    assert 'id="program-dr-med-ki"' in html
    panel = re.search(r'<section class="microdegree-panel.*?</section>', html, flags=re.S).group(0)
    assert re.findall(r'class="microdegree-course-status">(.*?)</span>', panel) == ["Earned", "In progress",
                                                                                   "Planned"]
    assert panel.count('role="progressbar"') == 3
    assert "1 of 3 courses earned" in panel and "21 of 62 hours earned" in panel
    # headings: h1 page, h2 sections, h3 programs and awards, h4 the panel's courses
    headings = [int(level) for level in re.findall(r"<h(\d)", html)]
    assert headings[0] == 1 and max(b - a for a, b in zip(headings, headings[1:], strict=False)) <= 1
    # on a page of its own the panel's links stay in the page, and it has no refresh script
    assert 'target="_top"' not in html and "microdegree-refresh" not in html and "<script" not in html


def test_lists_every_award_with_its_links(client, catalog, learner, all_links,
                                          django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        for key in VET:
            send_grade(learner.pk, key, 0.9)
        send_grade(learner.pk, BASICS, 0.82)
    awards = api.get_learner_awards(user_id=learner.pk)
    assert len(awards) == 6  # four AI_VET records, its micro-degree, one Dr. med. KI record
    html = page(client, learner)
    items = award_items(html)
    assert len(items) == 6
    kinds = [kind for kind, _ in items]
    assert kinds.count("degree") == 1 and kinds.count("achievement") == 5
    degree = next(body for kind, body in items if kind == "degree")
    assert "<h3>AI_VET</h3>" in degree and "Micro-degree" in degree
    for key in (*LINKS, "clr_url"):
        assert f"/{key}\"" in degree, key
    labels = re.findall(r'<a href="[^"]+">(.*?)<span class="microdegree-sr-only">', degree)
    assert labels == ["Verification page", "PDF certificate", "Open Badges 3.0 (JSON)", "Open Badges 2.0 (JSON)",
                      "Badge image (Open Badges 2.0)", "Badge image, PNG (Open Badges 2.0)",
                      "Comprehensive Learner Record (CLR 2.0)", "European Digital Credential (Europass, JSON-LD)",
                      "Add to LinkedIn"]
    basics = next(body for kind, body in items if "<h3>Basics</h3>" in body)
    assert "Achievement record" in text(basics) and "in Dr. med. KI" in text(basics)
    assert "grade 82 %" in text(basics) and "Valid" in text(basics) and "clr_url" not in basics
    # both panels are shown, the degree with its verification link
    assert html.count('<section class="microdegree-panel') == 2
    assert "View your micro-degree" in html


def test_without_links_none_are_made_up(client, catalog, learner, no_links):
    send_grade(learner.pk, BASICS, 0.82)
    html = page(client, learner)
    assert "microdegree-award-links" not in html and "Verification page" not in html


def test_revoked_award_is_listed_as_revoked(client, catalog, learner):
    send_grade(learner.pk, BASICS, 0.82)
    award = api.get_learner_awards(user_id=learner.pk)[0]
    api.revoke_award(award_id=award.id, reason="Mistake")
    html = page(client, learner)
    assert re.search(r"Revoked on \S+ \d+, \d{4}", text(html))
    # the progress no longer counts it: the course is back in progress, with its best grade
    assert re.findall(r'class="microdegree-course-status">(.*?)</span>', html) == ["In progress", "Not started",
                                                                                  "Planned"]
    assert "best grade 82 %, 70 % needed" in text(html)


def test_a_learner_with_nothing_yet(client, catalog, learner):
    visible = text(page(client, learner))
    assert "You have not started a micro-degree program yet." in visible and "No awards yet." in visible


def test_in_the_learners_language(client, catalog, learner):
    send_grade(learner.pk, BASICS, 0.82)
    html = page(client, learner, HTTP_ACCEPT_LANGUAGE="de")
    assert '<html lang="de">' in html
    visible = text(html)
    assert "Ihre Erfolge" in visible and "Leistungsnachweis" in visible and "1 von 3 Kursen abgeschlossen" in visible
    translation.activate("en")


def test_never_cached(client, learner):
    client.force_login(learner)
    response = client.get(URL)
    assert "no-cache" in response["Cache-Control"] and "private" in response["Cache-Control"]


@pytest.mark.parametrize("programs", [1, 12])
def test_constant_number_of_queries(client, learner, programs, django_assert_num_queries,
                                    django_capture_on_commit_callbacks):
    load_many_programs(programs)
    with django_capture_on_commit_callbacks(execute=True):
        for n in range(programs):
            for roman in ("I", "II", "III", "IV"):
                send_grade(learner.pk, f"course-v1:Uni+AI_VET_{roman}+P{n}", 0.9)
    client.force_login(learner)
    # session, user; the progress's nine (the catalog's six, states, awards, conditions); awards (the list)
    with django_assert_num_queries(12):
        html = client.get(URL).content.decode()
    assert html.count('<section class="microdegree-panel') == programs
    assert html.count('class="microdegree-award ') == programs * 5
