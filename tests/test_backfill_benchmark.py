"""
Scale benchmark of the backfill (issue 8): 1,000,000 grade rows of 100,000 learners in 10 programmes.

Under ``make test`` it runs once at a small size (2,000 rows), as a plain test of the same assertions. Under
``make bench`` (``--benchmark-enable``) it runs at 100,000 and at 1,000,000 rows, and prints for each: the
rows/s of a raw bulk insert of the same rows (the baseline, same run, same database), the rows/s of the backfill,
their ratio (target >= 0.3x) and the backfill's peak RSS (target < 200 MB; at both sizes, to show that it does not
grow with the rows). ``MICRODEGREE_BENCH_ROWS=N`` sets the (largest) size. ``make bench`` runs it on SQLite and
then on MariaDB (``MICRODEGREE_TEST_DB_URL``).

Set-up: 10 programmes of three courses each (a micro-degree needs three), loaded through the api; 100,000 auth
users (``bulk_create``, no password hashing); every learner graded in 10 of the 30 courses (ten in a row, from a
course that turns with the learner), bulk-inserted into the LMS stand-in's ``PersistentCourseGrade`` table
(percents 0.300..0.999, so about 43 % reach the 0.7 achievement threshold; a passed timestamp from 0.5 on, as the
LMS's cutoff; each row its own ``modified`` time).

Baseline: ``cursor.executemany`` of the same rows (learner, course, percent, when, event type, first pass) into
the learner course state table itself, 10,000 rows to a transaction; only the inserts and commits are timed (each
chunk's parameters are built before). The rows are then deleted.

Backfill: ``api.backfill()`` (what ``microdegree_programs backfill`` runs: here a first backfill, with the
platform's tables on the plugin's database, which the database writes itself, docs/decisions/0041), in a fresh
child process on the same test database (the test's own SQLite file, or the MariaDB test database, passed as
``MICRODEGREE_TEST_DB_NAME`` as tests/test_concurrency.py does), so that its peak RSS (``VmHWM``) is the
backfill's alone; the child times the backfill itself, not its interpreter's start. As in an LMS, the work after
each batch's commit (signing, ``BADGE_AWARDED``, the degrees) is queued as a Celery task
(``MICRODEGREE_ASYNC_TASKS``), here to Kombu's filesystem broker in the test's temporary folder; the test checks
that every award issued was queued. The child's log (one INFO line per batch) goes to a file there.

Asserted: every row read, one learner course state per row with its grade and first pass, every award due issued
once (the count computed from the percents), and every award queued for its after-commit work. The speed and the
memory are printed, not asserted (machines are noisy).
"""
from __future__ import annotations

import base64
import json
import os
import subprocess
import sys
import time
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.db import connection, transaction
from lms.djangoapps.grades.models import PersistentCourseGrade

from microdegree_xblock import api
from microdegree_xblock.api.backfill import PLATFORM_GRADE_EVENT
from microdegree_xblock.catalog import parse_catalog
from microdegree_xblock.data import ACHIEVEMENT
from microdegree_xblock.models import Award, LearnerCourseState

ROOT = Path(__file__).resolve().parent.parent
ROWS_ENV = "MICRODEGREE_BENCH_ROWS"
SMALL_ROWS = 2_000
FULL_ROWS = 1_000_000
PROGRAMS = 10
PROGRAM_COURSES = 3
COURSES = [f"course-v1:Bench+P{n // PROGRAM_COURSES}C{n % PROGRAM_COURSES}+2024"
           for n in range(PROGRAMS * PROGRAM_COURSES)]
# Courses graded per learner: 1,000,000 rows are 100,000 learners.
PER_LEARNER = 10
TARGET_RATIO = 0.3
TARGET_RSS_MB = 200
CHUNK = 10_000
THRESHOLD = 0.7
PASSING = 0.5
GRADED = datetime(2021, 3, 4, 5, 6, 7, tzinfo=UTC)
PASSED = GRADED - timedelta(days=1)
PROCESS_AWARDS_TASK = "microdegree_xblock.tasks.process_awards"
# The child: Django first, then this module (its imports need the apps loaded).
CHILD = "import django; django.setup(); from tests.test_backfill_benchmark import child; child()"

# Peak RSS per size, for the line that compares them.
_PEAKS: dict[int, float] = {}


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """The sizes: small under ``make test``; a tenth of the full size and the full size under ``make bench``."""
    if "rows" not in metafunc.fixturenames:
        return
    bench = metafunc.config.getoption("benchmark_enable")
    top = int(os.environ.get(ROWS_ENV) or (FULL_ROWS if bench else SMALL_ROWS))
    sizes = sorted({max(PER_LEARNER, top // 10 // PER_LEARNER * PER_LEARNER), top}) if bench else [top]
    metafunc.parametrize("rows", sizes, ids=[f"{size}_rows" for size in sizes])


def _catalog() -> str:
    programs = "".join(
        f"  - id: scale-{n}\n    title: Scale {n}\n    issuers: [bench]\n    courses:\n" + "".join(
            f"      - {{key: \"{key}\", title: Course {key}, hours: 10, achievement_threshold: {THRESHOLD}}}\n"
            for key in COURSES[n * PROGRAM_COURSES:(n + 1) * PROGRAM_COURSES])
        for n in range(PROGRAMS))
    return ("issuers:\n  - {id: bench, name: Bench University, url: \"https://bench.example.org\", country: DE}\n"
            f"programs:\n{programs}")


def _graded(learners: int) -> Iterator[tuple[int, int]]:
    """(learner, course) of every grade, by index: ten courses in a row per learner, round by round."""
    for round_ in range(PER_LEARNER):
        for learner in range(learners):
            yield learner, (learner + round_) % len(COURSES)


def _percent(learner: int, course: int) -> float:
    """The learner's grade in the course: 0.300..0.999, spread over learners and courses."""
    return round(0.3 + ((learner * 37 + course * 101) % 700) / 1000, 3)


def _chunks(rows: Iterable[tuple], size: int = CHUNK) -> Iterator[list[tuple]]:
    chunk = []
    for row in rows:
        chunk.append(row)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def _insert_users(count: int) -> list[int]:
    """``count`` auth users, bulk-inserted (an unusable password, no hashing); their ids in order."""
    user = get_user_model()
    made = (user(username=f"bench{n}", email=f"bench{n}@example.org", password="!") for n in range(count))
    for chunk in _chunks(made, 5_000):
        user.objects.bulk_create(chunk)
    return list(user.objects.filter(username__startswith="bench").order_by("pk").values_list("pk", flat=True))


def _executemany(table: str, columns: tuple[str, ...], chunks: Iterable[list[tuple]]) -> float:
    """Insert the chunks, one transaction each; the seconds spent in the inserts and commits."""
    quote = connection.ops.quote_name
    sql = (f"INSERT INTO {quote(table)} ({', '.join(quote(c) for c in columns)}) "
           f"VALUES ({', '.join(['%s'] * len(columns))})")
    spent = 0.0
    for chunk in chunks:
        start = time.perf_counter()
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.executemany(sql, chunk)
        spent += time.perf_counter() - start
    return spent


def _grade_rows(user_ids: list[int]) -> Iterator[tuple]:
    """(learner, course, percent, passed, modified) of every grade."""
    for learner, course in _graded(len(user_ids)):
        percent = _percent(learner, course)
        yield (user_ids[learner], COURSES[course], percent, percent >= PASSING,
               GRADED + timedelta(seconds=learner * len(COURSES) + course))


def _insert_grades(user_ids: list[int]) -> None:
    """The LMS's persisted grades, bulk-inserted into the stand-in's ``PersistentCourseGrade`` table."""
    adapt = connection.ops.adapt_datetimefield_value
    now, passed = adapt(datetime.now(tz=UTC)), adapt(PASSED)
    rows = ((user_id, key, None, "v1", "h", percent, "Pass" if passing else "", passed if passing else None, now,
             adapt(modified)) for user_id, key, percent, passing, modified in _grade_rows(user_ids))
    _executemany(PersistentCourseGrade._meta.db_table,
                 ("user_id", "course_id", "course_edited_timestamp", "course_version", "grading_policy_hash",
                  "percent_grade", "letter_grade", "passed_timestamp", "created", "modified"), _chunks(rows))


def _raw_insert(user_ids: list[int]) -> float:
    """The baseline: the same rows inserted raw into the learner course state table (then deleted); seconds."""
    adapt = connection.ops.adapt_datetimefield_value
    now, passed = adapt(datetime.now(tz=UTC)), adapt(PASSED)
    rows = ((user_id, key, str(Decimal(repr(percent))), adapt(modified), PLATFORM_GRADE_EVENT, "",
             passed if passing else None, now) for user_id, key, percent, passing, modified in _grade_rows(user_ids))
    table = LearnerCourseState._meta.db_table
    seconds = _executemany(table, ("user_id", "course_key", "best_percent", "best_percent_at", "best_percent_event",
                                   "best_completion_event", "first_passed_at", "modified"), _chunks(rows))
    assert LearnerCourseState.objects.count() == len(user_ids) * PER_LEARNER
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {connection.ops.quote_name(table)}")
    return seconds


def _backfill_in_child(queue: Path, log: Path) -> dict:
    """Run the backfill in a fresh process on the test database; what it measured."""
    environ = {**os.environ, "DJANGO_SETTINGS_MODULE": "tests.settings", "PYTHONPATH": str(ROOT),
               "MICRODEGREE_TEST_DB_NAME": str(connection.settings_dict["NAME"])}
    with log.open("w", encoding="utf-8") as stderr:
        done = subprocess.run(  # noqa: S603 - our own module, our own arguments
            [sys.executable, "-c", CHILD, str(queue)], cwd=ROOT, env=environ, stdout=subprocess.PIPE,
            stderr=stderr, text=True, timeout=3600, check=False)
    if done.returncode:
        tail = log.read_text(encoding="utf-8", errors="replace")[-3000:]
        pytest.fail(f"the backfill process failed ({done.returncode}):\n{tail}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def _queued_award_pks(queue: Path) -> list[int]:
    """The award pks of every process_awards task the backfill queued."""
    pks: list[int] = []
    for message in queue.glob("*.msg"):
        envelope = json.loads(message.read_text(encoding="utf-8"))
        assert envelope["headers"]["task"] == PROCESS_AWARDS_TASK
        args, _kwargs, _embed = json.loads(base64.b64decode(envelope["body"]))
        pks += args[0]
    return pks


def _memory_mb(field: str) -> float:
    """A memory figure of this process from /proc/self/status, in MB (ru_maxrss where there is no /proc)."""
    try:
        for line in Path("/proc/self/status").read_text(encoding="utf-8").splitlines():
            if line.startswith(f"{field}:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    import resource  # pylint: disable=import-outside-toplevel

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def child() -> None:
    """In the child process: the backfill of every programme, after-commit work queued; its figures as JSON."""
    from celery import Celery  # pylint: disable=import-outside-toplevel
    from django.conf import settings  # pylint: disable=import-outside-toplevel

    queue = sys.argv[1]
    settings.MICRODEGREE_ASYNC_TASKS = True
    app = Celery("microdegree-bench", broker="filesystem://", set_as_current=True)
    app.conf.broker_transport_options = {"data_folder_in": queue, "data_folder_out": queue, "control_folder": queue}
    before = _memory_mb("VmRSS")
    start = time.perf_counter()
    report = api.backfill()
    seconds = time.perf_counter() - start
    print(json.dumps({"seconds": seconds, "rows": report.rows, "states": report.states, "awarded": report.awarded,
                      "errors": report.error_count, "unknown": report.unknown_users, "rss_before_mb": before,
                      "peak_rss_mb": _memory_mb("VmHWM")}))


@pytest.mark.django_db(transaction=True)
def test_bench_backfill_at_scale(rows, tmp_path, capsys):
    learners = rows // PER_LEARNER
    api.load_catalog(parse_catalog(_catalog()))
    user_ids = _insert_users(learners)
    _insert_grades(user_ids)
    expected = sum(_percent(learner, course) >= THRESHOLD for learner, course in _graded(learners))
    passing = sum(_percent(learner, course) >= PASSING for learner, course in _graded(learners))
    raw_seconds = _raw_insert(user_ids)
    queue = tmp_path / "queue"
    queue.mkdir()
    result = _backfill_in_child(queue, tmp_path / "backfill.log")

    assert (result["rows"], result["states"], result["errors"], result["unknown"]) == (rows, rows, 0, 0)
    assert result["awarded"] == expected > 0
    assert Award.objects.count() == Award.objects.filter(kind=ACHIEVEMENT).count() == expected
    assert LearnerCourseState.objects.count() == rows
    assert LearnerCourseState.objects.filter(first_passed_at=PASSED).count() == passing
    sample = learners // 2
    course = (sample + PER_LEARNER - 1) % len(COURSES)
    state = LearnerCourseState.objects.get(user_id=user_ids[sample], course_key=COURSES[course])
    assert state.best_percent == Decimal(repr(_percent(sample, course)))
    assert state.best_percent_event == PLATFORM_GRADE_EVENT
    assert state.best_percent_at == GRADED + timedelta(seconds=sample * len(COURSES) + course)
    assert sorted(_queued_award_pks(queue)) == sorted(Award.objects.values_list("pk", flat=True))

    raw_rate, rate = rows / raw_seconds, rows / result["seconds"]
    _PEAKS[rows] = result["peak_rss_mb"]
    lines = [
        f"backfill benchmark on {connection.vendor}: {rows:,} grade rows ({learners:,} learners, {PROGRAMS} "
        f"programmes), {expected:,} awards",
        f"  raw bulk insert   {raw_seconds:8.2f} s  {raw_rate:10,.0f} rows/s",
        f"  backfill          {result['seconds']:8.2f} s  {rate:10,.0f} rows/s  {rate / raw_rate:5.2f}x the raw "
        f"insert (target >= {TARGET_RATIO}x)",
        f"  backfill peak RSS {result['peak_rss_mb']:8.1f} MB (target < {TARGET_RSS_MB} MB; "
        f"{result['rss_before_mb']:.1f} MB before it began)",
    ]
    if len(_PEAKS) > 1:
        lines.append("  peak RSS by size: " + ", ".join(f"{size:,} rows {peak:.1f} MB"
                                                        for size, peak in sorted(_PEAKS.items())))
    with capsys.disabled():
        print("\n" + "\n".join(lines))
