"""
Web views of the micro-degree plugin, mounted by the LMS under ``/microdegree/``.

The REST API (Django REST framework) under ``api/v1/``, and the learner's achievements page, ``achievements/``.
"""
from __future__ import annotations

import io
import json
import uuid
from collections.abc import Callable
from functools import wraps
from http import HTTPStatus
from typing import Any, TypeVar, cast

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.middleware.csrf import get_token
from django.urls import reverse
from django.utils.safestring import mark_safe
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

from . import api, compat, openapi
from .panel import render_achievements
from .payloads import MAX_BODY_BYTES, award_json, body_problem, program_json, progress_json
from .resources import render_template

View = TypeVar("View", bound=Callable[..., Any])


def answers_errors(view: View) -> View:
    """
    Map the api's named errors to their HTTP answers, in one place; the views themselves only call the api.

    Every ``api.NotFound`` (unknown award, issuer, badge or status list; a private or unsigned credential) becomes
    its status (404: the LMS's not-found page) with the class's public message.
    """
    @wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return view(*args, **kwargs)
        except api.NotFound as exc:
            if exc.status_code == HTTPStatus.NOT_FOUND:
                raise Http404(exc.public_message) from exc
            return HttpResponse(str(exc.public_message), status=exc.status_code,
                                content_type="text/plain; charset=utf-8")
    return cast(View, wrapper)


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
    "threshold", "participation", "achievement", ...}], "earned_count", "required_count", "hours_earned",
    "hours_total", "degree"}]}``. Anonymous requests get 401 (JWT configured) or 403.
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
    awards = [award_json(award) for award in api.get_learner_awards(user_id=user_id)]
    return HttpResponse(render_achievements(programs, [a for a in awards if a is not None],
                                            csrf_token=get_token(request)))


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

_LD_JSON = "application/ld+json; charset=utf-8"


def _public(response: HttpResponse) -> HttpResponse:
    """Public documents may be read by verifiers running in any web page (CORS)."""
    response["Access-Control-Allow-Origin"] = "*"
    return response


def _document(data: dict[str, Any] | str, content_type: str = _LD_JSON) -> HttpResponse:
    text = data if isinstance(data, str) else json.dumps(data, ensure_ascii=False, indent=2)
    return _public(HttpResponse(text.encode("utf-8"), content_type=content_type))


# SVG is a document that can hold scripts: ours hold none, and a browser that opens one from the site's own origin
# is told to run nothing in it, load nothing and treat it as a sandboxed, unique origin.
_SVG_POLICY = "default-src 'none'; style-src 'unsafe-inline'; sandbox"


def _svg(text: str) -> HttpResponse:
    response = _document(text, "image/svg+xml")
    response["Content-Security-Policy"] = _SVG_POLICY
    response["X-Content-Type-Options"] = "nosniff"
    return response


def _viewer(request: HttpRequest) -> int | None:
    return request.user.pk if request.user.is_authenticated else None


@require_safe
@never_cache
@answers_errors
def verify_page(request: HttpRequest, award_id: uuid.UUID) -> HttpResponse:
    """The public verification page of an award; a private one (to anyone but its learner) is not available."""
    page = api.get_credential_page(award_id=award_id)
    context: dict[str, Any] = {"page": page, "private": page.hidden_from(_viewer(request))}
    if not context["private"]:
        context.update({
            "facts": page.facts, "achievement": page.facts.achievement, "links": page.links,
            "qr_svg": mark_safe(page.qr_svg()),  # noqa: S308 - segno's own markup, no input text
            "linkedin_url": api.linkedin_url(page),
            **page.figures,
        })
    html = render_template("microdegree/verify.html", context)
    # Private: "not available", as the hosted assertion answers (docs/decisions/0034).
    return HttpResponse(html, status=HTTPStatus.NOT_FOUND if context["private"] else HTTPStatus.OK)


def _signed(request: HttpRequest, award_id: uuid.UUID, fmt: str) -> HttpResponse:
    text = api.get_signed_credential(award_id=award_id, fmt=fmt, viewer_id=_viewer(request))
    response = _document(text)
    response["Content-Disposition"] = f'inline; filename="{award_id}-{fmt}.json"'
    return response


@require_safe
@never_cache
@answers_errors
def credential_ob3(request: HttpRequest, award_id: uuid.UUID) -> HttpResponse:
    """The award's signed Open Badges 3.0 credential, exactly as stored."""
    return _signed(request, award_id, "ob3")


@require_safe
@never_cache
@answers_errors
def credential_clr(request: HttpRequest, award_id: uuid.UUID) -> HttpResponse:
    """A degree's signed CLR 2.0 credential, exactly as stored."""
    return _signed(request, award_id, "clr")


@require_safe
@never_cache
@answers_errors
def certificate_pdf(request: HttpRequest, award_id: uuid.UUID) -> HttpResponse:
    """The award's PDF certificate."""
    data = api.get_certificate_pdf(award_id=award_id, viewer_id=_viewer(request))
    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="certificate-{award_id}.pdf"'
    return response


@require_safe
@never_cache
@answers_errors
def linkedin_redirect(request: HttpRequest, award_id: uuid.UUID) -> HttpResponse:
    """Send the learner to LinkedIn's "Add to profile" form, filled in."""
    page = api.get_credential_page(award_id=award_id)
    if page.hidden_from(_viewer(request)):
        raise api.PrivateCredential(page.award.id)
    return HttpResponseRedirect(api.linkedin_url(page))


@require_safe
@never_cache
@answers_errors
def baked_badge(request: HttpRequest, award_id: uuid.UUID) -> HttpResponse:
    """The award's badge image (SVG) with its Open Badges 2.0 assertion baked in."""
    response = _svg(api.get_baked_badge(award_id=award_id, viewer_id=_viewer(request)))
    response["Content-Disposition"] = f'inline; filename="badge-{award_id}.svg"'
    return response


@require_safe
@never_cache
@answers_errors
def baked_badge_png(request: HttpRequest, award_id: uuid.UUID) -> HttpResponse:
    """The award's badge image as a PNG with its Open Badges 2.0 assertion baked in (an ``iTXt`` chunk)."""
    data = api.get_baked_badge_png(award_id=award_id, viewer_id=_viewer(request))
    response = _public(HttpResponse(data, content_type="image/png"))
    response["Content-Disposition"] = f'attachment; filename="badge-{award_id}.png"'
    return response


@require_safe
@never_cache
@answers_errors
def ob2_assertion(request: HttpRequest, award_id: uuid.UUID) -> HttpResponse:
    """
    The award's Open Badges 2.0 hosted Assertion.

    A revoked one answers ``410 Gone`` with ``revoked: true`` and the reason, as hosted verification asks; a
    private one (to anyone but its learner) ``404``, as an unknown one.
    """
    assertion = api.get_ob2_assertion(award_id=award_id, viewer_id=_viewer(request))
    response = _document(assertion)
    if assertion.get("revoked"):
        response.status_code = 410
    return response


@require_safe
@answers_errors
def ob2_issuer(request: HttpRequest, issuer_id: str) -> HttpResponse:  # pylint: disable=unused-argument
    """An issuer's Open Badges 2.0 Issuer Profile."""
    return _document(api.get_ob2_issuer(issuer_id=issuer_id))


@require_safe
@answers_errors
def ob2_badge_class(request: HttpRequest, program_id: str, kind: str = "degree",  # pylint: disable=unused-argument
                    course_key: str | None = None) -> HttpResponse:
    """A BadgeClass: a program course's award kind, or a program's degree."""
    return _document(api.get_ob2_badge_class(program_id=program_id, kind=kind, course_key=course_key))


@require_safe
@answers_errors
def badge_image(request: HttpRequest, program_id: str, kind: str = "degree",  # pylint: disable=unused-argument
                course_key: str | None = None) -> HttpResponse:
    """A BadgeClass's image, generated from its title."""
    return _svg(api.get_badge_image(program_id=program_id, kind=kind, course_key=course_key))


@require_safe
@answers_errors
def did_document(request: HttpRequest, issuer_id: str) -> HttpResponse:  # pylint: disable=unused-argument
    """An issuer's did:web DID document: every signing key as a Multikey verification method."""
    return _document(api.get_controller_document(issuer_id=issuer_id), "application/did+ld+json")


@require_safe
@answers_errors
def status_list(request: HttpRequest, issuer_id: str, number: int) -> HttpResponse:  # pylint: disable=unused-argument
    """An issuer's signed Bitstring Status List credential."""
    return _document(api.get_status_list_credential(issuer_id=issuer_id, number=number))


@require_safe
@answers_errors
def revocation_list(request: HttpRequest, issuer_id: str) -> HttpResponse:  # pylint: disable=unused-argument
    """An issuer's 1EdTech Revocation List (the status of its CLR credentials)."""
    return _document(api.get_revocation_list(issuer_id=issuer_id), "application/json; charset=utf-8")


@require_safe
def extension_context(request: HttpRequest) -> HttpResponse:  # pylint: disable=unused-argument
    """
    The plugin's old JSON-LD extension context, unchanged.

    The credentials signed before docs/decisions/0032 name it and keep resolving; new ones name published contexts.
    """
    return _document(api.get_extension_context())


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
