"""
What a report covers: the filters read from GET parameters, checked, and the awards they select.
"""
from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from ...models import Program

__all__ = ["EARLIEST", "LATEST", "ReportFilters", "in_period", "read_report_filters"]

# The dates a filter may name: wide enough for any platform, narrow enough that no bound overflows a database.
EARLIEST = date(1900, 1, 1)
LATEST = date(2999, 12, 31)
_SLUG = re.compile(r"^[-a-zA-Z0-9_]{1,64}$")
_DATE = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")  # fromisoformat alone takes week dates and more


@dataclass(frozen=True)
class ReportFilters:
    """
    What a report covers: one program or all, and the dates awards were issued on (local dates, both included).

    Attributes:
        program_id (str): a program's slug; empty for every program.
        start (date | None): the first day, or None for no lower bound.
        end (date | None): the last day, or None for no upper bound.
    """

    program_id: str = ""
    start: date | None = None
    end: date | None = None

    def as_params(self) -> dict[str, str]:
        """The filters as the GET parameters that give them (empty ones left out)."""
        values = {"program": self.program_id, "start": self.start.isoformat() if self.start else "",
                  "end": self.end.isoformat() if self.end else ""}
        return {name: value for name, value in values.items() if value}




def read_report_filters(params: Mapping[str, str]) -> tuple[ReportFilters, list[str]]:
    """
    The filters the GET parameters ``program``, ``start`` and ``end`` (``YYYY-MM-DD``) name, and what is wrong.

    Empty parameters mean no filter. One query, when a program is named (does it exist?).

    Returns:
        The filters (a wrong value left out) and one translated message per wrong value; none when all is well.
    """
    problems: list[str] = []
    program_id = (params.get("program") or "").strip()
    if program_id and not (_SLUG.match(program_id) and Program.objects.filter(slug=program_id).exists()):
        problems.append(_("There is no program with the id “%(id)s”.") % {"id": program_id[:64]})
        program_id = ""
    dates: dict[str, date | None] = {}
    for name, label in (("start", _("From")), ("end", _("To"))):
        text = (params.get(name) or "").strip()
        dates[name] = None
        if not text:
            continue
        try:
            value = date.fromisoformat(text) if _DATE.match(text) else None
        except ValueError:
            value = None
        if value is None or not EARLIEST <= value <= LATEST:
            problems.append(_("%(field)s: enter a date as YYYY-MM-DD, between %(earliest)s and %(latest)s.") % {
                "field": label, "earliest": EARLIEST.isoformat(), "latest": LATEST.isoformat()})
        else:
            dates[name] = value
    start, end = dates["start"], dates["end"]
    if start and end and start > end:
        problems.append(_("The first day of the period is after its last day."))
        start = end = None
    return ReportFilters(program_id=program_id, start=start, end=end), problems


def _moment(day: date) -> datetime:
    """The first moment of a local day, in the platform's time zone."""
    return timezone.make_aware(datetime.combine(day, time.min), timezone.get_current_timezone())


def in_period(filters: ReportFilters, *, start: bool = True) -> Q:
    """The awards of the program filtered, issued in the period (from its start too unless ``start`` is False)."""
    condition = Q()
    if filters.program_id:
        condition &= Q(program__slug=filters.program_id)
    if start and filters.start:
        condition &= Q(issued_at__gte=_moment(filters.start))
    if filters.end:
        condition &= Q(issued_at__lt=_moment(filters.end + timedelta(days=1)))
    return condition
