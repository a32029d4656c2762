"""
The reporting dashboard and its CSV exports (issue 12): figures, queries, filters, staff only, streaming, charts.

The awards are real rows: a few earned through real grade events, the rest bulk-inserted (``build_awards``, shared
with tests/test_reporting_benchmark.py). The pages are reached at their addresses in the plugin's URLconf.
"""
from __future__ import annotations

import ast
import csv
import io
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from microdegree_xblock import api
from microdegree_xblock.api import reporting
from microdegree_xblock.models import Award, LearnerCourseState, Program, ProgramCourse
from microdegree_xblock.views import charts

from .conftest import BASICS, VET

pytestmark = pytest.mark.django_db

START = datetime(2025, 1, 1, 9, tzinfo=UTC)
CHUNK = 5_000


def _chunks(items, size=CHUNK):
    chunk = []
    for item in items:
        chunk.append(item)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def build_awards(awards: int, *, programs: list[str] | None = None, prefix: str = "reporting-") -> int:
    """
    About ``awards`` awards (bulk-inserted), with their learners and learner course states; the awards made.

    Learner ``i`` is in program ``i % len(programs)``; of its ``n`` courses they hold ``i % (n + 1)`` achievement
    records (one more participation confirmation, at most ``n``), and the degree with all ``n``; one achievement
    record in 50 is revoked. The awards are spread over a year from ``START``: about five per learner.
    """
    slugs = programs or list(Program.objects.order_by("slug").values_list("slug", flat=True))
    pks = dict(Program.objects.filter(slug__in=slugs).values_list("slug", "pk"))
    courses = {slug: [str(key) for key in ProgramCourse.objects.filter(program_id=pks[slug])
                      .order_by("order", "id").values_list("course_key", flat=True)] for slug in slugs}
    user = get_user_model()
    learners = max(1, awards // 5)
    for chunk in _chunks(user(username=f"{prefix}{i}", password="!") for i in range(learners)):
        user.objects.bulk_create(chunk)
    user_pks = list(user.objects.filter(username__startswith=prefix).order_by("pk").values_list("pk", flat=True))

    def rows():
        for i, user_pk in enumerate(user_pks):
            slug = slugs[i % len(slugs)]
            keys = courses[slug]
            records = i % (len(keys) + 1)
            first = START + timedelta(days=(i * 37) % 300, hours=i % 24)
            for c, key in enumerate(keys[:min(len(keys), records + 1)]):
                yield LearnerCourseState(user_id=user_pk, course_key=key, best_percent=Decimal("0.9"))
                yield Award(user_id=user_pk, program_id=pks[slug], course_key=key, kind="participation",
                            issued_at=first + timedelta(days=20 * c), evidence_value=Decimal("0.9"),
                            evidence_threshold=Decimal("0.5"))
            for c, key in enumerate(keys[:records]):
                yield Award(user_id=user_pk, program_id=pks[slug], course_key=key, kind="achievement",
                            issued_at=first + timedelta(days=20 * c + 1), evidence_value=Decimal("0.9"),
                            evidence_threshold=Decimal("0.5"),
                            revoked_at=first + timedelta(days=90) if (i + c) % 50 == 0 else None)
            if records == len(keys):
                yield Award(user_id=user_pk, program_id=pks[slug], course_key="", kind="degree",
                            issued_at=first + timedelta(days=20 * records + i % 30))

    made = 0
    for chunk in _chunks(rows()):
        states = [row for row in chunk if isinstance(row, LearnerCourseState)]
        LearnerCourseState.objects.bulk_create(states)
        made += len(Award.objects.bulk_create([row for row in chunk if isinstance(row, Award)]))
    return made


@pytest.fixture
def staff(db):  # pylint: disable=unused-argument
    return get_user_model().objects.create_user("staff", "staff@example.org", "pw", is_staff=True)


@pytest.fixture
def staff_client(client, staff):
    client.force_login(staff)
    return client


def _queries(call):
    with CaptureQueriesContext(connection) as captured:
        result = call()
    return len(captured.captured_queries), result


def _csv_rows(response):
    assert response.streaming
    text = b"".join(response.streaming_content).decode("utf-8")
    return list(csv.reader(io.StringIO(text)))


# ---------------------------------------------------------------------------------------------------------------
# The figures


@pytest.fixture
def earned(catalog, learner, other_learner, earn):
    """Anna: two AI_VET records (one revoked later); Ben: one; both with participation from completion aside."""
    earn(learner, VET[0], 0.9)
    earn(learner, VET[1], 0.9)
    earn(other_learner, VET[0], 0.95)
    earn(other_learner, BASICS, 0.2)  # progress in Dr. med. KI, no award
    record = Award.objects.get(user=learner, course_key=VET[1], kind="achievement")
    api.revoke_award(award_id=record.uuid, reason="test")
    return record


def test_counts_per_program_course_and_month_with_revoked_ones_apart(earned):
    report = reporting.get_report(reporting.ReportFilters())
    vet = next(p for p in report.programs if p.program_id == "ai-vet")
    assert vet.total.valid.get("achievement") == 2 and vet.total.revoked.get("achievement") == 1
    by_course = {course.course_key: course.total for course in vet.courses}
    assert by_course[VET[0]].valid["achievement"] == 2
    assert by_course[VET[1]].revoked["achievement"] == 1 and by_course[VET[1]].valid["achievement"] == 0
    assert [c.course_key for c in vet.courses] == VET  # every course, in order, awards or not
    month = earned.issued_at.date().replace(day=1)
    assert report.months == [month]
    assert vet.by_month[month].valid["achievement"] == 2
    assert report.total.valid["achievement"] == 2 and report.total.revoked["achievement"] == 1


def test_funnel_and_median(catalog):
    build_awards(200, programs=["ai-vet"])
    report = reporting.get_report(reporting.ReportFilters(program_id="ai-vet"))
    (vet,) = report.programs
    learners = 40  # 200 // 5, records = i % 5, one record in 50 revoked
    awards = Award.objects.filter(program__slug="ai-vet", revoked_at__isnull=True)
    records = {}
    for user_id in awards.filter(kind="achievement").values_list("user_id", flat=True):
        records[user_id] = records.get(user_id, 0) + 1
    degrees = set(awards.filter(kind="degree").values_list("user_id", flat=True))

    def reached(needed):
        return len({u for u, n in records.items() if n >= needed} | degrees)
    assert [(step.step, step.learners) for step in vet.funnel] == [
        ("progress", learners), ("one_record", reached(1)), ("half_the_courses", reached(2)),
        ("all_but_one", reached(3)), ("degree", len(degrees))]
    assert len(degrees) == 8

    times = sorted(
        degree.issued_at - Award.objects.filter(user_id=degree.user_id, kind="achievement").order_by("issued_at")
        .first().issued_at for degree in awards.filter(kind="degree"))
    assert vet.degrees_timed == len(times)
    assert vet.median_to_degree == (times[3] + times[4]) / 2  # eight degrees: the mean of the middle two


def test_median_of_an_odd_number_of_degrees(catalog):
    build_awards(3 * 5 * 5, programs=["ai-vet"])  # 15 learners, of whom 3 hold the degree
    (vet,) = reporting.get_report(reporting.ReportFilters(program_id="ai-vet")).programs
    times = sorted(degree.issued_at - Award.objects.filter(user_id=degree.user_id, kind="achievement")
                   .order_by("issued_at").first().issued_at for degree in Award.objects.filter(kind="degree"))
    assert len(times) == vet.degrees_timed == 3
    assert vet.median_to_degree == times[1]


def test_date_range_limits_the_counts_and_the_funnel_stands_at_its_end(catalog):
    build_awards(200, programs=["ai-vet"])
    end = date(2025, 3, 31)
    report = reporting.get_report(reporting.ReportFilters(start=date(2025, 2, 1), end=end))
    vet = next(p for p in report.programs if p.program_id == "ai-vet")
    in_range = Award.objects.filter(issued_at__gte=datetime(2025, 2, 1, tzinfo=UTC),
                                    issued_at__lt=datetime(2025, 4, 1, tzinfo=UTC))
    assert sum(vet.total.valid.values()) + sum(vet.total.revoked.values()) == in_range.count()
    assert set(report.months) <= {date(2025, 2, 1), date(2025, 3, 1)}
    degrees_by_end = Award.objects.filter(kind="degree", issued_at__lt=datetime(2025, 4, 1, tzinfo=UTC)).count()
    assert vet.funnel[-1].learners == degrees_by_end


@pytest.mark.parametrize("awards", [50, 1_000])
def test_constant_number_of_queries(catalog, awards, staff_client, django_assert_num_queries):
    build_awards(awards)
    assert Award.objects.count() > awards // 2
    with django_assert_num_queries(6):
        reporting.get_report(reporting.ReportFilters())
    with django_assert_num_queries(7):  # the program filter checks that the program exists
        filters, problems = reporting.read_report_filters({"program": "ai-vet", "start": "2025-01-01"})
        assert not problems
        reporting.get_report(filters)
    count, response = _queries(lambda: staff_client.get(reverse("microdegree:reporting")))
    assert response.status_code == 200
    assert count == 6 + 2  # the session and the user


# ---------------------------------------------------------------------------------------------------------------
# The dashboard


def test_dashboard_shows_charts_and_the_same_figures_in_tables(earned, staff_client):
    response = staff_client.get(reverse("microdegree:reporting"))
    assert response.status_code == 200
    body = response.content.decode()
    assert body.count('<svg xmlns="http://www.w3.org/2000/svg" class="chart"') == 4  # months and funnel, twice
    assert 'role="img"' in body and 'aria-labelledby="months-0-title months-0-desc"' in body
    assert "<script" not in body
    assert "AI_VET" in body and "Dr. med. KI" in body
    assert "Learners with any progress" in body and "<td>2</td>" in body
    assert reverse("microdegree:reporting-awards-csv") in body


@pytest.mark.parametrize("params, message", [
    ({"program": "nope"}, "There is no program with the id"),
    ({"program": "<script>"}, "There is no program with the id"),
    ({"program": "x" * 5000}, "There is no program with the id"),
    ({"start": "2025-02-30"}, "enter a date as YYYY-MM-DD"),
    ({"start": "yesterday"}, "enter a date as YYYY-MM-DD"),
    ({"end": "0001-01-01"}, "between 1900-01-01 and 2999-12-31"),
    ({"end": "9999-12-31"}, "between 1900-01-01 and 2999-12-31"),
    ({"end": "20250101"}, "enter a date as YYYY-MM-DD"),
    ({"end": "2025-W01-1"}, "enter a date as YYYY-MM-DD"),
    ({"end": "2025-01-01T00:00"}, "enter a date as YYYY-MM-DD"),
    ({"start": "\u0662\u0660\u0662\u0665-01-01"}, "enter a date as YYYY-MM-DD"),
    ({"start": "2025-03-01", "end": "2025-02-01"}, "The first day of the period is after its last day."),
])
def test_bad_filters_get_a_clear_message_never_a_500(catalog, staff_client, params, message):
    for name in ("reporting", "reporting-awards-csv", "reporting-funnel-csv"):
        response = staff_client.get(reverse(f"microdegree:{name}"), params)
        assert response.status_code == 400, name
        assert message in response.content.decode(), name
    assert "<script>" not in staff_client.get(reverse("microdegree:reporting"), params).content.decode()


def test_filters_are_kept_in_the_form_and_the_download_links(catalog, staff_client):
    response = staff_client.get(reverse("microdegree:reporting"),
                                {"program": "ai-vet", "start": "2025-01-01", "end": "2025-06-30"})
    body = response.content.decode()
    assert '<option value="ai-vet" selected>' in body
    assert 'value="2025-01-01"' in body and 'value="2025-06-30"' in body
    assert "awards.csv?program=ai-vet&amp;start=2025-01-01&amp;end=2025-06-30" in body
    assert "Dr. med. KI</a>" not in body  # one program shown


@pytest.mark.parametrize("name", ["reporting", "reporting-awards-csv", "reporting-funnel-csv"])
def test_staff_only(catalog, client, learner, staff, name):
    url = reverse(f"microdegree:{name}")
    assert client.get(url).status_code == 302  # anonymous: to the admin's sign-in
    client.force_login(learner)
    response = client.get(url)
    assert response.status_code == 302 and response["Location"].startswith(reverse("admin:login"))
    client.force_login(staff)
    assert client.get(url).status_code == 200
    assert client.post(url).status_code == 405


def test_admin_index_links_to_the_dashboard(client):
    root = get_user_model().objects.create_superuser("root", "root@example.org", "pw")
    client.force_login(root)
    index = client.get(reverse("admin:index")).content.decode()
    link = reverse("admin:microdegree_reporting_changelist")
    assert f'href="{link}"' in index and "Reporting dashboard" in index
    response = client.get(link)
    assert response.status_code == 302 and response["Location"] == reverse("microdegree:reporting")


# ---------------------------------------------------------------------------------------------------------------
# The exports


def test_awards_export_streams_the_database_rows(catalog, staff_client):
    build_awards(1_200)
    response = staff_client.get(reverse("microdegree:reporting-awards-csv"))
    assert response.status_code == 200 and response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="microdegree-awards.csv"'
    assert response.streaming and not hasattr(response, "content")
    chunks = list(response.streaming_content)  # read while it streams: lines in chunks of 500
    assert len(chunks) == Award.objects.count() // 500 + 1 > 2
    header, *rows = list(csv.reader(io.StringIO(b"".join(chunks).decode("utf-8"))))
    assert header == list(reporting.AWARD_CSV_COLUMNS)
    expected = [[str(a.uuid), a.kind, a.program.slug, str(a.course_key or ""), str(a.user_id), a.user.username,
                 a.issued_at.isoformat(), a.revoked_at.isoformat() if a.revoked_at else ""]
                for a in Award.objects.select_related("program", "user").order_by("pk")]
    assert rows == expected and len(rows) > 1_000


def test_awards_export_reads_in_pages_and_applies_the_filters(catalog):
    build_awards(300)
    everything = list(reporting.award_csv_rows(reporting.ReportFilters()))
    count, paged = _queries(lambda: list(reporting.award_csv_rows(reporting.ReportFilters(), page_size=7)))
    assert paged == everything
    assert count == (len(everything) - 1) // 7 + 1  # one query a page
    filters = reporting.ReportFilters(program_id="ai-vet", start=date(2025, 3, 1), end=date(2025, 3, 31))
    _header, *rows = reporting.award_csv_rows(filters)
    expected = Award.objects.filter(program__slug="ai-vet", issued_at__gte=datetime(2025, 3, 1, tzinfo=UTC),
                                    issued_at__lt=datetime(2025, 4, 1, tzinfo=UTC))
    assert sorted(row[0] for row in rows) == sorted(str(u) for u in expected.values_list("uuid", flat=True))
    assert rows and all(row[2] == "ai-vet" and row[6].startswith("2025-03") for row in rows)


def test_awards_export_holds_no_more_personal_data_than_the_admin_list(catalog, learner, earn, staff_client):
    earn(learner, VET[0], 0.9)
    _header, row = _csv_rows(staff_client.get(reverse("microdegree:reporting-awards-csv")))
    assert learner.email not in row and "Schmidt" not in row and "0.9" not in "".join(row)
    assert str(learner.pk) in row and learner.username in row


def test_a_cell_a_spreadsheet_would_run_is_quoted(catalog, learner, earn, staff_client):
    learner.username = "=HYPERLINK(1)"
    learner.save()
    earn(learner, VET[0], 0.9)
    _header, row = _csv_rows(staff_client.get(reverse("microdegree:reporting-awards-csv")))
    assert "'=HYPERLINK(1)" in row


def test_funnel_export(catalog, staff_client):
    build_awards(200, programs=["ai-vet"])
    report = reporting.get_report(reporting.ReportFilters())
    response = staff_client.get(reverse("microdegree:reporting-funnel-csv"))
    header, *rows = _csv_rows(response)
    assert header == list(reporting.FUNNEL_CSV_COLUMNS)
    vet = next(p for p in report.programs if p.program_id == "ai-vet")
    row = next(r for r in rows if r[0] == "ai-vet")
    assert row[:3] == ["ai-vet", "AI_VET", "4"]
    assert row[3:8] == [str(step.learners) for step in vet.funnel]
    assert row[8] == str(vet.degrees_timed)
    assert float(row[9]) == pytest.approx(vet.median_to_degree.total_seconds() / 86400, abs=0.05)
    assert next(r for r in rows if r[0] == "dr-med-ki")[3:] == ["0", "0", "0", "0", "0", "0", ""]


# ---------------------------------------------------------------------------------------------------------------
# The charts


def test_charts_escape_every_text():
    svg = charts.column_chart(chart_id="c1", title="<b>&", description='"quoted"', categories=["<m>"],
                              series=[("<s>", [3])])
    assert "<b>" not in svg and "&lt;b&gt;&amp;" in svg and "&quot;quoted&quot;" in svg
    assert "&lt;m&gt;" in svg and "&lt;s&gt;" in svg and "<title>&lt;m&gt;: &lt;s&gt; 3</title>" in svg
    bars = charts.bar_chart(chart_id="f1", title="t", description="d", bars=[("<x>", 5), ("y", 0)])
    assert "&lt;x&gt;" in bars and "<x>" not in bars
    for bad in ("1a", 'a"b', "a b", ""):
        with pytest.raises(ValueError):
            charts.bar_chart(chart_id=bad, title="t", description="d", bars=[])
    with pytest.raises(ValueError):
        charts.column_chart(chart_id="c", title="t", description="d", categories=["a"], series=[("s", [1, 2])])


def test_chart_gridlines_are_round_numbers():
    assert [charts.nice_step(top) for top in (0, 3, 9, 40, 101, 4_999)] == [1, 1, 5, 10, 50, 2_000]
    empty = charts.column_chart(chart_id="e", title="t", description="d", categories=[], series=[])
    assert empty.startswith("<svg") and empty.endswith("</svg>")


def test_charts_module_is_pure():
    tree = ast.parse(Path(charts.__file__).read_text(encoding="utf-8"))
    imported = {alias.name for node in ast.walk(tree) if isinstance(node, ast.Import) for alias in node.names}
    imported |= {node.module or "" for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)}
    assert imported <= {"__future__", "math", "re", "collections.abc", "html"}


def test_reported_kinds_cover_every_award_kind():
    assert set(reporting.REPORTED_KINDS) == set(dict(Award.KIND_CHOICES))
