"""
Plain, immutable data passed between the layers: the rules' inputs and the api's answers.

Nothing here touches the database or a request, so the rules, the REST API, the XBlock panel and the
management commands all share these shapes.
"""
from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import NamedTuple

PARTICIPATION = "participation"
ACHIEVEMENT = "achievement"
DEGREE = "degree"
RECOGNITION = "recognition"
COURSE_AWARD_KINDS = (PARTICIPATION, ACHIEVEMENT)

# Course statuses in a learner's progress.
EARNED = "earned"
IN_PROGRESS = "in_progress"
NOT_STARTED = "not_started"
PLANNED = "planned"
# A recognition's standing (beside EARNED and PLANNED): every requirement met but not held, or something missing.
MET = "met"
MISSING = "missing"
# A recognition's further condition as recorded for a learner ("": it has none).
NOT_RECORDED = "not_recorded"
PASSED = "passed"
NOT_PASSED = "not_passed"
# The nodes of a programme's requirement tree in a learner's progress.
COURSE_NODE = "course"
GROUP_NODE = "group"
PROGRAM_NODE = "program"


def slot(kind: str, rule: str = "") -> str:
    """
    What a learner holds in one program course (or in the program), as one text: the kind, with its rule.

    The platform's own awards have no rule (``achievement``); a recognition has the recognising body's rule id
    (``recognition:lak-bw-cme``). The rules compare held awards by these.
    """
    return f"{kind}:{rule}" if rule else kind


def new_salt() -> str:
    """A fresh random salt for hashing an award's recipient (the Open Badges recipient identity)."""
    return secrets.token_hex(16)


@dataclass(frozen=True)
class CourseRule:
    """
    What decides the awards of one program course: its key, whether it is only planned, and its thresholds.

    Attributes:
        course_key (str): the course's key.
        planned (bool): listed but not yet available; cannot be earned.
        achievement_threshold (Decimal): grade share (0..1) that earns the achievement record.
        participation_threshold (Decimal): completion share (0..1) that earns the participation confirmation.
    """

    course_key: str
    planned: bool
    achievement_threshold: Decimal
    participation_threshold: Decimal


@dataclass(frozen=True)
class LearnerState:
    """
    The best values seen for one learner in one course (None: nothing seen yet).

    Attributes:
        best_percent (Decimal | None): best grade share seen, 0..1.
        best_completion (Decimal | None): best completion share seen, 0..1.
    """

    best_percent: Decimal | None = None
    best_completion: Decimal | None = None


@dataclass(frozen=True)
class AwardDue:
    """
    An award the rules say is due, with the value and threshold that justify it.

    Attributes:
        kind (str): participation, achievement, recognition or degree.
        value (Decimal | None): the measured value that met the threshold (None: a degree, or a programme's
            recognition without a threshold of its own).
        threshold (Decimal | None): the threshold applied.
        rule (str): the recognition's id ("" for the platform's own awards).
    """

    kind: str
    value: Decimal | None
    threshold: Decimal | None
    rule: str = ""

    @property
    def slot(self) -> str:
        """The award as the held awards name it (:func:`slot`)."""
        return slot(self.kind, self.rule)


class NewAward(NamedTuple):
    """
    A course award as issued and not yet stored: its fields named as the award model names them.

    Plain data (a tuple), as a backfill makes hundreds of thousands of them; the event path makes its model
    instance from it.
    """

    user_id: int
    program_id: int
    course_key: object
    kind: str
    issued_at: datetime
    evidence_value: Decimal | None
    evidence_threshold: Decimal | None
    evidence_event_type: str
    evidence_event_time: datetime | None
    rule: str = ""


@dataclass(frozen=True)
class RecognitionRule:
    """
    A recognising body's rule for one program course, or for the whole program (``course_key`` empty).

    Attributes:
        pk (int): the stored recognition's primary key (what a recorded condition names).
        rule (str): the recognition's id in its program (an award's ``rule``).
        course_key (str): the course it recognises; "" for the program's degree.
        threshold (Decimal | None): that body's grade share; None for a program's recognition without one.
        needs_condition (bool): a further condition (an on-site exam) must be recorded as passed.
    """

    pk: int
    rule: str
    course_key: str
    threshold: Decimal | None
    needs_condition: bool = False


@dataclass(frozen=True)
class IssuerInfo:
    """An awarding body as the catalog shows it."""

    id: str
    name: str
    url: str
    email: str
    country: str


@dataclass(frozen=True)
class AwardInfo:
    """
    An award as learners and the API see it.

    Attributes:
        id (str): the public UUID.
        kind (str): participation, achievement, recognition or degree.
        program_id (str): the program's slug.
        course_key (str | None): the course's key (None for a degree).
        issued_on (datetime): when it was issued.
        value (Decimal | None): the measured grade or completion share.
        threshold (Decimal | None): the threshold applied.
        event_type (str): the event that produced the evidence.
        event_time (datetime | None): when that event happened.
        revoked_on (datetime | None): when it was revoked, if it was.
        revoked_reason (str): why.
        private (bool): the learner hid it: its public pages show only that it is private.
        rule (str): for a recognition, its id in the program (which body's rule it met); "" otherwise.
    """

    id: str
    kind: str
    program_id: str
    course_key: str | None
    issued_on: datetime
    value: Decimal | None
    threshold: Decimal | None
    event_type: str
    event_time: datetime | None
    revoked_on: datetime | None = None
    revoked_reason: str = ""
    private: bool = False
    rule: str = ""

    @property
    def is_revoked(self) -> bool:
        """Whether the award was revoked."""
        return self.revoked_on is not None


@dataclass(frozen=True)
class CourseInfo:
    """A program course in the catalog, thresholds resolved against the platform defaults."""

    course_key: str
    title: str
    hours: Decimal
    ects: Decimal | None
    planned: bool
    achievement_threshold: Decimal
    participation_threshold: Decimal

    @property
    def rule(self) -> CourseRule:
        """The rule input for this course."""
        return CourseRule(
            course_key=self.course_key,
            planned=self.planned,
            achievement_threshold=self.achievement_threshold,
            participation_threshold=self.participation_threshold,
        )


@dataclass(frozen=True)
class ProgramInfo:
    """A program in the catalog."""

    id: str
    title: str
    description: str
    issuers: tuple[IssuerInfo, ...]
    courses: tuple[CourseInfo, ...]

    @property
    def hours_total(self) -> Decimal:
        """Total notional workload of the program's courses."""
        return sum((course.hours for course in self.courses), Decimal(0))


@dataclass(frozen=True)
class RecognitionInfo:
    """
    An outside body's recognition as learners see it.

    Its id in the program (an award's ``rule``), its title (the body's name when the catalog gives none), the body,
    whether it recognises the micro-degree rather than courses, its further condition ("" none), what it grants
    per course (amount None: no credits).
    """

    id: str
    title: str
    issuer: IssuerInfo
    whole_program: bool
    condition: str
    credit_amount: Decimal | None
    credit_unit: str


@dataclass(frozen=True)
class RecordedCondition:
    """A recognition's condition as recorded for a learner: passed or not, the result, when it was taken."""

    passed: bool
    result: str
    taken_on: date


@dataclass(frozen=True)
class RecognitionStanding:
    """
    A learner's standing against one recognition, in one course or for the whole programme.

    Attributes:
        recognition (RecognitionInfo): the recognition.
        status (str): earned (a valid award held), planned (the course is not open), met (all met, no valid award
            held) or missing.
        threshold, percent (Decimal | None): that body's grade share, resolved; the learner's best in the course.
        grade_met (bool): the threshold is met (for a programme: by every course the degree counts).
        condition_status (str): "" (no condition), not_recorded, passed or not_passed; ``condition`` as recorded.
        degree_met (bool | None): for a programme's recognition, whether the learner holds the degree.
        award (AwardInfo | None): the valid recognition award, if held.
    """

    recognition: RecognitionInfo
    status: str
    threshold: Decimal | None
    percent: Decimal | None
    grade_met: bool
    condition_status: str
    condition: RecordedCondition | None
    degree_met: bool | None
    award: AwardInfo | None


@dataclass(frozen=True)
class CreditTotal:
    """Credits of one unit earned in a programme (valid recognition awards only)."""

    unit: str
    amount: Decimal


@dataclass(frozen=True)
class CourseProgress:
    """One learner's standing in one program course (``group``: its elective group's id, "" when required)."""

    course: CourseInfo
    status: str
    percent: Decimal | None
    completion: Decimal | None
    participation: AwardInfo | None
    achievement: AwardInfo | None
    group: str = ""
    capstone: bool = False
    waiting: bool = False  # a capstone taken last: its record comes once the other requirements hold
    recognitions: tuple[RecognitionStanding, ...] = ()


@dataclass(frozen=True)
class RequirementProgress:
    """
    A node of a programme's requirement tree with the learner's standing.

    A course (``course_key``, whether it is the capstone, whether it waits for the rest), an elective group
    (``id``, ``title``, choose ``choose``, ``chosen`` of them held, its courses in ``items``) or a required
    programme (``id``, ``title``, its own progress in ``program``). ``met``: the node holds.
    """

    kind: str
    met: bool
    course_key: str = ""
    capstone: bool = False
    waiting: bool = False
    id: str = ""
    title: str = ""
    choose: int = 0
    chosen: int = 0
    items: tuple[RequirementProgress, ...] = ()
    program: ProgramProgress | None = None


@dataclass(frozen=True)
class ProgramProgress:
    """One learner's standing in one program."""

    program: ProgramInfo
    courses: tuple[CourseProgress, ...]
    earned_count: int
    required_count: int
    hours_earned: Decimal
    hours_total: Decimal
    degree: AwardInfo | None
    next_course: CourseInfo | None = None
    # The requirement tree (required courses, groups, nested programmes); whether it holds; the programme's own
    # recognitions; the credits earned per unit. ``earned_count`` and ``required_count`` count its path.
    requirements: tuple[RequirementProgress, ...] = ()
    requirements_met: bool = False
    recognitions: tuple[RecognitionStanding, ...] = ()
    credits: tuple[CreditTotal, ...] = ()

    @property
    def has_progress(self) -> bool:
        """Whether the learner has done anything in this program."""
        return self.degree is not None or any(c.status not in (NOT_STARTED, PLANNED) for c in self.courses)


@dataclass(frozen=True)
class GradeSeen:
    """
    A grade or completion observation, as the receivers pass it to the api.

    Attributes:
        user_id (int): the learner.
        course_key (str): the course.
        percent (Decimal | None): grade share 0..1, if the observation is a grade.
        completion (Decimal | None): completion share 0..1, if the observation is a completion.
        passed (bool | None): the LMS's own passing status, if reported.
        event_type (str): the event type that carried it.
        event_time (datetime): when the event happened.
    """

    user_id: int
    course_key: str
    event_type: str
    event_time: datetime
    percent: Decimal | None = None
    completion: Decimal | None = None
    passed: bool | None = None


@dataclass(frozen=True)
class RecordResult:
    """What recording one observation did."""

    in_program: bool
    state_changed: bool = False
    awarded: tuple[str, ...] = field(default_factory=tuple)
