"""
The public credential URLs.

All under ``<root>/microdegree/``, and each one served by the intended view of
``microdegree_xblock/urls.py`` (namespace ``microdegree``), proved with :func:`django.urls.resolve` (RFC 3986 paths).
"""
from __future__ import annotations

import uuid
from urllib.parse import unquote, urlsplit

import pytest
from django.urls import resolve

from microdegree_xblock.credentials import links
from microdegree_xblock.data import ACHIEVEMENT, DEGREE, PARTICIPATION

ROOT = "https://lms.example.org"
AWARD = "6f1c2c3e-8a4b-4e0f-9d1a-2b3c4d5e6f70"
COURSE = "course-v1:Charite+DrMedKI_Basics+2020"


def _view(url: str) -> str:
    """The view name the LMS would dispatch ``url`` to (the server sees the percent-decoded path)."""
    return resolve(unquote(urlsplit(url).path)).view_name


@pytest.mark.parametrize("root", [ROOT, ROOT + "/", ROOT + "//"])
def test_every_link_is_under_microdegree_without_a_double_slash(root):
    urls = [
        *links.award_links(root, AWARD, kind=DEGREE).values(),
        links.ob2_issuer_url(root, "charite"),
        links.badge_class_url(root, program_id="dr-med-ki", kind=ACHIEVEMENT, course_key=COURSE),
        links.issuer_did_document_url(root, "charite"),
        links.status_list_url(root, "charite", 3),
        links.revocation_list_url(root, "charite"),
    ]
    for url in urls:
        assert url.startswith("https://lms.example.org/microdegree/"), url
        assert "//" not in url.removeprefix("https://"), url


def test_a_root_with_a_path_keeps_it():
    assert links.verify_url("https://example.org/lms/", AWARD) == f"https://example.org/lms/microdegree/verify/{AWARD}/"


def test_award_links_resolve_to_their_views():
    expected = {
        "verify_url": "microdegree:verify",
        "ob2_url": "microdegree:ob2-assertion",
        "ob3_url": "microdegree:credential-ob3",
        "pdf_url": "microdegree:credential-pdf",
        "linkedin_url": "microdegree:credential-linkedin",
        "badge_url": "microdegree:credential-badge",
        "badge_png_url": "microdegree:credential-badge-png",
        "clr_url": "microdegree:credential-clr",
        "edc_url": "microdegree:credential-edc",
    }
    degree = links.award_links(ROOT, AWARD, kind=DEGREE)
    assert {name: _view(url) for name, url in degree.items()} == expected
    assert resolve(urlsplit(degree["verify_url"]).path).kwargs == {"award_id": uuid.UUID(AWARD)}


@pytest.mark.parametrize("kind", [PARTICIPATION, ACHIEVEMENT])
def test_only_a_degree_has_a_clr(kind):
    course_links = links.award_links(ROOT, AWARD, kind=kind)
    assert "clr_url" not in course_links
    assert course_links.keys() == links.award_links(ROOT, AWARD, kind=DEGREE).keys() - {"clr_url"}


def test_issuer_documents_resolve_to_their_views():
    assert _view(links.ob2_issuer_url(ROOT, "charite")) == "microdegree:ob2-issuer"
    assert _view(links.issuer_did_document_url(ROOT, "charite")) == "microdegree:issuer-did"
    assert links.issuer_did_document_url(ROOT, "charite").endswith("/issuers/charite/did.json")
    status = resolve(urlsplit(links.status_list_url(ROOT, "charite", 3)).path)
    assert (status.view_name, status.kwargs) == ("microdegree:status-list", {"issuer_id": "charite", "number": 3})
    assert _view(links.revocation_list_url(ROOT, "charite")) == "microdegree:revocation-list"


@pytest.mark.parametrize("kind", [PARTICIPATION, ACHIEVEMENT])
def test_course_badge_class_keeps_the_course_key_in_one_segment(kind):
    url = links.badge_class_url(ROOT, program_id="dr-med-ki", kind=kind, course_key=COURSE)
    assert url == f"{ROOT}/microdegree/ob2/programs/dr-med-ki/{kind}/{COURSE}/"  # ':' and '+' are kept as they are
    match = resolve(urlsplit(url).path)
    assert match.view_name == "microdegree:ob2-badge"
    assert match.kwargs == {"program_id": "dr-med-ki", "kind": kind, "course_key": COURSE}


@pytest.mark.parametrize("kind", [PARTICIPATION, ACHIEVEMENT])
def test_an_old_style_course_key_keeps_its_slashes_and_resolves(kind):
    url = links.badge_class_url(ROOT, program_id="dr-med-ki", kind=kind, course_key="Charite/Basics/2019")
    assert url == f"{ROOT}/microdegree/ob2/programs/dr-med-ki/{kind}/Charite/Basics/2019/"
    match = resolve(urlsplit(url).path)
    assert (match.view_name, match.kwargs["course_key"]) == ("microdegree:ob2-badge", "Charite/Basics/2019")
    image = resolve(urlsplit(url).path + "image/")
    assert (image.view_name, image.kwargs["course_key"]) == ("microdegree:ob2-badge-image", "Charite/Basics/2019")


def test_other_reserved_characters_of_a_course_key_are_percent_encoded():
    url = links.badge_class_url(ROOT, program_id="p", kind=ACHIEVEMENT, course_key="course-v1:A B+C?D#E+2024")
    assert url.endswith("/course-v1:A%20B+C%3FD%23E+2024/")
    match = resolve(unquote(urlsplit(url).path))
    assert match.kwargs["course_key"] == "course-v1:A B+C?D#E+2024"


@pytest.mark.parametrize("course_key", [COURSE, None, ""])
def test_degree_badge_class_ignores_the_course(course_key):
    url = links.badge_class_url(ROOT, program_id="dr-med-ki", kind=DEGREE, course_key=course_key)
    assert url == f"{ROOT}/microdegree/ob2/programs/dr-med-ki/degree/"
    assert _view(url) == "microdegree:ob2-badge-degree"


def test_a_course_kind_without_a_course_key_falls_back_to_the_degree():
    url = links.badge_class_url(ROOT, program_id="dr-med-ki", kind=ACHIEVEMENT, course_key=None)
    assert _view(url) == "microdegree:ob2-badge-degree"
