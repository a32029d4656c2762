"""
Recording recognitions' further conditions (docs/decisions/0040): the api, the CSV command, retirement.

On the demo catalog: AI_VET's ``uma-ects`` recognition by the Universität Mannheim needs an on-site exam for its
two courses (at the course's achievement threshold, 60 %); ``ust-ects`` is the Universität Stuttgart's. The REST
endpoint and the admin are in ``test_conditions_web.py``.
"""
from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from io import StringIO
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from microdegree_xblock import api
from microdegree_xblock.catalog import parse_catalog
from microdegree_xblock.models import Award, ConditionRecorder, Issuer, RecognitionCondition, RecognitionConditionEntry

from .conftest import send_grade

pytestmark = pytest.mark.django_db

DEMO = Path(__file__).resolve().parent.parent / "lms_host" / "demo_programs.yaml"
VET_I, VET_II = "course-v1:UniMannheim+AI_VET_I+2024", "course-v1:UniMannheim+AI_VET_II+2024"
VET_III = "course-v1:UniStuttgart+AI_VET_III+2024"
EXAM_DAY = date(2025, 3, 14)
TRIO = ["course-v1:T+One+1", "course-v1:T+Two+1", "course-v1:T+Three+1"]
TRIO_CATALOG = f"""
issuers:
  - {{id: kammer, name: Kammer, url: "https://kammer.example.org", country: DE}}
programs:
  - id: trio
    title: Trio
    issuers: [kammer]
    courses:
      - {{key: "{TRIO[0]}", title: One, hours: 30}}
      - {{key: "{TRIO[1]}", title: Two, hours: 30}}
      - {{key: "{TRIO[2]}", title: Three, hours: 30}}
    recognitions:
      - {{id: kammer-exam, by: kammer, program: true, condition: Oral exam at the chamber}}
"""


@pytest.fixture
def demo(db):  # pylint: disable=unused-argument
    return api.load_catalog(parse_catalog(DEMO.read_text(encoding="utf-8")))


def make_recorder(username: str, issuer: str):
    user = get_user_model().objects.create_user(username, f"{username}@example.org", "pw", is_staff=True)
    ConditionRecorder.objects.create(issuer=Issuer.objects.get(slug=issuer), user=user)
    return user


@pytest.fixture
def mannheim(demo):  # pylint: disable=unused-argument
    """A member of the Universität Mannheim's staff who records its exams."""
    return make_recorder("uma-staff", "uni-mannheim")


@pytest.fixture
def stuttgart(demo):  # pylint: disable=unused-argument
    """A member of the Universität Stuttgart's staff."""
    return make_recorder("ust-staff", "uni-stuttgart")


def record(recorder, user, **changes):
    values = {"program_id": "ai-vet", "recognition_id": "uma-ects", "learner": user.username,
              "course_key": VET_I, "passed": True, "taken_on": EXAM_DAY, "result": "1.7", "recorded_by": recorder,
              "source": "api", **changes}
    return api.record_condition(**values)


def recognitions(user) -> list[tuple[str, str | None, Decimal | None]]:
    return sorted((award.rule, str(award.course_key) if award.course_key else None, award.evidence_value)
                  for award in Award.objects.filter(user=user, kind="recognition"))


# ---------------------------------------------------------------------------------------------------------------
# Recording issues the recognition when its other rules hold


def test_recording_a_passed_exam_issues_the_recognition_when_the_grade_meets_the_threshold(mannheim, learner):
    send_grade(learner.pk, VET_I, 0.8)
    assert recognitions(learner) == []  # the exam is not recorded yet
    recorded = record(mannheim, learner)
    assert recorded.outcome == "created"
    assert recognitions(learner) == [("uma-ects", VET_I, Decimal("0.8"))]
    award = Award.objects.get(user=learner, kind="recognition")
    assert recorded.awarded == (str(award.uuid),)
    assert award.evidence_threshold == Decimal("0.6")  # the course's achievement threshold
    entry = RecognitionConditionEntry.objects.get()
    assert (entry.user, entry.recorded_by, entry.source, entry.passed, entry.result, entry.taken_on) == (
        learner, mannheim, "api", True, "1.7", EXAM_DAY)
    condition = recorded.condition
    assert (condition.username, condition.course_key, condition.recorded_by) == ("anna", VET_I, "uma-staff")


def test_below_the_threshold_nothing_is_issued_until_a_later_grade_reaches_it(mannheim, learner):
    send_grade(learner.pk, VET_I, 0.5)
    assert record(mannheim, learner).awarded == ()
    assert recognitions(learner) == []
    send_grade(learner.pk, VET_I, 0.7)  # the event path reads the recorded condition
    assert recognitions(learner) == [("uma-ects", VET_I, Decimal("0.7"))]
    assert Award.objects.filter(user=learner, kind="achievement", course_key=VET_I).exists()


def test_an_exam_recorded_before_any_grade_counts_once_the_grade_comes(mannheim, learner):
    record(mannheim, learner, course_key=VET_II)
    send_grade(learner.pk, VET_II, 0.9)
    assert recognitions(learner) == [("uma-ects", VET_II, Decimal("0.9"))]


def test_a_failed_exam_issues_nothing_and_a_correction_to_failed_takes_nothing_back(mannheim, learner):
    send_grade(learner.pk, VET_I, 0.9)
    record(mannheim, learner, passed=False, result="5.0")
    assert recognitions(learner) == []
    send_grade(learner.pk, VET_I, 0.95)
    assert recognitions(learner) == []
    record(mannheim, learner, passed=True, result="2.0")
    assert len(recognitions(learner)) == 1
    corrected = record(mannheim, learner, passed=False, result="5.0")
    assert corrected.outcome == "changed"
    assert len(recognitions(learner)) == 1  # awards are earned for good (ADR 2)
    assert not Award.objects.get(user=learner, kind="recognition").revoked_at


def test_the_same_values_again_change_nothing_and_a_changed_result_writes_one_entry(mannheim, learner):
    assert record(mannheim, learner).outcome == "created"
    assert record(mannheim, learner, result=" 1.7 ").outcome == "unchanged"  # stripped: the same value
    assert RecognitionConditionEntry.objects.count() == 1
    changed = record(mannheim, learner, result="1.3")
    assert changed.outcome == "changed"
    assert RecognitionConditionEntry.objects.count() == 2
    assert list(RecognitionConditionEntry.objects.values_list("result", flat=True)) == ["1.3", "1.7"]
    assert RecognitionCondition.objects.get().result == "1.3"


def test_a_dry_run_checks_and_writes_nothing(mannheim, learner):
    assert record(mannheim, learner, dry_run=True).outcome == "created"
    assert not RecognitionCondition.objects.exists()
    assert not RecognitionConditionEntry.objects.exists()


def test_a_whole_programs_recognition_is_issued_with_its_degree(db, learner, other_learner, earn):
    api.load_catalog(parse_catalog(TRIO_CATALOG))
    staff = make_recorder("kammer-staff", "kammer")

    def exam(user, **changes):
        return api.record_condition(**{"program_id": "trio", "recognition_id": "kammer-exam", "learner": user.pk,
                                       "passed": True, "taken_on": EXAM_DAY, "recorded_by": staff, "source": "api",
                                       **changes})
    for key in TRIO:
        earn(learner, key, 0.9)
    assert Award.objects.filter(user=learner, kind="degree").exists()
    with pytest.raises(api.InvalidCondition) as refused:
        exam(learner, course_key=TRIO[0])  # a whole program's recognition is about no course
    assert set(refused.value.errors) == {"course_key"}
    recorded = exam(learner, course_key="", passed="yes", taken_on="2025-01-02")
    assert recorded.condition.course_key is None and len(recorded.awarded) == 1
    assert recognitions(learner) == [("kammer-exam", None, None)]
    # Recorded before the degree: issued by the work that follows the degree.
    exam(other_learner)
    assert recognitions(other_learner) == []
    for key in TRIO:
        earn(other_learner, key, 0.9)
    assert recognitions(other_learner) == [("kammer-exam", None, None)]


# ---------------------------------------------------------------------------------------------------------------
# Permissions and checks


def test_who_may_record(demo, mannheim, stuttgart, learner):  # pylint: disable=unused-argument
    uma = api.recordable_recognitions(mannheim).get()
    assert uma.slug == "uma-ects"
    assert api.may_record(mannheim, uma) and not api.may_record(stuttgart, uma) and not api.may_record(learner, uma)
    learner.user_permissions.add(Permission.objects.get(codename="record_any_condition"))
    learner = get_user_model().objects.get(pk=learner.pk)  # permissions are cached per user object
    assert api.may_record(learner, uma)
    assert {rec.slug for rec in api.recordable_recognitions(learner)} == {"uma-ects", "ust-ects"}
    root = get_user_model().objects.create_superuser("root", "root@example.org", "pw")
    assert api.may_record(root, uma)
    mannheim.is_active = False
    assert not api.may_record(mannheim, uma) and not api.recordable_recognitions(mannheim).exists()


def test_another_bodys_staff_may_not_record(stuttgart, learner):
    with pytest.raises(api.NotAllowedToRecord):
        record(stuttgart, learner, learner="nobody", taken_on="not a date")  # refused before the values are read
    assert not RecognitionCondition.objects.exists()
    assert record(stuttgart, learner, recognition_id="ust-ects", course_key=VET_III).outcome == "created"


def test_an_unknown_recognition_is_named(mannheim, learner):
    for program_id, recognition_id in (("ai-vet", "nope"), ("nope", "uma-ects"), ("dr-med-ki", "uma-ects")):
        with pytest.raises(api.UnknownRecognition):
            record(mannheim, learner, program_id=program_id, recognition_id=recognition_id)


@pytest.mark.parametrize(("changes", "field"), [
    ({"learner": "nobody"}, "user"),
    ({"learner": ""}, "user"),
    ({"course_key": VET_III}, "course_key"),  # Stuttgart's course: not one uma-ects covers
    ({"course_key": "not a key"}, "course_key"),
    ({"course_key": None}, "course_key"),
    ({"passed": "maybe"}, "passed"),
    ({"passed": None}, "passed"),
    ({"taken_on": "14.03.2025"}, "taken_on"),
    ({"taken_on": "2025-02-30"}, "taken_on"),
    ({"taken_on": timezone.localdate() + timedelta(days=1)}, "taken_on"),
    ({"result": "x" * 65}, "result"),
    ({"result": "1.7\n2.0"}, "result"),
    ({"result": "1.7\u202e"}, "result"),
])
def test_each_refused_value_is_named(mannheim, learner, changes, field):
    with pytest.raises(api.InvalidCondition) as refused:
        record(mannheim, learner, **changes)
    assert set(refused.value.errors) == {field}, refused.value.errors
    assert not RecognitionCondition.objects.exists()


def test_a_recognition_without_a_condition_has_nothing_to_record(demo, learner):  # pylint: disable=unused-argument
    root = get_user_model().objects.create_superuser("root", "root@example.org", "pw")
    with pytest.raises(api.InvalidCondition) as refused:
        record(root, learner, program_id="dr-med-ki", recognition_id="lak-bw-cme",
               course_key="course-v1:Charite+DrMedKI_Basics+2020")
    assert set(refused.value.errors) == {"recognition"}


def test_a_learner_is_named_by_username_or_by_user_id(mannheim, learner):
    assert record(mannheim, learner, learner=learner.pk).condition.user_id == learner.pk
    assert record(mannheim, learner, learner=str(learner.pk), course_key=VET_II).condition.user_id == learner.pk


# ---------------------------------------------------------------------------------------------------------------
# The CSV command


def load(path, recorder="uma-staff", *extra):
    out = StringIO()
    call_command("microdegree_conditions", "load", str(path), "--recorded-by", recorder, *extra, stdout=out)
    return out.getvalue()


def csv_file(tmp_path, *lines, header="program,recognition,user,course_key,passed,taken_on,result"):
    path = tmp_path / "exams.csv"
    path.write_text("\n".join([header, *lines]) + "\n", encoding="utf-8")
    return path


def test_the_command_records_a_file_and_a_second_run_changes_nothing(mannheim, learner, other_learner, tmp_path):
    send_grade(learner.pk, VET_I, 0.8)
    path = csv_file(tmp_path, f"ai-vet,uma-ects,anna,{VET_I},yes,2025-03-14,1.7",
                    f"ai-vet,uma-ects,{other_learner.pk},{VET_II},false,2025-03-14,5.0",
                    f"ai-vet,uma-ects,anna,{VET_I},yes,2025-03-14,1.7")  # a repeat: recorded once
    assert "would be recorded" in load(path, "uma-staff", "--dry-run")
    assert not RecognitionCondition.objects.exists()
    assert load(path) == ("3 row(s): 2 were recorded, 0 were changed, 1 unchanged; 1 recognition(s) issued.\n")
    assert recognitions(learner) == [("uma-ects", VET_I, Decimal("0.8"))]
    assert set(RecognitionConditionEntry.objects.values_list("source", "recorded_by__username")) == {
        ("csv", "uma-staff")}
    assert load(path).endswith("3 unchanged; 0 recognition(s) issued.\nnothing changed.\n")
    assert RecognitionConditionEntry.objects.count() == 2


def test_the_command_names_every_refused_row_and_stores_nothing(mannheim, stuttgart, learner, tmp_path):
    path = csv_file(
        tmp_path,
        f"ai-vet,uma-ects,anna,{VET_I},yes,2025-03-14,1.7",          # row 2: good
        f"ai-vet,uma-ects,nobody,{VET_I},perhaps,14.03.2025,1.7",    # row 3: three columns refused
        f"ai-vet,ust-ects,anna,{VET_III},yes,2025-03-14,",           # row 4: Stuttgart's recognition
        "nope,uma-ects,anna,,yes,2025-03-14,",                       # row 5: no such program
        f"ai-vet,uma-ects,anna,{VET_I},no,2025-03-14,5.0",           # row 6: row 2 with other values
    )
    with pytest.raises(CommandError) as refused:
        load(path)
    message = str(refused.value)
    for error in ("row 3, column user:", "row 3, column passed:", "row 3, column taken_on:",
                  "row 4, column recognition: you may not record the conditions of Universität Stuttgart",
                  "row 5, column program:", "row 6, column user: the same learner and course as row 2"):
        assert error in message, message
    assert "row 2" not in message.replace("as row 2", "")
    assert "6 error(s); nothing was stored" in message
    assert not RecognitionCondition.objects.exists() and not RecognitionConditionEntry.objects.exists()
    with pytest.raises(CommandError, match="row 2, column recognition: you may not record"):
        load(path, "ust-staff")


@pytest.mark.parametrize(("header", "problem"), [
    ("program,recognition,user,passed", "column taken_on: missing from the header"),
    ("program,recognition,user,passed,taken_on,grade", "column grade: unknown"),
])
def test_the_command_refuses_a_header_it_cannot_read(mannheim, tmp_path, header, problem):
    with pytest.raises(CommandError, match=problem):
        load(csv_file(tmp_path, header=header))


def test_the_command_refuses_extra_values_an_unknown_recorder_and_a_large_file(mannheim, tmp_path, monkeypatch):
    with pytest.raises(CommandError, match="row 2: more values than columns"):
        load(csv_file(tmp_path, f"ai-vet,uma-ects,anna,{VET_I},yes,2025-03-14,1.7,extra"))
    with pytest.raises(CommandError, match="no user with the username 'nobody'"):
        load(csv_file(tmp_path), "nobody")
    from microdegree_xblock.management.commands import microdegree_conditions
    monkeypatch.setattr(microdegree_conditions, "MAX_FILE_CHARACTERS", 10)
    with pytest.raises(CommandError, match="larger than 10 characters"):
        load(csv_file(tmp_path))


# ---------------------------------------------------------------------------------------------------------------
# Retirement


def test_retirement_removes_the_learners_conditions_and_their_trail(mannheim, learner, other_learner):
    record(mannheim, learner)
    record(mannheim, learner, result="1.3")
    record(mannheim, other_learner, learner=other_learner.username)
    api.retire_user(user_id=learner.pk)
    assert list(RecognitionCondition.objects.values_list("user", flat=True)) == [other_learner.pk]
    assert list(RecognitionConditionEntry.objects.values_list("user", flat=True)) == [other_learner.pk]
    api.retire_user(user_id=mannheim.pk)  # a recorder retired: their right goes, what they recorded stays
    assert not ConditionRecorder.objects.exists()
    assert RecognitionConditionEntry.objects.get().recorded_by_id == mannheim.pk
