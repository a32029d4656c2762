"""
The staff REST endpoint of a recognition's further conditions (docs/decisions/0040).

``POST /microdegree/api/v1/recognitions/<program_id>/<recognition_id>/conditions/`` records one learner's condition
(an on-site exam), ``GET`` on the same URL lists those recorded, a page at a time. Both for those who may record the
recognition's conditions (its body's staff, superusers, holders of ``microdegree.record_any_condition``); all
checks, the audit trail and the issuing are the api's (``api.record_condition``, source ``api``).
"""
from __future__ import annotations

from typing import Any, cast

from django.utils.translation import gettext_lazy as _
from rest_framework.authentication import SessionAuthentication
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from .. import api, compat
from . import BoundedJSONParser
from .conditions_schema import CONDITIONS_LIST, CONDITIONS_RECORD, documented_methods

__all__ = ["RecognitionConditionsView", "condition_json"]

SOURCE = "api"
DEFAULT_LIMIT = 100
# What a recording takes, and the JSON type of each (course_key may also be null).
FIELDS: dict[str, type] = {"user": str, "course_key": str, "passed": bool, "taken_on": str, "result": str}
_REQUIRED_TYPE = {str: _("a string is required"), bool: _("a boolean is required")}


def condition_json(condition: api.ConditionInfo) -> dict[str, Any]:
    """A recorded condition as the endpoint answers it."""
    return {
        "program_id": condition.program_id, "recognition_id": condition.recognition_id, "user": condition.username,
        "course_key": condition.course_key, "passed": condition.passed, "result": condition.result,
        "taken_on": condition.taken_on.isoformat(), "recorded_by": condition.recorded_by,
        "recorded_at": condition.recorded_at.isoformat(),
    }


def _refused(exc: api.MicrodegreeError) -> Response:
    """The api's refusals as answers: no such recognition (404), another body's (403), refused values (400)."""
    if isinstance(exc, api.InvalidCondition):
        return Response({name: [message] for name, message in exc.errors.items()}, status=400)
    status = 404 if isinstance(exc, api.UnknownRecognition) else 403
    return Response({"detail": str(getattr(exc, "public_message", ""))}, status=status)


def _body_problems(body: object) -> dict[str, list[str]]:
    """What is wrong with a recording's JSON body, before the api reads it: its shape and its types."""
    if not isinstance(body, dict):
        return {"detail": [str(_("A JSON object is required."))]}
    problems = {name: [str(_("unknown field"))] for name in body if name not in FIELDS}
    for name, kind in FIELDS.items():
        value = body.get(name)
        if value is not None and (not isinstance(value, kind) or (kind is str and isinstance(value, bool))):
            problems[name] = [str(_REQUIRED_TYPE[kind])]
    return problems


def _page(request: Request) -> tuple[int, int] | Response:
    """The page asked for (offset, limit), or the 400 answer naming what is wrong."""
    numbers = {}
    for name, default, low, high in (("offset", 0, 0, None), ("limit", DEFAULT_LIMIT, 1, api.MAX_LISTED_CONDITIONS)):
        text = request.query_params.get(name, "")
        if not text:
            numbers[name] = default
            continue
        if not (text.isascii() and text.isdigit()) or int(text) < low or (high is not None and int(text) > high):
            message = (_("%(name)s: a whole number from %(low)d to %(high)d is required.") if high is not None
                       else _("%(name)s: a whole number of at least %(low)d is required."))
            return Response({"detail": str(message) % {"name": name, "low": low, "high": high}}, status=400)
        numbers[name] = int(text)
    return numbers["offset"], numbers["limit"]


@documented_methods(get=CONDITIONS_LIST, post=CONDITIONS_RECORD)
class RecognitionConditionsView(APIView):
    """
    **Use case:** a recognising body's staff record whether learners passed its condition (an on-site exam).

    **Example request:** ``POST /microdegree/api/v1/recognitions/ai-vet/uma-ects/conditions/`` with ``{"user":
    "anna", "course_key": "course-v1:...", "passed": true, "taken_on": "2025-03-14", "result": "1.7"}``

    **Response:** the condition as stored, with ``outcome`` (created: 201; changed or unchanged: 200) and the ids of
    the awards it issued (``awarded``). ``GET`` lists the recorded conditions (``?offset=&limit=``). 400 names each
    refused field, 403 another body's recognition, 404 an unknown one; anonymous requests get 401 (JWT) or 403.
    """

    authentication_classes = [*compat.jwt_authentication_classes(), SessionAuthentication]
    permission_classes = [IsAuthenticated]
    parser_classes = [BoundedJSONParser]

    def get(self, request: Request, program_id: str, recognition_id: str) -> Response:
        """A page of the recognition's recorded conditions, latest first."""
        page = _page(request)
        if isinstance(page, Response):
            return page
        offset, limit = page
        try:
            count, conditions = api.list_conditions(program_id=program_id, recognition_id=recognition_id,
                                                    viewer=request.user, offset=offset, limit=limit)
        except (api.UnknownRecognition, api.NotAllowedToRecord) as exc:
            return _refused(exc)
        return Response({"count": count, "offset": offset, "limit": limit,
                         "conditions": [condition_json(condition) for condition in conditions]})

    def post(self, request: Request, program_id: str, recognition_id: str) -> Response:
        """Record one learner's condition; the recognition is issued when its other rules hold."""
        if problems := _body_problems(request.data):
            if "detail" in problems:
                return Response({"detail": problems["detail"][0]}, status=400)
            return Response(problems, status=400)
        body = cast(dict[str, Any], request.data)
        try:
            recorded = api.record_condition(
                program_id=program_id, recognition_id=recognition_id, learner=body.get("user"),
                course_key=body.get("course_key"), passed=body.get("passed"), taken_on=body.get("taken_on"),
                result=body.get("result") or "", recorded_by=request.user, source=SOURCE)
        except (api.UnknownRecognition, api.NotAllowedToRecord, api.InvalidCondition) as exc:
            return _refused(exc)
        return Response({**condition_json(recorded.condition), "outcome": recorded.outcome,
                         "awarded": list(recorded.awarded)}, status=201 if recorded.outcome == "created" else 200)
