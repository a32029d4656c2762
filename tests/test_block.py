"""
The ``microdegree`` XBlock on XBlock's own runtime (``xblock.test.toy_runtime``), with a real user service.
"""
from __future__ import annotations

import pytest
from xblock.reference.user_service import UserService, XBlockUser
from xblock.runtime import KvsFieldData, MemoryIdManager, Runtime
from xblock.test.toy_runtime import ToyRuntime, ToyRuntimeKeyValueStore

from microdegree_xblock import api
from microdegree_xblock.block import MicrodegreeXBlock
from microdegree_xblock.catalog import validate_catalog

from .conftest import BASICS, CLINICS, VET, send_grade

pytestmark = pytest.mark.django_db


class LearnerUserService(UserService):
    """The user service as the LMS provides it: the current user with ``edx-platform.*`` optional attributes."""

    def __init__(self, user_id: int | None, **kwargs):
        super().__init__(**kwargs)
        self.user_id = user_id

    def get_current_user(self) -> XBlockUser:
        user = XBlockUser(is_current_user=True)
        user.opt_attrs["edx-platform.user_id"] = self.user_id
        user.opt_attrs["edx-platform.is_authenticated"] = self.user_id is not None
        return user


class LearnerRuntime(ToyRuntime):
    """ToyRuntime with its own field store and a user service."""

    def __init__(self, user_id: int | None):  # pylint: disable=super-init-not-called
        ids = MemoryIdManager()
        Runtime.__init__(self, ids, ids, services={  # pylint: disable=non-parent-init-called
            "field-data": KvsFieldData(ToyRuntimeKeyValueStore({})),
            "user": LearnerUserService(user_id),
        })
        self.user_id = user_id


def make_block(xml: str, user_id: int | None) -> MicrodegreeXBlock:
    runtime = LearnerRuntime(user_id)
    return runtime.get_block(runtime.parse_xml_string(xml))


def render(xml: str, user_id: int | None) -> str:
    block = make_block(xml, user_id)
    return block.runtime.render(block, "student_view").body_html()


def test_student_view_shows_the_learners_progress(catalog, learner, other_learner):
    send_grade(learner.pk, BASICS, 0.75)   # earned (threshold 0.7)
    send_grade(learner.pk, CLINICS, 0.3)   # in progress
    send_grade(other_learner.pk, CLINICS, 0.9)

    html = render('<microdegree program="dr-med-ki"/>', learner.pk)
    assert "Dr. med. KI" in html
    assert "Charité Berlin" in html and "KI-Campus" in html  # co-issued: both issuers
    assert "1 of 3 courses earned" in html
    statuses = {title: status for title, status in _course_statuses(html)}
    assert statuses == {"Basics": "Earned", "Clinics": "In progress", "Ethics": "Planned"}
    assert "Sign in" not in html


def test_student_view_for_a_learner_with_nothing_yet(catalog, learner):
    html = render('<microdegree program="ai-vet"/>', learner.pk)
    assert [status for _, status in _course_statuses(html)] == ["Not started"] * 4
    assert "0 of 4 courses earned" in html


def test_student_view_shows_the_degree(catalog, learner, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        for key in VET:
            send_grade(learner.pk, key, 0.9)
    html = render('<microdegree program="ai-vet"/>', learner.pk)
    assert "Micro-degree earned." in html and "4 of 4 courses earned" in html


def test_anonymous_visitor_is_asked_to_sign_in(catalog, learner):
    send_grade(learner.pk, VET[0], 0.9)
    html = render('<microdegree program="ai-vet"/>', None)
    assert "Sign in to see your progress" in html
    assert "Earned" not in [status for _, status in _course_statuses(html)]


def test_unknown_program_shows_a_warning(catalog, learner):
    html = render('<microdegree program="no-such-program"/>', learner.pk)
    assert "microdegree-warning" in html
    assert "Unknown micro-degree program" in html and "no-such-program" in html


def test_no_program_shows_a_warning(catalog, learner):
    html = render("<microdegree/>", learner.pk)
    assert "No micro-degree program is selected" in html


def test_hostile_text_is_escaped(learner):
    hostile = "<script>alert(1)</script>"
    api.load_catalog(validate_catalog({
        "issuers": [{"id": "evil", "name": f"Evil {hostile} Inc", "url": "https://evil.example", "country": "DE"}],
        "programs": [{
            "id": "hostile", "title": f"Hostile {hostile}", "description": hostile, "issuers": ["evil"],
            "courses": [{"key": f"course-v1:Evil+C{n}+1", "title": f'Course {n} "><img src=x onerror=alert(2)>',
                         "hours": 40} for n in range(3)],
        }],
    }))
    html = render('<microdegree program="hostile"/>', learner.pk)
    assert "<script>" not in html and "<img" not in html
    assert "Hostile &lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "Evil &lt;script&gt;alert(1)&lt;/script&gt; Inc" in html
    assert "&quot;&gt;&lt;img src=x onerror=alert(2)&gt;" in html

    # The program id from the block's settings is escaped too, in the warning and in attributes.
    html = render('<microdegree program="&lt;script&gt;alert(3)&lt;/script&gt;"/>', learner.pk)
    assert "<script>" not in html and "&lt;script&gt;alert(3)&lt;/script&gt;" in html


def test_student_view_adds_the_panel_css(catalog, learner):
    block = make_block('<microdegree program="ai-vet"/>', learner.pk)
    fragment = block.runtime.render(block, "student_view")
    css = [resource for resource in fragment.resources if resource.mimetype == "text/css"]
    assert css and ".microdegree-panel" in css[0].data


def test_block_fields_and_services():
    assert MicrodegreeXBlock.program.default == ""
    assert set(MicrodegreeXBlock.editable_fields) == {"display_name", "program"}
    assert MicrodegreeXBlock.service_declaration("user") == "need"
    assert MicrodegreeXBlock.service_declaration("i18n") == "want"


@pytest.mark.parametrize("title, xml", MicrodegreeXBlock.workbench_scenarios())
def test_workbench_scenarios_parse_and_render(catalog, learner, title, xml):
    assert title
    block = make_block(xml, learner.pk)
    assert isinstance(block, MicrodegreeXBlock)
    html = block.runtime.render(block, "student_view").body_html()
    assert "microdegree-panel" in html
    if block.program:
        assert api.get_program(block.program) is not None, f"scenario {title!r} names an unknown program"
        assert "microdegree-warning" not in html


def _course_statuses(html: str) -> list[tuple[str, str]]:
    """(course title, status text) of each course in the panel, in order."""
    import re  # pylint: disable=import-outside-toplevel

    return re.findall(
        r'class="microdegree-course-title">(.*?)</span>.*?class="microdegree-course-status">(.*?)</span>',
        html, flags=re.S,
    )
