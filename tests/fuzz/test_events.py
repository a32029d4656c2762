"""
Generated sequences of grade, passing-status and completion events, sent as the LMS sends them.

Grades and passing statuses go through the real openedx-events signals (``send_robust=False``, so that any
exception a receiver lets through fails the test); completions are saved through edx-completion's real
``BlockCompletion`` model, whose save the plugin re-measures after commit. A :class:`Referee` follows the documented
rules (README, "Awards"; the pure :mod:`microdegree_xblock.rules` decide what a share is and when a degree is due)
and says what the plugin must hold afterwards:

* the best grade and completion of each learner in each course: never above 1, never lower after any event, and
  exactly the best valid value seen, with the time and event that first reached it;
* an award exactly when a threshold is met (none for a planned course), at most one of each, with its evidence:
  the value and threshold (in (0, 1]), the event type and time of the measurement that met it;
* the micro-degree exactly when every course of the program holds an achievement record (a planned course blocks
  it), and every award announced once (``BADGE_AWARDED``), in :func:`test_degrees_follow_the_rules`;
* a malformed event is logged with a warning and dropped; nothing is logged as an error.

What the plugin does with a grade above 1.0: it counts it as 1.0 (logged, no warning), as ``api.record_grade``
says; a grade below 0, NaN or infinite, or of no number type, it drops with a warning.
"""
from __future__ import annotations

import logging
import math
from collections.abc import Callable, Iterator, Sequence
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import hypothesis
import pytest
from completion.models import BlockCompletion
from django.contrib.auth import get_user_model
from hypothesis import example, given, settings
from hypothesis import strategies as st
from opaque_keys import InvalidKeyError
from opaque_keys.edx.keys import CourseKey
from openedx_events.learning.data import (
    CcxCourseData,
    CcxCoursePassingStatusData,
    CourseData,
    CoursePassingStatusData,
    PersistentCourseGradeData,
    UserData,
    UserPersonalData,
)
from openedx_events.learning.signals import (
    BADGE_AWARDED,
    CCX_COURSE_PASSING_STATUS_UPDATED,
    COURSE_PASSING_STATUS_UPDATED,
    PERSISTENT_GRADE_SUMMARY_CHANGED,
)
from waffle.testutils import override_switch

from microdegree_xblock import api, handlers, rules
from microdegree_xblock.catalog import validate_catalog
from microdegree_xblock.data import ACHIEVEMENT, DEGREE, PARTICIPATION, CourseRule
from microdegree_xblock.models import Award, LearnerCourseState

from .cases import budget, count
from .isolation import rolled_back
from .strategies import GRADE_EVENT, Completion, Grade, Passing, course_grades, event_sequences, share_edges

pytestmark = pytest.mark.django_db

K1, K2, K3 = (f"course-v1:Uni+K{n}+2025" for n in (1, 2, 3))
CCX = "ccx-v1:Uni+K4+2025+ccx@7"
PLANNED = "course-v1:Uni+K5+2026"
OUTSIDE = ["course-v1:Other+X+1", "course-v1:Uni+K1+2024", "ccx-v1:Uni+K1+2025+ccx@8"]
# K1 sits in both programs with different thresholds; K2 keeps the platform defaults (0.6, 0.5); K3 asks for
# everything; beta's CCX course for almost nothing, and its planned course blocks beta's degree for good.
CATALOG = {
    "issuers": [{"id": "uni", "name": "Uni", "url": "https://uni.example", "country": "DE"}],
    "programs": [
        {"id": "alpha", "title": "Alpha", "issuers": ["uni"], "courses": [
            {"key": K1, "title": "K1", "hours": 40, "achievement_threshold": 0.7},
            {"key": K2, "title": "K2", "hours": 40},
            {"key": K3, "title": "K3", "hours": 40, "achievement_threshold": 1, "participation_threshold": 1},
        ]},
        {"id": "beta", "title": "Beta", "issuers": ["uni"], "courses": [
            {"key": K1, "title": "K1", "hours": 40, "achievement_threshold": "0.6667",
             "participation_threshold": "0.0001"},
            {"key": CCX, "title": "K4 (CCX)", "hours": 40, "achievement_threshold": "0.0001"},
            {"key": PLANNED, "title": "K5", "hours": 40, "planned": True},
        ]},
    ],
}
COMPLETABLE = {K1: 4, K2: 3, K3: 1, CCX: 2}  # the planned course's blocks are not known
LEARNERS = ("anna", "ben")
COURSE_KEYS = [K1, K2, K3, CCX, PLANNED]


def _rules() -> dict[str, list[tuple[str, CourseRule]]]:
    """Course key -> (program id, its rule) for every program it is in, thresholds resolved against the defaults."""
    achievement, participation = api.default_thresholds()
    found: dict[str, list[tuple[str, CourseRule]]] = {}
    for program in CATALOG["programs"]:
        for course in program["courses"]:
            found.setdefault(course["key"], []).append((program["id"], CourseRule(
                course_key=course["key"], planned=course.get("planned", False),
                achievement_threshold=rules.to_share(course.get("achievement_threshold", achievement)),
                participation_threshold=rules.to_share(course.get("participation_threshold", participation)),
            )))
    return found


RULES = _rules()
THRESHOLDS = sorted({threshold for entries in RULES.values() for _, rule in entries
                     for threshold in (rule.achievement_threshold, rule.participation_threshold)})


@dataclass
class Best:
    """A best value seen, and the time and event type of the observation that first reached it."""

    value: Decimal
    time: datetime | None
    event_type: str


@dataclass
class Referee:
    """
    What the documented rules say the plugin holds after each event: states, course awards and their evidence.

    Shares are what :func:`rules.to_share` makes of a value (ValueError: the event is dropped); an award is due when
    the best value reaches the course's threshold, and its evidence is the observation that first reached it.
    """

    accounts: dict[str, int]
    rules: dict[str, list[tuple[str, CourseRule]]]
    percent: dict[tuple[int, str], Best] = field(default_factory=dict)
    completion: dict[tuple[int, str], Best] = field(default_factory=dict)
    first_passed: dict[tuple[int, str], datetime] = field(default_factory=dict)
    states: set[tuple[int, str]] = field(default_factory=set)
    awards: dict[tuple[int, str, str, str], Best] = field(default_factory=dict)
    blocks: dict[tuple[int, str], dict[str, float]] = field(default_factory=dict)
    dropped: int = 0  # events that must be logged as malformed (or for an unknown user)

    def grade(self, event: Grade, user_id: object) -> None:
        try:
            share = _grade_share(event.percent)
            user = _user_id(user_id)
            key = str(CourseKey.from_string(str(event.course_key))) if event.course_key is not None else None
        except (TypeError, ValueError, InvalidKeyError):
            self.dropped += 1
            return
        if key is None:
            self.dropped += 1
        elif key in self.rules:
            if user not in self.accounts.values():
                self.dropped += 1
                return
            self._observe(self.percent, user, key, Best(share, event.time, GRADE_EVENT))

    def passing(self, event: Passing) -> None:
        user = self.accounts[event.learner]
        if event.course_key in self.rules:
            self.states.add((user, event.course_key))
            if event.is_passing:
                earlier = self.first_passed.get((user, event.course_key), event.time)
                self.first_passed[(user, event.course_key)] = min(earlier, event.time)

    def complete(self, event: Completion) -> None:
        """A block's completion saved; re-measured as done/completable blocks when the course's count is known."""
        user = self.accounts[event.learner]
        if event.course_key not in self.rules:
            return
        blocks = self.blocks.setdefault((user, event.course_key), {})
        if blocks.get(event.block) == event.completion:
            return  # edx-completion saves nothing when nothing changes
        blocks[event.block] = event.completion
        total = COMPLETABLE.get(event.course_key)
        if total:
            share = rules.to_share(min(Decimal(repr(sum(blocks.values()))) / total, Decimal(1)))
            self._observe(self.completion, user, event.course_key,
                          Best(share, None, handlers.COMPLETION_EVENT_TYPE))

    def _observe(self, bests: dict[tuple[int, str], Best], user: int, key: str, seen: Best) -> None:
        self.states.add((user, key))
        best = bests.get((user, key))
        if best is None or seen.value > best.value:
            bests[(user, key)] = seen
        kind = ACHIEVEMENT if bests is self.percent else PARTICIPATION
        for program, rule in self.rules[key]:
            threshold = rule.achievement_threshold if kind == ACHIEVEMENT else rule.participation_threshold
            due = not rule.planned and rules.meets(bests[(user, key)].value, threshold)
            if due and (user, program, key, kind) not in self.awards:
                self.awards[(user, program, key, kind)] = bests[(user, key)]

    def threshold(self, program: str, key: str, kind: str) -> Decimal:
        rule = next(rule for slug, rule in self.rules[key] if slug == program)
        return rule.achievement_threshold if kind == ACHIEVEMENT else rule.participation_threshold

    def degrees(self, user: int) -> set[str]:
        """The programs whose degree is due to ``user``: every course achieved, none planned."""
        programs: dict[str, list[CourseRule]] = {}
        for entries in self.rules.values():
            for program, rule in entries:
                programs.setdefault(program, []).append(rule)
        achieved = {(program, key) for (learner, program, key, kind) in self.awards
                    if learner == user and kind == ACHIEVEMENT}
        return {program for program, courses in programs.items()
                if courses and all(not course.planned and (program, course.course_key) in achieved
                                   for course in courses)}


def _grade_share(percent: object) -> Decimal:
    """
    What a grade's percent counts as (ValueError: it is dropped).

    A finite number above 1 as 1 (``api.record_grade``: the LMS does not cap extra credit or overrides), anything
    else as :func:`rules.to_share` makes it.
    """
    number = not isinstance(percent, bool) and isinstance(percent, (int, float, Decimal))
    return rules.to_share(1 if number and math.isfinite(percent) and percent > 1 else percent)


def _user_id(value: object) -> int:
    """What a receiver may take as a user id: an int (and nothing else, not even a bool)."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"{value!r} is no user id")
    return value


@dataclass
class World:
    """The catalog loaded, the learners' accounts, and an id that no account has."""

    users: dict[str, Any]
    ids: dict[str, int]


@pytest.fixture
def world(db, settings) -> Iterator[World]:  # pylint: disable=unused-argument
    """The events' catalog and two learners; completion tracking on, the courses' completable blocks known."""
    settings.MICRODEGREE_COMPLETABLE_BLOCKS = COMPLETABLE
    api.load_catalog(validate_catalog(CATALOG))
    users = {name: get_user_model().objects.create_user(name, f"{name}@example.org", "pw") for name in LEARNERS}
    ids = {name: user.pk for name, user in users.items()}
    ids["nobody"] = max(ids.values()) + 1_000
    with override_switch("completion.enable_completion_tracking", active=True):
        yield World(users=users, ids=ids)


def _resolved(world: World, learner: object) -> object:
    """The user id of a learner's name ("nobody": an id no account has); a malformed id stays as it is."""
    return world.ids.get(learner, learner) if isinstance(learner, str) else learner


def _course_key(text: object) -> object:
    """A course key object from its text; a text that is none stays text (as a malformed event would carry it)."""
    try:
        return CourseKey.from_string(str(text))
    except InvalidKeyError:
        return text


def _user_data(user) -> UserData:
    return UserData(id=user.pk, is_active=True, pii=UserPersonalData(username=user.username, email=user.email,
                                                                     name=""))


Capture = Callable[..., AbstractContextManager[list[Callable[[], object]]]]


def send(world: World, event: Grade | Passing | Completion, capture: Capture) -> None:
    """
    Send one event as the LMS does; a completion's re-measurement runs as its commit would run it.

    ``capture`` is pytest-django's ``django_capture_on_commit_callbacks``.

    The other after-commit work (signing, ``BADGE_AWARDED``, degrees) is left out here: it is checked, slower, in
    :func:`test_degrees_follow_the_rules`.
    """
    if isinstance(event, Grade):
        course = None if event.course_key is None else CourseData(course_key=_course_key(event.course_key))
        PERSISTENT_GRADE_SUMMARY_CHANGED.send_event(send_robust=False, time=event.time, grade=PersistentCourseGradeData(
            user_id=_resolved(world, event.learner),
            course=course, course_edited_timestamp=datetime(2025, 1, 1, tzinfo=UTC), course_version="v1",
            grading_policy_hash="hash", percent_grade=event.percent, letter_grade="", passed_timestamp=None,
        ))
    elif isinstance(event, Passing):
        key = CourseKey.from_string(event.course_key)
        user = _user_data(world.users[event.learner])
        if event.course_key.startswith("ccx-v1:"):
            CCX_COURSE_PASSING_STATUS_UPDATED.send_event(
                send_robust=False, time=event.time, course_passing_status=CcxCoursePassingStatusData(
                    is_passing=event.is_passing, user=user,
                    course=CcxCourseData(ccx_course_key=key, master_course_key=key.to_course_locator())))
        else:
            COURSE_PASSING_STATUS_UPDATED.send_event(
                send_robust=False, time=event.time, course_passing_status=CoursePassingStatusData(
                    is_passing=event.is_passing, user=user, course=CourseData(course_key=key)))
    else:
        block = CourseKey.from_string(event.course_key).make_usage_key("html", event.block)
        with capture() as callbacks:
            BlockCompletion.objects.submit_completion(user=world.users[event.learner], block_key=block,
                                                      completion=event.completion)
        for callback in callbacks:
            if callback.__module__ == handlers.__name__:
                callback()


STATE_FIELDS = ("best_percent", "best_percent_at", "best_percent_event", "best_completion", "best_completion_at",
                "best_completion_event", "first_passed_at")
States = dict[tuple[int, str], Any]


def _states() -> States:
    """Every learner's course state, by (user id, course key): the fields the rules are about."""
    return {(state.user_id, str(state.course_key)): state
            for state in LearnerCourseState.objects.values_list("user_id", "course_key", *STATE_FIELDS, named=True)}


def _assert_never_lower(before: States, after: States) -> None:
    """No state disappears, no best value falls, none leaves 0..1, the first pass never moves later."""
    assert set(before) <= set(after)
    for key, state in after.items():
        for name in ("best_percent", "best_completion"):
            value = getattr(state, name)
            assert value is None or 0 <= value <= 1, (key, name, value)
            old = getattr(before[key], name) if key in before else None
            assert old is None or (value is not None and value >= old), (key, name, old, value)
        old_pass = before[key].first_passed_at if key in before else None
        assert old_pass is None or (state.first_passed_at is not None and state.first_passed_at <= old_pass)


def _assert_as_the_referee_says(referee: Referee) -> None:
    states = _states()
    assert set(states) == referee.states
    for key, state in states.items():
        for name, bests in (("percent", referee.percent), ("completion", referee.completion)):
            best = bests.get(key)
            stored = (getattr(state, f"best_{name}"), getattr(state, f"best_{name}_event"))
            assert stored == ((best.value, best.event_type) if best else (None, "")), (key, name)
            if best is not None and best.time is not None:
                assert getattr(state, f"best_{name}_at") == best.time, (key, name)
        assert state.first_passed_at == referee.first_passed.get(key), key
    awards = list(Award.objects.select_related("program"))
    held = {(a.user_id, a.program.slug, str(a.course_key), a.kind): a for a in awards if a.kind != DEGREE}
    assert len(held) == len([a for a in awards if a.kind != DEGREE]), "an award is held twice"
    assert set(held) == set(referee.awards)
    for (user, program, key, kind), award in held.items():
        evidence = referee.awards[(user, program, key, kind)]
        threshold = referee.threshold(program, key, kind)
        assert 0 < award.evidence_threshold <= 1 and award.evidence_threshold == threshold
        assert threshold <= award.evidence_value == evidence.value <= 1
        assert award.evidence_event_type == evidence.event_type
        assert award.evidence_event_time is not None
        if evidence.time is not None:  # a completion's time is its save's, not the event's
            assert award.evidence_event_time == evidence.time
        assert award.revoked_at is None


def _play(world: World, events: Sequence[Grade | Passing | Completion], capture: Capture, *,
          commit: Callable[[], AbstractContextManager[object]] = nullcontext) -> Referee:
    """
    Send the events one by one, each inside ``commit()``; check after each that no best value fell.

    ``commit`` stands for the transaction each event is sent in: by default nothing runs after it (the callbacks stay
    queued in the example's savepoint, and are dropped with it); ``capture(execute=True)`` runs them as a commit would.
    """
    referee = Referee(accounts={name: world.ids[name] for name in LEARNERS}, rules=RULES)
    after = _states()
    for event in events:
        before = after
        with commit():
            send(world, event, capture)
        if isinstance(event, Grade):
            referee.grade(event, _resolved(world, event.learner))
        elif isinstance(event, Passing):
            referee.passing(event)
        else:
            referee.complete(event)
        after = _states()
        _assert_never_lower(before, after)
    return referee


class Warnings(logging.Handler):
    """The plugin's log records of level WARNING and above."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


@pytest.fixture
def plugin_warnings() -> Iterator[Warnings]:
    """What the plugin logs at WARNING and above while the test runs (cleared by each example)."""
    handler = Warnings()
    logger = logging.getLogger("microdegree_xblock")
    logger.addHandler(handler)
    yield handler
    logger.removeHandler(handler)


@settings(max_examples=budget(2_000))
@given(events=event_sequences(learners=LEARNERS, program_courses=COURSE_KEYS, other_courses=OUTSIDE,
                              percents=share_edges(THRESHOLDS), max_size=5))
def test_states_and_awards_follow_the_rules(world, plugin_warnings, django_capture_on_commit_callbacks,
                                           events: list[Grade | Passing | Completion]):
    """
    After any sequence, states and course awards are what the referee says; malformed events are only logged.

    Each event is checked as it is sent: no exception escapes, and no best value falls (see _assert_never_lower).
    """
    count("event sequence (states and awards)")
    plugin_warnings.records.clear()
    with rolled_back(forget_catalog=False):
        referee = _play(world, events, django_capture_on_commit_callbacks)
        _assert_as_the_referee_says(referee)
        hypothesis.event(f"course awards: {min(len(referee.awards), 3)}")
        hypothesis.event(f"dropped: {min(referee.dropped, 2)}")
        errors = [record.getMessage() for record in plugin_warnings.records if record.levelno >= logging.ERROR]
        assert not errors
        assert len(plugin_warnings.records) == referee.dropped, [r.getMessage() for r in plugin_warnings.records]


# Grades that mostly earn, so that short sequences complete a program: at, above and just below the thresholds.
HIGH_PERCENTS = st.sampled_from([1.0, 0.9999995, 1.0, 0.95, 0.7, 0.6999994, 0.6667, 0.6, 0.3])


@pytest.fixture
def badges() -> Iterator[list[str]]:
    """The uuids of the badges announced (``BADGE_AWARDED``)."""
    announced: list[str] = []

    def receive(sender, badge, **kwargs):  # pylint: disable=unused-argument
        announced.append(badge.uuid)

    BADGE_AWARDED.connect(receive, dispatch_uid="fuzz-badges")
    yield announced
    BADGE_AWARDED.disconnect(dispatch_uid="fuzz-badges")


@settings(max_examples=budget(20))
@given(events=course_grades(learner="anna", courses=[K1, K2, K3, CCX], percents=HIGH_PERCENTS,
                            max_per_course=1))
def test_degrees_follow_the_rules(world, badges, django_capture_on_commit_callbacks, events: list[Grade | Passing]):
    """
    With each event's after-commit work run: a degree exactly when every course of its program is achieved.

    Alpha's degree is due once K1, K2 and K3 hold achievement records; beta's never (its planned course). Every
    award, the degrees included, is announced once. Slower (every award is signed), so fewer cases.
    """
    count("event sequence (degrees)")
    badges.clear()
    with rolled_back(forget_catalog=False):
        referee = _play(world, events, django_capture_on_commit_callbacks,
                        commit=lambda: django_capture_on_commit_callbacks(execute=True))
        _assert_as_the_referee_says(referee)
        degrees = list(Award.objects.filter(kind=DEGREE).select_related("program"))
        assert {award.program.slug for award in degrees} == referee.degrees(world.ids["anna"])
        hypothesis.event(f"degrees: {len(degrees)}")
        assert all(award.user_id == world.ids["anna"] and award.evidence_threshold is None for award in degrees)
        assert sorted(badges) == sorted(str(award.uuid) for award in Award.objects.all())


@settings(max_examples=budget(50))
@given(learner=st.sampled_from(LEARNERS), form=st.sampled_from(["float", "fraction", "text"]),
       percent=st.sampled_from([0.3, 0.95]))
@example(learner="anna", form="fraction", percent=0.95)
def test_a_user_id_that_is_no_int_is_dropped(world, plugin_warnings, learner: str, form: str, percent: float):
    """
    A grade whose user id is no int (a float, a numeric string) is dropped with a warning, recorded for nobody.

    Not taken as ``int(user_id)``: a grade for user 7.9 or "7" is no grade of learner 7.
    """
    count("event sequence (malformed user ids)")
    plugin_warnings.records.clear()
    pk = world.ids[learner]
    user_id = {"float": float(pk), "fraction": pk + 0.9, "text": str(pk)}[form]
    with rolled_back(forget_catalog=False):
        send(world, Grade(learner=user_id, course_key=K2, percent=percent, time=datetime(2025, 3, 1, tzinfo=UTC)),
             nullcontext)
        assert not LearnerCourseState.objects.exists() and not Award.objects.exists()
    assert len(plugin_warnings.records) == 1
