"""
Studio authoring of the ``microdegree`` block, on XBlock's own runtime.

The editor (``studio_view``), its save handler, the author's preview (``author_view``) and Studio's validation.
"""
from __future__ import annotations

import json
import re

import pytest
from opaque_keys.edx.keys import CourseKey
from webob import Request
from xblock.validation import ValidationMessage

from microdegree_xblock.block import MicrodegreeXBlock

from .conftest import BASICS, send_grade
from .test_panel import make_block, text

pytestmark = pytest.mark.django_db


def submit(block, payload, method="POST"):
    body = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
    request = Request.blank("/", method=method, body=body if method == "POST" else None)
    return block.runtime.handle(block, "submit_studio_edits", request)


def options(html: str) -> list[tuple[str, bool, str]]:
    """(value, selected, label) of the program select's options."""
    select = re.search(r'<select[^>]*name="program".*?</select>', html, flags=re.S).group(0)
    return [(value, bool(selected), label.strip())
            for value, selected, label in re.findall(r'<option value="([^"]*)"( selected)?>(.*?)</option>', select,
                                                     flags=re.S)]


def test_editor_offers_the_configured_programs(catalog, learner):
    block = make_block('<microdegree program="dr-med-ki"/>', learner.pk)
    fragment = block.studio_view()
    html = fragment.body_html()
    assert options(html) == [
        ("", False, "Choose a program…"),
        ("ai-vet", False, "AI_VET (ai-vet)"),
        ("dr-med-ki", True, "Dr. med. KI (dr-med-ki)"),
    ]
    assert "3 courses, 62 hours; issued by Charité Berlin, KI-Campus." in text(html)
    assert fragment.js_init_fn == "MicrodegreeStudio"
    assert fragment.json_init_args == {"programs": ["ai-vet", "dr-med-ki"]}
    # The editor's CSS and JS (after the shared common.js) are linked by the runtime's resource URLs, not inlined.
    resource = "/workbench/resource/microdegree/static/"
    assert [(r.kind, r.mimetype, r.data) for r in fragment.resources] == [
        ("url", "text/css", f"{resource}css/studio.css"),
        ("url", "application/javascript", f"{resource}js/common.js"),
        ("url", "application/javascript", f"{resource}js/studio.js"),
    ]
    with MicrodegreeXBlock.open_local_resource("static/js/studio.js") as script:
        body = script.read()
    assert b"window.MicrodegreeStudio = MicrodegreeStudio" in body and b"runtime.notify" in body
    with MicrodegreeXBlock.open_local_resource("static/css/studio.css") as css:
        assert b".microdegree-studio" in css.read()
    # every field has its label and help text
    for field in ("display-name", "program"):
        assert re.search(rf'<label[^>]*for="[^"]*-{field}"', html)
        assert re.search(rf'aria-describedby="[^"]*-{field}-help', html)


def test_editor_flags_an_unknown_program(catalog, learner):
    html = make_block('<microdegree program="gone"/>', learner.pk).studio_view().body_html()
    assert ("gone", True, "Unknown program “gone”") in options(html)
    assert 'aria-invalid="true"' in html
    assert "No program has the id “gone”. Choose one of the configured programs." in text(html)


def test_editor_without_programs_says_how_to_get_them(learner):
    html = make_block("<microdegree/>", learner.pk).studio_view().body_html()
    assert options(html) == [("", True, "Choose a program…")]
    assert "microdegree_programs command" in html


def test_saving_a_valid_choice(catalog, learner):
    block = make_block('<microdegree program="dr-med-ki"/>', learner.pk)
    response = submit(block, {"display_name": "  Your micro-degree  ", "program": "ai-vet"})
    assert response.status_code == 200
    assert response.json == {"result": "success", "program": "ai-vet", "display_name": "Your micro-degree"}
    assert (block.program, block.display_name) == ("ai-vet", "Your micro-degree")


@pytest.mark.parametrize("payload, field, message", [
    ({"display_name": "P", "program": ""}, "program", "Choose a program."),
    ({"display_name": "P"}, "program", "Choose a program."),
    ({"display_name": "P", "program": "nope"}, "program", "No program has the id “nope”."),
    ({"display_name": "  ", "program": "ai-vet"}, "display_name", "Enter a display name."),
    ({"display_name": "x" * 256, "program": "ai-vet"}, "display_name", "at most 255 characters"),
    ({"display_name": 5, "program": "ai-vet"}, "display_name", "Enter a display name."),
])
def test_invalid_edits_are_refused_and_nothing_is_saved(catalog, learner, payload, field, message):
    block = make_block('<microdegree program="dr-med-ki"/>', learner.pk)
    response = submit(block, payload)
    assert response.status_code == 400
    assert response.json["field"] == field and message in response.json["error"]
    assert block.program == "dr-med-ki" and block.display_name == "Micro-degree progress"


def test_save_handler_wants_a_json_object_by_post(catalog, learner):
    block = make_block('<microdegree program="dr-med-ki"/>', learner.pk)
    assert submit(block, [1, 2]).status_code == 400
    assert submit(block, b"{not json").status_code == 400
    assert submit(block, {}, method="GET").status_code == 405


def test_errors_in_the_authors_language(catalog, learner):
    block = make_block('<microdegree program="dr-med-ki"/>', learner.pk, language="de")
    assert submit(block, {"display_name": "P", "program": ""}).json["error"] == "Wählen Sie ein Programm."
    html = block.studio_view().body_html()
    assert "Programm wählen …" in html and "Anzeigename" in html


def test_author_view_previews_the_real_structure(catalog, learner):
    send_grade(learner.pk, BASICS, 0.9)  # the author's own grades play no part in the preview
    html = make_block('<microdegree program="dr-med-ki"/>', learner.pk).author_view().body_html()
    visible = text(html)
    assert "Preview: every learner sees their own progress here." in visible
    assert re.findall(r'class="microdegree-course-title">(.*?)</span>', html) == ["Basics", "Clinics", "Ethics"]
    assert "Co-issued by Charité Berlin and KI-Campus" in visible
    assert "70 % grade needed" in visible and "Planned" in visible
    assert "Earned" not in visible and "Sign in" not in visible and 'role="progressbar"' not in html


@pytest.mark.parametrize("xml, warning", [
    ("<microdegree/>", "No micro-degree program is selected for this component."),
    ('<microdegree program="gone"/>', "Unknown micro-degree program “gone”."),
])
def test_author_view_warns_clearly(catalog, learner, xml, warning):
    visible = text(make_block(xml, learner.pk).author_view().body_html())
    assert warning in visible
    assert "Edit this component and choose one of the configured programs." in visible


def test_studio_validation(catalog, learner):
    assert make_block('<microdegree program="ai-vet"/>', learner.pk).validate().empty
    messages = make_block("<microdegree/>", learner.pk).validate().messages
    assert [(m.type, m.text) for m in messages] == [
        (ValidationMessage.WARNING, "No micro-degree program is selected for this component.")]
    messages = make_block('<microdegree program="gone"/>', learner.pk).validate().messages
    assert messages[0].type == ValidationMessage.ERROR and "“gone”" in messages[0].text


class StudioPermissions:
    """Studio's ``studio_user_permissions`` service, as the CMS offers it: may the user write to a course?"""

    def __init__(self, writable):
        self.writable = set(writable)

    def can_write(self, course_key):
        return str(course_key) in self.writable


class StudioUsageId(str):
    """The block's usage id knowing its course, as Studio's are (and still the string the toy runtime stores by)."""

    context_key = CourseKey.from_string(BASICS)


@pytest.mark.parametrize(("writable", "status"), [({BASICS}, 200), (set(), 403), ({"course-v1:X+Other+1"}, 403)])
def test_only_who_may_write_to_the_course_saves_edits(catalog, learner, writable, status):
    block = make_block('<microdegree program="dr-med-ki"/>', learner.pk)
    block.runtime._services["studio_user_permissions"] = StudioPermissions(writable)  # pylint: disable=protected-access
    block.scope_ids = block.scope_ids._replace(usage_id=StudioUsageId(block.scope_ids.usage_id))
    response = submit(block, {"display_name": "Changed", "program": "ai-vet"})
    assert response.status_code == status
    assert block.program == ("ai-vet" if status == 200 else "dr-med-ki")


def test_in_the_lms_only_the_course_team_saves_edits(catalog, learner):
    block = make_block('<microdegree program="dr-med-ki"/>', learner.pk)
    service = block.runtime.service(block, "user")
    learner_view = service.get_current_user

    def as_learner():
        user = learner_view()
        user.opt_attrs["edx-platform.user_is_staff"] = False
        return user
    service.get_current_user = as_learner
    assert submit(block, {"display_name": "Hacked", "program": "ai-vet"}).status_code == 403
    assert (block.display_name, block.program) != ("Hacked", "ai-vet")
