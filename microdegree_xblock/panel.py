"""
The progress panel: one component for the XBlock and for the learner's achievements page.

The XBlock uses it in ``student_view``, ``author_view`` and its refresh handler. Its input is the JSON of
:func:`microdegree_xblock.payloads.progress_json`, exactly what the REST progress API returns, so the panel can
only show what the API says. This module derives the presentation values (whole percents, bar widths, dates, the
award links that are present) and renders ``templates/microdegree/panel.html`` through
:mod:`microdegree_xblock.resources`. It reads no database and imports no model.
"""
from __future__ import annotations

import hashlib
import json
import math
from datetime import datetime
from typing import Any

from django.urls import reverse
from django.utils.safestring import SafeString, mark_safe
from django.utils.text import slugify

from . import conf
from .labels import kind_label
from .resources import read_text, render_template

__all__ = [
    "AWARD_LINK_KEYS", "award_view", "client_state", "panel_context", "percent", "render_achievements", "render_panel",
    "sign_in_url", "signature",
]

# The links an award may carry (added to the award JSON by the credentials package), in the order shown.
# A key that is absent or empty is not shown: the panel never makes up a URL.
AWARD_LINK_KEYS = (
    "verify_url", "pdf_url", "ob3_url", "ob2_url", "badge_url", "badge_png_url", "clr_url", "edc_url", "linkedin_url",
)

PREVIEW = "preview"
LEARNER = "learner"
PAGE = "page"
MODES = (LEARNER, PREVIEW, PAGE)


def percent(share: float | int | None) -> int | None:
    """
    A share 0..1 as a whole percent, rounded down.

    Rounding down never shows a grade as meeting a threshold it does not meet (0.695 is 69 %, not 70 %).
    """
    if share is None:
        return None
    return max(0, min(100, math.floor(float(share) * 100 + 1e-9)))


def _ratio_percent(part: float | int | None, whole: float | int | None) -> int:
    if not whole or part is None:
        return 0
    return max(0, min(100, math.floor(float(part) / float(whole) * 100 + 1e-9)))


def _when(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


def award_view(award: dict[str, Any] | None) -> dict[str, Any] | None:
    """An award's JSON with its dates parsed and its links (only those present, in a fixed order)."""
    if award is None:
        return None
    return {
        **award,
        "issued": _when(award.get("issued_on")),
        "revoked_at": _when(award.get("revoked_on")),
        "value_percent": percent(award.get("value")),
        "links": [(key, award[key]) for key in AWARD_LINK_KEYS if award.get(key)],
        "verify_url": award.get("verify_url") or "",
    }


def _course_view(course: dict[str, Any], *, next_key: str | None) -> dict[str, Any]:
    return {
        **course,
        "percent_whole": percent(course.get("percent")),
        "threshold_whole": percent(course.get("threshold")),
        "achievement": award_view(course.get("achievement")),
        "participation": award_view(course.get("participation")),
        "is_next": course["course_key"] == next_key,
    }


def _program_view(data: dict[str, Any]) -> dict[str, Any]:
    next_course = data.get("next_course")
    next_key = next_course["course_key"] if next_course else None
    courses = [_course_view(course, next_key=next_key) for course in data["courses"]]
    next_status = next((c["status"] for c in courses if c["is_next"]), None)
    return {
        **data,
        "courses": courses,
        "co_issued": len(data["issuers"]) > 1,
        "degree": award_view(data.get("degree")),
        "next_status": next_status,
        "hours_percent": _ratio_percent(data.get("hours_earned"), data.get("hours_total")),
        "courses_percent": _ratio_percent(data.get("earned_count"), data.get("required_count")),
        "planned_count": sum(1 for c in courses if c["status"] == "planned"),
    }


def _award_id(award: dict[str, Any] | None) -> str | None:
    return award["id"] if award else None


def client_state(data: dict[str, Any] | None) -> dict[str, Any] | None:
    """
    The panel data for its script: the learner's state with no free text.

    The XBlock runtimes write the script's JSON arguments into the page inside a ``<script>`` element without
    escaping ``<``; a title such as ``</script><script>...`` would end that element. So the arguments carry only
    values that cannot hold markup: the program id (a slug), course keys, statuses, numbers and award ids. The
    script compares :func:`signature` values to see a change of anything, text included.
    """
    if data is None:
        return None
    return {
        "id": data["id"],
        "earned_count": data["earned_count"],
        "required_count": data["required_count"],
        "hours_earned": data["hours_earned"],
        "hours_total": data["hours_total"],
        "degree": _award_id(data.get("degree")),
        "next_course": data["next_course"]["course_key"] if data.get("next_course") else None,
        "courses": [
            {
                "course_key": course["course_key"], "status": course["status"], "percent": course["percent"],
                "completion": course["completion"], "achievement": _award_id(course.get("achievement")),
                "participation": _award_id(course.get("participation")),
            }
            for course in data["courses"]
        ],
    }


def signature(data: dict[str, Any] | None, *, signed_in: bool) -> str:
    """A digest of everything the panel shows: equal digests, equal panels."""
    canonical = json.dumps({"data": data, "signed_in": signed_in}, sort_keys=True, separators=(",", ":"),
                           default=str)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def sign_in_url() -> str:
    """The LMS's sign-in page: ``LOGIN_URL``, made absolute with ``LMS_ROOT_URL`` when it is a path."""
    return conf.login_url()


def panel_context(data: dict[str, Any] | None, *, program_id: str, signed_in: bool, mode: str = LEARNER,
                  heading_level: int = 3, dom_id: str = "") -> dict[str, Any]:
    """
    The template context of the panel.

    Args:
        data: the learner's progress in the program (``progress_json``), or None when the program is unknown.
        program_id: the configured program id (shown in the warnings when it is unknown).
        signed_in: whether a learner is signed in; anonymous visitors get an invitation to sign in.
        mode: ``learner`` (the XBlock in the courseware), ``preview`` (Studio's author view, no learner) or
            ``page`` (the achievements page, no refresh).
        heading_level: the level of the program title's heading (2 on a page of its own, 3 inside a unit).
        dom_id: a prefix for the element ids, unique on the page.
    """
    if mode not in MODES:
        raise ValueError(f"unknown panel mode {mode!r}")
    level = min(max(heading_level, 1), 5)
    return {
        "program": _program_view(data) if data is not None else None,
        "program_id": program_id,
        "signed_in": signed_in and mode != PREVIEW,
        "mode": mode,
        "preview": mode == PREVIEW,
        "refreshable": mode == LEARNER and signed_in and data is not None,
        "heading_level": level,
        "subheading_level": level + 1,
        "dom_id": slugify(dom_id or f"microdegree-{program_id}") or "microdegree",
        "sign_in_url": sign_in_url(),
    }


def render_panel(data: dict[str, Any] | None, *, program_id: str, signed_in: bool, mode: str = LEARNER,
                 heading_level: int = 3, dom_id: str = "", language: str | None = None) -> str:
    """The panel's HTML (autoescaped), in ``language`` when given, else in the active language."""
    context = panel_context(data, program_id=program_id, signed_in=signed_in, mode=mode,
                            heading_level=heading_level, dom_id=dom_id)
    return render_template("microdegree/panel.html", context, language=language)


def _has_progress(data: dict[str, Any]) -> bool:
    """Whether the learner has done anything in a program (as ``ProgramProgress.has_progress``)."""
    return bool(data.get("degree")) or any(c["status"] not in ("not_started", "planned") for c in data["courses"])


def _award_item(award: dict[str, Any], programs: dict[str, dict[str, Any]]) -> dict[str, Any]:
    program = programs.get(award["program_id"])
    course_titles = {c["course_key"]: c["title"] for c in program["courses"]} if program else {}
    if award["kind"] == "degree":
        title = program["title"] if program else award["program_id"]
    else:
        title = course_titles.get(award["course_key"] or "", award["course_key"] or "")
    item = award_view(award) or {}
    item.update({
        "title": title, "program_title": program["title"] if program else award["program_id"],
        "kind_label": kind_label(award["kind"]),
        "visibility_url": reverse("microdegree:achievements-visibility", kwargs={"award_id": award["id"]}),
    })
    return item


def render_achievements(programs: list[dict[str, Any]], awards: list[dict[str, Any]], *,
                        language: str | None = None, csrf_token: str = "",
                        wallet_codes: dict[str, str] | None = None) -> str:
    """
    The learner's achievements page.

    Args:
        programs: the learner's progress in every program (``progress_json`` of each); those with any progress
            are shown, each with the same panel as in the courseware.
        awards: every award of the learner (``award_json`` of each, revoked ones included), shown newest first
            with every link they carry.
        language: the language of the page (None: the active language).
        csrf_token: the request's CSRF token, for the forms that make a credential private or public.
        wallet_codes: per award id, the QR code (SVG markup made by the api) of its OB 3.0 credential's URL.
    """
    by_id = {program["id"]: program for program in programs}
    panels = [
        mark_safe(render_panel(program, program_id=program["id"], signed_in=True, mode=PAGE,  # noqa: S308
                               heading_level=3, dom_id=f"program-{program['id']}", language=language))
        for program in programs if _has_progress(program)
    ]
    items = [_award_item(award, by_id) for award in awards]
    for item in items:
        code = (wallet_codes or {}).get(item["id"])
        item["wallet_qr_svg"] = mark_safe(code) if code else ""  # noqa: S308 - the api's QR markup, no input text
    items.sort(key=lambda item: item.get("issued_on") or "", reverse=True)
    context = {
        "panels": panels,
        "awards": items,
        "css": SafeString(read_text("css/panel.css")),
        "export_url": reverse("microdegree:achievements-export"),
        "record_url": reverse("microdegree:achievements-record"),
        "dashboard_url": f"{conf.lms_root_url()}/dashboard",
        "language": language,
        "csrf_token": csrf_token,
    }
    return render_template("microdegree/achievements.html", context, language=language)
