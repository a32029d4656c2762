"""
Reporting for platform admins: what the plugin has issued, per program, course and month; the funnel; the exports.

=============  ======================================================================================
``filters``    what a report covers (program, period), read from GET parameters and checked
``figures``    the dashboard's figures, aggregated by the database: six queries whatever the awards
``exports``    the CSV exports: every award, read in pages of a fixed size (constant memory), the funnel
=============  ======================================================================================

See docs/decisions/0037-admin-dashboard-and-exports.rst. Callers import the names below (soon from ``api``).
"""
from __future__ import annotations

from .exports import AWARD_CSV_COLUMNS, EXPORT_PAGE, FUNNEL_CSV_COLUMNS, award_csv_rows, funnel_csv_rows
from .figures import (
    COURSE_KINDS,
    FUNNEL_STEPS,
    REPORTED_KINDS,
    CourseReport,
    FunnelStep,
    KindCounts,
    ProgramReport,
    Report,
    get_report,
    program_choices,
)
from .filters import EARLIEST, LATEST, ReportFilters, read_report_filters

__all__ = [
    "AWARD_CSV_COLUMNS", "COURSE_KINDS", "EARLIEST", "EXPORT_PAGE", "FUNNEL_CSV_COLUMNS", "FUNNEL_STEPS", "LATEST",
    "REPORTED_KINDS", "CourseReport", "FunnelStep", "KindCounts", "ProgramReport", "Report", "ReportFilters",
    "award_csv_rows", "funnel_csv_rows", "get_report", "program_choices", "read_report_filters",
]
