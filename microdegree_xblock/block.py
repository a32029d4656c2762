"""
The ``microdegree`` XBlock: shows a learner's progress toward a micro-degree in the courseware.

All its data comes from :func:`microdegree_xblock.api.get_learner_progress`, the same function behind the REST
progress API.
"""
from __future__ import annotations

from typing import Any

from web_fragments.fragment import Fragment
from xblock.core import XBlock
from xblock.fields import Scope, String

from . import api
from .resources import read_text, render_template
from .serializers import progress_json


def _(text: str) -> str:
    """Mark a string for extraction; XBlock fields translate their labels through the runtime."""
    return text


@XBlock.needs("user")
@XBlock.wants("i18n")
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

    def _user_id(self) -> int | None:
        user = self.runtime.service(self, "user").get_current_user()
        user_id = user.opt_attrs.get("edx-platform.user_id")
        is_anonymous = user.opt_attrs.get("edx-platform.is_authenticated") is False
        return None if is_anonymous or user_id is None else int(user_id)

    def _language(self) -> str | None:
        i18n = self.runtime.service(self, "i18n")
        return getattr(i18n, "get_language", lambda: None)() if i18n else None

    def progress(self) -> dict[str, Any] | None:
        """The learner's progress in the configured program, as JSON-ready data (None: unknown program)."""
        if not self.program:
            return None
        found = api.get_learner_progress(user_id=self._user_id(), program_id=self.program)
        return progress_json(found[0]) if found else None

    def student_view(self, context: dict[str, Any] | None = None) -> Fragment:  # pylint: disable=unused-argument
        """The progress panel."""
        data = self.progress()
        html = render_template("microdegree/panel.html", {
            "block": self, "program": data, "program_id": self.program, "signed_in": self._user_id() is not None,
        }, language=self._language())
        fragment = Fragment(html)
        fragment.add_css(read_text("css/panel.css"))
        return fragment

    @staticmethod
    def workbench_scenarios() -> list[tuple[str, str]]:
        """Scenarios for the xblock-sdk workbench."""
        return [
            ("Micro-degree progress (AI_VET)", '<microdegree program="ai-vet"/>'),
            ("Micro-degree progress (no program)", "<microdegree/>"),
        ]
