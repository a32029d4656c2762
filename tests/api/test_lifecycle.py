"""
After the award: revocation, reconcile (late programs, failures) and user retirement.
"""
from __future__ import annotations

import pytest
import yaml
from django.contrib.auth import get_user_model

from microdegree_xblock import api, compat
from microdegree_xblock.catalog import parse_catalog
from microdegree_xblock.data import ACHIEVEMENT, DEGREE
from microdegree_xblock.guards import retiring
from microdegree_xblock.models import Award, LearnerCourseState
from tests.conftest import BASICS, CATALOG, CLINICS, ETHICS, VET, send_grade


@pytest.mark.django_db(transaction=True)
def test_revocation_is_explicit_idempotent_and_final(catalog, learner, badge_events):
    send_grade(learner.pk, VET[0], 0.9)
    award = Award.objects.get(user=learner)
    with pytest.raises(ValueError, match="reason"):
        api.revoke_award(award_id=award.uuid, reason="  ")
    info = api.revoke_award(award_id=str(award.uuid), reason="Plagiarism in the final exam")
    assert info.is_revoked and info.revoked_reason == "Plagiarism in the final exam"
    again = api.revoke_award(award_id=award.uuid, reason="twice")
    assert again.revoked_on == info.revoked_on and again.revoked_reason == "Plagiarism in the final exam"
    assert [b.uuid for b in badge_events.revoked] == [str(award.uuid)]
    # A later grade does not quietly re-issue a revoked record.
    send_grade(learner.pk, VET[0], 1.0)
    assert Award.objects.filter(user=learner).count() == 1
    progress = api.get_learner_progress(user_id=learner.pk, program_id="ai-vet")[0]
    assert progress.courses[0].status != "earned" and progress.earned_count == 0


@pytest.mark.django_db
@pytest.mark.parametrize("bad", ["nope", "00000000-0000-0000-0000-000000000000", ""])
def test_unknown_award_ids_are_a_clear_error(bad):
    with pytest.raises(api.UnknownAward):
        api.revoke_award(award_id=bad, reason="x")
    with pytest.raises(api.UnknownAward):
        api.get_award(bad)


@pytest.mark.django_db(transaction=True)
def test_a_planned_course_becoming_available_completes_the_degree_on_reconcile(catalog, learner):
    for key in (BASICS, CLINICS, ETHICS):
        send_grade(learner.pk, key, 0.9)  # Ethics is planned: its grade is recorded, nothing is earned
    assert not Award.objects.filter(course_key=ETHICS).exists()
    assert not Award.objects.filter(kind=DEGREE).exists()
    data = yaml.safe_load(CATALOG)
    data["programs"][1]["courses"][2]["planned"] = False
    api.load_catalog(parse_catalog(yaml.safe_dump(data)))
    assert api.reconcile(course_key=ETHICS) == 1
    assert Award.objects.filter(user=learner, course_key=ETHICS, kind=ACHIEVEMENT).count() == 1
    assert Award.objects.filter(user=learner, kind=DEGREE, program__slug="dr-med-ki").count() == 1


@pytest.mark.django_db(transaction=True)
def test_reconcile_completes_awards_from_recorded_state(catalog, learner):
    # A state recorded, the award missing (as after a failure between the two): reconcile completes it.
    send_grade(learner.pk, VET[0], 0.3)
    LearnerCourseState.objects.filter(user=learner).update(best_percent="0.800000")
    assert api.reconcile() == 1
    award = Award.objects.get(user=learner)
    assert award.kind == ACHIEVEMENT
    # The evidence names the event that measured the grade, not the reconcile run that issued the record.
    assert award.evidence_event_type == "org.openedx.learning.course.persistent_grade_summary.changed.v1"
    assert api.reconcile() == 0  # idempotent


@pytest.mark.django_db(transaction=True)
def test_reconcile_issues_a_missing_degree(catalog, learner):
    for key in VET:
        send_grade(learner.pk, key, 0.8)
    with retiring():  # the one way awards may be deleted, here to stage a lost insert
        Award.objects.filter(kind=DEGREE).delete()
    assert api.reconcile(user_id=learner.pk) == 1
    assert Award.objects.filter(user=learner, kind=DEGREE).count() == 1


@pytest.mark.django_db(transaction=True)
def test_retirement_forgets_the_learner_and_nobody_else(catalog, learner, other_learner, badge_events):
    send_grade(learner.pk, VET[0], 0.9)
    send_grade(learner.pk, VET[1], 0.9)
    send_grade(other_learner.pk, VET[0], 0.9)
    revoked = Award.objects.get(user=learner, course_key=VET[1])
    api.revoke_award(award_id=revoked.uuid, reason="test")
    valid = Award.objects.get(user=learner, course_key=VET[0])
    compat.get_retirement_signal().send(sender=None, user=learner)
    # Services holding a copy hear of the still-valid award's end (the revoked one was announced already).
    assert [b.uuid for b in badge_events.revoked] == [str(revoked.uuid), str(valid.uuid)]
    assert not Award.objects.filter(user=learner).exists()
    assert not LearnerCourseState.objects.filter(user=learner).exists()
    assert Award.objects.filter(user=other_learner).count() == 1


@pytest.mark.django_db
def test_deleting_a_user_deletes_their_records(catalog, learner):
    send_grade(learner.pk, VET[0], 0.9)
    get_user_model().objects.filter(pk=learner.pk).delete()
    assert not Award.objects.exists() and not LearnerCourseState.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_reconcile_command(catalog, learner, capsys):
    from django.core.management import CommandError, call_command

    send_grade(learner.pk, VET[0], 0.3)
    LearnerCourseState.objects.filter(user=learner).update(best_percent="0.800000")
    call_command("microdegree_programs", "reconcile", "--course", VET[0], "--user-id", str(learner.pk))
    assert "1 award(s) issued." in capsys.readouterr().out
    with pytest.raises(CommandError, match="not a valid course key"):
        call_command("microdegree_programs", "reconcile", "--course", "garbage")
