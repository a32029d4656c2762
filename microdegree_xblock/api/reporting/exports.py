"""
The CSV exports: every award of the filters, read in pages (constant memory, any size), and the funnel.

The columns are documented in the README ("Reporting"); ADR 37 says why they hold no more personal data than the
admin's list of awards shows (the learner's user id and username, no email, no name, no grades).
"""
from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

from ...models import Award
from .figures import FUNNEL_STEPS, Report
from .filters import ReportFilters, in_period

__all__ = ["AWARD_CSV_COLUMNS", "EXPORT_PAGE", "FUNNEL_CSV_COLUMNS", "award_csv_rows", "funnel_csv_rows"]

AWARD_CSV_COLUMNS: tuple[str, ...] = (
    "award_id", "kind", "program_id", "course_key", "user_id", "username", "issued_at", "revoked_at",
)
FUNNEL_CSV_COLUMNS: tuple[str, ...] = (
    "program_id", "program_title", "courses", *(f"learners_{step}" for step in FUNNEL_STEPS),
    "degrees_timed", "median_days_first_record_to_degree",
)
# Awards read per query by the exports (keyset pages: constant memory whatever the database driver buffers).
EXPORT_PAGE = 2_000
# A spreadsheet runs a cell that starts with one of these as a formula (CSV injection): such cells get a "'".
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _cell(value: Any) -> str:
    """A CSV cell: ISO 8601 for moments (UTC), text otherwise; a would-be formula is quoted."""
    if value is None:
        return ""
    text = value.astimezone(UTC).isoformat() if isinstance(value, datetime) else str(value)
    return f"'{text}" if text.startswith(_FORMULA_START) else text


def award_csv_rows(filters: ReportFilters, *, page_size: int = EXPORT_PAGE) -> Iterator[list[str]]:
    """
    The awards export: the header (``AWARD_CSV_COLUMNS``), then one row per award of the filters, oldest first.

    A generator: the awards are read in pages of ``page_size`` rows by primary key (keyset pagination, one query a
    page), so memory stays constant for any number of awards and on every database, including MySQL, whose
    drivers buffer a whole result set (``QuerySet.iterator`` streams only where the driver does).
    """
    yield list(AWARD_CSV_COLUMNS)
    awards = (Award.objects.filter(in_period(filters)).order_by("pk")
              .values_list("pk", "uuid", "kind", "program__slug", "course_key", "user_id", "user__username",
                           "issued_at", "revoked_at"))
    last = 0
    while True:
        page = list(awards.filter(pk__gt=last)[:page_size])
        for row in page:
            yield [_cell(value) for value in row[1:]]
        if len(page) < page_size:
            return
        last = page[-1][0]


def funnel_csv_rows(report: Report) -> Iterator[list[str]]:
    """The funnel export of a report: the header (``FUNNEL_CSV_COLUMNS``), then one row per program."""
    yield list(FUNNEL_CSV_COLUMNS)
    for program in report.programs:
        median = program.median_to_degree
        yield [_cell(program.program_id), _cell(program.title), str(len(program.courses)),
               *(str(step.learners) for step in program.funnel), str(program.degrees_timed),
               f"{median.total_seconds() / 86400:.1f}" if median is not None else ""]
