"""
``api.certificate``: the PDF certificate, read back with pypdf.

In the learner's language, private to its learner, and marked when revoked.
"""
from __future__ import annotations

import io

import pytest
from django.utils import translation
from pypdf import PdfReader

from microdegree_xblock import api
from tests.conftest import BASICS

pytestmark = pytest.mark.django_db


def _text(data: bytes) -> str:
    reader = PdfReader(io.BytesIO(data))
    assert len(reader.pages) == 1
    return " ".join(reader.pages[0].extract_text().split())


@pytest.fixture
def record(catalog, learner, earn):
    return next(a for a in earn(learner, BASICS, 0.82) if a.kind == "achievement")


def test_the_certificate_says_what_was_earned_by_whom_and_from_whom(record):
    text = _text(api.get_certificate_pdf(award_id=record.id))
    for expected in ("ACHIEVEMENT RECORD", "Anna Schmidt", "has earned", "Achievement record: Basics",
                     "in the micro-degree program Dr. med. KI", "Awarded by", "Charité Berlin (DE)",
                     "KI-Campus (DE)", "Workload: 21 hours, 1 ECTS credits", "Result: 82 % (required: 70 %)"):
        assert expected in text, expected


def test_in_german(record):
    with translation.override("de"):
        text = _text(api.get_certificate_pdf(award_id=record.id))
    for expected in ("LEISTUNGSNACHWEIS", "hat erworben", "Verliehen von"):
        assert expected in text, expected


def test_a_degree_does_not_repeat_its_program(degree):
    text = _text(api.get_certificate_pdf(award_id=degree.id))
    assert "MICRO-DEGREE" in text and "Mini <Degree>" in text and "in the micro-degree program" not in text


def test_a_private_certificate_is_only_its_learners(record, learner, other_learner):
    api.set_award_private(user_id=learner.pk, award_id=record.id, private=True)
    with pytest.raises(api.PrivateCredential):
        api.get_certificate_pdf(award_id=record.id, viewer_id=other_learner.pk)
    with pytest.raises(api.PrivateCredential):
        api.get_certificate_pdf(award_id=record.id)
    assert _text(api.get_certificate_pdf(award_id=record.id, viewer_id=learner.pk))


def test_a_revoked_certificate_says_so(record):
    api.revoke_award(award_id=record.id, reason="Exam result annulled")
    assert "Exam result annulled" in _text(api.get_certificate_pdf(award_id=record.id))
