"""
Awards are never deleted; an admin may re-issue one, keeping the old row (docs/decisions/0027-re-issuing-an-award.rst).

Re-issuing revokes the old award (its status-list bit set, ``BADGE_REVOKED``), keeps its row, evidence and reason,
and issues a new award in its place, signed after commit like any other, with ``BADGE_AWARDED``. Deleting awards
is refused everywhere but in a learner's retirement; deleting a user retires them first.
"""
from __future__ import annotations

import json

import pytest
from django.contrib.auth import get_user_model

from microdegree_xblock import api
from microdegree_xblock.credentials import statuslist
from microdegree_xblock.models import Award, SignedCredential
from tests.conftest import VET, send_grade
from tests.credentials_helpers import SpecVerifier

pytestmark = pytest.mark.django_db


def _credential(client, award_id) -> dict:
    response = client.get(f"/microdegree/credentials/{award_id}/ob3/")
    assert response.status_code == 200
    return json.loads(response.content)


def _revoked_in_list(client, credential: dict) -> bool:
    entry = credential["credentialStatus"]
    listed = json.loads(client.get(entry["statusListCredential"].removeprefix("http://127.0.0.1:8000")).content)
    return statuslist.is_set(listed["credentialSubject"]["encodedList"], int(entry["statusListIndex"]))


@pytest.fixture
def record(catalog, learner, earn):
    return next(a for a in earn(learner, VET[0], 0.9) if a.kind == "achievement")


def test_reissue_keeps_the_old_award_and_signs_a_new_one(record, learner, client, badge_events,
                                                          django_capture_on_commit_callbacks):
    old_credential = _credential(client, record.id)
    badge_events.awarded.clear()
    with django_capture_on_commit_callbacks(execute=True):
        new = api.reissue_award(award_id=record.id, reason="Name corrected after marriage")

    old = Award.objects.get(uuid=record.id)
    assert old.revoked_at is not None and old.revoked_reason == "Re-issued: Name corrected after marriage"
    assert (old.evidence_value, old.evidence_threshold) == (record.value, record.threshold)
    assert _revoked_in_list(client, old_credential)
    assert _credential(client, record.id) == old_credential  # still served as it was signed

    row = Award.objects.get(uuid=new.id)
    assert new.id != record.id and not new.is_revoked
    assert (row.generation, row.reissue_of_id, row.reissue_reason) == (1, old.pk, "Name corrected after marriage")
    assert (new.kind, new.course_key, new.value, new.threshold, new.event_type, new.event_time) == \
        (record.kind, record.course_key, record.value, record.threshold, record.event_type, record.event_time)
    credential = _credential(client, new.id)
    assert SpecVerifier(client).verify(credential)
    assert not _revoked_in_list(client, credential)
    assert credential["credentialStatus"]["statusListIndex"] != old_credential["credentialStatus"]["statusListIndex"]
    assert [b.uuid for b in badge_events.revoked] == [record.id]
    assert [b.uuid for b in badge_events.awarded] == [new.id]

    # The learner's progress counts the new award; the old one is listed, revoked, with its reason.
    course = next(c for p in api.get_learner_progress(user_id=learner.pk) for c in p.courses
                  if c.course.course_key == VET[0])
    assert course.achievement.id == new.id
    assert {(a.id, a.is_revoked) for a in api.get_learner_awards(user_id=learner.pk) if a.course_key == VET[0]
            and a.kind == "achievement"} == {(record.id, True), (new.id, False)}


def test_a_revoked_award_keeps_its_reason_and_is_announced_once(record, badge_events,
                                                                 django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        api.revoke_award(award_id=record.id, reason="Revoked in error")
        api.reissue_award(award_id=record.id, reason="The revocation was an error")
    assert Award.objects.get(uuid=record.id).revoked_reason == "Revoked in error"
    assert [b.uuid for b in badge_events.revoked] == [record.id]


def test_an_award_is_reissued_once_and_its_successor_again(record, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        first = api.reissue_award(award_id=record.id, reason="one")
    with pytest.raises(api.AwardReissued, match=first.id):
        api.reissue_award(award_id=record.id, reason="two")
    with django_capture_on_commit_callbacks(execute=True):
        second = api.reissue_award(award_id=first.id, reason="two")
    assert Award.objects.get(uuid=second.id).generation == 2
    assert Award.objects.filter(course_key=VET[0], kind="achievement").count() == 3
    assert Award.objects.filter(course_key=VET[0], kind="achievement", revoked_at__isnull=True).count() == 1


def test_a_reissue_needs_a_reason_and_a_known_award(record):
    with pytest.raises(ValueError, match="needs a reason"):
        api.reissue_award(award_id=record.id, reason="  ")
    with pytest.raises(api.UnknownAward):
        api.reissue_award(award_id="00000000-0000-0000-0000-000000000000", reason="x")
    assert Award.objects.filter(revoked_at__isnull=False).count() == 0


def test_later_events_issue_nothing_more_after_a_reissue(record, learner, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        api.reissue_award(award_id=record.id, reason="x")
    count = Award.objects.count()
    send_grade(learner.pk, VET[0], 1.0)
    api.reconcile(user_id=learner.pk)
    assert Award.objects.count() == count


def test_a_reissued_degree_gets_a_new_clr(degree, client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        new = api.reissue_award(award_id=degree.id, reason="Co-issuer renamed")
    assert SignedCredential.objects.filter(award__uuid=new.id, format=SignedCredential.CLR).exists()
    clr = json.loads(client.get(f"/microdegree/credentials/{new.id}/clr/").content)
    assert SpecVerifier(client).verify(clr)


def test_awards_are_never_deleted_but_in_retirement(record, learner, client, badge_events,
                                                    django_capture_on_commit_callbacks):
    credential = _credential(client, record.id)
    with pytest.raises(api.AwardsAreKept):
        Award.objects.filter(user=learner).delete()
    with pytest.raises(api.AwardsAreKept):
        Award.objects.get(uuid=record.id).delete()
    assert Award.objects.filter(user=learner).exists()
    # Deleting the user (the Django admin, a script) retires them first: bits set, BADGE_REVOKED sent.
    with django_capture_on_commit_callbacks(execute=True):
        get_user_model().objects.filter(pk=learner.pk).delete()
    assert not Award.objects.exists()
    assert _revoked_in_list(client, credential)
    assert record.id in [b.uuid for b in badge_events.revoked]
