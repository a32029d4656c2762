"""
Tracking-log events (docs/decisions/0038), emitted through Open edX's real ``eventtracking`` tracker.

The tracker is the one the LMS configures (the stand-in installs eventtracking's Django app); the test adds a
recording backend to it.

Every award issued, revoked, made private or public, every view and download on the public pages and every
verification handed in is emitted once, with the documented name and fields; without a tracker nothing is emitted
and nothing is read.
"""
from __future__ import annotations

import json

import pytest
from django.contrib.auth import get_user_model
from eventtracking import tracker

from microdegree_xblock import api
from microdegree_xblock.api import tracking
from microdegree_xblock.models import Award

from .conftest import BASICS, VET, send_grade

pytestmark = pytest.mark.django_db


class Recorder:
    """An eventtracking backend that keeps what it is sent."""

    def __init__(self) -> None:
        self.events: list[dict] = []

    def send(self, event: dict) -> None:
        self.events.append(event)


@pytest.fixture
def events():
    """The events the tracker sends from now on, as the LMS's backends get them."""
    recorder = Recorder()
    backends = tracker.get_tracker().backends
    backends["microdegree-test"] = recorder
    yield recorder.events
    del backends["microdegree-test"]


def named(events, name):
    return [event for event in events if event["name"] == name]


@pytest.fixture
def record(catalog, learner, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        send_grade(learner.pk, BASICS, 0.82)
    return next(a for a in api.get_learner_awards(user_id=learner.pk) if a.kind == "achievement")


def test_an_award_issued_is_emitted_once_with_its_fields(catalog, learner, events, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        send_grade(learner.pk, BASICS, 0.82)
    award = next(a for a in api.get_learner_awards(user_id=learner.pk) if a.kind == "achievement")
    (issued,) = named(events, "edx.microdegree.award.issued")
    assert issued["data"] == {
        "award_id": award.id, "kind": "achievement", "program_id": "dr-med-ki", "course_id": BASICS,
        "user_id": learner.pk, "issued_at": issued["data"]["issued_at"], "evidence_value": "0.82",
        "evidence_threshold": "0.7", "evidence_event_type": "org.openedx.learning.course.persistent_grade_summary"
                                                                 ".changed.v1"}
    assert issued["context"]["course_id"] == BASICS and issued["context"]["org_id"] == "Charite"
    with django_capture_on_commit_callbacks(execute=True):  # the after-commit work again: announced once
        api.process_awards(award_pks=list(Award.objects.values_list("pk", flat=True)))
        send_grade(learner.pk, BASICS, 0.9)
    assert len(named(events, "edx.microdegree.award.issued")) == 1


def test_a_degree_is_emitted_when_it_is_issued(catalog, learner, events, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        for key in VET:
            send_grade(learner.pk, key, 0.9)
    kinds = sorted(event["data"]["kind"] for event in named(events, "edx.microdegree.award.issued"))
    assert kinds == ["achievement"] * 4 + ["degree"]
    degree = next(e for e in named(events, "edx.microdegree.award.issued") if e["data"]["kind"] == "degree")
    assert degree["data"]["course_id"] is None and degree["data"]["evidence_value"] is None


def test_revoking_emits_after_commit_with_the_reason(record, events, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        api.revoke_award(award_id=record.id, reason="Exam result annulled")
    assert not named(events, "edx.microdegree.award.revoked")  # not before the revocation is committed
    for callback in callbacks:
        callback()
    (revoked,) = named(events, "edx.microdegree.award.revoked")
    assert revoked["data"]["award_id"] == record.id and revoked["data"]["reason"] == "Exam result annulled"
    api.revoke_award(award_id=record.id, reason="again")  # idempotent: nothing more
    assert len(named(events, "edx.microdegree.award.revoked")) == 1


def test_privacy_changes_are_emitted_only_when_they_change(record, learner, events):
    api.set_award_private(user_id=learner.pk, award_id=record.id, private=True)
    api.set_award_private(user_id=learner.pk, award_id=record.id, private=True)
    api.set_award_private(user_id=learner.pk, award_id=record.id, private=False)
    assert [event["name"] for event in events] == ["edx.microdegree.award.made_private",
                                                   "edx.microdegree.award.made_public"]
    assert events[0]["data"]["award_id"] == record.id and events[0]["data"]["user_id"] == learner.pk


@pytest.mark.parametrize(("path", "what"), [
    ("credentials/{id}/ob3/", "ob3"), ("credentials/{id}/certificate.pdf", "pdf"),
    ("credentials/{id}/badge/", "badge_svg"), ("credentials/{id}/badge.png", "badge_png"),
    ("ob2/assertions/{id}/", "ob2_assertion"), ("credentials/{id}/edc/", "edc"),
])
def test_every_download_is_emitted_with_its_format(record, client, events, path, what):
    learner = get_user_model().objects.get(username="anna")
    assert client.get(f"/microdegree/{path.format(id=record.id)}").status_code == 200
    client.force_login(learner)
    client.get(f"/microdegree/{path.format(id=record.id)}")
    downloads = named(events, "edx.microdegree.credential.downloaded")
    assert [(e["data"]["format"], e["data"]["by_owner"]) for e in downloads] == [(what, False), (what, True)]
    assert downloads[0]["data"]["award_id"] == record.id


def test_a_page_view_is_emitted_and_a_private_one_is_not(record, client, learner, events):
    client.get(f"/microdegree/verify/{record.id}/")
    api.set_award_private(user_id=learner.pk, award_id=record.id, private=True)
    assert client.get(f"/microdegree/verify/{record.id}/").status_code == 404
    (viewed,) = named(events, "edx.microdegree.credential.viewed")
    assert viewed["data"]["award_id"] == record.id and viewed["data"]["by_owner"] is False


def test_a_verification_is_emitted_with_its_outcome_and_nothing_of_the_text(record, client, events):
    text = client.get(f"/microdegree/credentials/{record.id}/ob3/").content.decode()
    client.post("/microdegree/verify/", {"text": text})
    client.post("/microdegree/verify/", {"text": text.replace("Basics", "Basix")})
    verified = named(events, "edx.microdegree.credential.verified")
    assert [(e["data"]["outcome"], e["data"]["issued_here"]) for e in verified] == [("valid", True),
                                                                                   ("tampered", False)]
    assert "Anna" not in json.dumps([e["data"] for e in verified])


def test_outside_the_lms_nothing_is_emitted_or_read(record, monkeypatch, django_assert_num_queries):
    monkeypatch.setattr(tracker, "TRACKERS", {})
    with django_assert_num_queries(0):
        api.track_credential_use(award_id=record.id, what="ob3", viewer_id=None)
        tracking.track_verification(outcome="valid", reason="valid", kind="ob3", award_found=True)


def test_a_failing_backend_never_breaks_the_page(record, client):
    class Broken:
        def send(self, event):
            raise RuntimeError("the analytics pipeline is down")

    backends = tracker.get_tracker().backends
    backends["broken"] = Broken()
    try:
        assert client.get(f"/microdegree/verify/{record.id}/").status_code == 200
    finally:
        del backends["broken"]
