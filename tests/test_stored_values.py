"""
A bad catalog can never take the site down (docs/decisions/0026-stored-values-are-constrained.rst).

The database itself refuses a number outside its range, whoever writes it (here: raw SQL, as a script or an older
release would). What it does accept, at its worst (every number at its bounds, hostile text in every text column,
URLs that are no URLs, a program without issuers or courses), every page reads without a server error, and the
broken programs are reported to admins: by the system check and on the admin's pages.
"""
from __future__ import annotations

from decimal import Decimal
from xml.etree import ElementTree

import pytest
from django.core import checks
from django.core.management import call_command
from django.db import DatabaseError, connection, transaction
from django.urls import reverse

from microdegree_xblock import api
from microdegree_xblock.models import Award, Issuer, LearnerCourseState, Program, ProgramCourse, ProgramIssuer
from tests.conftest import BASICS, VET
from tests.test_block import render

pytestmark = pytest.mark.django_db

HOSTILE = "\x00\x07\u202e<script>alert(1)</script>&amp;\r"


def _update(model, where: dict | None = None, **values) -> None:
    """Write ``values`` into ``model``'s rows with raw SQL: no model validation, only the database's own checks."""
    table = model._meta.db_table
    sets = ", ".join(f"{connection.ops.quote_name(column)} = %s" for column in values)
    params = list(values.values())
    sql = f"UPDATE {table} SET {sets}"
    if where:
        sql += " WHERE " + " AND ".join(f"{connection.ops.quote_name(column)} = %s" for column in where)
        params += list(where.values())
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


@pytest.mark.parametrize(("model", "values"), [
    (ProgramCourse, {"hours": 100000}),
    (ProgramCourse, {"hours": 1000.1}),
    (ProgramCourse, {"hours": 0}),
    (ProgramCourse, {"ects": 10000}),
    (ProgramCourse, {"ects": 60.1}),
    (ProgramCourse, {"ects": -1}),
    (ProgramCourse, {"achievement_threshold": 0}),
    (ProgramCourse, {"achievement_threshold": Decimal("0.00004")}),
    (ProgramCourse, {"achievement_threshold": Decimal("1.0001")}),
    (ProgramCourse, {"participation_threshold": -1}),
    (Program, {"eqf_level": 9}),
    (Program, {"eqf_level": 0}),
    (LearnerCourseState, {"best_percent": Decimal("1.000001")}),
    (LearnerCourseState, {"best_completion": -1}),
    (Award, {"evidence_value": 2}),
    (Award, {"evidence_threshold": 0}),
    (Award, {"evidence_value": None}),
    (Award, {"evidence_value": Decimal("0.5"), "evidence_threshold": Decimal("0.6")}),
])
def test_the_database_refuses_a_number_out_of_range(catalog, learner, earn, model, values):
    earn(learner, BASICS, 0.95)
    with pytest.raises(DatabaseError), transaction.atomic():
        _update(model, **values)


@pytest.mark.skipif(connection.vendor != "sqlite", reason="only SQLite stores text in a number column")
def test_sqlite_refuses_text_in_a_number_column(catalog):
    with pytest.raises(DatabaseError), transaction.atomic():
        _update(ProgramCourse, hours="a lot")


@pytest.fixture
def worst(degree, learner, other_learner, earn):
    """
    The demo catalog and a degree, then the worst the database accepts in every catalog column.

    Every number at a bound, hostile text (a NUL, a bell, a right-to-left override, markup, a carriage return) as
    long as the column takes, "URLs" that are none, a program left without issuers, another without courses.
    """
    earn(other_learner, BASICS, 0.5)
    title = (HOSTILE * 20)[:255]
    _update(Issuer, name=title, url="javascript:alert(1)", email="not an email", country="\x00\x01")
    _update(Program, title=title, description=HOSTILE * 2000, learning_outcomes=f"{HOSTILE}\n" * 50, eqf_level=8,
            participation_form=title, assessment_type=title, quality_assurance=HOSTILE * 100,
            badge_image_url="javascript:alert(1)")
    _update(ProgramCourse, title=title, hours=1000, ects=60, achievement_threshold=Decimal("0.0001"),
            participation_threshold=1, badge_image_url="data:text/html,<script>alert(1)</script>")
    _update(ProgramCourse, {"course_key": BASICS}, hours=Decimal("0.1"), ects=0)
    ProgramIssuer.objects.filter(program__slug__in=("ai-vet", "mini")).delete()
    ProgramCourse.objects.filter(program__slug="dr-med-ki").delete()
    api.catalog_changed()  # raw SQL sends no signal: tell the processes, as an operator would (ADR 30)
    return degree


def _pages(learner) -> list[str]:
    pages = [reverse("microdegree:api-programs"), reverse("microdegree:api-progress"),
             reverse("microdegree:achievements")]
    for award in api.get_learner_awards(user_id=learner.pk):
        pages += [f"/microdegree/verify/{award.id}/", f"/microdegree/credentials/{award.id}/ob3/",
                  f"/microdegree/credentials/{award.id}/certificate.pdf",
                  f"/microdegree/credentials/{award.id}/linkedin/", f"/microdegree/credentials/{award.id}/badge/",
                  f"/microdegree/credentials/{award.id}/badge.png", f"/microdegree/ob2/assertions/{award.id}/"]
        if award.kind == "degree":
            pages.append(f"/microdegree/credentials/{award.id}/clr/")
    for program in Program.objects.all():
        pages += [f"/microdegree/ob2/programs/{program.slug}/degree/",
                  f"/microdegree/ob2/programs/{program.slug}/degree/image/"]
        for course in program.courses.all():
            for kind in ("achievement", "participation"):
                pages += [f"/microdegree/ob2/programs/{program.slug}/{kind}/{course.course_key}/",
                          f"/microdegree/ob2/programs/{program.slug}/{kind}/{course.course_key}/image/"]
    for issuer in Issuer.objects.all():
        pages += [f"/microdegree/ob2/issuers/{issuer.slug}/", f"/microdegree/issuers/{issuer.slug}/did.json",
                  f"/microdegree/status/{issuer.slug}/revocations/", f"/microdegree/status/{issuer.slug}/1/"]
    return pages


def test_every_page_reads_the_worst_the_database_accepts(worst, client, learner):
    client.force_login(learner)
    failed = []
    for url in _pages(learner):
        response = client.get(url)
        if response.status_code >= 500:
            failed.append((url, response.status_code))
        elif response.get("Content-Type", "").startswith("image/svg+xml"):
            ElementTree.fromstring(response.content)  # well-formed whatever the stored title
    assert not failed
    catalog = client.get(reverse("microdegree:api-programs")).json()
    assert {program["id"] for program in catalog["programs"]} >= {"ai-vet", "dr-med-ki", "mini"}
    assert "<script>" not in client.get(reverse("microdegree:achievements")).content.decode()


def test_the_panel_and_dump_read_the_worst_the_database_accepts(worst, learner, capsys):
    for program in ("ai-vet", "dr-med-ki", "mini"):
        html = render(f'<microdegree program="{program}"/>', learner.pk)
        assert "<script>" not in html
    call_command("microdegree_programs", "dump")
    assert "ai-vet" in capsys.readouterr().out


def test_events_still_record_on_the_worst_the_database_accepts(worst, learner, earn):
    """The threshold at its smallest (0.0001) earns at 0.0001, and the participation at 1 is not due."""
    assert {award.kind for award in earn(learner, VET[0], 0.0001)} == {"achievement"}


def test_the_admin_reads_the_worst_the_database_accepts(worst, admin_client):
    for model in ("program", "issuer", "award", "learnercoursestate"):
        assert admin_client.get(reverse(f"admin:microdegree_{model}_changelist")).status_code < 500, model
    for program in Program.objects.all():
        assert admin_client.get(reverse("admin:microdegree_program_change", args=[program.pk])).status_code == 200


def test_broken_programs_are_reported_to_admins(worst, admin_client):
    found = [message for message in checks.run_checks(databases=["default"]) if message.id == "microdegree.W002"]
    text = "\n".join(message.msg for message in found)
    assert "stored catalog: programs[ai-vet].issuers: must list one or more issuer ids" in text
    assert "stored catalog: programs[dr-med-ki].courses: a micro-degree needs at least 3 courses" in text
    assert "programs[mini].badge_image: 'javascript:alert(1)' is not an http(s) URL" in text
    assert "U+0000" in text
    program = Program.objects.get(slug="ai-vet")
    page = admin_client.get(reverse("admin:microdegree_program_change", args=[program.pk])).content.decode()
    assert "This is stored with a value a program file would be refused for: programs[ai-vet].issuers: must " \
           "list one or more issuer ids" in page
    listing = admin_client.get(reverse("admin:microdegree_program_changelist")).content.decode()
    assert "programs[ai-vet], programs[dr-med-ki], programs[mini]" in listing
    issuer = Issuer.objects.get(slug="charite")
    page = admin_client.get(reverse("admin:microdegree_issuer_change", args=[issuer.pk])).content.decode()
    assert "issuers[charite].name: contains U+0000" in page
