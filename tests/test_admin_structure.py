"""
The admin carries a programme's structure with the program file's own validation (docs/decisions/0040).

Elective groups, nested programmes and recognitions are edited inline; the whole programme is checked as a file
would be before anything is stored, each error naming its place.
"""
from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
from django.urls import reverse

from microdegree_xblock import api
from microdegree_xblock.catalog import parse_catalog
from microdegree_xblock.models import Program, ProgramGroup, ProgramStep, Recognition

DEMO = Path(__file__).resolve().parent.parent / "lms_host" / "demo_programs.yaml"


@pytest.fixture
def demo_catalog(db):  # pylint: disable=unused-argument
    return api.load_catalog(parse_catalog(DEMO.read_text(encoding="utf-8")))


def _encode(value):
    if isinstance(value, (list, tuple)):
        return [str(item) for item in value]
    return "" if value is None else str(value)


def change_data(client, program: Program) -> tuple[str, dict]:
    """The change form of a programme as the browser would post it back unchanged."""
    url = reverse("admin:microdegree_program_change", args=[program.pk])
    response = client.get(url)
    assert response.status_code == 200
    data: dict = {}

    def add(form, prefix=""):
        for name in form.fields:
            key = f"{prefix}{name}"
            value = form[name].value()
            if value is False:
                continue
            data[key] = "on" if value is True else _encode(value)

    add(response.context["adminform"].form)
    for inline in response.context["inline_admin_formsets"]:
        formset = inline.formset
        management = formset.management_form
        for name in management.fields:
            data[f"{formset.prefix}-{name}"] = _encode(management[name].value())
        for form in formset.forms:
            add(form, f"{form.prefix}-")
    return url, data


def errors(response) -> str:
    found = []
    for inline in response.context["inline_admin_formsets"]:
        found += [str(e) for e in inline.formset.non_form_errors()]
        found += [str(e) for form in inline.formset.forms for e in form.errors.values()]
    form = response.context["adminform"].form
    found += [str(e) for e in form.errors.values()]
    return " ".join(found)


def test_the_change_page_posted_back_unchanged_is_saved(admin_client, demo_catalog):
    program = Program.objects.get(slug="ki-bildung")
    url, data = change_data(admin_client, program)
    response = admin_client.post(url, data)
    assert response.status_code == 302, errors(response)
    assert api.catalog_problems() == []


def test_a_group_that_can_never_be_met_is_refused_where_it_is(admin_client, demo_catalog):
    program = Program.objects.get(slug="ki-bildung")
    url, data = change_data(admin_client, program)
    index = next(i for i in range(5) if data.get(f"groups-{i}-slug") == "vertiefung")
    data[f"groups-{index}-choose"] = "3"
    response = admin_client.post(url, data)
    assert response.status_code == 200
    assert "programs[ki-bildung].electives[vertiefung]: can never be met: it asks for 3 of 2 courses" in (
        errors(response))
    assert ProgramGroup.objects.get(slug="vertiefung").choose == 1  # nothing stored


def test_a_cycle_of_programmes_is_refused_with_its_path(admin_client, demo_catalog):
    vet = Program.objects.get(slug="ai-vet")
    url, data = change_data(admin_client, vet)
    data.update({"steps-TOTAL_FORMS": "1", "steps-0-required": str(Program.objects.get(slug="ki-bildung").pk),
                 "steps-0-order": "0", "steps-0-program": str(vet.pk)})
    response = admin_client.post(url, data)
    assert response.status_code == 200
    assert "programs require each other in a cycle: ai-vet -> ki-bildung -> ai-vet" in errors(response)
    assert not ProgramStep.objects.filter(program=vet).exists()


def test_a_recognition_is_added_and_checked_as_in_a_file(admin_client, demo_catalog):
    med = Program.objects.get(slug="dr-med-ki")
    url, data = change_data(admin_client, med)
    total = int(data["recognitions-TOTAL_FORMS"])
    new = {"slug": "uni-ects", "title": "ECTS", "issuer": str(med.program_issuers.first().issuer_id),
           "all_courses": "on", "threshold": "1.5", "credit_amount": "2", "credit_unit": "ECTS", "order": "1",
           "program": str(med.pk)}
    data.update({f"recognitions-{total}-{name}": value for name, value in new.items()})
    data["recognitions-TOTAL_FORMS"] = str(total + 1)
    response = admin_client.post(url, data)
    assert response.status_code == 200
    assert "must be a number greater than 0 and at most 1" in errors(response)
    data[f"recognitions-{total}-threshold"] = "0.8"
    response = admin_client.post(url, data)
    assert response.status_code == 302, errors(response)
    rec = Recognition.objects.get(slug="uni-ects")
    assert (rec.all_courses, rec.threshold, rec.credit_unit) == (True, Decimal("0.8"), "ECTS")
    assert "uni-ects" in [r.id for r in next(p for p in api.dump_catalog().programs if p.id == "dr-med-ki")
                          .recognitions]
