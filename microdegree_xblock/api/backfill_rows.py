"""
The backfill's row-by-row write: a batch of measured rows merged into learners' states, the awards due inserted.

Used for an export file, a dry run, and the rows of the platform's tables the set-based write leaves
(:mod:`.backfill_windows`): learners who already have a state in the course, unknown or retired learners, grades
the rules refuse. The same "best seen" merge and the same decision as a grade event (docs/decisions/0031).
"""
from __future__ import annotations

import logging
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from types import SimpleNamespace
from typing import cast
from uuid import UUID

from django.db import connection
from django.utils import timezone
from opaque_keys.edx.keys import CourseKey

from .. import rules
from ..catalog import compared_course_key
from ..data import GradeSeen, NewAward, slot
from ..models import Award, LearnerCourseState, RecognitionCondition
from ._internal import ProgramCourseRow, parse_course_key, program_course_rows, unretired_users
from .awarding import due_awards
from .bulk import insert_rows, new_state
from .recording import at_most_one, merge_observation
from .requirements import capstone_ready
from .sources import Measured

__all__ = ["BackfillReport", "passed_conditions_of", "ready_for", "write_rows"]

log = logging.getLogger(__name__)

STATE_BATCH = 500
# Awards' primary keys are read back by their UUIDs this many at a time (fewer where the database takes fewer).
PK_READ = 5000
# The report keeps this many row errors word for word, and counts the rest.
MAX_REPORTED_ERRORS = 100


@dataclass
class BackfillReport:
    """What a backfill read and issued (or, in a dry run, would issue)."""

    dry_run: bool
    rows: int = 0
    outside_programs: int = 0
    states: int = 0
    unknown_users: int = 0
    awards: Counter[tuple[str, str]] = field(default_factory=Counter)
    errors: list[str] = field(default_factory=list)
    error_count: int = 0
    resumed_after: object = None

    @property
    def awarded(self) -> int:
        """The number of course awards issued (or that would be)."""
        return sum(self.awards.values())

    def add_errors(self, errors: Iterable[str]) -> None:
        """Row errors: the first MAX_REPORTED_ERRORS kept word for word, all counted."""
        for error in errors:
            self.error_count += 1
            if len(self.errors) < MAX_REPORTED_ERRORS:
                self.errors.append(error)


Pairs = dict[tuple[int, str], list[GradeSeen]]


def _observations(rows: Sequence[Measured], wanted: set[str], *, grade_event: str, completion_event: str,
                  report: BackfillReport) -> tuple[Pairs, dict[str, tuple[ProgramCourseRow, ...]]]:
    """The batch's rows as observations per (learner, course), for program courses only; bad rows reported."""
    pairs: Pairs = defaultdict(list)
    courses_of: dict[str, tuple[ProgramCourseRow, ...]] = {}
    # Once per course key of a batch, not per row: a batch holds a few courses.
    keys: dict[str, tuple[str | None, str | None]] = {}
    now = timezone.now()
    for row in rows:
        report.rows += 1
        if row.course_key not in keys:
            keys[row.course_key] = _course_of(row.course_key, wanted, courses_of)
        key, error = keys[row.course_key]
        if key is None and error is None:
            report.outside_programs += 1
            continue
        try:
            if error is not None or key is None:
                raise ValueError(error)
            if isinstance(row.user_id, bool) or not isinstance(row.user_id, int):
                raise ValueError(f"the user id must be a whole number, got {row.user_id!r}")
            seen = []
            if row.percent is not None:
                percent = rules.to_share(at_most_one(row.percent, row.user_id, key, grade_event), name="percent")
                seen.append(GradeSeen(user_id=row.user_id, course_key=key, event_type=grade_event,
                                      event_time=row.measured_at or now, percent=percent))
            if row.completion is not None:
                completion = rules.to_share(row.completion, name="completion")
                seen.append(GradeSeen(user_id=row.user_id, course_key=key, event_type=completion_event,
                                      event_time=row.completion_at or now, completion=completion))
            if row.passed_at is not None:
                seen.append(GradeSeen(user_id=row.user_id, course_key=key, event_type=grade_event,
                                      event_time=row.passed_at, passed=True))
        except ValueError as exc:
            report.errors.append(f"{row.place or f'user {row.user_id} in {row.course_key}'}: {exc}")
            continue
        pairs[(row.user_id, key)].extend(seen)
    return pairs, courses_of


def _course_of(text: str, wanted: set[str],
               courses_of: dict[str, tuple[ProgramCourseRow, ...]]) -> tuple[str | None, str | None]:
    """A row's course: (its key, None) in scope, (None, the error) when malformed, (None, None) outside the scope."""
    courses = program_course_rows(text)
    if not courses or compared_course_key(text) not in wanted:
        return None, None
    try:
        key = str(parse_course_key(text))
    except ValueError as exc:
        return None, str(exc)
    courses_of[key] = courses
    return key, None


def write_rows(rows: Sequence[Measured], wanted: set[str], *, grade_event: str, completion_event: str,
           report: BackfillReport) -> list[int]:
    """Merge a batch into the learners' states and insert the awards due (nothing written in a dry run)."""
    pairs, courses_of = _observations(rows, wanted, grade_event=grade_event, completion_event=completion_event,
                                      report=report)
    if not pairs:
        return []
    users = {user_id for user_id, _key in pairs}
    parsed = {key: CourseKey.from_string(key) for key in courses_of}
    found = LearnerCourseState.objects.filter(user_id__in=users, course_key__in=list(parsed.values()))
    if not report.dry_run:
        # The event path inserts a course's awards only under its state's lock: holding these, the kinds held
        # read below are exact. A state created meanwhile makes the insert below fail, and the batch is retried.
        found = found.select_for_update()
    states = {(state.user_id, str(state.course_key)): state for state in found}
    held: dict[tuple[int, str], dict[int, set[str]]] = defaultdict(lambda: defaultdict(set))
    for user_id, award_key, program_pk, kind, rule in Award.objects.filter(
            user_id__in=users, course_key__in=list(parsed.values())).values_list(
            "user_id", "course_key", "program_id", "kind", "rule"):
        held[(user_id, str(award_key))][program_pk].add(slot(kind, rule))
    conditions = passed_conditions_of(users, parsed, courses_of)
    missing = {user_id for user_id, key in pairs if (user_id, key) not in states}
    # A retired learner's user row stays, renamed; the platform's tables may still hold their grades: no awards.
    known = set(unretired_users().filter(pk__in=missing).values_list("pk", flat=True)) if missing else set()
    now = timezone.now()
    created: list[SimpleNamespace] = []
    updated: list[LearnerCourseState] = []
    fields: set[str] = set()
    awards: list[NewAward] = []
    for (user_id, key), seen in pairs.items():
        stored = states.get((user_id, key))
        if stored is None and user_id not in known:
            report.unknown_users += 1
            continue
        if stored is not None:
            changed = {name for observation in seen for name in merge_observation(stored, observation)}
            if changed:
                updated.append(stored)
            state: LearnerCourseState | SimpleNamespace = stored
        else:
            state = new_state(user_id, parsed[key])
            changed = {name for observation in seen for name in merge_observation(state, observation)}
            if changed:
                created.append(state)
        fields |= changed
        awards += due_awards(state, courses_of[key], held[(user_id, key)], issued_at=now,
                             conditions=conditions.get((user_id, key), frozenset()), ready=ready_for(user_id))
    report.states += len(created) + len(updated)
    slugs = {row.program_pk: row.program_id for rows_ in courses_of.values() for row in rows_}
    report.awards.update((slugs[award.program_id], award.kind) for award in awards)
    if report.dry_run:
        return []
    return _store(created, updated, fields, awards, slugs, now=now)


def ready_for(user_id: int) -> Callable[[ProgramCourseRow], bool]:
    """Whether a capstone taken last may be earned by this learner now (asked only for such a capstone)."""
    def ready(row: ProgramCourseRow) -> bool:
        return capstone_ready(user_id, row.program_pk, row.course_key)
    return ready


def passed_conditions_of(users: set[int], parsed: dict[str, CourseKey],
                       courses_of: Mapping[str, Sequence[ProgramCourseRow]]) -> dict[tuple[int, str], set[int]]:
    """The recognitions' conditions the batch's learners passed, by (learner, course); no query without any."""
    if not any(needs for rows in courses_of.values() for row in rows for _pk, _id, _t, needs in row.recognitions):
        return {}
    passed: dict[tuple[int, str], set[int]] = defaultdict(set)
    for user_id, key, recognition_pk in RecognitionCondition.objects.filter(
            user_id__in=users, course_key__in=list(parsed.values()), passed=True).values_list(
            "user_id", "course_key", "recognition_id"):
        passed[(user_id, str(key))].add(recognition_pk)
    return passed


def _store(created: list[SimpleNamespace], updated: list[LearnerCourseState], fields: set[str],
           awards: list[NewAward], slugs: dict[int, str], *, now: datetime) -> list[int]:
    """Write a batch's new and raised states and its awards; the awards' primary keys."""
    for made in created:
        made.modified = now
    for stored in updated:
        stored.modified = now
    prepared: dict[object, dict[object, object]] = {}
    insert_rows(LearnerCourseState, created, prepared=prepared)
    LearnerCourseState.objects.bulk_update(updated, sorted(fields | {"modified"}), batch_size=STATE_BATCH)
    return _store_awards(awards, slugs, prepared=prepared)


def _store_awards(awards: list[NewAward], slugs: dict[int, str], *,
                 prepared: dict[object, dict[object, object]] | None = None) -> list[int]:
    """Insert a batch's awards with one statement, log them in one line; their primary keys."""
    uuids = cast(list[UUID], insert_rows(Award, awards, returning="uuid", prepared=prepared))
    if awards:
        # One line per batch (the event path logs one per award): the awards themselves are the record.
        log.info("microdegree: backfill issued %s", ", ".join(
            f"{count} {kind} in program {program}" for (program, kind), count in sorted(Counter(
                (slugs[award.program_id], award.kind) for award in awards).items())))
    return _award_pks(uuids, awards)


def _award_pks(uuids: Sequence[UUID], awards: Sequence[NewAward]) -> list[int]:
    """
    The primary keys of the awards just inserted (``uuids``: their UUIDs, in the order of ``awards``).

    Awards of one batch share their issue time: they are read back in one query by it, on the learners' index
    (the award key's first column), and told apart from any other by their UUIDs; else by the UUIDs, a few thousand
    at a time.
    """
    if awards and len({award.issued_at for award in awards}) == 1:
        users = [award.user_id for award in awards]
        wanted = set(uuids)
        found = [pk for pk, uuid in Award.objects.filter(
            user_id__gte=min(users), user_id__lte=max(users), issued_at=awards[0].issued_at).values_list("pk", "uuid")
            if uuid in wanted]
        if len(found) == len(wanted):
            return found
    step = min(PK_READ, (connection.features.max_query_params or PK_READ) - 1)
    return [pk for start in range(0, len(uuids), step) for pk in Award.objects.filter(
        uuid__in=uuids[start:start + step]).values_list("pk", flat=True)]

