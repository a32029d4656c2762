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
from collections.abc import Callable, Iterable, Iterator, Sequence
from functools import partial
from typing import Protocol

from django.db import IntegrityError, OperationalError, transaction
from django.db.models import F
from django.utils import timezone
from opaque_keys.edx.keys import CourseKey

from .. import compat, conf
from ..catalog import compared_course_key
from ..models import BackfillRun, Program, ProgramCourse
from ._internal import WRITE_ATTEMPTS, parse_course_key
from .backfill_rows import BackfillReport, write_rows
from .backfill_windows import set_based, write_window
from .effects import after_commit
from .sources import ExportFile, LearnerWindows, Measured, completable_counts, platform_batches

__all__ = ["BACKFILL_BATCH_SIZE", "SET_BATCH_SIZE", "BackfillReport", "backfill", "describe_backfill", "queue_backfill"]

log = logging.getLogger(__name__)

PLATFORM_GRADE_EVENT = "microdegree.backfill.persistent_grade"
PLATFORM_COMPLETION_EVENT = "microdegree.backfill.completion"
FILE_EVENT = "microdegree.backfill.export_file"
BACKFILL_TASK = "microdegree_xblock.tasks.backfill"
BACKFILL_BATCH_SIZE = 2000
# Where the database writes the states itself, a batch costs a few statements whatever its size: larger ones.
SET_BATCH_SIZE = 20000


class Progress(Protocol):
    """What the backfill tells about its progress (a tqdm bar fits)."""

    total: float | None

    def update(self, n: float = 1) -> bool | None:
        """``n`` more rows read."""


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
             restart: bool = False, batch_size: int | None = None, progress: Progress | None = None
             ) -> BackfillReport:
    """
    Issue every award due from the platform's grades and completions (or an export file), batch by batch.

    Scope: the courses of the programs named, or the courses named, or every program course; only the learners
    named, if any. A run that was interrupted resumes after its last committed batch (``restart`` starts over);
    a dry run writes nothing and counts what would be issued. Idempotent: a second run issues nothing.

    Raises:
        ValueError: an unknown program or course, a course in no program, an unreadable export file.
    """
    if batch_size is not None and batch_size < 1:
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
    wanted = {compared_course_key(str(key)) for key in courses}
    named = sorted(set(user_ids)) if user_ids is not None else None
    id_range = compat.learner_id_range(courses) if source is None and named is None else None
    if progress is not None:
        total = source.lines if source is not None else id_range[2] if id_range is not None else None
        if total:
            progress.total = total
    if source is None and not dry_run and set_based():
        # The database writes the new states itself (docs/decisions/0041); the rest goes row by row.
        blocks = completable_counts(courses)
        windows = LearnerWindows(courses, user_ids=named, after=after, batch_size=batch_size or SET_BATCH_SIZE,
                                 id_range=id_range)
        for window, upper in windows:
            held = _record_batch(partial(write_window, courses, blocks, window, wanted=wanted,
                                         grade_event=PLATFORM_GRADE_EVENT, completion_event=PLATFORM_COMPLETION_EVENT),
                                 report=report, run=run, cursor=upper)
            windows.held(held)
            if progress is not None:
                progress.update(held)
    else:
        batch_size = batch_size or BACKFILL_BATCH_SIZE
        if source is not None:
            batches: Iterator[tuple[list[Measured], object]] = source.batches(
                after=after, batch_size=batch_size, errors=errors_seen)
            grade_event = completion_event = FILE_EVENT
        else:
            batches = platform_batches(courses, user_ids=named, after=after, batch_size=batch_size, id_range=id_range)
            grade_event, completion_event = PLATFORM_GRADE_EVENT, PLATFORM_COMPLETION_EVENT
        for rows, cursor in batches:
            _record_batch(partial(write_rows, rows, wanted, grade_event=grade_event, completion_event=completion_event),
                          report=report, run=run, cursor=cursor)
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


def _record_batch(write: Callable[..., list[int]], *, report: BackfillReport, run: BackfillRun | None,
                  cursor: object) -> int:
    """
    Write one batch and move the run's cursor, in one transaction; how many rows the batch held.

    ``write(report=...)`` writes and returns the awards' pks. Retried when it lost a lock race.
    """
    for attempt in range(1, WRITE_ATTEMPTS + 1):
        batch = BackfillReport(dry_run=report.dry_run)
        try:
            with transaction.atomic():
                created = write(report=batch)
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
    return batch.rows


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

