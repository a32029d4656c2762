"""
The public credential views, each answering what one api function returns.

The verification pages, the signed credentials, OB 2.0 hosted verification, the badges, the issuers' did:web
documents, status lists and revocation lists.
"""
from __future__ import annotations

import uuid
from http import HTTPStatus
from typing import Any

from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.middleware.csrf import get_token
from django.utils.safestring import mark_safe
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_safe

from .. import api
from ..resources import render_template
from .common import _document, _public, _svg, _viewer, answers_errors


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
            "wallet_qr_svg": mark_safe(page.wallet_qr_svg()),  # noqa: S308 - idem
            "linkedin_url": api.linkedin_url(page),
            **page.figures,
        })
    html = render_template("microdegree/verify.html", context)
    if context["private"]:  # "not available", as the hosted assertion answers (docs/decisions/0034)
        return HttpResponse(html, status=HTTPStatus.NOT_FOUND)
    api.track_credential_use(award_id=award_id, what="page", viewer_id=_viewer(request))
    return HttpResponse(html, status=HTTPStatus.OK)


# The form's own fields and the multipart framing, on top of the credential itself.
_FORM_OVERHEAD = 64 * 1024


@require_http_methods(["GET", "HEAD", "POST"])
@never_cache
def verify_any(request: HttpRequest) -> HttpResponse:
    """
    The public page that verifies any credential: an OB 3.0 / CLR 2.0 JSON file or text, or a baked badge image.

    A body larger than the api's bound is answered ``413`` unread; the hand-in is checked by the api, which fetches
    nothing (docs/decisions/0035).
    """
    result, status = None, HTTPStatus.OK
    if request.method == "POST":
        length = int(request.META.get("CONTENT_LENGTH") or 0)
        if length > api.MAX_CREDENTIAL_BYTES + _FORM_OVERHEAD:
            result, status = api.too_large(), HTTPStatus.REQUEST_ENTITY_TOO_LARGE
        else:
            upload = request.FILES.get("credential")
            data = upload.read(api.MAX_CREDENTIAL_BYTES + 1) if upload else request.POST.get("text", "").encode()
            result = api.verify_credential(data)
            if result.reason == "too_large":
                status = HTTPStatus.REQUEST_ENTITY_TOO_LARGE
        api.track_verification(outcome=result.outcome, reason=result.reason, kind=result.kind,
                               award_found=bool(result.verify_url or result.reason == "private"))
    html = render_template("microdegree/verify_any.html", {
        "result": result, "csrf_token": get_token(request), "max_kb": api.MAX_CREDENTIAL_BYTES // 1000})
    return HttpResponse(html, status=status)


def _served(response: HttpResponse, request: HttpRequest, award_id: uuid.UUID, what: str, *, filename: str,
            attachment: bool = False) -> HttpResponse:
    """A credential document as served: its file name (to open in place, or to save), and the download tracked."""
    response["Content-Disposition"] = f'{"attachment" if attachment else "inline"}; filename="{filename}"'
    api.track_credential_use(award_id=award_id, what=what, viewer_id=_viewer(request))
    return response


def _signed(request: HttpRequest, award_id: uuid.UUID, fmt: str) -> HttpResponse:
    text = api.get_signed_credential(award_id=award_id, fmt=fmt, viewer_id=_viewer(request))
    # Wallets fetch the plain URL; ``?download`` is the file a learner saves (and imports into a wallet).
    return _served(_document(text), request, award_id, fmt, filename=f"{award_id}-{fmt}.json",
                   attachment="download" in request.GET)


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
def credential_edc(request: HttpRequest, award_id: uuid.UUID) -> HttpResponse:
    """The award as an unsigned European Digital Credential (ELM 3 JSON-LD), for its awarding body's e-seal."""
    return _served(_document(api.get_edc_credential(award_id=award_id, viewer_id=_viewer(request))), request,
                   award_id, "edc", filename=f"{award_id}-edc.jsonld", attachment=True)


@require_safe
@never_cache
@answers_errors
def certificate_pdf(request: HttpRequest, award_id: uuid.UUID) -> HttpResponse:
    """The award's PDF certificate."""
    data = api.get_certificate_pdf(award_id=award_id, viewer_id=_viewer(request))
    return _served(HttpResponse(data, content_type="application/pdf"), request, award_id, "pdf",
                   filename=f"certificate-{award_id}.pdf")


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
    return _served(_svg(api.get_baked_badge(award_id=award_id, viewer_id=_viewer(request))), request, award_id,
                   "badge_svg", filename=f"badge-{award_id}.svg")


@require_safe
@never_cache
@answers_errors
def baked_badge_png(request: HttpRequest, award_id: uuid.UUID) -> HttpResponse:
    """The award's badge image as a PNG with its Open Badges 2.0 assertion baked in (an ``iTXt`` chunk)."""
    data = api.get_baked_badge_png(award_id=award_id, viewer_id=_viewer(request))
    return _served(_public(HttpResponse(data, content_type="image/png")), request, award_id, "badge_png",
                   filename=f"badge-{award_id}.png", attachment=True)


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
    api.track_credential_use(award_id=award_id, what="ob2_assertion", viewer_id=_viewer(request))
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
def platform_did_document(request: HttpRequest) -> HttpResponse:  # pylint: disable=unused-argument
    """The platform's own did:web document (it signs learners' whole records): every signing key as a Multikey."""
    return _document(api.get_platform_controller_document(), "application/did+ld+json")


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

