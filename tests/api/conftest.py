"""
States the api can still produce, each made through the api as it happens in a real platform.

* ``dropped_course_award``: an achievement record whose course later left its program.
* ``unsigned_award``: an award whose signing failed (its after-commit work never ran).
* ``revoked_member``: a degree whose course record was revoked afterwards (the degree stays: earned for good).
"""
from __future__ import annotations

import pytest
import yaml

from microdegree_xblock import api
from microdegree_xblock.catalog import validate_catalog
from tests.conftest import BASICS, CATALOG, VET, send_grade


@pytest.fixture
def dropped_course_award(catalog, learner, earn):
    """Anna's record of AI_VET IV, signed; then the programme file drops AI_VET IV (the award stays)."""
    award = next(a for a in earn(learner, VET[3], 0.9) if a.kind == "achievement")
    data = yaml.safe_load(CATALOG)
    program = next(p for p in data["programs"] if p["id"] == "ai-vet")
    program["courses"] = [c for c in program["courses"] if c["key"] != VET[3]]
    report = api.load_catalog(validate_catalog(data))
    assert report.removed_courses == (f"program ai-vet: {VET[3]}",)
    return award


@pytest.fixture
def unsigned_award(catalog, learner):
    """Anna's record of Basics, issued but never signed: the after-commit work did not run (a crash, a lost task)."""
    send_grade(learner.pk, BASICS, 0.9)  # on_commit callbacks are not run in a test transaction
    return next(a for a in api.get_learner_awards(user_id=learner.pk) if a.kind == "achievement")


@pytest.fixture
def revoked_member(degree, learner):
    """The 'mini' degree held, then the record of its course Basics revoked."""
    member = next(a for a in api.get_learner_awards(user_id=learner.pk)
                  if a.program_id == "mini" and a.course_key == BASICS and a.kind == "achievement")
    api.revoke_award(award_id=member.id, reason="Exam result annulled")
    return degree, member

