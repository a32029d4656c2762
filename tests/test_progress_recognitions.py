"""
Issue 10, "explained to the learner": recognitions, electives and nested programmes in a learner's progress.

The api's data, the REST payload, the panel through the real XBlock runtime and the achievements page, in English
and in German, with hostile texts escaped. The demo catalog: the state medical chamber's CME recognition at 70 %
(12 CME points) beside the platform's record at 60 %; the universities' ECTS recognitions after an on-site exam;
a programme that requires AI_VET, with an elective group (1 of 2) and a capstone taken last. The query counts are
in test_progress_recognitions_queries.py.
"""
from __future__ import annotations

import re
from datetime import date
from decimal import Decimal as D
from pathlib import Path

import pytest
from django.utils import timezone, translation

from microdegree_xblock import api
from microdegree_xblock.catalog import parse_catalog
from microdegree_xblock.models import Recognition, RecognitionCondition
from microdegree_xblock.payloads import progress_json

from .test_panel import render, text

pytestmark = pytest.mark.django_db

DEMO = (Path(__file__).resolve().parent.parent / "lms_host" / "demo_programs.yaml").read_text(encoding="utf-8")
BASICS = "course-v1:Charite+DrMedKI_Basics+2020"
CLINICS = "course-v1:Charite+DrMedKI_Clinics+2022"
VET = ["course-v1:UniMannheim+AI_VET_I+2024", "course-v1:UniMannheim+AI_VET_II+2024",
       "course-v1:UniStuttgart+AI_VET_III+2024", "course-v1:UniStuttgart+AI_VET_IV+2024"]
ETHIK = "course-v1:KI-Campus+KI_Ethik+2025"
DATEN = "course-v1:KI-Campus+KI_Daten+2025"
CAPSTONE = "course-v1:KI-Campus+KI_Bildung_Capstone+2025"
EXAM = "On-site exam passed at Universität Mannheim"


@pytest.fixture
def demo(db):  # pylint: disable=unused-argument
    return api.load_catalog(parse_catalog(DEMO))


@pytest.fixture
def grade(django_capture_on_commit_callbacks):
    """Record a grade as the LMS's event would, with the work after commit (degrees, nested degrees)."""
    def record(user, course_key, percent):
        with django_capture_on_commit_callbacks(execute=True):
            api.record_grade(user_id=user.pk, course_key=course_key, percent=percent, event_type="test")
    return record


def progress(user, program_id):
    (found,) = api.get_learner_progress(user_id=user.pk, program_id=program_id)
    return found


def course(found, key):
    return next(c for c in found.courses if c.course.course_key == key)


def exam(user, key, *, passed, result="", taken_on=date(2025, 3, 1)):
    """An on-site exam recorded for Universität Mannheim's ECTS recognition (as the admin or the CSV would)."""
    RecognitionCondition.objects.update_or_create(
        recognition=Recognition.objects.get(slug="uma-ects"), user=user, course_key=key,
        defaults={"passed": passed, "result": result, "taken_on": taken_on, "recorded_at": timezone.now()})


def panel(user, program_id, language=None):
    return render(f'<microdegree program="{program_id}"/>', user.pk, language).body_html()


def german(*msgids: str) -> None:
    """Skip until the German catalog translates these messages (the translators add them after this change)."""
    with translation.override("de"):
        missing = [msgid for msgid in msgids if translation.gettext(msgid) == msgid]
    if missing:
        pytest.skip(f"not yet in the German catalog: {missing}")


# ---------------------------------------------------------------------------------------------------------------
# The data


def test_the_record_at_65_and_the_cme_recognition_that_needs_70(demo, learner, grade):
    grade(learner, BASICS, 0.65)
    found = progress(learner, "dr-med-ki")
    basics = course(found, BASICS)
    assert basics.status == "earned" and basics.achievement.value == D("0.65")
    (cme,) = basics.recognitions
    assert (cme.recognition.id, cme.recognition.title, cme.recognition.issuer.id) == (
        "lak-bw-cme", "CME certification", "lak-bw")
    assert (cme.status, cme.threshold, cme.percent, cme.grade_met) == ("missing", D("0.7"), D("0.65"), False)
    assert (cme.condition_status, cme.condition, cme.award, cme.degree_met) == ("", None, None, None)
    assert (cme.recognition.credit_amount, cme.recognition.credit_unit) == (12, "CME")
    clinics = course(found, CLINICS)
    assert clinics.recognitions[0].percent is None and clinics.recognitions[0].status == "missing"
    assert course(found, "course-v1:Charite+DrMedKI_Ethics+2025").recognitions == ()  # not recognised
    assert found.credits == ()
    assert (found.earned_count, found.required_count) == (1, 4)  # flat: every course, as before


def test_earned_recognitions_sum_their_credits_per_unit(demo, learner, grade):
    grade(learner, BASICS, 0.75)
    grade(learner, CLINICS, 0.9)
    found = progress(learner, "dr-med-ki")
    assert [r.status for c in found.courses[:2] for r in c.recognitions] == ["earned", "earned"]
    assert course(found, BASICS).recognitions[0].award.rule == "lak-bw-cme"
    assert [(total.unit, total.amount) for total in found.credits] == [("CME", 24)]
    revoked = course(found, CLINICS).recognitions[0].award
    api.revoke_award(award_id=revoked.id, reason="test")
    found = progress(learner, "dr-med-ki")
    assert [(total.unit, total.amount) for total in found.credits] == [("CME", 12)]  # valid ones only
    assert course(found, CLINICS).recognitions[0].status == "met"  # met, but nothing valid is held


def test_the_on_site_exam_not_recorded_not_passed_then_passed(demo, learner, grade):
    grade(learner, VET[0], 0.75)
    (uma,) = course(progress(learner, "ai-vet"), VET[0]).recognitions
    assert (uma.status, uma.grade_met, uma.condition_status) == ("missing", True, "not_recorded")
    assert uma.threshold == D("0.6")  # the course's achievement threshold: the body has none of its own
    assert uma.recognition.condition == EXAM
    exam(learner, VET[0], passed=False, result="5.0")
    (uma,) = course(progress(learner, "ai-vet"), VET[0]).recognitions
    assert (uma.status, uma.condition_status, uma.condition.result) == ("missing", "not_passed", "5.0")
    exam(learner, VET[0], passed=True, result="1.7", taken_on=date(2025, 4, 2))
    (uma,) = course(progress(learner, "ai-vet"), VET[0]).recognitions
    assert (uma.status, uma.condition_status, uma.condition.taken_on) == ("met", "passed", date(2025, 4, 2))
    grade(learner, VET[0], 0.8)  # the next grade event issues what is due
    found = progress(learner, "ai-vet")
    assert course(found, VET[0]).recognitions[0].status == "earned"
    assert [(total.unit, total.amount) for total in found.credits] == [("ECTS", 2)]
    # another course's exam is recorded for that course only
    assert course(found, VET[1]).recognitions[0].condition_status == "not_recorded"


def test_electives_count_their_choice_and_the_capstone_waits(demo, learner, grade):
    found = progress(learner, "ki-bildung")
    kinds = [(node.kind, node.id or node.course_key) for node in found.requirements]
    assert kinds == [("group", "vertiefung"), ("program", "ai-vet"), ("course", CAPSTONE)]  # the capstone last
    group = found.requirements[0]
    assert (group.title, group.choose, group.chosen, group.met) == ("Vertiefung", 1, 0, False)
    assert [item.course_key for item in group.items] == [ETHIK, DATEN]
    assert (found.earned_count, found.required_count) == (0, 3)  # one of the group, AI_VET, the capstone
    assert course(found, CAPSTONE).capstone and course(found, CAPSTONE).waiting
    assert found.requirements[2].waiting and course(found, ETHIK).group == "vertiefung"
    grade(learner, ETHIK, 0.8)
    grade(learner, DATEN, 0.8)
    found = progress(learner, "ki-bildung")
    assert (found.requirements[0].chosen, found.requirements[0].met) == (2, True)
    assert (found.earned_count, found.required_count) == (1, 3)  # a group counts up to its choice
    assert found.next_course.course_key == VET[0]  # the nested programme's first course, not the capstone
    grade(learner, CAPSTONE, 0.9)
    found = progress(learner, "ki-bildung")
    assert course(found, CAPSTONE).status != "earned" and course(found, CAPSTONE).waiting  # taken last


def test_a_nested_programme_is_a_node_with_its_own_progress(demo, learner, grade):
    grade(learner, ETHIK, 0.8)
    for key in VET:
        grade(learner, key, 0.9)
    found = progress(learner, "ki-bildung")
    node = found.requirements[1]
    assert node.met and node.program.degree is not None and node.program.program.id == "ai-vet"
    every = {p.program.id: p for p in api.get_learner_progress(user_id=learner.pk)}
    assert every["ki-bildung"].requirements[1].program is every["ai-vet"]  # built once, shown in both
    assert (found.earned_count, found.requirements_met, found.next_course.course_key) == (2, False, CAPSTONE)
    assert not course(found, CAPSTONE).waiting  # the rest holds: the capstone may come
    grade(learner, CAPSTONE, 0.9)
    found = progress(learner, "ki-bildung")
    assert found.requirements_met and found.degree is not None and found.earned_count == 3


def test_a_recognition_of_the_whole_programme(db, learner, grade):
    api.load_catalog(parse_catalog(DEMO.replace("""        credits: {amount: 12, unit: CME}
""", """        credits: {amount: 12, unit: CME}
      - id: lak-bw-degree
        by: lak-bw
        program: true
        threshold: 0.8
        condition: Interview with the chamber
        credits: {amount: 30, unit: CME}
""").replace("planned: true", "planned: false")))
    (whole,) = progress(learner, "dr-med-ki").recognitions
    assert (whole.recognition.title, whole.recognition.whole_program) == ("Landesärztekammer Baden-Württemberg", True)
    assert (whole.status, whole.degree_met, whole.grade_met, whole.threshold) == ("missing", False, False, D("0.8"))
    for key in (BASICS, CLINICS, "course-v1:Charite+DrMedKI_Ethics+2025", "course-v1:Charite+DrMedKI_Coders+2025"):
        grade(learner, key, 0.9)
    (whole,) = progress(learner, "dr-med-ki").recognitions
    assert (whole.degree_met, whole.grade_met, whole.condition_status) == (True, True, "not_recorded")
    data = progress_json(progress(learner, "dr-med-ki"))
    assert data["recognitions"][0]["credits"] == {"amount": 30, "unit": "CME"}
    assert "Interview with the chamber: not yet recorded" in text(panel(learner, "dr-med-ki"))
    assert "Recognitions of the micro-degree" in text(panel(learner, "dr-med-ki"))


def test_the_payload_carries_the_tree_the_standings_and_the_credits(demo, learner, grade):
    grade(learner, BASICS, 0.65)
    data = progress_json(progress(learner, "dr-med-ki"))
    cme = data["courses"][0]["recognitions"][0]
    assert cme == {**cme, "id": "lak-bw-cme", "status": "missing", "threshold": 0.7, "percent": 0.65,
                   "grade_met": False, "credits": {"amount": 12, "unit": "CME"}, "condition_status": "",
                   "condition_taken_on": None, "award": None, "degree_met": None, "whole_program": False}
    assert cme["issuer"]["name"] == "Landesärztekammer Baden-Württemberg"
    data = progress_json(progress(learner, "ki-bildung"))
    group, nested, capstone = data["requirements"]
    assert (group["type"], group["choose"], group["chosen"], len(group["items"])) == ("group", 1, 0, 2)
    assert (nested["type"], nested["id"], nested["program"]["id"]) == ("program", "ai-vet", "ai-vet")
    assert nested["program"]["courses"][0]["recognitions"][0]["condition_status"] == "not_recorded"
    assert (capstone["capstone"], capstone["capstone_waiting"], capstone["choose"]) == (True, True, None)
    assert data["courses"][1]["group"] == "vertiefung" and data["courses"][0]["group"] is None


# ---------------------------------------------------------------------------------------------------------------
# The sentences: the panel (the XBlock through its runtime) and the achievements page


def test_the_panel_says_the_record_and_the_cme_standing(demo, learner, grade):
    grade(learner, BASICS, 0.65)
    visible = text(panel(learner, "dr-med-ki"))
    assert re.search(r"Earned on \S+ \d+, \d{4} · grade 65 %", visible)
    assert ("CME certification by Landesärztekammer Baden-Württemberg 12 CME points Not yet earned "
            "best grade 65 %, 70 % needed") in visible
    assert "Not yet earned no grade yet, 70 % needed" in visible  # Clinics
    grade(learner, BASICS, 0.75)
    grade(learner, CLINICS, 0.75)
    html = panel(learner, "dr-med-ki")
    assert "Credits earned: 24 CME points" in text(html)
    assert re.search(r"12 CME points Earned on \S+ \d+, \d{4}", text(html))


def test_the_panel_says_the_exam_standing(demo, learner, grade):
    grade(learner, VET[0], 0.75)
    exam(learner, VET[1], passed=False, result="5.0")
    visible = text(panel(learner, "ai-vet"))
    assert f"2 ECTS Not yet earned 60 % reached; {EXAM}: not yet recorded" in visible
    assert f"no grade yet, 60 % needed; {EXAM}: recorded as not passed on March 1, 2025; result: 5.0" in visible
    exam(learner, VET[0], passed=True)
    assert f"Requirements met 60 % reached; {EXAM}: passed on March 1, 2025" in text(panel(learner, "ai-vet"))


def test_the_panel_shows_the_tree_as_nested_lists(demo, learner, grade):
    grade(learner, ETHIK, 0.8)
    html = panel(learner, "ki-bildung")
    visible = text(html)
    assert "Requirements Vertiefung Choose 1 of 2 courses 1 of 1 chosen" in visible
    assert "1 of 3 requirements met" in visible
    assert "Required micro-degree AI_VET – KI in der beruflichen Bildung 0 of 4 requirements met" in visible
    assert "Capstone, taken last: available once the other requirements are met." in visible
    # a list within a list: the group's and the nested programme's courses, each labelled by its node's heading
    nested = re.findall(r'<li class="microdegree-node[^"]*">\s*<p class="microdegree-node-head" id="([^"]+)">.*?'
                        r'<ol class="microdegree-courses microdegree-courses--nested" aria-labelledby="([^"]+)">',
                        html, flags=re.S)
    assert len(nested) == 2 and all(head == label for head, label in nested)
    assert html.count("<ol") == html.count("</ol>") == 3 and html.count("<ul") == html.count("</ul>") == 4
    assert html.count('class="microdegree-course ') == 2 + 4 + 1
    assert "microdegree-course--next" in html  # AI_VET I, inside the nested programme


def test_the_anonymous_panel_says_what_each_recognition_needs(demo):
    visible = text(render('<microdegree program="ai-vet"/>', None).body_html())
    assert f"ECTS recognition, Universität Mannheim by Universität Mannheim 2 ECTS 60 % grade needed; also needed: " \
           f"{EXAM}" in visible
    assert "Not yet earned" not in visible and "chosen" not in visible


def test_the_achievements_page_names_each_recognition_and_the_credits(client, demo, learner, grade):
    grade(learner, BASICS, 0.75)
    grade(learner, CLINICS, 0.8)
    grade(learner, ETHIK, 0.8)
    client.force_login(learner)
    html = client.get("/microdegree/achievements/").content.decode()
    visible = text(html.split("</head>", 1)[1])
    assert "Credits earned in all your programs: 24 CME points" in visible
    assert visible.count("Recognition CME certification by Landesärztekammer Baden-Württemberg · 12 CME points") == 2
    assert "Not yet earned" not in visible.split("Your awards")[1]
    assert "Choose 1 of 2 courses 1 of 1 chosen" in visible  # KI in der Bildung, with its tree
    assert html.count('class="microdegree-award microdegree-award--recognition"') == 2


def test_german(demo, learner, grade):
    grade(learner, BASICS, 0.65)
    visible = text(panel(learner, "dr-med-ki", "de"))
    assert "beste Note 65 %, 70 % erforderlich" in visible  # the course's own sentence, reused
    german("Not yet earned", "by %(body)s", "%(amount)s CME point", "%(chosen)s of %(counter)s chosen",
           "%(earned)s of %(counter)s requirement met", "Choose %(choose)s of %(counter)s course")
    with translation.override("de"):
        cme = translation.ngettext("%(amount)s CME point", "%(amount)s CME points", 12) % {"amount": 12}
        body = translation.gettext("by %(body)s") % {"body": "Landesärztekammer Baden-Württemberg"}
        missing = translation.gettext("Not yet earned")
        chosen = translation.ngettext("%(chosen)s of %(counter)s chosen", "%(chosen)s of %(counter)s chosen",
                                      1) % {"chosen": 1, "counter": 1}
    assert f"CME certification {body} {cme} {missing} beste Note 65 %" in visible
    grade(learner, ETHIK, 0.8)
    assert chosen in text(panel(learner, "ki-bildung", "de")) and chosen != "1 of 1 chosen"


# ---------------------------------------------------------------------------------------------------------------
# Hostile texts: the admins' titles, bodies, conditions and groups are escaped, never marked safe


HOSTILE = '<img src=x onerror="alert(1)">'


def test_hostile_texts_are_escaped(client, learner, grade):
    hostile = DEMO.replace("title: Vertiefung", f"title: '{HOSTILE}'").replace(
        "title: CME certification", f"title: '{HOSTILE}'").replace(
        "name: Landesärztekammer Baden-Württemberg", f"name: '{HOSTILE}'").replace(
        f"condition: {EXAM}", f"condition: '{HOSTILE}'").replace(
        "title: AI_VET – KI in der beruflichen Bildung", f"title: '{HOSTILE}'")
    api.load_catalog(parse_catalog(hostile))
    grade(learner, BASICS, 0.75)
    grade(learner, VET[0], 0.7)
    grade(learner, ETHIK, 0.7)
    client.force_login(learner)
    pages = [panel(learner, "dr-med-ki"), panel(learner, "ki-bildung"), panel(learner, "ai-vet"),
             client.get("/microdegree/achievements/").content.decode()]
    for html in pages:
        assert HOSTILE not in html and "<img" not in html
        assert "&lt;img src=x onerror=&quot;alert(1)&quot;&gt;" in html
    block_args = str(render('<microdegree program="ki-bildung"/>', learner.pk).json_init_args)
    assert "img" not in block_args  # the script's arguments carry no free text
