"""
The ``microdegree`` XBlock: shows a learner's progress toward a micro-degree in the courseware.

All its data comes from :func:`microdegree_xblock.api.get_learner_progress`, the same function behind the REST
progress API, shaped by the same serializer; :mod:`microdegree_xblock.panel` renders it. See
docs/decisions/0010-learner-progress-panel.rst.
"""
from __future__ import annotations

import functools
from collections.abc import Callable
from contextlib import AbstractContextManager, nullcontext
from typing import Any, BinaryIO

from django.utils import translation
from django.utils.translation import gettext
from web_fragments.fragment import Fragment
from webob import Response  # type: ignore[import-untyped]
from xblock.completable import XBlockCompletionMode
from xblock.core import XBlock
from xblock.exceptions import DisallowedFileError, JsonHandlerError
from xblock.fields import Scope, String
from xblock.validation import ValidationMessage

from . import api
from .panel import LEARNER, PREVIEW, client_state, render_panel, signature
from .payloads import body_problem, progress_json
from .resources import render_template, static_file

DISPLAY_NAME_MAX_LENGTH = 255


def _(text: str) -> str:
    """Mark a string for extraction; XBlock fields translate their labels through the runtime."""
    return text


def _translation(language: str | None) -> AbstractContextManager[Any]:
    """Translate into ``language`` inside the block; None keeps the active language."""
    return translation.override(language) if language else nullcontext()


def _json_handler(func: Callable[..., Any]) -> Callable[..., Any]:
    """``XBlock.json_handler``, after the body passed :func:`payloads.body_problem` (size, encoding, nesting)."""
    handler = XBlock.json_handler(func)

    @functools.wraps(handler)
    def bounded(self: XBlock, request: Any, suffix: str = "") -> Any:
        if request.method == "POST" and (problem := body_problem(request.body)):
            return JsonHandlerError(400, problem).get_response()
        return handler(self, request, suffix)
    # The undecorated handler, as XBlock.json_handler exposes it.
    bounded.__wrapped__ = func  # type: ignore[attr-defined,unused-ignore]
    return bounded


@XBlock.needs("user")
@XBlock.wants("i18n")
@XBlock.wants("studio_user_permissions")
@XBlock.supports("multi_device")
class MicrodegreeXBlock(XBlock):
    """A learner's stack-progress panel toward one micro-degree program."""

    display_name = String(
        display_name=_("Display name"), help=_("The name of this component, shown to learners."),
        default=_("Micro-degree progress"), scope=Scope.settings,
    )
    program = String(
        display_name=_("Program"), help=_("The id of the micro-degree program whose progress is shown."),
        default="", scope=Scope.settings,
    )

    editable_fields = ("display_name", "program")

    # The panel shows progress; it is no course content: viewing it never counts toward the learner's completion,
    # and the LMS leaves it out of the completable blocks it counts (docs/decisions/0004).
    completion_mode = XBlockCompletionMode.EXCLUDED

    # The block's CSS and JS are package resources that the runtime serves at its own, cacheable URLs
    # (``runtime.local_resource_url(self, "static/...")``, answered by :meth:`open_local_resource`), not text
    # inlined into every fragment. ``resources_dir`` stays XBlock's default (the package itself): the LMS's
    # collectstatic then finds them in an installed package as ``microdegree_xblock/static/...``.
    public_dir = "static"

    @classmethod
    def open_local_resource(cls, uri: str | bytes) -> BinaryIO:
        """
        Open one of the block's static files for the runtime, e.g. ``static/js/panel.js``.

        XBlock's rules: only files under ``static/``, no ``/.`` component (so no ``..``, no hidden file), and
        more (no empty component, no backslash, nothing resolving outside the directory, e.g. by a symlink);
        anything else raises :class:`~xblock.exceptions.DisallowedFileError`. Unlike XBlock's own
        implementation, the file is read from ``resources.resource_dir("static")``, which finds ``static/``
        inside the installed package (a wheel) or at the top of the repository (a source checkout, an editable
        install), where ``importlib.resources.files("microdegree_xblock")`` would not look.
        """
        if isinstance(uri, bytes):
            uri = uri.decode("utf-8")
        if cls.resources_dir is None:
            raise DisallowedFileError("This XBlock is not configured to serve local resources")
        prefix = f"{cls.public_dir}/"
        if not uri.startswith(prefix):
            raise DisallowedFileError(f"Only files from {cls.public_dir!r}/ are allowed: {uri!r}")
        if "/." in uri or "//" in uri or "\\" in uri or "\0" in uri:
            raise DisallowedFileError(f"Only safe file names are allowed: {uri!r}")
        try:
            path = static_file(uri[len(prefix):])
        except ValueError as error:
            raise DisallowedFileError(f"Only files from {cls.public_dir!r}/ are allowed: {uri!r}") from error
        return path.open("rb")

    # -----------------------------------------------------------------------------------------------------------
    # The learner and their language, from the runtime's services

    def _user_id(self) -> int | None:
        """The signed-in learner's LMS user id, or None for an anonymous visitor."""
        user = self.runtime.service(self, "user").get_current_user()
        user_id = user.opt_attrs.get("edx-platform.user_id")
        is_anonymous = user.opt_attrs.get("edx-platform.is_authenticated") is False
        return None if is_anonymous or user_id is None else int(user_id)

    def _language(self) -> str | None:
        """The learner's language, from the runtime's i18n service (None: the active language)."""
        i18n = self.runtime.service(self, "i18n")
        get_language = getattr(i18n, "get_language", None) if i18n else None
        return get_language() if callable(get_language) else None

    def _dom_id(self) -> str:
        return f"microdegree-{self.scope_ids.usage_id}"

    # -----------------------------------------------------------------------------------------------------------
    # Data

    def progress(self, user_id: int | None = None) -> dict[str, Any] | None:
        """The learner's progress in the configured program, as the REST API shapes it (None: unknown program)."""
        if not self.program:
            return None
        found = api.get_learner_progress(user_id=user_id, program_id=self.program)
        return progress_json(found[0]) if found else None

    def _panel(self) -> tuple[dict[str, Any] | None, str, bool]:
        """(progress, panel HTML, signed in) for the current learner: one api call, one user lookup."""
        user_id = self._user_id()
        data = self.progress(user_id)
        html = render_panel(data, program_id=self.program, signed_in=user_id is not None, mode=LEARNER,
                            dom_id=self._dom_id(), language=self._language())
        return data, html, user_id is not None

    # -----------------------------------------------------------------------------------------------------------
    # Views

    def student_view(self, context: dict[str, Any] | None = None) -> Fragment:  # pylint: disable=unused-argument
        """The progress panel, with its refresh script."""
        data, html, signed_in = self._panel()
        fragment = Fragment(html)
        fragment.add_css_url(self.runtime.local_resource_url(self, "static/css/panel.css"))
        fragment.add_javascript_url(self.runtime.local_resource_url(self, "static/js/common.js"))  # before panel.js
        fragment.add_javascript_url(self.runtime.local_resource_url(self, "static/js/panel.js"))
        # The arguments hold no free text (see panel.client_state): runtimes embed them unescaped in a <script>.
        fragment.initialize_js("MicrodegreePanel", {
            "programId": data["id"] if data else None, "signedIn": signed_in,
            "signature": signature(data, signed_in=signed_in), "progress": client_state(data),
        })
        return fragment

    @_json_handler
    def refresh(self, data: dict[str, Any], suffix: str = "") -> Response:  # pylint: disable=unused-argument
        """
        The panel's current state, read from the database on every call.

        Returns ``{"signature", "state", "progress", "html", "signedIn"}``: the digest the script compares, the
        text-free state of its arguments, the full progress (as the REST API shapes it) and the panel's HTML. The
        response says ``Cache-Control: no-store`` so that no browser or proxy keeps an old state.
        """
        if not isinstance(data, dict):
            raise JsonHandlerError(400, "Send a JSON object.")
        progress, html, signed_in = self._panel()
        response = Response(json_body={
            "signature": signature(progress, signed_in=signed_in), "state": client_state(progress),
            "progress": progress, "html": html, "signedIn": signed_in,
        }, charset="utf-8")
        response.cache_control.no_store = True
        response.cache_control.private = True
        return response

    # -----------------------------------------------------------------------------------------------------------
    # Studio

    def author_view(self, context: dict[str, Any] | None = None) -> Fragment:  # pylint: disable=unused-argument
        """Studio's preview: the program's real structure, or a clear warning when no or an unknown program is set."""
        data = self.progress(None)
        html = render_panel(data, program_id=self.program, signed_in=False, mode=PREVIEW,
                            dom_id=f"{self._dom_id()}-preview", language=self._language())
        fragment = Fragment(html)
        fragment.add_css_url(self.runtime.local_resource_url(self, "static/css/panel.css"))
        return fragment

    def studio_view(self, context: dict[str, Any] | None = None) -> Fragment:  # pylint: disable=unused-argument
        """Studio's editor: the display name, and the program chosen from the configured ones."""
        programs = [
            {
                "id": program.id, "title": program.title, "course_count": len(program.courses),
                "hours": program.hours_total, "issuer_names": ", ".join(issuer.name for issuer in program.issuers),
            }
            for program in api.get_programs()
        ]
        html = render_template("microdegree/studio.html", {
            "dom_id": f"{self._dom_id()}-studio".replace(".", "-"),
            "display_name": self.display_name,
            "current": self.program,
            "known": any(program["id"] == self.program for program in programs),
            "programs": programs,
        }, language=self._language())
        fragment = Fragment(html)
        fragment.add_css_url(self.runtime.local_resource_url(self, "static/css/studio.css"))
        fragment.add_javascript_url(self.runtime.local_resource_url(self, "static/js/common.js"))  # before studio.js
        fragment.add_javascript_url(self.runtime.local_resource_url(self, "static/js/studio.js"))
        fragment.initialize_js("MicrodegreeStudio", {"programs": [program["id"] for program in programs]})
        return fragment

    def _may_edit(self) -> bool:
        """
        Whether the current user may change this block's settings (defence in depth: the runtime checks first).

        In Studio, its ``studio_user_permissions`` service says whether the user may write to the block's course.
        In the LMS, where authors never edit, only the course team may (the user service's
        ``edx-platform.user_is_staff``). A host with neither (the xblock-sdk workbench of the demo) decides alone.
        """
        permissions = self.runtime.service(self, "studio_user_permissions")
        if permissions is not None:
            course_key = getattr(self.scope_ids.usage_id, "context_key", None)
            return course_key is not None and bool(permissions.can_write(course_key))
        attributes = self.runtime.service(self, "user").get_current_user().opt_attrs
        if "edx-platform.user_is_staff" in attributes:
            return bool(attributes["edx-platform.user_is_staff"])
        return True

    def _edit_errors(self, data: dict[str, Any]) -> tuple[str, str] | None:
        """The first invalid field of a Studio edit and why, or None."""
        name = data.get("display_name")
        program = data.get("program")
        if not isinstance(name, str) or not name.strip():
            return "display_name", gettext("Enter a display name.")
        if len(name.strip()) > DISPLAY_NAME_MAX_LENGTH:
            return "display_name", gettext("The display name can have at most 255 characters.")
        if not isinstance(program, str) or not program.strip():
            return "program", gettext("Choose a program.")
        if api.get_program(program.strip()) is None:
            return "program", gettext("No program has the id “%(program)s”. Choose one of the configured programs.") % {
                "program": program.strip()}
        return None

    @_json_handler
    def submit_studio_edits(self, data: Any, suffix: str = "") -> Any:  # pylint: disable=unused-argument
        """
        Save Studio's edits after checking them: ``{"result": "success"}``, or 400 ``{"error", "field"}``.

        The program must be one of the configured programs; the display name must not be empty. A user who may not
        edit the course gets 403, whatever the runtime let through (:meth:`_may_edit`).
        """
        if not self._may_edit():
            raise JsonHandlerError(403, "You may not edit this course.")
        if not isinstance(data, dict):
            raise JsonHandlerError(400, "Send a JSON object.")
        # Checked as the fields will store them: without what XML cannot hold (controls such as U+0008, lone
        # surrogates), which XBlock's String fields drop; a name of such characters alone is an empty name.
        edit = {name: self._as_stored(name, data.get(name)) for name in ("display_name", "program")}
        with _translation(self._language()):
            problem = self._edit_errors(edit)
        if problem is not None:
            return Response(json_body={"error": problem[1], "field": problem[0]}, status=400, charset="utf-8")
        self.display_name = edit["display_name"].strip()
        self.program = edit["program"].strip()
        return {"result": "success", "program": self.program, "display_name": self.display_name}

    def _as_stored(self, name: str, value: Any) -> Any:
        """A text as the String field ``name`` stores it (XBlock's own sanitising); any other value as it is."""
        return self.fields[name].from_json(value) if isinstance(value, str) else value

    def validate(self) -> Any:
        """Studio's validation: a warning when no program or an unknown program is set."""
        validation = super().validate()
        with _translation(self._language()):
            if not self.program:
                validation.add(ValidationMessage(ValidationMessage.WARNING, gettext(
                    "No micro-degree program is selected for this component.")))
            elif api.get_program(self.program) is None:
                validation.add(ValidationMessage(ValidationMessage.ERROR, gettext(
                    "No program has the id “%(program)s”. Choose one of the configured programs.") % {
                    "program": self.program}))
        return validation

    @staticmethod
    def workbench_scenarios() -> list[tuple[str, str]]:
        """Scenarios for the xblock-sdk workbench."""
        return [
            ("Micro-degree progress (AI_VET)", '<microdegree program="ai-vet"/>'),
            ("Micro-degree progress (Dr. med. KI)", '<microdegree program="dr-med-ki"/>'),
            ("Micro-degree progress (no program)", "<microdegree/>"),
        ]

