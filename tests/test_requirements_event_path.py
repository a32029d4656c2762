"""
The event path issues exactly what the pure rules decide (docs/decisions/0040).

Random learners on the demo catalog (recognitions with and without a condition, an elective group, a capstone taken
last, a nested programme) send real grade events; the awards stored after the work that follows each commit equal
the rules' fixpoint. Also: a changed catalog issues what is now due, and what a grade event costs in queries.
"""
from __future__ import annotations

import itertools
from decimal import Decimal
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from microdegree_xblock import api
from microdegree_xblock.api.requirements import course_rules
from microdegree_xblock.api.structure import programs_with_structure, tree_of
from microdegree_xblock.catalog import parse_catalog
from microdegree_xblock.data import LearnerState, RecognitionRule, slot
from microdegree_xblock.models import Award, Program, Recognition, RecognitionCondition
from microdegree_xblock.rules import to_share
from microdegree_xblock.rules.programs import ProgramRule

from .conftest import send_grade
from .test_rules_properties import settle

DEMO = Path(__file__).resolve().parent.parent / "lms_host" / "demo_programs.yaml"
BASICS = "course-v1:Charite+DrMedKI_Basics+2020"
VET = ["course-v1:UniMannheim+AI_VET_I+2024", "course-v1:UniMannheim+AI_VET_II+2024",
       "course-v1:UniStuttgart+AI_VET_III+2024", "course-v1:UniStuttgart+AI_VET_IV+2024"]
CAPSTONE = "course-v1:KI-Campus+KI_Bildung_Capstone+2025"
ETHICS = "course-v1:KI-Campus+KI_Ethik+2025"
COUNTER = itertools.count()


@pytest.fixture
def demo_catalog(db):  # pylint: disable=unused-argument
    return api.load_catalog(parse_catalog(DEMO.read_text(encoding="utf-8")))


def pure_programs() -> dict[str, ProgramRule]:
    """The stored catalog as the pure rules take it."""
    found = {}
    for program in programs_with_structure().prefetch_related("recognitions__courses"):
        rules = course_rules(program)
        by_key = {rule.course_key: rule for rule in rules}
        recognitions = []
        for rec in program.recognitions.all():
            keys = ([""] if rec.whole_program else list(by_key) if rec.all_courses
                    else [str(c.course_key) for c in rec.courses.all()])
            for key in keys:
                threshold = (to_share(rec.threshold) if rec.threshold is not None
                             else None if not key else by_key[key].achievement_threshold)
                recognitions.append(RecognitionRule(pk=rec.pk, rule=rec.slug, course_key=key, threshold=threshold,
                                                    needs_condition=bool(rec.condition)))
        capstone = next((str(c.course_key) for c in program.courses.all() if c.capstone), "")
        found[program.slug] = ProgramRule(id=program.slug, courses=rules, tree=tree_of(program),
                                          capstone=capstone if program.capstone_last else "",
                                          recognitions=tuple(recognitions))
    return found


def stored(user_id: int) -> dict[str, set[tuple[str, str]]]:
    held: dict[str, set[tuple[str, str]]] = {slug: set() for slug in Program.objects.values_list("slug", flat=True)}
    for slug, key, kind, rule in Award.objects.filter(user_id=user_id).values_list(
            "program__slug", "course_key", "kind", "rule"):
        held[slug].add((str(key) if key else "", slot(kind, rule)))
    return held


GRADES = st.sampled_from([Decimal("0.4"), Decimal("0.6"), Decimal("0.65"), Decimal("0.7"), Decimal("0.9")])
KEYS = [BASICS, "course-v1:Charite+DrMedKI_Clinics+2022", *VET, CAPSTONE, ETHICS, "course-v1:KI-Campus+KI_Daten+2025"]


# Random events, or every course once in a random order with mostly passing grades (so that degrees, the capstone
# and the nested programme's degree are reached often), then some noise.
EVENTS = st.one_of(
    st.lists(st.tuples(st.sampled_from(KEYS), GRADES), max_size=12),
    st.permutations(KEYS).flatmap(lambda keys: st.tuples(*(
        st.tuples(st.just(key), st.sampled_from([Decimal("0.65"), Decimal("0.72"), Decimal("0.9")]))
        for key in keys))).map(list),
)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(events=EVENTS, exams=st.sets(st.sampled_from(VET)))
def test_the_event_path_issues_what_the_rules_decide(demo_catalog, django_capture_on_commit_callbacks, events,
                                                     exams):
    learner = get_user_model().objects.create_user(f"learner{next(COUNTER)}")
    for key in exams:  # the on-site exams recorded before the grades arrive
        rec = Recognition.objects.get(courses__course_key=key)
        RecognitionCondition.objects.create(recognition=rec, user=learner, course_key=key, passed=True,
                                            taken_on=timezone.now().date(), recorded_at=timezone.now())
    for key, grade in events:
        with django_capture_on_commit_callbacks(execute=True):
            send_grade(learner.pk, key, float(grade))
    programs = pure_programs()
    states: dict[str, LearnerState] = {}
    for key, grade in events:
        old = states.get(key, LearnerState()).best_percent
        if old is None or grade > old:
            states[key] = LearnerState(best_percent=grade)
    conditions = {(rec.pk, key) for key in exams for rec in Recognition.objects.filter(courses__course_key=key)}
    assert stored(learner.pk) == settle(programs, states, conditions)


def test_a_learner_at_65_holds_the_record_and_not_yet_the_chamber_s_recognition(demo_catalog, learner, earn):
    awards = earn(learner, BASICS, 0.65)
    assert [(a.kind, a.rule, a.threshold) for a in awards] == [("achievement", "", Decimal("0.6"))]
    awards = earn(learner, BASICS, 0.72)
    cme = next(a for a in awards if a.kind == "recognition")
    assert (cme.rule, cme.value, cme.threshold) == ("lak-bw-cme", Decimal("0.72"), Decimal("0.7"))
    award = Award.objects.get(uuid=cme.id)
    assert Recognition.objects.get(slug=award.rule, program=award.program).issuer.slug == "lak-bw"


def test_the_capstone_record_waits_for_the_rest_then_follows(demo_catalog, learner, earn):
    assert [a.kind for a in earn(learner, CAPSTONE, 0.9)] == []  # taken first: its record waits
    earn(learner, ETHICS, 0.9)
    for key in VET:
        earn(learner, key, 0.9)
    held = stored(learner.pk)
    assert (CAPSTONE, "achievement") in held["ki-bildung"]  # issued once the rest held, from the stored grade
    assert ("", "degree") in held["ai-vet"] and ("", "degree") in held["ki-bildung"]
    capstone = Award.objects.get(user=learner, course_key=CAPSTONE, kind="achievement")
    assert capstone.evidence_value == Decimal("0.9")
    assert capstone.issued_at > Award.objects.get(user=learner, course_key=VET[-1], kind="achievement").issued_at


def test_a_grade_event_costs_what_it_did_when_recognitions_exist(demo_catalog, learner, earn):
    earn(learner, BASICS, 0.75)
    with CaptureQueriesContext(connection) as unchanged:
        send_grade(learner.pk, BASICS, 0.75)
    assert len(unchanged) == 2  # the state; the awards held (the state meets thresholds)
    with CaptureQueriesContext(connection) as lower:
        send_grade(learner.pk, BASICS, 0.5)
    assert len(lower) == 2


def test_a_recognition_added_later_is_issued_from_the_recorded_grades(db, learner, earn, tmp_path,
                                                                      django_capture_on_commit_callbacks):
    import yaml
    from django.core.management import call_command

    data = yaml.safe_load(DEMO.read_text(encoding="utf-8"))
    med = next(p for p in data["programs"] if p["id"] == "dr-med-ki")
    recognitions = med.pop("recognitions")
    api.load_catalog(parse_catalog(yaml.safe_dump(data, allow_unicode=True)))
    earn(learner, BASICS, 0.75)
    assert not Award.objects.filter(kind="recognition").exists()
    med["recognitions"] = recognitions
    path = tmp_path / "programs.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    with django_capture_on_commit_callbacks(execute=True):
        call_command("microdegree_programs", "load", str(path), "--no-backfill")
    cme = Award.objects.get(kind="recognition", user=learner)
    # Its evidence is the grade that met that body's threshold, and the event that reported it.
    assert (cme.rule, cme.evidence_value, cme.evidence_threshold) == ("lak-bw-cme", Decimal("0.75"), Decimal("0.7"))
    assert cme.evidence_event_type == "org.openedx.learning.course.persistent_grade_summary.changed.v1"
    # Raising the chamber's threshold later takes nothing back.
    med["recognitions"][0]["threshold"] = 0.9
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    call_command("microdegree_programs", "load", str(path), "--no-backfill")
    assert Award.objects.filter(kind="recognition", user=learner, revoked_at__isnull=True).count() == 1


def test_a_condition_recorded_after_the_grade_is_issued_by_reconcile(demo_catalog, learner, earn,
                                                                      django_capture_on_commit_callbacks):
    earn(learner, VET[0], 0.8)
    rec = Recognition.objects.get(slug="uma-ects")
    RecognitionCondition.objects.create(recognition=rec, user=learner, course_key=VET[0], passed=True,
                                        taken_on=timezone.now().date(), recorded_at=timezone.now())
    with django_capture_on_commit_callbacks(execute=True):
        assert api.reconcile(user_id=learner.pk) == 1
    assert Award.objects.get(kind="recognition", user=learner).rule == "uma-ects"
    assert api.reconcile(user_id=learner.pk) == 0
