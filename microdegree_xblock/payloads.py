"""
The JSON payloads of the api's plain data: what the REST API answers and what the XBlock panel renders.

Plain functions over the api's frozen data (no DRF serializers: nothing is parsed from requests here). Absolute
links are built from ``LMS_ROOT_URL`` (:func:`microdegree_xblock.conf.lms_root_url`).
"""
from __future__ import annotations

from decimal import Decimal
from typing import Any

from . import conf
from .credentials import links
from .data import (
    GROUP_NODE,
    AwardInfo,
    CourseInfo,
    IssuerInfo,
    ProgramInfo,
    ProgramProgress,
    RecognitionStanding,
    RequirementProgress,
)

__all__ = [
    "MAX_BODY_BYTES", "MAX_BODY_DEPTH", "award_json", "body_problem", "course_about_url", "credits_json", "number",
    "program_json", "progress_json", "recognition_json", "requirement_json",
]

# What the plugin's JSON endpoints accept (the visibility API, the block's handlers): their bodies are a few dozen
# bytes; nothing legitimate comes near these limits, and a parser never meets a body that can exhaust it.
MAX_BODY_BYTES = 16 * 1024
MAX_BODY_DEPTH = 16


def body_problem(body: bytes) -> str | None:
    """
    What is wrong with a JSON request body before it is parsed, or None: too large, not UTF-8, nested too deep.

    The nesting is measured on the text (brackets outside strings), so a hostile body never reaches the parser.
    """
    if len(body) > MAX_BODY_BYTES:
        return f"The request body is larger than {MAX_BODY_BYTES} bytes."
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        return "The request body is not UTF-8 text."
    depth, in_string, escaped = 0, False, False
    for char in text:
        if in_string:
            if escaped:
                escaped = False
            elif char == "\\":
                escaped = True
            elif char == '"':
                in_string = False
        elif char == '"':
            in_string = True
        elif char in "[{":
            depth += 1
            if depth > MAX_BODY_DEPTH:
                return f"The request body is nested deeper than {MAX_BODY_DEPTH} levels."
        elif char in "]}":
            depth -= 1
    return None


def number(value: Decimal | None) -> int | float | None:
    """A Decimal as a JSON number (an int when whole)."""
    if value is None:
        return None
    return int(value) if value == value.to_integral_value() else float(value)


def course_about_url(course_key: str) -> str:
    """The LMS about page of a course (absolute, from ``LMS_ROOT_URL``)."""
    return f"{conf.lms_root_url()}/courses/{course_key}/about"


def issuer_json(issuer: IssuerInfo) -> dict[str, Any]:
    """An issuer."""
    return {"id": issuer.id, "name": issuer.name, "url": issuer.url, "country": issuer.country}


def award_json(award: AwardInfo | None) -> dict[str, Any] | None:
    """An award (None stays None)."""
    if award is None:
        return None
    return {
        "id": award.id,
        "kind": award.kind,
        "program_id": award.program_id,
        "course_key": award.course_key,
        "issued_on": award.issued_on.isoformat(),
        "value": number(award.value),
        "threshold": number(award.threshold),
        "revoked": award.is_revoked,
        "revoked_on": award.revoked_on.isoformat() if award.revoked_on else None,
        "private": award.private,
        "rule": award.rule,
        # The credential links: verify_url, ob2_url, ob3_url, pdf_url, linkedin_url, badge_url (+ clr_url).
        **links.award_links(conf.lms_root_url(), award.id, kind=award.kind),
    }


def course_json(course: CourseInfo) -> dict[str, Any]:
    """A program course of the catalog."""
    return {
        "course_key": course.course_key,
        "title": course.title,
        "hours": number(course.hours),
        "ects": number(course.ects),
        "planned": course.planned,
        "threshold": number(course.achievement_threshold),
        "participation_threshold": number(course.participation_threshold),
        "about_url": course_about_url(course.course_key),
    }


def program_json(program: ProgramInfo) -> dict[str, Any]:
    """A program of the catalog."""
    return {
        "id": program.id,
        "title": program.title,
        "description": program.description,
        "issuers": [issuer_json(issuer) for issuer in program.issuers],
        "courses": [course_json(course) for course in program.courses],
        "hours_total": number(program.hours_total),
    }


def credits_json(amount: Decimal | None, unit: str) -> dict[str, Any] | None:
    """An amount of credits in a unit (None: no credits)."""
    return None if amount is None else {"amount": number(amount), "unit": unit}


def recognition_json(standing: RecognitionStanding) -> dict[str, Any]:
    """An outside body's recognition with the learner's standing against it."""
    rec, recorded = standing.recognition, standing.condition
    return {
        "id": rec.id,
        "title": rec.title,
        "issuer": issuer_json(rec.issuer),
        "whole_program": rec.whole_program,
        "credits": credits_json(rec.credit_amount, rec.credit_unit),
        "condition": rec.condition,
        "status": standing.status,
        "threshold": number(standing.threshold),
        "percent": number(standing.percent),
        "grade_met": standing.grade_met,
        "degree_met": standing.degree_met,
        "condition_status": standing.condition_status,
        "condition_result": recorded.result if recorded else "",
        "condition_taken_on": recorded.taken_on.isoformat() if recorded else None,
        "award": award_json(standing.award),
    }


def requirement_json(node: RequirementProgress) -> dict[str, Any]:
    """A node of a programme's requirement tree: a course, an elective group or a required programme."""
    return {
        "type": node.kind,
        "met": node.met,
        "course_key": node.course_key or None,
        "capstone": node.capstone,
        "capstone_waiting": node.waiting,
        "id": node.id or None,
        "title": node.title or None,
        "choose": node.choose if node.kind == GROUP_NODE else None,
        "chosen": node.chosen if node.kind == GROUP_NODE else None,
        "items": [requirement_json(item) for item in node.items],
        "program": progress_json(node.program) if node.program is not None else None,
    }


def progress_json(progress: ProgramProgress) -> dict[str, Any]:
    """A learner's progress in a program (a required programme's, nested in its node)."""
    data = program_json(progress.program)
    data["courses"] = [
        {
            **course_json(course.course),
            "status": course.status,
            "percent": number(course.percent),
            "completion": number(course.completion),
            "participation": award_json(course.participation),
            "achievement": award_json(course.achievement),
            "group": course.group or None,
            "capstone": course.capstone,
            "capstone_waiting": course.waiting,
            "recognitions": [recognition_json(standing) for standing in course.recognitions],
        }
        for course in progress.courses
    ]
    data.update({
        "earned_count": progress.earned_count,
        "required_count": progress.required_count,
        "hours_earned": number(progress.hours_earned),
        "hours_total": number(progress.hours_total),
        "degree": award_json(progress.degree),
        "next_course": course_json(progress.next_course) if progress.next_course else None,
        "requirements": [requirement_json(node) for node in progress.requirements],
        "requirements_met": progress.requirements_met,
        "recognitions": [recognition_json(standing) for standing in progress.recognitions],
        "credits": [credits_json(total.amount, total.unit) for total in progress.credits],
    })
    return data
