"""
Web views of the micro-degree plugin, mounted by the LMS under ``/microdegree/``.

The REST API (Django REST framework) under ``api/v1/``, and the learner's achievements page, ``achievements/``.
"""
from __future__ import annotations

import io
import json
import uuid
from typing import Any, cast

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.middleware.csrf import get_token
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST, require_safe
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.renderers import (
    OpenApiJsonRenderer,
    OpenApiJsonRenderer2,
    OpenApiYamlRenderer,
    OpenApiYamlRenderer2,
)
from drf_spectacular.views import SpectacularAPIView
from rest_framework.authentication import SessionAuthentication
from rest_framework.exceptions import ParseError
from rest_framework.negotiation import DefaultContentNegotiation
from rest_framework.parsers import JSONParser
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from .. import api, compat, openapi
from ..panel import render_achievements
from ..payloads import MAX_BODY_BYTES, award_json, body_problem, program_json, progress_json
from .common import answers_errors
from .credentials import (
    badge_image,
    baked_badge,
    baked_badge_png,
    certificate_pdf,
    credential_clr,
    credential_edc,
    credential_ob3,
    did_document,
    extension_context,
    linkedin_redirect,
    ob2_assertion,
    ob2_badge_class,
    ob2_issuer,
    platform_did_document,
    revocation_list,
    status_list,
    verify_any,
    verify_page,
)
from .reporting import reporting_awards_csv, reporting_dashboard, reporting_funnel_csv

__all__ = [
    "AwardVisibilityView", "ApiSchemaView", "LearnerProgressView", "ProgramCatalogView", "achievements",
    "achievements_export", "achievements_record", "badge_image", "baked_badge", "baked_badge_png", "certificate_pdf",
    "credential_clr", "credential_edc", "credential_ob3", "did_document", "extension_context", "linkedin_redirect",
    "ob2_assertion", "ob2_badge_class", "ob2_issuer", "platform_did_document", "reporting_awards_csv",
    "reporting_dashboard", "reporting_funnel_csv", "revocation_list", "set_visibility", "status_list", "verify_any",
    "verify_page",
]


@openapi.documented(**openapi.PROGRAMS)
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


@openapi.documented(**openapi.PROGRESS)
class LearnerProgressView(APIView):
    """
    **Use case:** the signed-in learner's progress toward every micro-degree.

    **Example request:** ``GET /microdegree/api/v1/progress/`` (session cookie or ``Authorization: JWT ...``)

    **Response:** ``{"programs": [{"id", "title", "issuers", "courses": [{"course_key", "status", "percent",
    "threshold", "participation", "achievement", "recognitions", ...}], "earned_count", "required_count",
    "hours_earned", "hours_total", "degree", "requirements", "recognitions", "credits", ...}]}``: per course the
    recognitions it can bring with the learner's standing, the requirement tree (elective groups, nested programmes
    with their own progress), the credits earned per unit. Anonymous requests get 401 (JWT configured) or 403.
    """

    authentication_classes = [*compat.jwt_authentication_classes(), SessionAuthentication]
    permission_classes = [IsAuthenticated]

    def get(self, request: Request) -> Response:
        """The learner's progress in every program."""
        progress = api.get_learner_progress(user_id=request.user.pk)
        return Response({"programs": [progress_json(item) for item in progress]})


@require_safe
@never_cache
@login_required
def achievements(request: HttpRequest) -> HttpResponse:
    """
    The signed-in learner's achievements page; anonymous visitors are sent to sign in.

    Every program they have progress in, with the same panel as the courseware, and every award with its links.
    Two api reads (progress of every program, the learner's awards): a constant number of queries. Never cached.
    """
    user_id = cast(int, request.user.pk)  # signed in: login_required
    programs = [progress_json(progress) for progress in api.get_learner_progress(user_id=user_id)]
    awards = [award for award in map(award_json, api.get_learner_awards(user_id=user_id)) if award is not None]
    # A wallet scans the OB 3.0 credential's URL: one QR code per valid award (generated, no query).
    wallet_codes = {award["id"]: api.qr_code_svg(award["ob3_url"]) for award in awards
                    if award.get("ob3_url") and not award["revoked"]}
    return HttpResponse(render_achievements(programs, awards, csrf_token=get_token(request),
                                            wallet_codes=wallet_codes))


@require_safe
@never_cache
@login_required
def achievements_export(request: HttpRequest) -> HttpResponse:
    """Everything the plugin keeps of the signed-in learner, as one JSON file (data portability)."""
    data = api.export_learner_data(user_id=cast(int, request.user.pk))
    response = HttpResponse(json.dumps(data, ensure_ascii=False, indent=2).encode("utf-8"),
                            content_type="application/json; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="my-micro-credentials-data.json"'
    return response


@require_safe
@never_cache
@login_required
def achievements_record(request: HttpRequest) -> HttpResponse:
    """The signed-in learner's whole record: one CLR 2.0 credential of every valid award, signed by the platform."""
    response = HttpResponse(api.get_learner_record(user_id=cast(int, request.user.pk)).encode("utf-8"),
                            content_type="application/ld+json; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="my-micro-credentials-record-clr.json"'
    return response


@login_required
@require_POST
@answers_errors
def set_visibility(request: HttpRequest, award_id: uuid.UUID) -> HttpResponse:
    """The achievements page's form: the learner makes one of their credentials private, or public again."""
    user_id = cast(int, request.user.pk)  # signed in: login_required
    api.set_award_private(user_id=user_id, award_id=award_id, private=request.POST.get("private") == "true")
    return HttpResponseRedirect(f"{reverse('microdegree:achievements')}#award-{award_id}", status=303)


# ---------------------------------------------------------------------------------------------------------------
# Verifiable credentials: the public verification page, OB 2.0 / OB 3.0 / CLR documents, keys, status, PDF.
# Every view reads what the api stored or builds it cheaply from the database; none signs (signing happens once,
# after commit, in api.process_awards). The documents that name the learner and may be theirs alone (a private
# credential's OB 3.0 / CLR text, PDF and LinkedIn link) are never cached: ``Cache-Control: private, no-store``.


class BoundedJSONParser(JSONParser):
    """DRF's JSON parser, after the body passed :func:`payloads.body_problem` (size, encoding, nesting): else 400."""

    def parse(self, stream: Any, media_type: Any = None, parser_context: Any = None) -> Any:
        """
        Read at most one byte more than allowed, check, then parse: as UTF-8, whatever charset the request declares.

        JSON exchanged between systems is UTF-8 (RFC 8259, section 8.1), and the checks read it so: parsing the
        same bytes in another declared charset (cp500 reads ``[`` from the byte of ``J``) would parse what was
        never checked.
        """
        body = stream.read(MAX_BODY_BYTES + 1) if stream is not None else b""
        if problem := body_problem(body):
            raise ParseError(problem)
        return super().parse(io.BytesIO(body), media_type, {**(parser_context or {}), "encoding": "utf-8"})


@openapi.documented(**openapi.VISIBILITY)
class AwardVisibilityView(APIView):
    """
    **Use case:** a learner makes one of their credentials private, or public again.

    **Example request:** ``POST /microdegree/api/v1/awards/<uuid>/visibility/`` with ``{"private": true}``

    **Response:** the award (``{"id", "kind", ..., "private"}``); 404 for another learner's award.
    """

    authentication_classes = [*compat.jwt_authentication_classes(), SessionAuthentication]
    permission_classes = [IsAuthenticated]
    parser_classes = [BoundedJSONParser]

    @answers_errors
    def post(self, request: Request, award_id: uuid.UUID) -> Response:
        """Set the award's visibility."""
        private = request.data.get("private") if isinstance(request.data, dict) else None
        if not isinstance(private, bool):
            return Response({"private": ["a boolean is required"]}, status=400)
        user_id = request.user.pk
        if user_id is None:  # IsAuthenticated lets no anonymous user through; this tells mypy so
            raise api.UnknownAward("anonymous")
        award = api.set_award_private(user_id=user_id, award_id=award_id, private=private)
        return Response({**(award_json(award) or {}), "private": private})


class FormatParameterNegotiation(DefaultContentNegotiation):
    """DRF's content negotiation, with ``?format=`` honoured also where the host turned it off (the LMS does)."""

    def select_renderer(self, request: Request, renderers: Any, format_suffix: str | None = None) -> Any:
        """The renderer ``?format=`` names, else the one the ``Accept`` header asks for."""
        return super().select_renderer(request, renderers, format_suffix or request.query_params.get("format"))


class ApiSchemaView(SpectacularAPIView):
    """
    **Use case:** the OpenAPI 3 description of the REST API above, for client generators, reviewers and tests.

    **Example request:** ``GET /microdegree/api/schema/`` (JSON; ``?format=yaml`` or ``Accept: application/yaml``
    for YAML). Public: it is documentation. The URLconf gives the view the API's URL patterns, so the document names
    those operations and nothing else of the LMS. No Swagger UI: it would load its scripts from a CDN.
    """

    authentication_classes: list[type] = []
    permission_classes = [AllowAny]
    renderer_classes = [OpenApiJsonRenderer, OpenApiJsonRenderer2, OpenApiYamlRenderer, OpenApiYamlRenderer2]
    content_negotiation_class = FormatParameterNegotiation
    generator_class = SchemaGenerator
    serve_public = True
    custom_settings = openapi.SCHEMA_SETTINGS
