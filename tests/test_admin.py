"""
The Django admin of the plugin, through the real admin site and Django's test client.
"""
from __future__ import annotations

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.contrib.messages import get_messages
from django.urls import reverse

from microdegree_xblock import api
from microdegree_xblock.models import Award, Issuer, LearnerCourseState, Program, ProgramCourse

from .conftest import VET, send_grade

pytestmark = pytest.mark.django_db


@pytest.fixture
def superuser(db):  # pylint: disable=unused-argument
    return get_user_model().objects.create_superuser("root", "root@example.org", "pw")


@pytest.fixture
def admin_client(client, superuser):
    client.force_login(superuser)
    return client


@pytest.fixture
def awarded(catalog, learner):
    """An achievement record and a learner state, made by a real grade event."""
    send_grade(learner.pk, VET[0], 0.9)
    return Award.objects.get(user=learner)


def _messages(response):
    return [str(message) for message in get_messages(response.wsgi_request)]


# ---------------------------------------------------------------------------------------------------------------
# Pages load


@pytest.mark.parametrize("model", ["issuer", "program", "award", "learnercoursestate"])
def test_changelists_load(admin_client, awarded, model):
    response = admin_client.get(reverse(f"admin:microdegree_{model}_changelist"))
    assert response.status_code == 200
    assert response.context["cl"].result_count >= 1


def test_change_forms_load(admin_client, awarded, learner):
    program = Program.objects.get(slug="dr-med-ki")
    pages = [
        reverse("admin:microdegree_issuer_change", args=[Issuer.objects.get(slug="charite").pk]),
        reverse("admin:microdegree_program_change", args=[program.pk]),
        reverse("admin:microdegree_award_change", args=[awarded.pk]),
        reverse("admin:microdegree_learnercoursestate_change", args=[LearnerCourseState.objects.get(user=learner).pk]),
        reverse("admin:microdegree_issuer_add"),
        reverse("admin:microdegree_program_add"),
    ]
    for url in pages:
        response = admin_client.get(url)
        assert response.status_code == 200, url
    body = admin_client.get(reverse("admin:microdegree_program_change", args=[program.pk])).content.decode()
    assert "course-v1:Charite+DrMedKI_Basics+2020" in body  # the courses inline shows the program's courses


def test_awards_and_states_cannot_be_added_by_hand(admin_client, awarded):
    assert admin_client.get(reverse("admin:microdegree_award_add")).status_code == 403
    assert admin_client.get(reverse("admin:microdegree_learnercoursestate_add")).status_code == 403


# ---------------------------------------------------------------------------------------------------------------
# Programs: the same validation as program files


def _program_post(courses, *, slug="new-program", issuers=None, title="New program"):
    """The POST of the program add form, with its issuer and course inlines."""
    issuers = issuers if issuers is not None else [Issuer.objects.get(slug="charite").pk]
    data = {
        "slug": slug, "title": title, "description": "A test program.",
        "program_issuers-TOTAL_FORMS": str(len(issuers)), "program_issuers-INITIAL_FORMS": "0",
        "program_issuers-MIN_NUM_FORMS": "1", "program_issuers-MAX_NUM_FORMS": "1000",
        "courses-TOTAL_FORMS": str(len(courses)), "courses-INITIAL_FORMS": "0",
        "courses-MIN_NUM_FORMS": "0", "courses-MAX_NUM_FORMS": "1000",
        **{f"{prefix}-{name}": value for prefix in ("groups", "steps", "recognitions")
           for name, value in (("TOTAL_FORMS", "0"), ("INITIAL_FORMS", "0"), ("MIN_NUM_FORMS", "0"),
                               ("MAX_NUM_FORMS", "1000"))},
    }
    for index, issuer in enumerate(issuers):
        data[f"program_issuers-{index}-issuer"] = str(issuer)
        data[f"program_issuers-{index}-order"] = str(index)
    for index, course in enumerate(courses):
        values = {"course_key": "", "title": f"Course {index}", "hours": "40", "order": str(index), "ects": "",
                  "achievement_threshold": "", "participation_threshold": ""}
        values.update(course)
        for name, value in values.items():
            data[f"courses-{index}-{name}"] = value
    return data


def _add_program(client, data):
    return client.post(reverse("admin:microdegree_program_add"), data, follow=True)


def _errors(response):
    """Every error message the admin form shows: the main form's, and each inline formset's (form and non-form)."""
    messages = list(response.context["adminform"].form.non_field_errors())
    messages += [m for field_errors in response.context["adminform"].form.errors.values() for m in field_errors]
    for inline in response.context.get("inline_admin_formsets", []):
        messages += list(inline.formset.non_form_errors())
        messages += [m for form_errors in inline.formset.errors for field in form_errors.values() for m in field]
    return " | ".join(messages)


def test_a_program_with_fewer_than_three_courses_is_refused(admin_client, catalog):
    data = _program_post([{"course_key": "course-v1:New+A+1"}, {"course_key": "course-v1:New+B+1"}])
    response = _add_program(admin_client, data)
    assert response.status_code == 200
    assert "a micro-degree needs at least 3 courses, this program has 2" in _errors(response)
    assert "a micro-degree needs at least 3 courses" in response.content.decode()
    assert not Program.objects.filter(slug="new-program").exists()


def test_an_invalid_course_key_is_refused(admin_client, catalog):
    data = _program_post([{"course_key": "course-v1:New+A+1"}, {"course_key": "not a course key"},
                          {"course_key": "course-v1:New+C+1"}])
    response = _add_program(admin_client, data)
    assert "'not a course key' is not a valid course key" in _errors(response)
    assert not Program.objects.filter(slug="new-program").exists()
    assert not ProgramCourse.objects.filter(course_key="course-v1:New+A+1").exists()


def test_a_threshold_above_one_is_refused(admin_client, catalog):
    data = _program_post([{"course_key": "course-v1:New+A+1", "achievement_threshold": "1.5"},
                          {"course_key": "course-v1:New+B+1"}, {"course_key": "course-v1:New+C+1"}])
    response = _add_program(admin_client, data)
    assert "must be a number greater than 0 and at most 1" in _errors(response)
    assert not Program.objects.filter(slug="new-program").exists()


def test_a_program_without_issuer_is_refused(admin_client, catalog):
    data = _program_post([{"course_key": f"course-v1:New+{c}+1"} for c in "ABC"], issuers=[])
    response = _add_program(admin_client, data)
    assert "at least one issuer" in _errors(response)
    assert not Program.objects.filter(slug="new-program").exists()


def test_a_valid_co_issued_program_with_three_courses_is_saved(admin_client, catalog, client):
    charite, ki_campus = Issuer.objects.get(slug="charite"), Issuer.objects.get(slug="ki-campus")
    data = _program_post(
        [{"course_key": "course-v1:New+A+1", "title": "A", "hours": "20", "achievement_threshold": "0.75"},
         {"course_key": "course-v1:New+B+1", "title": "B", "hours": "20"},
         {"course_key": "course-v1:New+C+1", "title": "C", "hours": "20", "planned": "on"}],
        issuers=[ki_campus.pk, charite.pk],
    )
    response = _add_program(admin_client, data)
    assert response.redirect_chain[-1][0] == reverse("admin:microdegree_program_changelist"), _errors(response)
    program = api.get_program("new-program")
    assert program is not None
    assert [i.id for i in program.issuers] == ["ki-campus", "charite"]
    assert [(c.course_key, c.title, c.planned) for c in program.courses] == [
        ("course-v1:New+A+1", "A", False), ("course-v1:New+B+1", "B", False), ("course-v1:New+C+1", "C", True),
    ]
    assert [str(c.achievement_threshold) for c in program.courses] == ["0.750000", "0.600000", "0.600000"]
    # 60 hours: saved, with the catalog's warning about the recommended range.
    assert any("outside the recommended" in message for message in _messages(response))
    # The new program is in the public catalog right away.
    assert "new-program" in [p["id"] for p in client.get("/microdegree/api/v1/programs/").json()["programs"]]


def _change_form_data(client, url):
    """The POST data of an admin change form as it was rendered (main form, management forms, inlines)."""
    response = client.get(url)
    form = response.context["adminform"].form
    data = {name: "" if form.initial.get(name) is None else form.initial[name] for name in form.fields}
    for inline in response.context["inline_admin_formsets"]:
        formset = inline.formset
        for name, field in formset.management_form.fields.items():
            data[f"{formset.prefix}-{name}"] = formset.management_form.initial.get(name, field.initial)
        for sub in formset.forms:
            for name, field in sub.fields.items():
                value = sub.initial.get(name, field.initial)
                if hasattr(value, "pk"):
                    value = value.pk
                if value is not None and value is not False:
                    data[sub.add_prefix(name)] = value
    return data


def test_deleting_courses_below_three_is_refused(admin_client, catalog):
    program = Program.objects.get(slug="ai-vet")
    url = reverse("admin:microdegree_program_change", args=[program.pk])
    data = _change_form_data(admin_client, url)
    response = admin_client.post(url, {**data, "courses-1-DELETE": "on", "courses-2-DELETE": "on"}, follow=True)
    assert "this program has 2" in _errors(response)
    assert ProgramCourse.objects.filter(program=program).count() == 4

    # The same form deleting one course (three remain) is saved: the refusal above was the course count.
    response = admin_client.post(url, {**data, "courses-3-DELETE": "on"}, follow=True)
    assert response.redirect_chain[-1][0] == reverse("admin:microdegree_program_changelist"), _errors(response)
    assert [str(c.course_key) for c in ProgramCourse.objects.filter(program=program).order_by("order")] == VET[:3]


# ---------------------------------------------------------------------------------------------------------------
# Issuers


def _issuer_post(**overrides):
    data = {"slug": "tum", "name": "TU München", "url": "https://www.tum.de", "email": "", "country": "DE"}
    data.update(overrides)
    return data


def test_an_invalid_country_is_refused(admin_client):
    response = admin_client.post(reverse("admin:microdegree_issuer_add"), _issuer_post(country="XX"))
    assert response.status_code == 200
    assert response.context["adminform"].form.errors["country"] == [
        "'XX' is not an ISO 3166-1 alpha-2 country code (e.g. DE)"
    ]
    assert not Issuer.objects.filter(slug="tum").exists()


@pytest.mark.parametrize("field,value,message", [
    ("slug", "TUM", "'TUM' must be a slug"),
    ("url", "ftp://www.tum.de", "'ftp://www.tum.de' is not an http(s) URL"),
])
def test_the_issuer_form_applies_the_program_file_checks(admin_client, field, value, message):
    response = admin_client.post(reverse("admin:microdegree_issuer_add"), _issuer_post(**{field: value}))
    assert response.status_code == 200
    assert message in " ".join(response.context["adminform"].form.errors[field])
    assert not Issuer.objects.exists()


def test_a_program_slug_and_course_hours_follow_the_program_file_checks(admin_client, catalog):
    data = _program_post([{"course_key": "course-v1:New+A+1", "hours": "0"}, {"course_key": "course-v1:New+B+1"},
                          {"course_key": "course-v1:New+C+1"}], slug="New-Program")
    errors = _errors(_add_program(admin_client, data))
    assert "'New-Program' must be a slug" in errors and "must be a positive number of hours" in errors
    assert not Program.objects.filter(title="New program").exists()


def test_a_valid_issuer_is_saved_with_an_upper_case_country(admin_client):
    response = admin_client.post(reverse("admin:microdegree_issuer_add"), _issuer_post(country="de"))
    assert response.status_code == 302
    assert Issuer.objects.get(slug="tum").country == "DE"


# ---------------------------------------------------------------------------------------------------------------
# Revoking awards


def _revoke(client, awards, reason=None, action="revoke"):
    data = {"action": action, "_selected_action": [str(a.pk) for a in awards], "index": "0"}
    if reason is not None:
        data["reason"] = reason
    return client.post(reverse("admin:microdegree_award_changelist"), data, follow=True)


def test_revoking_without_a_reason_does_nothing(admin_client, awarded, badge_events,
                                               django_capture_on_commit_callbacks):
    for reason in (None, "", "   "):
        with django_capture_on_commit_callbacks(execute=True):
            response = _revoke(admin_client, [awarded], reason)
        assert response.status_code == 200
        assert "A revocation needs a reason." in _messages(response)
    awarded.refresh_from_db()
    assert awarded.revoked_at is None and awarded.revoked_reason == ""
    assert badge_events.revoked == []


def test_revoking_with_a_reason_revokes_once(admin_client, awarded, badge_events,
                                            django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = _revoke(admin_client, [awarded], "  Plagiarism established by the exam board.  ")
    assert "1 award revoked." in _messages(response)
    awarded.refresh_from_db()
    assert awarded.revoked_at is not None
    assert awarded.revoked_reason == "Plagiarism established by the exam board."
    assert [badge.uuid for badge in badge_events.revoked] == [str(awarded.uuid)]
    first_revoked_at = awarded.revoked_at

    with django_capture_on_commit_callbacks(execute=True):  # again: changes nothing, sends nothing
        _revoke(admin_client, [awarded], "Another reason.")
    awarded.refresh_from_db()
    assert (awarded.revoked_at, awarded.revoked_reason) == (first_revoked_at,
                                                            "Plagiarism established by the exam board.")
    assert len(badge_events.revoked) == 1


def test_reissuing_with_a_reason_keeps_the_old_award_and_issues_a_new_one(admin_client, awarded, badge_events,
                                                                         django_capture_on_commit_callbacks):
    response = _revoke(admin_client, [awarded], " ", action="reissue")
    assert "A re-issue needs a reason." in _messages(response)
    with django_capture_on_commit_callbacks(execute=True):
        response = _revoke(admin_client, [awarded], "Wrong name on the certificate", action="reissue")
    assert "1 award re-issued." in _messages(response)
    awarded.refresh_from_db()
    assert awarded.revoked_reason == "Re-issued: Wrong name on the certificate"
    new = Award.objects.get(reissue_of=awarded)
    assert new.revoked_at is None and new.reissue_reason == "Wrong name on the certificate"
    assert [b.uuid for b in badge_events.revoked] == [str(awarded.uuid)]
    assert str(new.uuid) in [b.uuid for b in badge_events.awarded]
    # Again on the old one: named, nothing more issued.
    response = _revoke(admin_client, [awarded], "Again", action="reissue")
    assert f"award {awarded.uuid} was re-issued already as {new.uuid}" in _messages(response)
    assert Award.objects.filter(reissue_of__isnull=False).count() == 1


def _staff(username, *perms):
    user = get_user_model().objects.create_user(username, f"{username}@example.org", "pw", is_staff=True)
    user.user_permissions.add(*Permission.objects.filter(content_type__app_label="microdegree", codename__in=perms))
    return get_user_model().objects.get(pk=user.pk)  # fresh: no cached permissions


def test_staff_without_change_permission_cannot_revoke(client, awarded, badge_events,
                                                       django_capture_on_commit_callbacks):
    client.force_login(_staff("viewer", "view_award"))
    assert client.get(reverse("admin:microdegree_award_changelist")).status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        response = _revoke(client, [awarded], "I should not be able to.")
    assert response.status_code == 200
    awarded.refresh_from_db()
    assert awarded.revoked_at is None
    assert badge_events.revoked == []
    # The action is not even offered to them.
    action_form = response.context["action_form"]
    assert action_form is None or not {"revoke", "reissue"} & set(dict(action_form.fields["action"].choices))


def test_staff_with_change_permission_can_revoke(client, awarded, badge_events,
                                                 django_capture_on_commit_callbacks):
    client.force_login(_staff("registrar", "view_award", "change_award"))
    with django_capture_on_commit_callbacks(execute=True):
        _revoke(client, [awarded], "Revoked by the registrar.")
    awarded.refresh_from_db()
    assert awarded.revoked_at is not None
    assert len(badge_events.revoked) == 1


def test_staff_cannot_edit_an_award_even_with_change_permission(client, awarded):
    client.force_login(_staff("registrar", "view_award", "change_award"))
    url = reverse("admin:microdegree_award_change", args=[awarded.pk])
    client.post(url, {"kind": "degree", "revoked_reason": "edited"})
    awarded.refresh_from_db()
    assert awarded.kind == "achievement" and awarded.revoked_reason == ""


def test_awards_and_learner_states_cannot_be_deleted_even_by_a_superuser(admin_client, awarded):
    """The stock "delete selected" action and the delete page: not offered, and refused when posted."""
    changelist = reverse("admin:microdegree_award_changelist")
    response = admin_client.get(changelist)
    assert "delete_selected" not in dict(response.context["action_form"].fields["action"].choices)
    response = admin_client.post(changelist, {"action": "delete_selected", ACTION_CHECKBOX_NAME: [awarded.pk],
                                              "post": "yes"}, follow=True)
    assert "No action selected." in _messages(response)
    assert admin_client.post(reverse("admin:microdegree_award_delete", args=[awarded.pk]),
                             {"post": "yes"}).status_code == 403
    state = LearnerCourseState.objects.get(user=awarded.user)
    assert admin_client.post(reverse("admin:microdegree_learnercoursestate_delete", args=[state.pk]),
                             {"post": "yes"}).status_code == 403
    assert Award.objects.filter(pk=awarded.pk).exists() and LearnerCourseState.objects.filter(pk=state.pk).exists()
