"""
The demo catalog (lms_host/demo_programs.yaml) for the credential tests of recognitions and nested programmes.

Its recognitions (the chamber's CME certification at 70 %, the universities' ECTS after an on-site exam), its
nesting programme (ki-bildung: the AI_VET micro-degree, one elective of two, a capstone taken last), and helpers that
issue awards through the real api, a recorded condition written as a row (as the condition recording stores it).
"""
from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import yaml
from django.contrib.auth import get_user_model
from django.test import TestCase

from microdegree_xblock import api
from microdegree_xblock.catalog import validate_catalog
from microdegree_xblock.models import Recognition, RecognitionCondition

DEMO = Path(__file__).resolve().parents[2] / "lms_host" / "demo_programs.yaml"
BASICS = "course-v1:Charite+DrMedKI_Basics+2020"
CLINICS = "course-v1:Charite+DrMedKI_Clinics+2022"
VET = [f"course-v1:{school}+AI_VET_{n}+2024" for school, n in (
    ("UniMannheim", "I"), ("UniMannheim", "II"), ("UniStuttgart", "III"), ("UniStuttgart", "IV"))]
ETHIK = "course-v1:KI-Campus+KI_Ethik+2025"
CAPSTONE = "course-v1:KI-Campus+KI_Bildung_Capstone+2025"


def demo_catalog(prefix: str = "") -> dict:
    """The demo catalog's data, every issuer and programme id prefixed (to sit beside another catalog's ids)."""
    data = yaml.safe_load(DEMO.read_text(encoding="utf-8"))
    if not prefix:
        return data
    for issuer in data["issuers"]:
        issuer["id"] = prefix + issuer["id"]
    for program in data["programs"]:
        program["id"] = prefix + program["id"]
        program["issuers"] = [prefix + slug for slug in program["issuers"]]
        program["requires"] = [prefix + slug for slug in program.get("requires", [])]
        for recognition in program.get("recognitions", []):
            recognition["by"] = prefix + recognition["by"]
    return data


def load_demo(prefix: str = "") -> None:
    """Load the demo catalog through the api."""
    api.load_catalog(validate_catalog(demo_catalog(prefix)))


def earn(user, course_key: str, percent: float) -> None:
    """A grade through the api, its after-commit work (signing, events, degrees) run as the LMS would."""
    with TestCase.captureOnCommitCallbacks(execute=True):
        api.record_grade(user_id=user.pk, course_key=course_key, percent=percent, event_type="test.grade")


def record_condition(user, program_id: str, rule: str, course_key: str, *, result: str = "1.7",
                     taken_on: date = date(2025, 3, 14), recorded_by=None) -> RecognitionCondition:
    """A recognition's further condition recorded as passed for a learner in a course (before its grade)."""
    recognition = Recognition.objects.get(program__slug=program_id, slug=rule)
    recorder = recorded_by or get_user_model().objects.get_or_create(
        username="exam-office", defaults={"email": "exam-office@example.org", "first_name": "Erika",
                                          "last_name": "Prüfer"})[0]
    return RecognitionCondition.objects.create(
        recognition=recognition, user=user, course_key=course_key, passed=True, result=result, taken_on=taken_on,
        recorded_by=recorder, recorded_at=datetime(2025, 3, 15, 9, 0, tzinfo=UTC))


def nested_degrees(user) -> None:
    """The learner earns AI_VET (its four courses), one elective of ki-bildung and its capstone: both degrees."""
    for key in (*VET, ETHIK, CAPSTONE):
        earn(user, key, 0.9)
