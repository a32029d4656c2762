"""
The ``microdegree`` XBlock on XBlock's own runtime (``xblock.test.toy_runtime``), with a real user service.

Also the block's static files: the fragments link them by the runtime's ``local_resource_url`` (nothing inline),
and the block's ``open_local_resource`` serves them, and only them, to the host.
"""
from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.urls import reverse
from web_fragments.fragment import Fragment
from xblock.exceptions import DisallowedFileError
from xblock.reference.user_service import UserService, XBlockUser
from xblock.runtime import KvsFieldData, MemoryIdManager, Runtime
from xblock.test.toy_runtime import ToyRuntime, ToyRuntimeKeyValueStore

from microdegree_xblock import api, resources
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

    def local_resource_url(self, block, uri):
        """
        Where the host serves the block's package resource: the workbench's URL, as lms_host mounts it.

        (ToyRuntime answers ''.) The LMS has its own, ``/xblock/resource/<block type>/<uri>`` or, with its
        asset pipeline, the collected file under ``/static/xblock/resources/<package>/<uri>``.
        """
        return reverse("package_resource", args=(block.scope_ids.block_type, uri))


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


# ---------------------------------------------------------------------------------------------------------------
# Static files: linked by URL, served by the host through the block's open_local_resource

STATIC = Path(resources.resource_dir("static"))
JS_TYPES = ("text/javascript", "application/javascript")  # Python's mimetypes: the first since 3.12, or per system


def _linked(fragment: Fragment) -> list[tuple[str, str]]:
    """(mimetype, URL) of the fragment's resources, in order; fails on any inline resource."""
    inline = [resource for resource in fragment.resources if resource.kind != "url"]
    assert not inline, f"inlined resources: {[resource.mimetype for resource in inline]}"
    return [(resource.mimetype, resource.data) for resource in fragment.resources]


def _url(uri: str) -> str:
    return reverse("package_resource", args=("microdegree", uri))


def test_student_view_links_its_css_and_js_by_resource_url(catalog, learner):
    block = make_block('<microdegree program="ai-vet"/>', learner.pk)
    fragment = block.student_view()
    assert _linked(fragment) == [
        ("text/css", _url("static/css/panel.css")),
        ("application/javascript", _url("static/js/common.js")),  # the shared helper, before panel.js
        ("application/javascript", _url("static/js/panel.js")),
    ]
    assert _url("static/js/panel.js") == "/workbench/resource/microdegree/static/js/panel.js"
    assert fragment.js_init_fn == "MicrodegreePanel"
    # Nothing of the files is in the page itself.
    page = fragment.head_html() + fragment.body_html() + fragment.foot_html()
    assert ".microdegree-panel {" not in page and "window.MicrodegreePanel" not in page
    assert f"<link rel='stylesheet' href='{_url('static/css/panel.css')}'" in page
    assert f"<script src='{_url('static/js/panel.js')}'" in page


def test_author_view_links_the_panel_css(catalog):
    block = make_block('<microdegree program="ai-vet"/>', None)
    assert _linked(block.author_view()) == [("text/css", _url("static/css/panel.css"))]


@pytest.mark.parametrize("uri, types", [
    ("static/css/panel.css", ("text/css",)),
    ("static/css/studio.css", ("text/css",)),
    ("static/js/common.js", JS_TYPES),
    ("static/js/panel.js", JS_TYPES),
    ("static/js/studio.js", JS_TYPES),
])
def test_the_host_serves_each_linked_file_with_its_type(client, uri, types):
    response = client.get(_url(uri))
    assert response.status_code == 200
    assert response["Content-Type"].split(";")[0] in types
    assert response.content == (STATIC / uri.removeprefix("static/")).read_bytes()


def test_the_served_files_are_cacheable(client):
    """The demo host's resource URLs are stable and revalidated by ETag (304), never ``no-store``."""
    url = _url("static/js/panel.js")
    first = client.get(url)
    assert first.status_code == 200 and first["ETag"]
    assert "no-store" not in first["Cache-Control"] and "public" in first["Cache-Control"]
    again = client.get(url, HTTP_IF_NONE_MATCH=first["ETag"])
    assert again.status_code == 304 and again.content == b""


def test_common_js_is_loaded_once_and_shared(catalog, learner):
    block = make_block('<microdegree program="ai-vet"/>', learner.pk)
    page = Fragment()  # one page holding both the panel and the editor
    page.add_fragment_resources(block.student_view())
    page.add_fragment_resources(block.studio_view())
    scripts = [url for mimetype, url in _linked(page) if mimetype == "application/javascript"]
    assert scripts == [_url("static/js/common.js"), _url("static/js/panel.js"), _url("static/js/studio.js")]

    common = (STATIC / "js" / "common.js").read_text(encoding="utf-8")
    helpers = set(re.findall(r"^ {4}(\w+): function", common, flags=re.M))
    assert {"domElement", "cookie"} <= helpers
    for name in ("panel.js", "studio.js"):
        script = (STATIC / "js" / name).read_text(encoding="utf-8")
        for helper in ("domElement", "cookie"):  # both scripts use them from common.js
            assert f"window.MicrodegreeCommon.{helper}" in script, (name, helper)
        for helper in helpers:  # and copy none of its helpers
            assert not re.search(rf"function {helper}\b|\b{helper}: function", script), (name, helper)
        assert "document.cookie" not in script and ".jquery" not in script, name


def test_open_local_resource_opens_the_static_files():
    with MicrodegreeXBlock.open_local_resource("static/css/panel.css") as opened:
        assert opened.read() == (STATIC / "css" / "panel.css").read_bytes()
    with MicrodegreeXBlock.open_local_resource(b"static/js/common.js") as opened:  # XBlock allows bytes
        assert b"window.MicrodegreeCommon" in opened.read()
    assert MicrodegreeXBlock.public_dir == "static"


REFUSED = [
    "../setup.py", "static/../setup.py", "static/css/../../setup.py", "static/./css/panel.css",
    "/etc/passwd", "static//etc/passwd", "/static/css/panel.css", "static/.hidden",
    "static/", "static", "public/css/panel.css", "templates/microdegree/panel.html", "microdegree_xblock/block.py",
    "static/css/panel.css/.", "static\\..\\setup.py", "static/css/panel.css\0",
]


@pytest.mark.parametrize("uri", REFUSED)
def test_open_local_resource_refuses_anything_else(uri):
    with pytest.raises(DisallowedFileError):
        MicrodegreeXBlock.open_local_resource(uri)


@pytest.mark.parametrize("uri", ["static/../setup.py", "static/%2e%2e/setup.py", "static/%2e%2e/%2e%2e/etc/passwd",
                                 "static//etc/passwd", "static/css/../../microdegree_xblock/block.py",
                                 "templates/microdegree/panel.html", "static/js/missing.js"])
def test_the_host_refuses_them_too(client, uri):
    """Whatever the URL's encoding, the host answers 404 (the workbench turns any refusal into one)."""
    response = client.get(f"/workbench/resource/microdegree/{uri}")
    assert response.status_code == 404


@pytest.fixture
def package_layout(tmp_path, monkeypatch):
    """resources.py as if its package were at ``tmp_path/site/microdegree_xblock`` (resource_dir is cached)."""
    package = tmp_path / "site" / "microdegree_xblock"
    package.mkdir(parents=True)
    monkeypatch.setattr(resources, "_PACKAGE_DIR", package)
    resources.resource_dir.cache_clear()
    yield package
    resources.resource_dir.cache_clear()


@pytest.mark.parametrize("layout", ["wheel", "source"])
def test_open_local_resource_in_an_installed_package_and_in_a_source_checkout(package_layout, layout):
    """A wheel has ``microdegree_xblock/static``; a source checkout or an editable install has ``static/`` beside."""
    static = package_layout / "static" if layout == "wheel" else package_layout.parent / "static"
    (static / "js").mkdir(parents=True)
    (static / "js" / "panel.js").write_text(f"// {layout}", encoding="utf-8")
    with MicrodegreeXBlock.open_local_resource("static/js/panel.js") as opened:
        assert opened.read() == f"// {layout}".encode()


def test_open_local_resource_refuses_a_link_out_of_static(package_layout, tmp_path):
    secret = tmp_path / "secret.js"
    secret.write_text("secret", encoding="utf-8")
    (package_layout / "static").mkdir()
    (package_layout / "static" / "linked.js").symlink_to(secret)
    with pytest.raises(DisallowedFileError):
        MicrodegreeXBlock.open_local_resource("static/linked.js")


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


def test_the_panel_is_excluded_from_completion(catalog, learner):
    """The LMS and edx-completion ask XBlock's own ``get_mode``: the panel is no content to complete."""
    from xblock.completable import XBlockCompletionMode

    block = make_block('<microdegree program="ai-vet"/>', learner.pk)
    assert XBlockCompletionMode.get_mode(block) == XBlockCompletionMode.EXCLUDED
    assert XBlockCompletionMode.get_mode(MicrodegreeXBlock) == XBlockCompletionMode.EXCLUDED
