"""
The OpenAPI description of the recognitions' conditions endpoint (docs/decisions/0040): one path, two methods.

Documentation only, as :mod:`microdegree_xblock.openapi` (whose shared parts it uses): nothing is parsed or
validated with these serializers. Kept beside the view, so that the schema module stays one module.
"""
from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from drf_spectacular.openapi import AutoSchema
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.views import APIView

from .. import api
from ..openapi import TAG, ErrorSerializer
from ..payloads import MAX_BODY_BYTES

__all__ = ["CONDITIONS_LIST", "CONDITIONS_RECORD", "documented_methods"]

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
View = TypeVar("View", bound=type[APIView])



class ConditionSerializer(serializers.Serializer):
    """A recognition's condition as recorded for one learner (the latest recording)."""

    program_id = serializers.CharField(help_text="The program's id.")
    recognition_id = serializers.CharField(help_text="The recognition's id in the program.")
    user = serializers.CharField(help_text="The learner's username.")
    course_key = serializers.CharField(allow_null=True, help_text="The course; null: a whole program's recognition.")
    passed = serializers.BooleanField(help_text="Whether the learner passed it (an on-site exam).")
    result = serializers.CharField(allow_blank=True, max_length=64, help_text="The result, e.g. a grade; may be empty.")
    taken_on = serializers.DateField(help_text="When it was taken.")
    recorded_by = serializers.CharField(allow_null=True, help_text="Who recorded it (username); null: a deleted user.")
    recorded_at = serializers.DateTimeField(help_text="When it was recorded.")


class ConditionRecordedSerializer(ConditionSerializer):
    """The answer of a recording: the condition as stored, what the recording did, the awards it issued."""

    outcome = serializers.ChoiceField(choices=["created", "changed", "unchanged"],
                                      help_text="created (201), changed or unchanged (200: nothing written).")
    awarded = serializers.ListField(child=serializers.UUIDField(), help_text="The awards it issued (their ids).")


class ConditionListSerializer(serializers.Serializer):
    """A page of a recognition's recorded conditions, latest first."""

    count = serializers.IntegerField(min_value=0, help_text="How many are recorded in all.")
    offset = serializers.IntegerField(min_value=0, help_text="How many were skipped.")
    limit = serializers.IntegerField(min_value=1, max_value=api.MAX_LISTED_CONDITIONS,
                                     help_text="The page's size at most.")
    conditions = ConditionSerializer(many=True, help_text="This page.")


class ConditionRequestSerializer(serializers.Serializer):
    """What recording a condition takes."""

    user = serializers.CharField(help_text="The learner's username (or user id).")
    course_key = serializers.CharField(required=False, allow_null=True, allow_blank=True,
                                       help_text="A course the recognition covers; empty or null for a whole "
                                                 "program's recognition.")
    passed = serializers.BooleanField(help_text="Whether the learner passed.")
    taken_on = serializers.DateField(help_text="When it was taken (YYYY-MM-DD), not in the future.")
    result = serializers.CharField(required=False, allow_blank=True, max_length=64,
                                   help_text="The result, e.g. a grade: at most 64 printable characters.")


class ConditionErrorsSerializer(serializers.Serializer):
    """A refused request: ``detail`` (the body), or each refused field's problems (an unknown field's too)."""

    detail = serializers.CharField(required=False, help_text="What is wrong with the body or the query.")
    recognition = serializers.ListField(child=serializers.CharField(), required=False,
                                        help_text="The recognition has no condition to record.")
    user = serializers.ListField(child=serializers.CharField(), required=False)
    course_key = serializers.ListField(child=serializers.CharField(), required=False)
    passed = serializers.ListField(child=serializers.CharField(), required=False)
    taken_on = serializers.ListField(child=serializers.CharField(), required=False)
    result = serializers.ListField(child=serializers.CharField(), required=False)


_STAFF = ("For a recognising body's staff (its condition recorders), superusers and holders of the permission "
          "`microdegree.record_any_condition`. ")
_RECOGNITION_PATH = [
    OpenApiParameter("program_id", str, OpenApiParameter.PATH, description="The program's id."),
    OpenApiParameter("recognition_id", str, OpenApiParameter.PATH, description="The recognition's id."),
]
_NOT_RECORDER = OpenApiResponse(ErrorSerializer, f"{_NO_JWT}; or the user may not record this recognition's "
                                                 "conditions (another body's); or a session without the CSRF token.")
_NO_RECOGNITION = OpenApiResponse(ErrorSerializer, "The program has no recognition with this id.")

CONDITIONS_LIST: dict[str, Any] = {
    "operation_id": "list_recognition_conditions",
    "summary": "A recognition's recorded conditions",
    "description": "The conditions (an on-site exam) recorded for the learners, latest first, a page at a time. "
                   + _STAFF + _SIGNED_IN,
    "tags": [TAG],
    "parameters": [*_RECOGNITION_PATH, _WWW_AUTHENTICATE,
                   OpenApiParameter("offset", int, OpenApiParameter.QUERY, description="How many to skip (0)."),
                   OpenApiParameter("limit", int, OpenApiParameter.QUERY,
                                    description=f"The page's size (100, at most {api.MAX_LISTED_CONDITIONS}).")],
    "responses": {
        200: OpenApiResponse(ConditionListSerializer, "The page."),
        400: OpenApiResponse(ConditionErrorsSerializer, "`offset` or `limit` is not a number in its range."),
        401: _NOT_SIGNED_IN,
        403: _NOT_RECORDER,
        404: _NO_RECOGNITION,
    },
}

CONDITIONS_RECORD: dict[str, Any] = {
    "operation_id": "record_recognition_condition",
    "summary": "Record a learner's condition of a recognition",
    "description": "Records whether a learner passed a recognition's further condition (an on-site exam), kept in "
                   "the audit trail; the recognition is issued when its other rules hold already. The same values "
                   "again change nothing. A condition recorded as not passed never takes an award back. "
                   + _STAFF + _SIGNED_IN,
    "tags": [TAG],
    "parameters": [*_RECOGNITION_PATH, _WWW_AUTHENTICATE],
    "request": ConditionRequestSerializer,
    "responses": {
        200: OpenApiResponse(ConditionRecordedSerializer, "Recorded before: changed, or unchanged."),
        201: OpenApiResponse(ConditionRecordedSerializer, "Recorded for the first time."),
        400: OpenApiResponse(ConditionErrorsSerializer, f"The body is not a JSON object of at most {MAX_BODY_BYTES} "
                                                        "bytes (`detail`), or fields are refused (each named)."),
        401: _NOT_SIGNED_IN,
        403: _NOT_RECORDER,
        404: _NO_RECOGNITION,
        415: OpenApiResponse(ErrorSerializer, "The body is not `application/json`."),
    },
}


def documented_methods(**operations: dict[str, Any]) -> Callable[[View], View]:
    """
    Describe a view of several operations (one per method: ``get=...``, ``post=...``), as ``openapi.documented``.

    Each method gets its operation's ``extend_schema``, and the view drf-spectacular's ``AutoSchema`` with each
    method's operation id.
    """
    ids = {method.upper(): operation["operation_id"] for method, operation in operations.items()}

    class OperationsSchema(AutoSchema):
        def get_operation_id(self) -> str:
            return str(ids[str(self.method).upper()])

    def decorate(view: View) -> View:
        view.schema = OperationsSchema()
        for method, operation in operations.items():
            rest = {name: value for name, value in operation.items() if name != "operation_id"}
            handler = getattr(view, method)
            # extend_schema on a method extends the method's schema class, else the host's DEFAULT_SCHEMA_CLASS
            # (DRF's in the LMS): it is given this one.
            handler.kwargs = {**getattr(handler, "kwargs", {}), "schema": OperationsSchema}
            setattr(view, method, extend_schema(**rest)(handler))
        return view
    return decorate
