"""
Backfill: the awards due from what learners achieved before their program existed (docs/decisions/0031).

A program is often created after its courses have run for years. The backfill reads the platform's persisted
course grades and block completions (or an export file), records them as the event path records a grade event
(the same "best seen" merge, the same rules, the same evidence, with an event type that says it came from a
backfill) and issues the awards now due; their signing, ``BADGE_AWARDED`` and the degrees follow after each
batch's commit, as after an event.

Batches of learners are locked, merged and written in one transaction each, with the run's cursor, so an
interrupted run resumes after the last batch it committed and a second run finds nothing to do.
"""
from __future__ import annotations

import hashlib
import json
import logging
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from types import SimpleNamespace
from typing import Protocol, cast
from uuid import UUID

from django.contrib.auth import get_user_model
from django.db import IntegrityError, OperationalError, connection, transaction
from django.db.models import F
from django.utils import timezone
from opaque_keys.edx.keys import CourseKey

from .. import compat, conf, rules
from ..catalog import compared_course_key
from ..data import GradeSeen, NewAward, slot
from ..models import Award, BackfillRun, LearnerCourseState, Program, ProgramCourse, RecognitionCondition
from ._internal import WRITE_ATTEMPTS, ProgramCourseRow, parse_course_key, program_course_rows
from .awarding import due_awards
from .bulk import insert_rows, new_state
from .effects import after_commit
from .recording import at_most_one, merge_observation
from .requirements import capstone_ready
from .sources import ExportFile, Measured, platform_batches

__all__ = ["BACKFILL_BATCH_SIZE", "BackfillReport", "backfill", "describe_backfill", "queue_backfill"]

log = logging.getLogger(__name__)

PLATFORM_GRADE_EVENT = "microdegree.backfill.persistent_grade"
PLATFORM_COMPLETION_EVENT = "microdegree.backfill.completion"
FILE_EVENT = "microdegree.backfill.export_file"
BACKFILL_TASK = "microdegree_xblock.tasks.backfill"
BACKFILL_BATCH_SIZE = 2000
STATE_BATCH = 500
# Awards' primary keys are read back by their UUIDs this many at a time (fewer where the database takes fewer).
PK_READ = 5000
# The report keeps this many row errors word for word, and counts the rest.
MAX_REPORTED_ERRORS = 100


class Progress(Protocol):
    """What the backfill tells about its progress (a tqdm bar fits)."""

    total: float | None

    def update(self, n: float = 1) -> bool | None:
        """``n`` more rows read."""


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


def queue_backfill(program_ids: Iterable[str]) -> bool:
    """
    Queue the backfill of programs' courses in Celery after commit when tasks run there; False when they do not.

    A new program or new courses should never be silently empty: callers that get False offer the backfill
    (the command line, the admin action) instead of running it in a web request.
    """
    ids = sorted(set(program_ids))
    if not ids or not conf.async_tasks():
        return False
    transaction.on_commit(lambda: compat.send_task(BACKFILL_TASK, ids))
    return True


def backfill(*, program_ids: Sequence[str] | None = None, course_keys: Sequence[str] | None = None,
             user_ids: Sequence[int] | None = None, export_file: str | None = None, dry_run: bool = False,
             restart: bool = False, batch_size: int = BACKFILL_BATCH_SIZE, progress: Progress | None = None
             ) -> BackfillReport:
    """
    Issue every award due from the platform's grades and completions (or an export file), batch by batch.

    Scope: the courses of the programs named, or the courses named, or every program course; only the learners
    named, if any. A run that was interrupted resumes after its last committed batch (``restart`` starts over);
    a dry run writes nothing and counts what would be issued. Idempotent: a second run issues nothing.

    Raises:
        ValueError: an unknown program or course, a course in no program, an unreadable export file.
    """
    if batch_size < 1:
        raise ValueError("the batch size must be at least 1")
    courses = _scope_courses(program_ids, course_keys)
    source = ExportFile(export_file) if export_file else None
    scope: dict[str, object] = {
        "source": "file" if source else "platform", "courses": sorted(str(key) for key in courses),
        "users": sorted(set(user_ids)) if user_ids is not None else None, "file": source.sha256 if source else None,
    }
    report = BackfillReport(dry_run=dry_run)
    run = None if dry_run else _run(scope, restart=restart)
    after = run.cursor if run is not None else None
    report.resumed_after = after
    errors_seen: list[str] = []
    if source is not None:
        batches: Iterator[tuple[list[Measured], object]] = source.batches(
            after=after, batch_size=batch_size, errors=errors_seen)
        grade_event = completion_event = FILE_EVENT
        total: int | None = source.lines
    else:
        id_range = compat.learner_id_range(courses) if user_ids is None else None
        batches = platform_batches(courses, user_ids=sorted(set(user_ids)) if user_ids is not None else None,
                                   after=after, batch_size=batch_size, id_range=id_range)
        grade_event, completion_event = PLATFORM_GRADE_EVENT, PLATFORM_COMPLETION_EVENT
        total = id_range[2] if id_range is not None else None
    if progress is not None and total:
        progress.total = total
    wanted = {compared_course_key(str(key)) for key in courses}
    for rows, cursor in batches:
        _record_batch(rows, wanted, grade_event=grade_event, completion_event=completion_event, report=report,
                      run=run, cursor=cursor)
        report.add_errors(errors_seen)
        errors_seen.clear()
        if progress is not None:
            progress.update(len(rows))
    if run is not None:
        BackfillRun.objects.filter(pk=run.pk).update(cursor=None, finished_at=timezone.now())
    log.info("microdegree: backfill %s: %s rows, %s awards%s", scope["source"], report.rows, report.awarded,
             " (dry run)" if dry_run else "")
    return report


def _scope_courses(program_ids: Sequence[str] | None, course_keys: Sequence[str] | None) -> list[CourseKey]:
    """The available program courses in scope, one key per course (as stored), in a stable order."""
    rows = ProgramCourse.objects.filter(planned=False)
    if program_ids:
        known = set(ProgramCourse.objects.filter(program__slug__in=program_ids).values_list("program__slug",
                                                                                             flat=True))
        missing = set(program_ids) - set(Program.objects.filter(slug__in=program_ids).values_list("slug", flat=True))
        if missing:
            raise ValueError(f"no program with the id {', '.join(sorted(missing))}")
        rows = rows.filter(program__slug__in=known)
    stored = {compared_course_key(str(key)): key for key in rows.values_list("course_key", flat=True) if key}
    if course_keys:
        chosen = {}
        for text in course_keys:
            key = parse_course_key(text)
            if compared_course_key(str(key)) not in stored:
                raise ValueError(f"{text} is not an available course of a program in scope")
            chosen[compared_course_key(str(key))] = stored[compared_course_key(str(key))]
        stored = chosen
    return [stored[key] for key in sorted(stored)]


def _run(scope: dict[str, object], *, restart: bool) -> BackfillRun:
    text = json.dumps(scope, sort_keys=True)
    digest = hashlib.sha256(text.encode()).hexdigest()
    run, created = BackfillRun.objects.get_or_create(
        scope_digest=digest, defaults={"scope": text, "source": str(scope["source"]), "started_at": timezone.now()})
    if not created and (restart or run.finished_at is not None or run.cursor is None):
        run.cursor, run.rows_read, run.awards_issued = None, 0, 0
        run.started_at, run.finished_at = timezone.now(), None
        run.save()
    return run


def _record_batch(rows: Sequence[Measured], wanted: set[str], *, grade_event: str, completion_event: str,
                  report: BackfillReport, run: BackfillRun | None, cursor: object) -> None:
    """Record one batch (and move the run's cursor) in one transaction, retried when it lost a lock race."""
    for attempt in range(1, WRITE_ATTEMPTS + 1):
        batch = BackfillReport(dry_run=report.dry_run)
        try:
            with transaction.atomic():
                created = _write(rows, wanted, grade_event=grade_event, completion_event=completion_event, report=batch)
                if run is not None:
                    BackfillRun.objects.filter(pk=run.pk).update(
                        cursor=cursor, rows_read=F("rows_read") + batch.rows,
                        awards_issued=F("awards_issued") + batch.awarded)
                if created:
                    after_commit(created)
            break
        except (IntegrityError, OperationalError):
            # A grade event created a state or an award of this batch meanwhile: read the batch again.
            if attempt == WRITE_ATTEMPTS or transaction.get_connection().in_atomic_block:
                raise
            log.info("microdegree: backfill batch lost a race, retrying (%s)", attempt)
            time.sleep(0.05 * attempt)
    report.rows += batch.rows
    report.outside_programs += batch.outside_programs
    report.states += batch.states
    report.unknown_users += batch.unknown_users
    report.awards.update(batch.awards)
    report.add_errors(batch.errors)


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


def _write(rows: Sequence[Measured], wanted: set[str], *, grade_event: str, completion_event: str,
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
    conditions = _passed_conditions(users, parsed, courses_of)
    missing = {user_id for user_id, key in pairs if (user_id, key) not in states}
    # A retired learner's user row stays, renamed; the platform's tables may still hold their grades: no awards.
    known = set(get_user_model().objects.filter(pk__in=missing).exclude(
        username__startswith=conf.retired_username_prefix()).values_list("pk", flat=True)) if missing else set()
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
                             conditions=conditions.get((user_id, key), frozenset()), ready=_ready_for(user_id))
    report.states += len(created) + len(updated)
    slugs = {row.program_pk: row.program_id for rows_ in courses_of.values() for row in rows_}
    report.awards.update((slugs[award.program_id], award.kind) for award in awards)
    if report.dry_run:
        return []
    return _store(created, updated, fields, awards, slugs, now=now)


def _ready_for(user_id: int) -> Callable[[ProgramCourseRow], bool]:
    """Whether a capstone taken last may be earned by this learner now (asked only for such a capstone)."""
    def ready(row: ProgramCourseRow) -> bool:
        return capstone_ready(user_id, row.program_pk, row.course_key)
    return ready


def _passed_conditions(users: set[int], parsed: dict[str, CourseKey],
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
    uuids = cast(list[UUID], insert_rows(Award, awards, returning="uuid", prepared=prepared))
    if awards:
        # One line per batch (the event path logs one per award): the awards themselves are the record.
        log.info("microdegree: backfill issued %s", ", ".join(
            f"{count} {kind} in program {program}" for (program, kind), count in sorted(Counter(
                (slugs[award.program_id], award.kind) for award in awards).items())))
    step = min(PK_READ, (connection.features.max_query_params or PK_READ) - 1)
    return [pk for start in range(0, len(uuids), step) for pk in Award.objects.filter(
        uuid__in=uuids[start:start + step]).values_list("pk", flat=True)]


def describe_backfill(report: BackfillReport) -> list[str]:
    """The report in lines for people: awards per program and kind, then what was skipped."""
    verb = "would issue" if report.dry_run else "issued"
    lines = [f"{program} {kind}: {count} {verb}" for (program, kind), count in sorted(report.awards.items())]
    lines.append(f"{report.rows} row(s) read, {report.awarded} award(s) {verb}, "
                 f"{report.states} learner course state(s) {'to write' if report.dry_run else 'written'}.")
    if report.outside_programs:
        lines.append(f"{report.outside_programs} row(s) for courses outside the programs in scope skipped.")
    if report.unknown_users:
        lines.append(f"{report.unknown_users} row(s) for unknown users skipped.")
    if report.error_count:
        lines.append(f"{report.error_count} row(s) refused:")
        lines += [f"  - {error}" for error in report.errors]
        if report.error_count > len(report.errors):
            lines.append(f"  ... and {report.error_count - len(report.errors)} more")
    return lines

