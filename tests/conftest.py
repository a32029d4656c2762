"""
Shared fixtures: the demo catalog, learners, and helpers that send the real openedx-events signals.
"""
from __future__ import annotations

import textwrap
from datetime import UTC, datetime

import pytest
import yaml
from django.contrib.auth import get_user_model
from opaque_keys.edx.keys import CourseKey
from openedx_events.learning.data import (
    CourseData,
    CoursePassingStatusData,
    PersistentCourseGradeData,
    UserData,
    UserPersonalData,
)
from openedx_events.learning.signals import (
    BADGE_AWARDED,
    BADGE_REVOKED,
    COURSE_PASSING_STATUS_UPDATED,
    PERSISTENT_GRADE_SUMMARY_CHANGED,
)

from microdegree_xblock import api
from microdegree_xblock.catalog import parse_catalog, validate_catalog

BASICS = "course-v1:Charite+DrMedKI_Basics+2020"
CLINICS = "course-v1:Charite+DrMedKI_Clinics+2022"
ETHICS = "course-v1:Charite+DrMedKI_Ethics+2025"
VET = [f"course-v1:Uni+AI_VET_{n}+2024" for n in ("I", "II", "III", "IV")]

CATALOG = textwrap.dedent(f"""
    issuers:
      - {{id: charite, name: Charité Berlin, url: "https://www.charite.de", email: badges@example.org, country: DE}}
      - {{id: ki-campus, name: KI-Campus, url: "https://ki-campus.org", country: DE}}
      - {{id: uni-mannheim, name: Universität Mannheim, url: "https://www.uni-mannheim.de", country: DE}}
    programs:
      - id: ai-vet
        title: AI_VET
        description: Four courses.
        issuers: [uni-mannheim]
        courses:
          - {{key: "{VET[0]}", title: AI_VET I, hours: 25}}
          - {{key: "{VET[1]}", title: AI_VET II, hours: 50}}
          - {{key: "{VET[2]}", title: AI_VET III, hours: 50}}
          - {{key: "{VET[3]}", title: AI_VET IV, hours: 25}}
      - id: dr-med-ki
        title: Dr. med. KI
        description: AI in medicine.
        issuers: [charite, ki-campus]
        courses:
          - {{key: "{BASICS}", title: Basics, hours: 21, ects: 1, achievement_threshold: 0.7}}
          - {{key: "{CLINICS}", title: Clinics, hours: 16}}
          - {{key: "{ETHICS}", title: Ethics, hours: 25, planned: true}}
""")


@pytest.fixture(autouse=True)
def _fresh_catalog_memo():
    """Each test starts with the catalog unknown to this process: a rolled-back test sends no catalog signal."""
    api.catalog_changed()
    yield
    api.catalog_changed()


def load_many_programs(count: int) -> None:
    """Store ``count`` copies of the AI_VET program (ids p0, p1, ...; course keys ...+P0, ...+P1, ...)."""
    base = yaml.safe_load(CATALOG)
    template = base["programs"][0]
    data = {"issuers": base["issuers"], "programs": []}
    for n in range(count):
        program = dict(template, id=f"p{n}", title=f"Program {n}")
        program["courses"] = [dict(c, key=c["key"].replace("+2024", f"+P{n}")) for c in template["courses"]]
        data["programs"].append(program)
    api.load_catalog(validate_catalog(data))


@pytest.fixture
def catalog(db):  # pylint: disable=unused-argument
    """The test catalog, loaded through the api."""
    return api.load_catalog(parse_catalog(CATALOG))


@pytest.fixture
def learner(db):  # pylint: disable=unused-argument
    """A learner."""
    return get_user_model().objects.create_user("anna", "anna@example.org", "pw", first_name="Anna",
                                                last_name="Schmidt")


@pytest.fixture
def other_learner(db):  # pylint: disable=unused-argument
    """Another learner."""
    return get_user_model().objects.create_user("ben", "ben@example.org", "pw")


def send_grade(user_id: int, course_key: str, percent: float, *, time: datetime | None = None, **kwargs):
    """Send PERSISTENT_GRADE_SUMMARY_CHANGED exactly as the LMS's grades app does."""
    return PERSISTENT_GRADE_SUMMARY_CHANGED.send_event(
        time=time,
        grade=PersistentCourseGradeData(
            user_id=user_id,
            course=CourseData(course_key=CourseKey.from_string(course_key)),
            course_edited_timestamp=datetime(2024, 1, 1, tzinfo=UTC),
            course_version="v1",
            grading_policy_hash="hash",
            percent_grade=percent,
            letter_grade="Pass" if percent >= 0.5 else "",
            passed_timestamp=None,
        ),
        **kwargs,
    )


def send_passing(user, course_key: str, is_passing: bool):
    """Send COURSE_PASSING_STATUS_UPDATED exactly as the LMS's grades app does."""
    return COURSE_PASSING_STATUS_UPDATED.send_event(
        course_passing_status=CoursePassingStatusData(
            is_passing=is_passing,
            course=CourseData(course_key=CourseKey.from_string(course_key)),
            user=UserData(id=user.pk, is_active=True,
                          pii=UserPersonalData(username=user.username, email=user.email, name="")),
        )
    )


class Recorder:
    """Collects the badge events the plugin sends."""

    def __init__(self):
        self.awarded = []
        self.revoked = []

    def on_awarded(self, sender, badge, **kwargs):  # pylint: disable=unused-argument
        self.awarded.append(badge)

    def on_revoked(self, sender, badge, **kwargs):  # pylint: disable=unused-argument
        self.revoked.append(badge)


@pytest.fixture
def badge_events():
    """Records BADGE_AWARDED and BADGE_REVOKED."""
    recorder = Recorder()
    BADGE_AWARDED.connect(recorder.on_awarded, dispatch_uid="test-awarded")
    BADGE_REVOKED.connect(recorder.on_revoked, dispatch_uid="test-revoked")
    yield recorder
    BADGE_AWARDED.disconnect(dispatch_uid="test-awarded")
    BADGE_REVOKED.disconnect(dispatch_uid="test-revoked")


@pytest.fixture
def earn(django_capture_on_commit_callbacks):
    """Send a grade and run the after-commit work (signing, events, degree check) as the LMS would."""
    def run(user, course_key, percent):
        with django_capture_on_commit_callbacks(execute=True):
            send_grade(user.pk, course_key, percent)
        return [a for a in api.get_learner_awards(user_id=user.pk) if a.course_key == course_key]
    return run


@pytest.fixture
def degree(catalog, learner, earn):
    """Anna earns every course of the three-course program 'mini' (co-issued): her degree, signed, with its CLR."""
    api.load_catalog(parse_catalog(
        "programs:\n  - id: mini\n    title: Mini <Degree>\n    issuers: [charite, ki-campus]\n    courses:\n"
        f"      - {{key: \"{BASICS}\", title: Basics, hours: 21, ects: 1}}\n"
        f"      - {{key: \"{CLINICS}\", title: Clinics, hours: 16, ects: 2}}\n"
        "      - {key: \"course-v1:X+Third+1\", title: Third, hours: 10, ects: 1}\n",
        known_issuer_ids=api.known_issuer_ids()))
    for key in (BASICS, CLINICS, "course-v1:X+Third+1"):
        earn(learner, key, 0.95)
    return next(a for a in api.get_learner_awards(user_id=learner.pk) if a.kind == "degree" and a.program_id == "mini")


def pytest_terminal_summary(terminalreporter, exitstatus, config):  # pylint: disable=unused-argument
    """Under ``make bench``: each benchmark's median as a ratio to its group's baseline, measured in the same run."""
    session = getattr(config, "_benchmarksession", None)
    benchmarks = [bench for bench in getattr(session, "benchmarks", []) if getattr(bench, "stats", None)]
    if not benchmarks:
        return
    terminalreporter.section("benchmark ratios (median / the group's baseline median)")
    groups: dict[str, list] = {}
    for bench in benchmarks:
        groups.setdefault(bench.group or "", []).append(bench)
    for group, members in sorted(groups.items()):
        base = next((b for b in members if "baseline" in b.name), None)
        if base is None:
            continue
        limit = next((b for b in members if "_limit_" in b.name), None)
        for bench in members:
            ratio = bench.stats.median / base.stats.median
            # Against a group's limit (what any receiver must do at least), the speed: limit / median, 1.0 at best.
            speed = f"  {limit.stats.median / bench.stats.median:5.2f}x of the limit" if limit else ""
            terminalreporter.write_line(f"{group:>14}  {bench.name:<70} {bench.stats.median * 1e3:9.3f} ms "
                                        f"{ratio:8.2f}x{speed}")
