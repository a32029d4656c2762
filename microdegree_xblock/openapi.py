"""
The OpenAPI 3 description of the plugin's REST API (drf-spectacular), served at ``/microdegree/api/schema/``.

Documentation only: the serializers here describe the JSON that :mod:`microdegree_xblock.payloads` builds and the
views answer; nothing is parsed or validated with them, so the views behave exactly as they did without them.
``tests/fuzz/test_openapi.py`` keeps the description and the answers in step (schemathesis checks every generated
answer against it, and every documented object must have exactly the keys the payload has).

Nothing here relies on the host's settings. The LMS keeps DRF's own ``DEFAULT_SCHEMA_CLASS`` and has its own
``SPECTACULAR_SETTINGS``, so :func:`documented` gives each view drf-spectacular's ``AutoSchema`` itself, and
:data:`SCHEMA_SETTINGS` replaces every setting that shapes the document while the plugin's schema is generated.
"""
from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any, TypeVar

from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.settings import SPECTACULAR_DEFAULTS
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, PolymorphicProxySerializer, extend_schema
from rest_framework import serializers
from rest_framework.views import APIView

from . import __version__, data, limits
from .data import ACHIEVEMENT, DEGREE, EARNED, IN_PROGRESS, NOT_STARTED, PARTICIPATION, PLANNED, RECOGNITION
from .payloads import MAX_BODY_BYTES, MAX_BODY_DEPTH

__all__ = ["PROGRAMS", "PROGRESS", "SCHEMA_SETTINGS", "VISIBILITY", "documented"]

TAG = "micro-degrees"

# ---------------------------------------------------------------------------------------------------------------
# The payloads (payloads.py), field by field.


def _share(help_text: str, *, allow_null: bool = False) -> serializers.FloatField:
    """A measured share from 0 to 1 (a grade, a completion), a JSON number."""
    low, high = limits.SHARE
    return serializers.FloatField(min_value=float(low), max_value=float(high), allow_null=allow_null,
                                  help_text=help_text)


def _threshold(help_text: str, *, allow_null: bool = False) -> serializers.FloatField:
    """A threshold: a share more than 0 (the smallest one a column holds) and at most 1."""
    return serializers.FloatField(min_value=float(limits.SMALLEST_THRESHOLD), max_value=float(limits.SHARE[1]),
                                  allow_null=allow_null, help_text=help_text)


def _amount(help_text: str, *, most: Decimal | None = None, allow_null: bool = False) -> serializers.FloatField:
    """Hours or ECTS credits, never negative, at most the catalog's limit where one applies (a JSON number)."""
    return serializers.FloatField(min_value=0, max_value=None if most is None else float(most),
                                  allow_null=allow_null, help_text=help_text)


def _link(help_text: str, *, required: bool = True) -> serializers.URLField:
    """An absolute link, built from the LMS's ``LMS_ROOT_URL``."""
    return serializers.URLField(required=required, help_text=help_text)


class IssuerSerializer(serializers.Serializer):
    """An awarding body of a program."""

    id = serializers.CharField(help_text="The issuer's id (a slug).")
    name = serializers.CharField(help_text="Its name.")
    url = serializers.CharField(help_text="Its web site (an http or https URL).")
    country = serializers.CharField(help_text="Its country: an ISO 3166-1 alpha-2 code, e.g. DE.")


class CourseSerializer(serializers.Serializer):
    """A course of a program, as the catalog lists it."""

    course_key = serializers.CharField(help_text="The course's key, e.g. course-v1:Org+Course+Run.")
    title = serializers.CharField(help_text="Its title in the program.")
    hours = _amount("Its notional workload in hours.", most=limits.COURSE_HOURS[1])
    ects = _amount("Its ECTS credits; null: none stated.", most=limits.ECTS[1], allow_null=True)
    planned = serializers.BooleanField(help_text="Listed but not available yet: it cannot be earned.")
    threshold = _threshold("The grade share that earns the course's achievement record.")
    participation_threshold = _threshold("The completion share that earns the course's participation confirmation.")
    about_url = _link("The course's about page in the LMS.")


class ProgramSerializer(serializers.Serializer):
    """A micro-degree program: its issuers and its courses, in the program's order."""

    id = serializers.CharField(help_text="The program's id (a slug).")
    title = serializers.CharField(help_text="Its title.")
    description = serializers.CharField(allow_blank=True, help_text="Its description (may be empty).")
    issuers = IssuerSerializer(many=True, help_text="The awarding bodies, in the program's order.")
    courses = CourseSerializer(many=True, help_text="The courses, in the program's order.")
    hours_total = _amount("The workload of all its courses, in hours.")


class ProgramCatalogSerializer(serializers.Serializer):
    """The answer of the catalog."""

    programs = ProgramSerializer(many=True, help_text="Every program, by title.")


class AwardSerializer(serializers.Serializer):
    """An award (a participation confirmation, an achievement record, a recognition or a micro-degree)."""

    id = serializers.UUIDField(help_text="The award's public id.")
    kind = serializers.ChoiceField(choices=[PARTICIPATION, ACHIEVEMENT, RECOGNITION, DEGREE],
                                   help_text="What it confirms.")
    rule = serializers.CharField(allow_blank=True,
                                 help_text="A recognition's id in its program (which body's rule it met); empty "
                                           "for the platform's own awards.")
    program_id = serializers.CharField(help_text="The program it was awarded in.")
    course_key = serializers.CharField(allow_null=True, help_text="The course it was earned in; null: a degree.")
    issued_on = serializers.DateTimeField(help_text="When it was issued.")
    value = _share("The grade or completion share that earned it; null: a degree (or a recognition of a whole "
                   "program without a threshold).", allow_null=True)
    threshold = _threshold("The threshold that share met; null: a degree (or such a recognition).", allow_null=True)
    revoked = serializers.BooleanField(help_text="Whether it was revoked (the progress lists valid awards only).")
    revoked_on = serializers.DateTimeField(allow_null=True, help_text="When it was revoked; null: valid.")
    private = serializers.BooleanField(
        help_text="The learner made it private: its public pages show only that it is private.")
    verify_url = _link("The public verification page.")
    ob2_url = _link("The Open Badges 2.0 hosted assertion.")
    ob3_url = _link("The signed Open Badges 3.0 credential.")
    pdf_url = _link("The PDF certificate.")
    linkedin_url = _link("Adds it to the learner's LinkedIn profile.")
    badge_url = _link("The badge image (SVG) with the Open Badges 2.0 assertion baked in.")
    badge_png_url = _link("The same badge as a PNG.")
    edc_url = _link("The award as an unsigned European Digital Credential (ELM 3 JSON-LD), for its e-seal.")
    clr_url = _link("The signed CLR 2.0 credential; a degree only.", required=False)


class CreditsSerializer(serializers.Serializer):
    """An amount of credits in one unit."""

    amount = _amount("The amount, e.g. 12.")
    unit = serializers.CharField(help_text="The unit: ECTS, CME or a short text.")


class RecognitionStandingSerializer(serializers.Serializer):
    """An outside body's recognition of a course (or of the whole program), with the learner's standing against it."""

    id = serializers.CharField(help_text="The recognition's id in the program (an award's rule).")
    title = serializers.CharField(help_text="Its title (the recognising body's name when the catalog gives none).")
    issuer = IssuerSerializer(help_text="The recognising body: it issues the recognition's credential.")
    whole_program = serializers.BooleanField(help_text="It recognises the micro-degree, not a course.")
    credits = CreditsSerializer(allow_null=True, help_text="What it grants (per course); null: no credits.")
    condition = serializers.CharField(allow_blank=True, help_text="A further condition someone records; empty: none.")
    status = serializers.ChoiceField(
        choices=[EARNED, data.MET, data.MISSING, PLANNED],
        help_text="earned: the recognition is held (and not revoked); met: every requirement is met; missing: "
                  "something is missing (see grade_met, degree_met, condition_status); planned: the course is "
                  "not available yet.")
    threshold = _threshold("That body's grade share (its own, or the course's achievement threshold); null: a "
                           "program's recognition without one.", allow_null=True)
    percent = _share("The learner's best grade share in the course; null: none yet, or a program's.",
                     allow_null=True)
    grade_met = serializers.BooleanField(
        help_text="The threshold is met (for a program's: by every course its degree counts; true without one).")
    degree_met = serializers.BooleanField(allow_null=True, help_text="A program's: its micro-degree is held.")
    condition_status = serializers.ChoiceField(
        choices=["", data.NOT_RECORDED, data.PASSED, data.NOT_PASSED],
        help_text="The condition as recorded for the learner; empty: it has none.")
    condition_result = serializers.CharField(allow_blank=True, help_text="The recorded result, e.g. 1.7; may be empty.")
    condition_taken_on = serializers.DateField(allow_null=True, help_text="When it was taken; null: not recorded.")
    award = AwardSerializer(allow_null=True, help_text="The recognition, if held.")


class RequirementSerializer(serializers.Serializer):
    """A node of a program's requirement tree: a course, an elective group or a required program."""

    type = serializers.ChoiceField(choices=[data.COURSE_NODE, data.GROUP_NODE, data.PROGRAM_NODE],
                                   help_text="Its kind.")
    met = serializers.BooleanField(
        help_text="It holds: the course's achievement record, the group's choice, the program's micro-degree.")
    course_key = serializers.CharField(allow_null=True, help_text="A course's key (in the program's courses).")
    capstone = serializers.BooleanField(help_text="The course is the program's capstone.")
    capstone_waiting = serializers.BooleanField(help_text="A capstone taken last, waiting for the rest.")
    id = serializers.CharField(allow_null=True, help_text="A group's or a required program's id; null: a course.")
    title = serializers.CharField(allow_null=True, help_text="A group's or a required program's title.")
    choose = serializers.IntegerField(allow_null=True, min_value=1, help_text="A group: how many of it count.")
    chosen = serializers.IntegerField(allow_null=True, min_value=0,
                                      help_text="A group: how many of its courses the learner has earned.")

    def get_fields(self) -> dict[str, serializers.Field]:
        """The nested fields: a group's courses, a required program's own progress (the tree is recursive)."""
        fields = super().get_fields()
        fields["items"] = RequirementSerializer(many=True, help_text="A group's courses; empty otherwise.")
        fields["program"] = ProgramProgressSerializer(allow_null=True,
                                                      help_text="A required program's own progress.")
        return fields


class CourseProgressSerializer(CourseSerializer):
    """A course of a program with the learner's standing in it."""

    status = serializers.ChoiceField(
        choices=[EARNED, IN_PROGRESS, NOT_STARTED, PLANNED],
        help_text="planned: not available yet; earned: its achievement record is held (and not revoked); "
                  "in_progress: a grade or completion was seen; not_started: nothing yet.")
    percent = _share("The best grade share seen; null: none yet.", allow_null=True)
    completion = _share("The best completion share seen; null: none yet.", allow_null=True)
    participation = AwardSerializer(allow_null=True, help_text="The participation confirmation, if held.")
    achievement = AwardSerializer(allow_null=True, help_text="The achievement record, if held.")
    group = serializers.CharField(allow_null=True, help_text="Its elective group's id; null: a required course.")
    capstone = serializers.BooleanField(help_text="The program's capstone.")
    capstone_waiting = serializers.BooleanField(help_text="A capstone taken last, waiting for the rest.")
    recognitions = RecognitionStandingSerializer(many=True, help_text="Every recognition the course can bring.")


class ProgramProgressSerializer(ProgramSerializer):
    """A program with the learner's standing in it."""

    courses = CourseProgressSerializer(many=True, help_text="The courses, in the program's order.")
    earned_count = serializers.IntegerField(min_value=0, help_text="How many of those the learner has met.")
    required_count = serializers.IntegerField(min_value=0, help_text="How many requirements the degree needs: the "
                                              "required courses, each group's choice, each required program.")
    hours_earned = _amount("The workload of the earned courses, in hours.")
    degree = AwardSerializer(allow_null=True, help_text="The micro-degree, if held.")
    next_course = CourseSerializer(allow_null=True, help_text="The first course on the remaining path neither "
                                   "earned nor planned (maybe a required program's); null: none left.")
    requirements = RequirementSerializer(many=True, help_text="The requirement tree (a capstone taken last, last).")
    requirements_met = serializers.BooleanField(help_text="The requirement tree holds: the degree is due.")
    recognitions = RecognitionStandingSerializer(many=True, help_text="The recognitions of the whole program.")
    credits = CreditsSerializer(many=True, help_text="The credits earned, summed per unit (valid recognitions only).")


class LearnerProgressSerializer(serializers.Serializer):
    """The answer of the progress endpoint."""

    programs = ProgramProgressSerializer(many=True, help_text="Every program, by title.")


class VisibilitySerializer(serializers.Serializer):
    """What the visibility endpoint takes."""

    private = serializers.BooleanField(help_text="true: make the credential private; false: public again.")


class ErrorSerializer(serializers.Serializer):
    """DRF's error answer."""

    detail = serializers.CharField(help_text="What went wrong.")


class PrivateRequiredSerializer(serializers.Serializer):
    """The visibility endpoint's answer to a JSON body without a boolean private."""

    private = serializers.ListField(child=serializers.CharField(), help_text='["a boolean is required"]')


# ---------------------------------------------------------------------------------------------------------------
# Authentication


class JwtAuthenticationScheme(OpenApiAuthenticationExtension):
    """
    edx-drf-extensions' ``JwtAuthentication`` as a security scheme (drf-spectacular knows only DRF's own classes).

    The class is named by its path, so nothing of edx-drf-extensions is imported here (and without it the scheme is
    simply never used). A lower priority than the default lets an extension the platform may ship win.
    """

    target_class = "edx_rest_framework_extensions.auth.jwt.authentication.JwtAuthentication"
    name = "jwtAuth"
    optional = True
    priority = -1

    def get_security_definition(self, auto_schema: AutoSchema) -> dict[str, str]:
        """An ``Authorization: JWT <token>`` header (the LMS also rebuilds it from its JWT cookies)."""
        return {
            "type": "apiKey", "in": "header", "name": "Authorization",
            "description": "An Open edX JWT, as the MFEs send it: `Authorization: JWT <token>`.",
        }


# ---------------------------------------------------------------------------------------------------------------
# The operations

_SIGNED_IN = (
    "Signed in: the LMS session cookie (a POST also needs the CSRF token in `X-CSRFToken`), or an Open edX JWT in "
    "`Authorization: JWT <token>` where edx-drf-extensions is installed (it is in the LMS)."
)
_WWW_AUTHENTICATE = OpenApiParameter(
    "WWW-Authenticate", str, OpenApiParameter.HEADER, required=True, response=[401],
    description='The scheme to authenticate with: `JWT realm="api"`.')
_NOT_SIGNED_IN = OpenApiResponse(
    ErrorSerializer, "Not signed in, where JWT authentication is installed (the LMS), or a JWT that does not verify.")
_NO_JWT = "Not signed in, where JWT authentication is not installed"

PROGRAMS: dict[str, Any] = {
    "operation_id": "list_programs",
    "summary": "The program catalog",
    "description": "Every micro-degree program with its issuers and courses. Public.",
    "tags": [TAG],
    "responses": {200: OpenApiResponse(ProgramCatalogSerializer, "The catalog.")},
}

PROGRESS: dict[str, Any] = {
    "operation_id": "get_learner_progress",
    "summary": "The learner's progress",
    "description": "The signed-in learner's progress toward every micro-degree, with the awards they hold. "
                   + _SIGNED_IN,
    "tags": [TAG],
    "parameters": [_WWW_AUTHENTICATE],
    "responses": {
        200: OpenApiResponse(LearnerProgressSerializer, "The learner's progress."),
        401: _NOT_SIGNED_IN,
        403: OpenApiResponse(ErrorSerializer, f"{_NO_JWT}."),
    },
}

VISIBILITY: dict[str, Any] = {
    "operation_id": "set_award_visibility",
    "summary": "Make a credential private, or public again",
    "description": "The learner hides one of their awards' credentials on its public pages, or shows it again. "
                   + _SIGNED_IN,
    "tags": [TAG],
    "parameters": [_WWW_AUTHENTICATE],
    "request": VisibilitySerializer,
    "responses": {
        200: OpenApiResponse(AwardSerializer, "The award, with its new visibility."),
        400: OpenApiResponse(
            PolymorphicProxySerializer(component_name="VisibilityError",
                                       serializers=[ErrorSerializer, PrivateRequiredSerializer],
                                       resource_type_field_name=None),
            f"The body is not JSON, is larger than {MAX_BODY_BYTES} bytes, is not UTF-8 or is nested deeper than "
            f"{MAX_BODY_DEPTH} levels (`detail` says which); or it is JSON without a boolean `private`."),
        401: _NOT_SIGNED_IN,
        403: OpenApiResponse(ErrorSerializer, f"{_NO_JWT}; or a session without the CSRF token."),
        404: OpenApiResponse(ErrorSerializer, "No award has this id, or it is another learner's."),
        415: OpenApiResponse(ErrorSerializer, "The body is not `application/json`."),
    },
}

View = TypeVar("View", bound=type[APIView])


def documented(*, operation_id: str, **operation: Any) -> Callable[[View], View]:
    """
    Describe a view's one operation: drf-spectacular's ``extend_schema``, on drf-spectacular's ``AutoSchema``.

    ``extend_schema`` on a view class extends the class's own schema, and the LMS's default (DRF's) describes
    nothing for drf-spectacular, so the view is given drf-spectacular's first, with the operation's id (which
    ``extend_schema`` refuses on a class, having viewsets of several operations in mind). Only the schema changes,
    never the view.
    """
    class OperationSchema(AutoSchema):
        def get_operation_id(self) -> str:
            return operation_id

    def decorate(view: View) -> View:
        view.schema = OperationSchema()
        return extend_schema(**operation)(view)
    return decorate


# Every setting that shapes the document, at drf-spectacular's default unless stated: the LMS's (or any host's)
# SPECTACULAR_SETTINGS never change the plugin's schema. The SERVE_* settings cannot be patched; the schema view sets
# what they would (public, no authentication).
SCHEMA_SETTINGS: dict[str, Any] = {
    **{name: value for name, value in SPECTACULAR_DEFAULTS.items()
       if not name.startswith("SERVE_") and name != "DEFAULT_GENERATOR_CLASS"},
    "TITLE": "Micro-degrees API",
    "DESCRIPTION": "The REST API of the micro-degree plugin (microdegree-xblock): the program catalog, a learner's "
                   "progress and awards, and the visibility of their credentials.",
    "VERSION": __version__,
    "ENUM_GENERATE_CHOICE_DESCRIPTION": False,  # the values are their own names; each field says what they mean
    "TAGS": [{"name": TAG, "description": "Programs, progress and awards."}],
}
