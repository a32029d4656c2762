"""
The reporting pages for platform admins (staff only): the dashboard and its two CSV exports.

Each view reads the filters from the GET parameters (``program``, ``start``, ``end``) through the api, answers a
wrong value with ``400`` and a message naming it, and asks the api for the figures: the dashboard a constant
number of queries, the exports a generator that reads the awards page by page while the response streams
(docs/decisions/0037-admin-dashboard-and-exports.rst). Staff only: anyone else is sent to the admin's sign-in.
"""
from __future__ import annotations

import csv
from collections.abc import Iterable, Iterator
from datetime import date
from typing import Any
from urllib.parse import urlencode

from django.contrib.admin.views.decorators import staff_member_required
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.urls import reverse
from django.utils import formats
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from .. import api
from ..labels import kind_label
from ..resources import render_template
from .charts import bar_chart, column_chart

__all__ = ["reporting_awards_csv", "reporting_dashboard", "reporting_funnel_csv"]


def _step_labels() -> dict[str, str]:
    return {
        "progress": _("Learners with any progress"),
        "one_record": _("With at least one achievement record"),
        "half_the_courses": _("With records in half the courses"),
        "all_but_one": _("With records in all courses but one"),
        "degree": _("With the micro-degree"),
    }


def _headers(kinds: Iterable[str]) -> list[str]:
    """The column headers of a counts table: each kind, then its revoked ones."""
    headers = []
    for kind in kinds:
        label = str(kind_label(kind))
        headers += [label, _("%(kind)s, revoked") % {"kind": label}]
    return headers


def _cells(counts: api.KindCounts, kinds: Iterable[str]) -> list[int]:
    return [value for kind in kinds for value in (counts.valid.get(kind, 0), counts.revoked.get(kind, 0))]


def _month_label(month: date) -> str:
    return formats.date_format(month, "YEAR_MONTH_FORMAT")


def _monthly_chart(chart_id: str, program: api.ProgramReport, months: list[date]) -> SafeString:
    series = [(str(kind_label(kind)), [program.by_month.get(month, api.KindCounts()).valid.get(kind, 0)
                                       for month in months]) for kind in api.REPORTED_KINDS]
    svg = column_chart(
        chart_id=chart_id, title=_("Awards issued per month: %(program)s") % {"program": program.title},
        description=_("Stacked columns, one per month from %(first)s to %(last)s: the awards issued and not revoked, "
                      "by kind. The table below gives the same figures.") % {
            "first": _month_label(months[0]) if months else "", "last": _month_label(months[-1]) if months else ""},
        categories=[month.strftime("%Y-%m") for month in months], series=series)
    return mark_safe(svg)  # noqa: S308 - charts escapes every text it draws


def _funnel_chart(chart_id: str, program: api.ProgramReport, labels: dict[str, str]) -> SafeString:
    svg = bar_chart(
        chart_id=chart_id, title=_("How far learners got: %(program)s") % {"program": program.title},
        description=_("Horizontal bars, one per step towards the micro-degree, top down: the learners who reached "
                      "it. The table below gives the same figures."),
        bars=[(labels[step.step], step.learners) for step in program.funnel])
    return mark_safe(svg)  # noqa: S308 - charts escapes every text it draws


def _median_text(program: api.ProgramReport) -> str:
    if program.median_to_degree is None:
        return _("No micro-degree in the period follows an achievement record of this program.")
    days = formats.number_format(program.median_to_degree.total_seconds() / 86400, decimal_pos=1)
    return ngettext(
        "Median time from the first achievement record to the micro-degree: %(days)s days (%(count)d degree).",
        "Median time from the first achievement record to the micro-degree: %(days)s days (%(count)d degrees).",
        program.degrees_timed) % {"days": days, "count": program.degrees_timed}


def _program_context(n: int, program: api.ProgramReport, months: list[date], labels: dict[str, str]) -> dict[str, Any]:
    first = program.funnel[0].learners if program.funnel else 0
    return {
        "id": program.program_id, "title": program.title, "anchor": f"program-{n}",
        "total": _cells(program.total, api.REPORTED_KINDS),
        "months": [{"label": _month_label(month),
                    "cells": _cells(program.by_month.get(month, api.KindCounts()), api.REPORTED_KINDS)}
                   for month in months],
        "courses": [{"key": course.course_key, "title": course.title, "cells": _cells(course.total, api.COURSE_KINDS)}
                    for course in program.courses],
        "funnel": [{"label": labels[step.step], "learners": step.learners,
                    "share": formats.number_format(100 * step.learners / first, decimal_pos=0) if first else ""}
                   for step in program.funnel],
        "median": _median_text(program),
        "monthly_chart": _monthly_chart(f"months-{n}", program, months) if months else "",
        "funnel_chart": _funnel_chart(f"funnel-{n}", program, labels),
    }


def _download_urls(filters: api.ReportFilters) -> dict[str, str]:
    query = urlencode(filters.as_params())
    suffix = f"?{query}" if query else ""
    return {"awards_csv_url": reverse("microdegree:reporting-awards-csv") + suffix,
            "funnel_csv_url": reverse("microdegree:reporting-funnel-csv") + suffix}


def _dashboard_context(report: api.Report) -> dict[str, Any]:
    labels = _step_labels()
    return {
        "report": report,
        "kind_headers": _headers(api.REPORTED_KINDS), "course_headers": _headers(api.COURSE_KINDS),
        "summary": [{"title": program.title, "anchor": f"program-{n}",
                     "cells": _cells(program.total, api.REPORTED_KINDS)}
                    for n, program in enumerate(report.programs)],
        "total": _cells(report.total, api.REPORTED_KINDS),
        "programs": [_program_context(n, program, report.months, labels) for n, program in enumerate(report.programs)],
        **_download_urls(report.filters),
    }


@require_safe
@never_cache
@staff_member_required
def reporting_dashboard(request: HttpRequest) -> HttpResponse:
    """
    The dashboard: awards per program, course and month, the funnel, the median time to a degree.

    Charts and tables of the same figures, for the program and period the GET parameters name; a wrong parameter
    is answered ``400`` with the form and a message naming it.
    """
    filters, problems = api.read_report_filters(request.GET)
    context: dict[str, Any] = {
        "problems": problems, "filters": filters, "api.program_choices": api.program_choices() if problems else None,
        "admin_url": reverse("admin:index"),
    }
    if not problems:
        report = api.get_report(filters)
        context.update(_dashboard_context(report), program_choices=report.program_choices)
    return HttpResponse(render_template("microdegree/dashboard.html", context), status=400 if problems else 200)


class _Echo:
    """A file that gives back what is written to it: ``csv.writer`` then formats one row at a time."""

    def write(self, value: str) -> str:
        """The formatted row."""
        return value


# CSV lines sent per chunk of the response: a few hundred kB, not one write to the client per row.
_LINES_PER_CHUNK = 500


def _chunks(rows: Iterator[list[str]]) -> Iterator[str]:
    writer = csv.writer(_Echo())
    lines: list[str] = []
    for row in rows:
        lines.append(writer.writerow(row))
        if len(lines) == _LINES_PER_CHUNK:
            yield "".join(lines)
            lines = []
    if lines:
        yield "".join(lines)


def _csv(rows: Iterator[list[str]], filename: str) -> StreamingHttpResponse:
    response = StreamingHttpResponse(_chunks(rows), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["X-Content-Type-Options"] = "nosniff"
    return response


def _refused(problems: list[str]) -> HttpResponse:
    return HttpResponse("\n".join(problems) + "\n", status=400, content_type="text/plain; charset=utf-8")


@require_safe
@never_cache
@staff_member_required
def reporting_awards_csv(request: HttpRequest) -> HttpResponse | StreamingHttpResponse:
    """Every award of the filters as CSV (columns: ``api.reporting.AWARD_CSV_COLUMNS``), streamed page by page."""
    filters, problems = api.read_report_filters(request.GET)
    if problems:
        return _refused(problems)
    return _csv(api.award_csv_rows(filters), "microdegree-awards.csv")


@require_safe
@never_cache
@staff_member_required
def reporting_funnel_csv(request: HttpRequest) -> HttpResponse | StreamingHttpResponse:
    """The funnel of every program of the filters as CSV (columns: ``api.reporting.FUNNEL_CSV_COLUMNS``)."""
    filters, problems = api.read_report_filters(request.GET)
    if problems:
        return _refused(problems)
    return _csv(api.funnel_csv_rows(api.get_report(filters)), "microdegree-funnel.csv")
