"""
The progress panel (``student_view``) and its refresh handler, on XBlock's own runtime with real services.

The block's basics (statuses, warnings, escaping) are in test_block.py; here: the panel's full content, its
script and arguments, the refresh handler, the learner's language and the constant number of SQL queries.
"""
from __future__ import annotations

import json
import re

import pytest
import yaml
from django.utils import translation
from webob import Request
from xblock.runtime import KvsFieldData, MemoryIdManager, Runtime
from xblock.test.toy_runtime import ToyRuntimeKeyValueStore

from microdegree_xblock import api, payloads
from microdegree_xblock.block import MicrodegreeXBlock
from microdegree_xblock.catalog import validate_catalog

from .conftest import BASICS, CATALOG, CLINICS, VET, send_grade
from .test_block import LearnerRuntime, LearnerUserService

pytestmark = pytest.mark.django_db


class I18nService:
    """The i18n service as the LMS provides it: Django's translation functions, in the learner's language."""

    def __init__(self, language: str):
        self.language = language

    def get_language(self) -> str:
        return self.language

    def gettext(self, text: str) -> str:
        with translation.override(self.language):
            return translation.gettext(text)


class PanelRuntime(LearnerRuntime):
    """LearnerRuntime with an i18n service in a given language."""

    def __init__(self, user_id: int | None, language: str | None = None):  # pylint: disable=super-init-not-called
        ids = MemoryIdManager()
        services = {"field-data": KvsFieldData(ToyRuntimeKeyValueStore({})), "user": LearnerUserService(user_id)}
        if language:
            services["i18n"] = I18nService(language)
        Runtime.__init__(self, ids, ids, services=services)  # pylint: disable=non-parent-init-called
        self.user_id = user_id


def make_block(xml: str, user_id: int | None, language: str | None = None) -> MicrodegreeXBlock:
    runtime = PanelRuntime(user_id, language)
    return runtime.get_block(runtime.parse_xml_string(xml))


def render(xml: str, user_id: int | None, language: str | None = None):
    block = make_block(xml, user_id, language)
    return block.runtime.render(block, "student_view")


def text(html: str) -> str:
    """The visible text of some HTML, whitespace collapsed."""
    html = re.sub(r'<span class="microdegree-sr-only">.*?</span>|<script.*?</script>', "", html, flags=re.S)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)).strip()


def call_refresh(block: MicrodegreeXBlock, method: str = "POST", body: bytes = b"{}"):
    request = Request.blank("/", method=method, body=body if method == "POST" else None)
    return block.runtime.handle(block, "refresh", request)


@pytest.fixture
def with_links(monkeypatch):
    """Awards carry the credential links that the credentials package adds to their JSON."""
    original = payloads.award_json

    def award_json(award):
        data = original(award)
        if data is not None:
            base = f"https://lms.example.org/microdegree/credentials/{data['id']}"
            data.update({"verify_url": f"{base}/", "ob3_url": f"{base}/ob3.json"})
        return data

    monkeypatch.setattr(payloads, "award_json", award_json)


@pytest.fixture
def no_links(monkeypatch):
    """Awards carry no links (a platform without the credentials package's URLs)."""
    original = payloads.award_json

    def award_json(award):
        data = original(award)
        if data is not None:
            for key in ("verify_url", "pdf_url", "ob3_url", "ob2_url", "badge_url", "clr_url", "linkedin_url"):
                data.pop(key, None)
        return data

    monkeypatch.setattr(payloads, "award_json", award_json)


# ---------------------------------------------------------------------------------------------------------------
# Content


def test_panel_shows_the_program_its_issuers_and_the_stack_in_order(catalog, learner):
    send_grade(learner.pk, BASICS, 0.82)   # earned (threshold 0.7)
    send_grade(learner.pk, CLINICS, 0.45)  # in progress (threshold 0.6)
    html = render('<microdegree program="dr-med-ki"/>', learner.pk).body_html()
    visible = text(html)
    assert "Dr. med. KI" in visible
    assert "Co-issued by Charité Berlin and KI-Campus" in visible
    titles = re.findall(r'class="microdegree-course-title">(.*?)</span>', html)
    assert titles == ["Basics", "Clinics", "Ethics"]  # program order
    assert re.findall(r'class="microdegree-course-hours">(.*?)</span>', html) == ["21 h", "16 h", "25 h"]
    assert "best grade 45 %, 60 % needed" in visible
    assert re.search(r"Earned on \S+ \d+, \d{4}", visible)
    assert "Planned Not open yet" in visible


def test_single_issuer_is_issued_not_co_issued(catalog, learner):
    visible = text(render('<microdegree program="ai-vet"/>', learner.pk).body_html())
    assert "Issued by Universität Mannheim" in visible and "Co-issued" not in visible


def test_bars_carry_accessible_names_and_values(catalog, learner):
    send_grade(learner.pk, BASICS, 0.82)
    send_grade(learner.pk, CLINICS, 0.45)
    html = render('<microdegree program="dr-med-ki"/>', learner.pk).body_html()
    bars = re.findall(r'<div class="microdegree-(?:bar|grade)" role="progressbar"([^>]*)>', html)
    assert len(bars) == 3  # courses, hours, and the in-progress course's grade
    courses, hours, grade = (dict(re.findall(r'([\w-]+)="([^"]*)"', attrs)) for attrs in bars)
    assert (courses["aria-valuenow"], courses["aria-valuemax"]) == ("1", "3")
    assert (hours["aria-valuenow"], hours["aria-valuemax"]) == ("21", "62")
    for bar in (courses, hours):
        label = re.search(rf'id="{bar["aria-labelledby"]}">(.*?)</p>', html).group(1)
        assert label in ("1 of 3 courses earned", "21 of 62 hours earned")
    assert grade["aria-label"] == "Grade in Clinics"
    assert (grade["aria-valuenow"], grade["aria-valuetext"]) == ("45", "45 %, 60 % needed")


def test_next_step_is_the_first_available_course_not_earned(catalog, learner, settings):
    settings.LMS_ROOT_URL = "https://lms.example.org"
    send_grade(learner.pk, BASICS, 0.82)
    html = render('<microdegree program="dr-med-ki"/>', learner.pk).body_html()
    link = re.search(r'class="microdegree-next-link" href="([^"]+)" target="_top">(.*?)</a>', html)
    assert link.groups() == (f"https://lms.example.org/courses/{CLINICS}/about", "Clinics")
    assert "Start this course" in text(html)
    send_grade(learner.pk, CLINICS, 0.3)
    assert "Continue this course" in text(render('<microdegree program="dr-med-ki"/>', learner.pk).body_html())


def test_when_only_planned_courses_remain_the_panel_says_so(catalog, learner):
    send_grade(learner.pk, BASICS, 0.82)
    send_grade(learner.pk, CLINICS, 0.9)
    visible = text(render('<microdegree program="dr-med-ki"/>', learner.pk).body_html())
    assert "The remaining courses are planned" in visible
    assert "Your next step" not in visible


def test_records_and_degree_link_to_their_verification_page(catalog, learner, with_links,
                                                            django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        for key in VET:
            send_grade(learner.pk, key, 0.9)
    html = render('<microdegree program="ai-vet"/>', learner.pk).body_html()
    degree = api.get_learner_progress(user_id=learner.pk, program_id="ai-vet")[0].degree
    assert f'href="https://lms.example.org/microdegree/credentials/{degree.id}/"' in html
    assert "View your micro-degree" in html and "Micro-degree earned." in html
    records = re.findall(r'class="microdegree-record-link" href="([^"]+)"', html)
    assert len(records) == 4 and all(url.endswith("/") for url in records)
    assert "Your next step" not in html
    assert "ob3.json" not in html  # the panel links the verification page; the page lists every format


def test_without_links_the_panel_invents_none(catalog, learner, no_links, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        for key in VET:
            send_grade(learner.pk, key, 0.9)
    html = render('<microdegree program="ai-vet"/>', learner.pk).body_html()
    assert "Micro-degree earned." in html
    assert "microdegree-record-link" not in html and "View your micro-degree" not in html


def test_anonymous_visitor_sees_the_structure_and_an_invitation(catalog, settings):
    settings.LMS_ROOT_URL = "https://lms.example.org"
    settings.LOGIN_URL = "/login"
    html = render('<microdegree program="dr-med-ki"/>', None).body_html()
    assert 'href="https://lms.example.org/login" target="_top"' in html
    assert re.findall(r'class="microdegree-course-status">(.*?)</span>', html) == ["Available", "Available",
                                                                                  "Planned"]
    assert 'role="progressbar"' not in html and "microdegree-refresh" not in html


# ---------------------------------------------------------------------------------------------------------------
# Script, arguments, refresh


def test_fragment_has_css_js_and_text_free_arguments(catalog, learner):
    send_grade(learner.pk, BASICS, 0.82)
    fragment = make_block('<microdegree program="dr-med-ki"/>', learner.pk).student_view()
    resource = "/workbench/resource/microdegree/static/"
    assert [(r.kind, r.mimetype, r.data) for r in fragment.resources] == [
        ("url", "text/css", f"{resource}css/panel.css"),
        ("url", "application/javascript", f"{resource}js/common.js"),
        ("url", "application/javascript", f"{resource}js/panel.js"),
    ]
    with MicrodegreeXBlock.open_local_resource("static/js/panel.js") as script:
        assert b"window.MicrodegreePanel = MicrodegreePanel" in script.read()
    assert fragment.js_init_fn == "MicrodegreePanel"
    args = fragment.json_init_args
    assert args["programId"] == "dr-med-ki" and args["signedIn"] is True
    assert len(args["signature"]) == 64
    assert [c["status"] for c in args["progress"]["courses"]] == ["earned", "not_started", "planned"]
    assert "Dr. med. KI" not in json.dumps(args)  # no free text: runtimes embed the arguments unescaped


def test_arguments_cannot_break_out_of_their_script_element(learner):
    hostile = "</script><script>alert(1)</script>"
    api.load_catalog(validate_catalog({
        "issuers": [{"id": "evil", "name": hostile, "url": "https://evil.example", "country": "DE"}],
        "programs": [{"id": "hostile", "title": hostile, "issuers": ["evil"], "courses": [
            {"key": f"course-v1:Evil+C{n}+1", "title": hostile, "hours": 40} for n in range(3)]}],
    }))
    for program in ("hostile", hostile):
        html = render(f'<microdegree program="{program.replace("<", "&lt;")}"/>', learner.pk).body_html()
        assert "<script>" not in html and "</script><script>" not in html


def test_refresh_returns_the_current_state_uncached(catalog, learner):
    block = make_block('<microdegree program="dr-med-ki"/>', learner.pk)
    before = block.student_view().json_init_args["signature"]
    response = call_refresh(block)
    assert response.status_code == 200 and response.content_type == "application/json"
    assert "no-store" in response.headers["Cache-Control"]
    data = response.json
    assert data["signature"] == before and data["signedIn"] is True

    send_grade(learner.pk, BASICS, 0.82)  # e.g. in another tab
    data = call_refresh(block).json
    assert data["signature"] != before
    assert data["state"]["courses"][0]["status"] == "earned"
    assert data["progress"]["courses"][0]["title"] == "Basics"  # the REST API's shape
    assert "1 of 3 courses earned" in data["html"] and 'class="microdegree-panel-body"' in data["html"]


def test_refresh_accepts_only_post_with_a_json_object(catalog, learner):
    block = make_block('<microdegree program="dr-med-ki"/>', learner.pk)
    assert call_refresh(block, method="GET").status_code == 405
    assert call_refresh(block, body=b"not json").status_code == 400
    assert call_refresh(block, body=b"[1]").status_code == 400


def test_refresh_for_an_anonymous_visitor(catalog):
    block = make_block('<microdegree program="dr-med-ki"/>', None)
    data = call_refresh(block).json
    assert data["signedIn"] is False and "Sign in" in data["html"]


# ---------------------------------------------------------------------------------------------------------------
# Language


def test_panel_speaks_the_learners_language_from_the_i18n_service(catalog, learner):
    send_grade(learner.pk, BASICS, 0.82)
    send_grade(learner.pk, CLINICS, 0.45)
    visible = text(render('<microdegree program="dr-med-ki"/>', learner.pk, language="de").body_html())
    assert "Gemeinsam ausgestellt von Charité Berlin und KI-Campus" in visible
    assert "1 von 3 Kursen abgeschlossen" in visible
    assert re.search(r"Abgeschlossen am \d+\. \w+ \d{4}", visible)
    assert "In Bearbeitung" in visible and "Geplant" in visible
    assert "beste Note 45 %, 60 % erforderlich" in visible
    english = text(render('<microdegree program="dr-med-ki"/>', learner.pk, language="en").body_html())
    assert "1 of 3 courses earned" in english


def test_without_an_i18n_service_the_active_language_is_used(catalog, learner):
    with translation.override("de"):
        visible = text(render('<microdegree program="dr-med-ki"/>', learner.pk).body_html())
    assert "0 von 3 Kursen abgeschlossen" in visible


# ---------------------------------------------------------------------------------------------------------------
# Speed


def _big_catalog(courses: int) -> None:
    base = yaml.safe_load(CATALOG)
    base["programs"].append({
        "id": "big", "title": "Big", "issuers": ["charite", "ki-campus", "uni-mannheim"],
        "courses": [{"key": f"course-v1:Big+C{n}+1", "title": f"C{n}", "hours": 3} for n in range(courses)],
    })
    api.load_catalog(validate_catalog(base))


@pytest.mark.parametrize("courses", [3, 40])
def test_student_view_runs_a_constant_number_of_queries(learner, courses, django_assert_num_queries,
                                                         django_capture_on_commit_callbacks):
    _big_catalog(courses)
    with django_capture_on_commit_callbacks(execute=True):
        for n in range(courses):
            send_grade(learner.pk, f"course-v1:Big+C{n}+1", 0.9 if n % 2 else 0.3)
    block = make_block('<microdegree program="big"/>', learner.pk)
    with django_assert_num_queries(9):  # the catalog's six; the learner's states, awards, recorded conditions
        html = block.runtime.render(block, "student_view").body_html()
    assert html.count('class="microdegree-course ') == courses
    with django_assert_num_queries(9):
        assert call_refresh(block).status_code == 200


def test_anonymous_student_view_reads_only_the_catalog(catalog, django_assert_num_queries):
    block = make_block('<microdegree program="dr-med-ki"/>', None)
    with django_assert_num_queries(6):
        block.runtime.render(block, "student_view")


def test_no_program_reads_nothing(learner, django_assert_num_queries):
    block = make_block("<microdegree/>", learner.pk)
    with django_assert_num_queries(0):
        block.runtime.render(block, "student_view")
