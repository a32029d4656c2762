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
import itertools
import json
import math
from collections.abc import Iterator
from datetime import date, datetime
from typing import Any

from django.urls import reverse
from django.utils.safestring import SafeString, mark_safe
from django.utils.text import slugify

from . import conf
from .labels import kind_label
from .resources import read_text, render_template

__all__ = [
    "AWARD_LINK_KEYS", "award_view", "client_state", "credit_view", "credits_total", "panel_context", "percent",
    "render_achievements", "render_panel", "sign_in_url", "signature",
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


def credit_view(credits: dict[str, Any] | None) -> dict[str, Any] | None:
    """Credits as the templates say them: ``kind`` cme, ects or other; ``count`` the plural form (2.5: plural)."""
    if not credits:
        return None
    amount = credits["amount"]
    whole = float(amount).is_integer()
    return {"amount": int(amount) if whole else amount, "unit": credits["unit"], "count": int(amount) if whole else 2,
            "kind": {"CME": "cme", "ECTS": "ects"}.get(str(credits["unit"]).upper(), "other")}


def _standing_parts(rec: dict[str, Any], signed_in: bool) -> list[str]:
    """What the sentence about a recognition says, in order (the template words each part)."""
    if rec["status"] == "planned":
        return ["planned"]
    if signed_in and rec["status"] == "earned":
        return ["earned"]
    parts = []
    if rec["whole_program"]:
        if not (signed_in and rec["degree_met"]):
            parts.append("degree")
        if rec["threshold"] is not None:
            parts.append("grade_met" if signed_in and rec["grade_met"] else "program_grade")
    elif not signed_in:
        parts.append("grade_needed")
    else:
        parts.append("grade_met" if rec["grade_met"] else "no_grade" if rec["percent"] is None else "grade_short")
    if rec["condition"]:
        parts.append(rec["condition_status"] if signed_in else "condition")
        if signed_in and rec["condition_result"]:
            parts.append("result")
    return parts


def _recognition_rows(recs: list[dict[str, Any]], *, signed_in: bool, title: str = "", labelledby: str = ""
                      ) -> list[dict[str, Any]]:
    """A list of recognitions with the learner's standing, as template rows."""
    if not recs:
        return []
    rows: list[dict[str, Any]] = [{"row": "recs", "title": title, "labelledby": labelledby}]
    for rec in recs:
        taken_on = rec.get("condition_taken_on")
        rows.append({**rec, "row": "rec", "credit": credit_view(rec.get("credits")), "award": award_view(rec["award"]),
                     "threshold_whole": percent(rec.get("threshold")), "percent_whole": percent(rec.get("percent")),
                     "taken_on": date.fromisoformat(taken_on) if taken_on else None,
                     "parts": _standing_parts(rec, signed_in)})
    rows.append({"row": "recs_end"})
    return rows


def _node_rows(nodes: list[dict[str, Any]], courses: dict[str, dict[str, Any]], *, next_key: str | None,
               ids: Iterator[str], signed_in: bool, depth: int = 0, labelledby: str = "") -> list[dict[str, Any]]:
    """A requirement tree as template rows that open and close nested lists: groups' and programmes' courses."""
    rows: list[dict[str, Any]] = [{"row": "open", "depth": depth, "labelledby": labelledby}]
    for number, node in enumerate(nodes, 1):  # a course's marker: its place in its list
        if node["type"] == "course":
            course = _course_view(courses[node["course_key"]], next_key=next_key)
            rows.append({"row": "course", "course": course, "number": number})
            rows += _recognition_rows(course.get("recognitions") or [], signed_in=signed_in, title=course["title"])
            rows.append({"row": "course_end"})
            continue
        node_id = next(ids)
        if node["type"] == "group":
            rows.append({**node, "row": "group", "node_id": node_id, "count": len(node["items"]),
                         "chosen_shown": min(node["chosen"] or 0, node["choose"] or 0)})
            rows += _node_rows(node["items"], courses, next_key=next_key, ids=ids, signed_in=signed_in,
                               depth=depth + 1, labelledby=node_id)
        else:
            inner = node.get("program") or {"requirements": [], "courses": [], "earned_count": 0, "required_count": 0}
            rows.append({**node, "row": "program", "node_id": node_id, "degree": award_view(inner.get("degree")),
                         "earned_count": inner["earned_count"], "required_count": inner["required_count"]})
            rows += _node_rows(inner["requirements"], {c["course_key"]: c for c in inner["courses"]},
                               next_key=next_key, ids=ids, signed_in=signed_in, depth=depth + 1, labelledby=node_id)
        rows.append({"row": "end"})
    rows.append({"row": "close"})
    return rows


def _sections(data: dict[str, Any], *, next_key: str | None, dom_id: str, signed_in: bool) -> dict[str, Any]:
    """The requirement tree (or the plain list of courses), then the programme's recognitions, as template rows."""
    nodes = data.get("requirements") or [{"type": "course", "course_key": c["course_key"]} for c in data["courses"]]
    structured = any(node["type"] != "course" or node.get("capstone") for node in nodes)
    ids = (f"{dom_id}-node-{n}" for n in itertools.count(1))
    courses = {c["course_key"]: c for c in data["courses"]}
    return {
        "structured": structured,
        "rows": [*_node_rows(nodes, courses, next_key=next_key, ids=ids, signed_in=signed_in,
                             labelledby=f"{dom_id}-courses"),
                 *([{"row": "recognitions_heading"}] if data.get("recognitions") else []),
                 *_recognition_rows(data.get("recognitions") or [], signed_in=signed_in,
                                    labelledby=f"{dom_id}-recognitions")],
        "credits": [credit_view(total) for total in data.get("credits") or []],
    }


def _program_view(data: dict[str, Any], *, dom_id: str = "microdegree", signed_in: bool = True) -> dict[str, Any]:
    next_course = data.get("next_course")
    next_key = next_course["course_key"] if next_course else None
    courses = [_course_view(course, next_key=next_key) for course in data["courses"]]
    next_status = next((c["status"] for c in courses if c["is_next"]), None)
    if next_course and next_status is None:  # a required programme's course
        next_status = "in_progress" if _in_progress(data, next_course["course_key"]) else "not_started"
    return {
        **data,
        "courses": courses,
        "co_issued": len(data["issuers"]) > 1,
        "degree": award_view(data.get("degree")),
        "next_status": next_status,
        "hours_percent": _ratio_percent(data.get("hours_earned"), data.get("hours_total")),
        "courses_percent": _ratio_percent(data.get("earned_count"), data.get("required_count")),
        "planned_count": sum(1 for c in courses if c["status"] == "planned"),
        **_sections(data, next_key=next_key, dom_id=dom_id, signed_in=signed_in),
    }


def _in_progress(data: dict[str, Any], key: str) -> bool:
    """Whether a course anywhere in a programme's tree (its required programmes' included) is in progress."""
    return any(c["course_key"] == key and c["status"] == "in_progress" for c in data["courses"]) or any(
        _in_progress(node["program"], key) for node in data.get("requirements") or [] if node.get("program"))


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
        "requirements_met": data.get("requirements_met", False),
        "courses": [
            {
                "course_key": course["course_key"], "status": course["status"], "percent": course["percent"],
                "completion": course["completion"], "achievement": _award_id(course.get("achievement")),
                "participation": _award_id(course.get("participation")),
                # A recognition's id is a slug: no markup.
                "recognitions": [{"id": rec["id"], "status": rec["status"], "award": _award_id(rec.get("award"))}
                                 for rec in course.get("recognitions") or []],
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
    dom = slugify(dom_id or f"microdegree-{program_id}") or "microdegree"
    shown_signed_in = signed_in and mode != PREVIEW
    return {
        "program": _program_view(data, dom_id=dom, signed_in=shown_signed_in) if data is not None else None,
        "program_id": program_id,
        "signed_in": shown_signed_in,
        "mode": mode,
        "preview": mode == PREVIEW,
        "refreshable": mode == LEARNER and signed_in and data is not None,
        "heading_level": level,
        "subheading_level": level + 1,
        "dom_id": dom,
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


def _recognition_of(award: dict[str, Any], program: dict[str, Any] | None) -> dict[str, Any] | None:
    """The recognition a recognition award was earned under, as the programme's progress lists it (None: gone)."""
    if program is None or award["kind"] != "recognition":
        return None
    recs = program.get("recognitions") or [] if not award["course_key"] else next(
        (c.get("recognitions") or [] for c in program["courses"] if c["course_key"] == award["course_key"]), [])
    return next((rec for rec in recs if rec["id"] == award.get("rule")), None)


def credits_total(programs: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The credits earned in all the programmes (each listed once), summed per unit, as the templates say them."""
    totals: dict[str, float] = {}
    for program in programs:
        for credit in program.get("credits") or []:
            totals[credit["unit"]] = totals.get(credit["unit"], 0) + credit["amount"]
    return [view for unit, amount in totals.items() if (view := credit_view({"amount": amount, "unit": unit}))]


def _award_item(award: dict[str, Any], programs: dict[str, dict[str, Any]]) -> dict[str, Any]:
    program = programs.get(award["program_id"])
    course_titles = {c["course_key"]: c["title"] for c in program["courses"]} if program else {}
    if award["kind"] == "degree" or (award["kind"] == "recognition" and not award["course_key"]):
        title = program["title"] if program else award["program_id"]
    else:
        title = course_titles.get(award["course_key"] or "", award["course_key"] or "")
    recognition = _recognition_of(award, program)
    item = award_view(award) or {}
    item.update({
        "recognition_title": recognition["title"] if recognition else award.get("rule", ""),
        "recognition_body": recognition["issuer"]["name"] if recognition else "",
        "credit": credit_view(recognition.get("credits")) if recognition else None,
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
        "credits": credits_total(programs),
        "language": language,
        "csrf_token": csrf_token,
    }
    return render_template("microdegree/achievements.html", context, language=language)
