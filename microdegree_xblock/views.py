"""
REST API (Django REST framework) of the micro-degree plugin, under ``/microdegree/api/v1/``.
"""
from __future__ import annotations

from rest_framework.authentication import SessionAuthentication
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from . import api, compat
from .serializers import program_json, progress_json


class ProgramCatalogView(APIView):
    """
    **Use case:** list every micro-degree program with its issuers and courses (public).

    **Example request:** ``GET /microdegree/api/v1/programs/``

    **Response:** ``{"programs": [{"id", "title", "description", "issuers": [...], "courses": [...]}]}``
    """

    authentication_classes: list[type] = []
    permission_classes = [AllowAny]

    def get(self, request: Request) -> Response:  # pylint: disable=unused-argument
        """The catalog."""
        return Response({"programs": [program_json(program) for program in api.get_programs()]})


class LearnerProgressView(APIView):
    """
    **Use case:** the signed-in learner's progress toward every micro-degree.

    **Example request:** ``GET /microdegree/api/v1/progress/`` (session cookie or ``Authorization: JWT ...``)

    **Response:** ``{"programs": [{"id", "title", "issuers", "courses": [{"course_key", "status", "percent",
    "threshold", "participation", "achievement", ...}], "earned_count", "required_count", "hours_earned",
    "hours_total", "degree"}]}``. Anonymous requests get 401 (JWT configured) or 403.
    """

    authentication_classes = [*compat.jwt_authentication_classes(), SessionAuthentication]
    permission_classes = [IsAuthenticated]

    def get(self, request: Request) -> Response:
        """The learner's progress in every program."""
        progress = api.get_learner_progress(user_id=request.user.pk)
        return Response({"programs": [progress_json(item) for item in progress]})
