"""
Scale benchmark of the reporting dashboard and the awards export (issue 12).

Under ``make test`` each runs once at a small size (1,000 awards), as a plain test of the same assertions. Under
``make bench`` (``--benchmark-enable``) the dashboard runs at 10,000 and 100,000 awards and the export at 100,000
and 1,000,000 award rows (``MICRODEGREE_BENCH_AWARDS=N`` and ``MICRODEGREE_BENCH_EXPORT_ROWS=N`` set the largest
sizes), and each prints its figures; the two sizes show what does not grow.

Set-up: ten programmes of four courses (``load_many_programs``), and the awards of ``tests.test_reporting
.build_awards``: about five per learner (participation confirmations, achievement records, one in 50 revoked, the
degree for one learner in five), spread over a year, all ``bulk_create``-d with their learners and learner course
states.

Dashboard: the number of queries of the page (asserted: the same at every size) and its time, as the median of
three runs, beside the time of one ``COUNT(*)`` of the awards (the baseline: the least any figure of them costs).
Export: the streamed CSV of every award, read to its end through the view; its rows are counted (asserted: one
per award), its time measured, and its peak memory traced by ``tracemalloc`` in a second pass (Python allocations:
what the export holds; a database driver's own C buffers are not traced, see ADR 37). The times are printed, not
asserted (machines are noisy).
"""
from __future__ import annotations

import os
import statistics
import time
import tracemalloc

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from microdegree_xblock.api import reporting
from microdegree_xblock.models import Award

from .conftest import load_many_programs
from .test_reporting import build_awards

pytestmark = pytest.mark.django_db

SMALL = 1_000
DASHBOARD_ENV, EXPORT_ENV = "MICRODEGREE_BENCH_AWARDS", "MICRODEGREE_BENCH_EXPORT_ROWS"
DASHBOARD_FULL, EXPORT_FULL = 100_000, 1_000_000
PROGRAMS = 10
# The page's queries: the session, the user, then the report's six (tests/test_reporting.py).
PAGE_QUERIES = 8
# What the export may hold at once, whatever the number of rows: a page of awards and one CSV line.
EXPORT_PEAK_LIMIT_MB = 32

_QUERIES: dict[int, int] = {}
_PEAKS: dict[int, float] = {}


def _sizes(metafunc: pytest.Metafunc, env: str, full: int) -> list[int]:
    top = int(os.environ.get(env) or (full if metafunc.config.getoption("benchmark_enable") else SMALL))
    return sorted({max(SMALL, top // 10), top}) if metafunc.config.getoption("benchmark_enable") else [top]


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """The sizes: small under ``make test``; a tenth of the full size and the full size under ``make bench``."""
    if "dashboard_awards" in metafunc.fixturenames:
        sizes = _sizes(metafunc, DASHBOARD_ENV, DASHBOARD_FULL)
        metafunc.parametrize("dashboard_awards", sizes, ids=[f"{size}_awards" for size in sizes])
    if "export_rows" in metafunc.fixturenames:
        sizes = _sizes(metafunc, EXPORT_ENV, EXPORT_FULL)
        metafunc.parametrize("export_rows", sizes, ids=[f"{size}_rows" for size in sizes])


@pytest.fixture
def staff_client(client):
    client.force_login(get_user_model().objects.create_user("bench-staff", is_staff=True))
    return client


def _median_seconds(call, runs: int = 3) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        call()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def _print(capsys, lines: list[str]) -> None:
    with capsys.disabled():
        print("\n" + "\n".join(lines))


def test_bench_dashboard_at_scale(dashboard_awards, staff_client, capsys):
    load_many_programs(PROGRAMS)
    start = time.perf_counter()
    made = build_awards(dashboard_awards, prefix="dash-")
    built = time.perf_counter() - start
    url = reverse("microdegree:reporting")

    with CaptureQueriesContext(connection) as captured:
        response = staff_client.get(url)
    queries = len(captured.captured_queries)  # now: the next request empties the connection's query log
    assert response.status_code == 200
    assert queries == PAGE_QUERIES
    _QUERIES[made] = queries
    report = reporting.get_report(reporting.ReportFilters())
    assert sum(sum(p.total.valid.values()) + sum(p.total.revoked.values()) for p in report.programs) == made

    baseline = _median_seconds(Award.objects.count)
    figures = _median_seconds(lambda: reporting.get_report(reporting.ReportFilters()))
    page = _median_seconds(lambda: staff_client.get(url))
    lines = [
        f"reporting dashboard on {connection.vendor}: {made:,} awards in {PROGRAMS} programmes "
        f"(built in {built:.1f} s)",
        f"  queries of the page     {queries:8d}  (the report's 6, the session and the user)",
        f"  COUNT(*) of the awards  {baseline * 1e3:8.1f} ms  (baseline)",
        f"  api.get_report          {figures * 1e3:8.1f} ms  {figures / baseline:6.1f}x the baseline",
        f"  the page                {page * 1e3:8.1f} ms  {page / baseline:6.1f}x the baseline",
    ]
    if len(_QUERIES) > 1:
        lines.append("  queries by size: " + ", ".join(f"{size:,} awards {count}"
                                                       for size, count in sorted(_QUERIES.items())))
    _print(capsys, lines)


def _read_to_the_end(staff_client) -> tuple[int, int]:
    """The export, read through the view to its end: (lines, bytes)."""
    response = staff_client.get(reverse("microdegree:reporting-awards-csv"))
    assert response.status_code == 200 and response.streaming
    lines = size = 0
    for chunk in response.streaming_content:
        lines += chunk.count(b"\n")
        size += len(chunk)
    return lines, size


def test_bench_awards_export_memory(export_rows, staff_client, capsys):
    load_many_programs(PROGRAMS)
    start = time.perf_counter()
    made = build_awards(export_rows, prefix="export-")
    built = time.perf_counter() - start

    start = time.perf_counter()
    lines, size = _read_to_the_end(staff_client)
    seconds = time.perf_counter() - start
    assert lines == made + 1  # the header, then one line per award

    tracemalloc.start()
    try:
        before, _peak = tracemalloc.get_traced_memory()
        tracemalloc.reset_peak()
        assert _read_to_the_end(staff_client)[0] == lines
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    peak_mb = (peak - before) / 1e6
    _PEAKS[made] = peak_mb
    assert peak_mb < EXPORT_PEAK_LIMIT_MB

    lines_out = [
        f"awards export on {connection.vendor}: {made:,} award rows, {size / 1e6:,.1f} MB of CSV "
        f"(built in {built:.1f} s)",
        f"  streamed in {seconds:8.2f} s  {made / seconds:10,.0f} rows/s (pages of {reporting.EXPORT_PAGE:,})",
        f"  peak traced memory {peak_mb:6.2f} MB (tracemalloc, the second pass; limit {EXPORT_PEAK_LIMIT_MB} MB)",
    ]
    if len(_PEAKS) > 1:
        lines_out.append("  peak by size: " + ", ".join(f"{rows:,} rows {mb:.2f} MB"
                                                        for rows, mb in sorted(_PEAKS.items())))
    _print(capsys, lines_out)
