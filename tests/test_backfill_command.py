"""
``microdegree_programs backfill`` and the ways to it (docs/decisions/0031).

An export file (CSV or JSON Lines), loading a program file, saving a program in the admin and the admin's action.
"""
from __future__ import annotations

import io
import json

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.core.management import CommandError, call_command
from django.urls import reverse
from lms.djangoapps.grades.models import PersistentCourseGrade
from opaque_keys.edx.keys import CourseKey

from microdegree_xblock import compat
from microdegree_xblock.api.backfill import BACKFILL_TASK, FILE_EVENT
from microdegree_xblock.data import ACHIEVEMENT, DEGREE, PARTICIPATION
from microdegree_xblock.models import Award, BackfillRun, Program

from .conftest import BASICS, CATALOG, CLINICS, VET
from .test_admin import _add_program, _change_form_data, _messages, _program_post

pytestmark = pytest.mark.django_db


def run(*args: str) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("microdegree_programs", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def kinds(user) -> list[tuple[str, str]]:
    return sorted((str(a.course_key or ""), a.kind) for a in Award.objects.filter(user=user))


def platform_grade(user, course_key: str, percent: float) -> None:
    PersistentCourseGrade.objects.create(user_id=user.pk, course_id=CourseKey.from_string(course_key),
                                         percent_grade=percent, letter_grade="", grading_policy_hash="h",
                                         course_version="v1")


@pytest.fixture
def sent_tasks(monkeypatch) -> list[tuple[str, tuple]]:
    """The Celery tasks sent by name (tests/test_celery_worker.py runs them in a real worker)."""
    sent: list[tuple[str, tuple]] = []
    monkeypatch.setattr(compat, "send_task", lambda name, *args: sent.append((name, args)))
    return sent


# ---------------------------------------------------------------------------------------------------------------
# Export files


def test_a_csv_export_issues_the_awards_and_says_so_per_program_and_kind(catalog, learner, other_learner, tmp_path,
                                                                         settings):
    settings.MICRODEGREE_COMPLETABLE_BLOCKS = {}
    path = tmp_path / "grades.csv"
    path.write_text(
        "username,course_key,percent,completion,measured_at\n"
        f"{learner.username},{BASICS},0.82,0.6,2021-03-04T05:06:07Z\n"
        f"{learner.username},{CLINICS},0.55,,\n"
        f"{other_learner.username},{VET[0]},0.95,0.2,\n", encoding="utf-8")
    out, _err = run("backfill", "--from-file", str(path))
    assert "dr-med-ki achievement: 1 issued" in out and "dr-med-ki participation: 1 issued" in out
    assert "ai-vet achievement: 1 issued" in out and "3 row(s) read, 3 award(s) issued" in out
    assert kinds(learner) == [(BASICS, ACHIEVEMENT), (BASICS, PARTICIPATION)]
    assert kinds(other_learner) == [(VET[0], ACHIEVEMENT)]
    award = Award.objects.get(user=learner, kind=ACHIEVEMENT)
    assert award.evidence_event_type == FILE_EVENT and award.evidence_event_time.isoformat().startswith("2021-03-04")
    # Idempotent: the same file again issues nothing.
    out, _err = run("backfill", "--from-file", str(path))
    assert "0 award(s) issued" in out and Award.objects.count() == 3


def test_a_json_lines_export_reads_user_ids_and_numbers(catalog, learner, tmp_path):
    path = tmp_path / "grades.jsonl"
    path.write_text("\n".join(json.dumps(row) for row in [
        {"user_id": learner.pk, "course_key": key, "percent": 0.9} for key in VET]) + "\n", encoding="utf-8")
    out, _err = run("backfill", "--from-file", str(path))
    assert "ai-vet achievement: 4 issued" in out
    assert [kind for _key, kind in kinds(learner)].count(ACHIEVEMENT) == 4


def test_every_bad_row_is_named_by_its_line_and_the_good_ones_count(catalog, learner, tmp_path):
    path = tmp_path / "grades.jsonl"
    path.write_text("\n".join([
        json.dumps({"user_id": learner.pk, "course_key": VET[0], "percent": 0.9}),
        "{not json",
        json.dumps({"user_id": "seven", "course_key": VET[1], "percent": 0.9}),
        json.dumps({"username": "nobody", "course_key": VET[1], "percent": 0.9}),
        json.dumps({"user_id": learner.pk, "course_key": VET[1]}),
        json.dumps({"user_id": learner.pk, "course_key": VET[2], "percent": "lots"}),
        json.dumps({"user_id": learner.pk, "course_key": VET[3], "percent": 0.9, "grade": "A"}),
        json.dumps({"user_id": learner.pk, "course_key": VET[3], "percent": 0.9, "measured_at": "yesterday"}),
        json.dumps([1, 2]),
    ]) + "\n", encoding="utf-8")
    out, _err = run("backfill", "--from-file", str(path))
    assert "ai-vet achievement: 1 issued" in out
    for expected in ("grades.jsonl: line 2: not valid JSON",
                     "grades.jsonl: line 3: user_id must be a whole number, got 'seven'",
                     "grades.jsonl: line 4: no user with the username 'nobody'",
                     "grades.jsonl: line 5: a row needs a percent or a completion",
                     "line 6: ", "grades.jsonl: line 7: unknown field(s) grade",
                     "grades.jsonl: line 8: measured_at must be an ISO 8601 date and time, got 'yesterday'",
                     "grades.jsonl: line 9: not a JSON object"):
        assert expected in out, expected
    assert "8 row(s) refused:" in out


def test_a_csv_with_an_unknown_column_is_refused_before_anything_is_written(catalog, learner, tmp_path):
    path = tmp_path / "grades.csv"
    path.write_text(f"user,course_key,percent\n{learner.pk},{VET[0]},0.9\n", encoding="utf-8")
    with pytest.raises(CommandError, match=r"line 1: the header must name columns among .* \(unknown: user\)"):
        run("backfill", "--from-file", str(path))
    assert not Award.objects.exists()


def test_an_overlong_line_and_a_missing_file_are_refused(catalog, tmp_path):
    path = tmp_path / "grades.jsonl"
    path.write_text('{"user_id": 1, "course_key": "' + "x" * 5000 + '"}\n', encoding="utf-8")
    with pytest.raises(CommandError, match="line 1: longer than 4096 characters"):
        run("backfill", "--from-file", str(path))
    with pytest.raises(CommandError, match="cannot read"):
        run("backfill", "--from-file", str(tmp_path / "missing.csv"))


def test_a_dry_run_of_a_file_prints_and_writes_nothing(catalog, learner, tmp_path):
    path = tmp_path / "grades.csv"
    path.write_text(f"user_id,course_key,percent\n{learner.pk},{VET[0]},0.9\n", encoding="utf-8")
    out, _err = run("backfill", "--from-file", str(path), "--dry-run")
    assert "ai-vet achievement: 1 would issue" in out
    assert not Award.objects.exists() and not BackfillRun.objects.exists()


def test_unknown_programs_and_courses_are_named(catalog):
    with pytest.raises(CommandError, match="no program with the id nope"):
        run("backfill", "--program", "nope")
    with pytest.raises(CommandError, match="course-v1:Other\\+X\\+1 is not an available course of a program"):
        run("backfill", "--course", "course-v1:Other+X+1")


# ---------------------------------------------------------------------------------------------------------------
# Loading a program file


def test_loading_a_program_file_backfills_its_programs(db, learner, tmp_path, django_capture_on_commit_callbacks):
    for key in VET:
        platform_grade(learner, key, 0.9)
    path = tmp_path / "programs.yaml"
    path.write_text(CATALOG, encoding="utf-8")
    with django_capture_on_commit_callbacks(execute=True):
        out, _err = run("load", str(path))
    assert "backfill of ai-vet, dr-med-ki from the platform's grades:" in out
    assert "ai-vet achievement: 4 issued" in out
    assert Award.objects.filter(user=learner, kind=DEGREE).count() == 1  # after commit, as after an event
    # Loading it again changes no program: nothing to backfill.
    out, _err = run("load", str(path))
    assert "nothing changed." in out and "backfill" not in out


def test_loading_with_no_backfill_issues_nothing(db, learner, tmp_path):
    platform_grade(learner, VET[0], 0.9)
    path = tmp_path / "programs.yaml"
    path.write_text(CATALOG, encoding="utf-8")
    out, _err = run("load", str(path), "--no-backfill")
    assert "backfill" not in out and not Award.objects.exists()


def test_with_celery_loading_queues_the_backfill_after_commit(db, settings, tmp_path, sent_tasks,
                                                              django_capture_on_commit_callbacks):
    settings.MICRODEGREE_ASYNC_TASKS = True
    path = tmp_path / "programs.yaml"
    path.write_text(CATALOG, encoding="utf-8")
    with django_capture_on_commit_callbacks(execute=True):
        out, _err = run("load", str(path))
    assert "backfill queued for ai-vet, dr-med-ki." in out
    assert sent_tasks == [(BACKFILL_TASK, (["ai-vet", "dr-med-ki"],))]


# ---------------------------------------------------------------------------------------------------------------
# The admin


@pytest.fixture
def admin_client(client, db):
    client.force_login(get_user_model().objects.create_superuser("root", "root@example.org", "pw"))
    return client


NEW_COURSES = [{"course_key": f"course-v1:New+{c}+1", "hours": "30"} for c in "ABC"]


def test_a_new_program_saved_without_celery_says_how_to_backfill(admin_client, catalog, sent_tasks):
    response = _add_program(admin_client, _program_post(NEW_COURSES))
    assert any("microdegree_programs backfill --program new-program" in m for m in _messages(response))
    assert sent_tasks == []


def test_a_new_program_saved_with_celery_queues_its_backfill(admin_client, catalog, settings, sent_tasks,
                                                             django_capture_on_commit_callbacks):
    settings.MICRODEGREE_ASYNC_TASKS = True
    with django_capture_on_commit_callbacks(execute=True):
        response = _add_program(admin_client, _program_post(NEW_COURSES))
    assert any("backfill queued" in m for m in _messages(response))
    assert sent_tasks == [(BACKFILL_TASK, (["new-program"],))]


def test_only_a_change_of_courses_queues_a_backfill(admin_client, catalog, settings, sent_tasks,
                                                   django_capture_on_commit_callbacks):
    settings.MICRODEGREE_ASYNC_TASKS = True
    url = reverse("admin:microdegree_program_change", args=[Program.objects.get(slug="ai-vet").pk])
    data = _change_form_data(admin_client, url)
    with django_capture_on_commit_callbacks(execute=True):
        admin_client.post(url, {**data, "title": "AI_VET, renamed"}, follow=True)
    assert sent_tasks == []
    with django_capture_on_commit_callbacks(execute=True):
        admin_client.post(url, {**data, "courses-0-achievement_threshold": "0.5"}, follow=True)
    assert sent_tasks == [(BACKFILL_TASK, (["ai-vet"],))]


def test_the_admin_action_backfills_the_chosen_programs(admin_client, catalog, learner,
                                                        django_capture_on_commit_callbacks):
    for key in VET:
        platform_grade(learner, key, 0.9)
    platform_grade(learner, BASICS, 0.9)
    programs = Program.objects.filter(slug="ai-vet")
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(reverse("admin:microdegree_program_changelist"), {
            "action": "backfill", ACTION_CHECKBOX_NAME: [p.pk for p in programs]}, follow=True)
    assert any("Backfill of ai-vet: 4 grade row(s) read, 4 award(s) issued." in m for m in _messages(response))
    assert Award.objects.filter(user=learner, program__slug="ai-vet", kind=ACHIEVEMENT).count() == 4
    assert Award.objects.filter(user=learner, kind=DEGREE).count() == 1
    assert not Award.objects.filter(program__slug="dr-med-ki").exists()  # only the program chosen


def test_staff_without_the_program_change_permission_cannot_backfill(client, catalog, learner):
    staff = get_user_model().objects.create_user("staff", "staff@example.org", "pw", is_staff=True)
    staff.user_permissions.add(Permission.objects.get(codename="view_program"))
    client.force_login(staff)
    platform_grade(learner, VET[0], 0.9)
    response = client.post(reverse("admin:microdegree_program_changelist"), {
        "action": "backfill", ACTION_CHECKBOX_NAME: [Program.objects.get(slug="ai-vet").pk]}, follow=True)
    assert response.status_code == 200
    assert not Award.objects.exists()
    assert PARTICIPATION not in {a.kind for a in Award.objects.all()}
