"""
A programme's structure in the Django admin: courses, elective groups, nested programmes, recognitions (ADR 40).

The whole programme, as the admin's forms would store it, is checked by the program file's own validation
(``catalog.validate_catalog``, through ``api.program_edit_problems``) before anything is saved, so a programme is
valid or invalid the same way wherever it is edited; each error names its place as in a file.
"""
from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.contrib import admin
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from . import api, catalog
from .models import ProgramCourse, ProgramGroup, ProgramStep, Recognition


def checked(value: Any, check: Any) -> Any:
    """Run one of the catalog's single-field checks on a form value; raise its message as a form error."""
    if value not in (None, "") and (message := check(value)):
        raise forms.ValidationError(message)
    return value


class ProgramCourseForm(forms.ModelForm):
    """Program course form: the course key is validated as in program files."""

    class Meta:
        model = ProgramCourse
        fields = ("course_key", "title", "hours", "ects", "planned", "order", "group", "capstone",
                  "achievement_threshold", "participation_threshold", "badge_image_url")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        program = getattr(self, "parent_program", None)
        if "group" in self.fields:  # this programme's groups only
            self.fields["group"].queryset = (  # type: ignore[attr-defined]
                program.groups.all() if program is not None and program.pk else ProgramGroup.objects.none())

    def clean_course_key(self) -> Any:
        """Reject invalid opaque keys with the catalog's message."""
        value = self.cleaned_data.get("course_key")
        if message := catalog.check_course_key(str(value) if value else ""):
            raise forms.ValidationError(message)
        return value

    def clean_badge_image_url(self) -> Any:
        """An http(s) URL, as in program files."""
        return checked(self.cleaned_data.get("badge_image_url"), catalog.check_http_url)

    def clean_hours(self) -> Any:
        """A positive number of hours, as in program files."""
        return checked(self.cleaned_data.get("hours"), catalog.check_hours)

    def clean_ects(self) -> Any:
        """ECTS credits in their range, as in program files."""
        return checked(self.cleaned_data.get("ects"), catalog.check_ects)

    def clean_title(self) -> Any:
        """A title fit to show on certificates, as in program files."""
        return checked(self.cleaned_data.get("title"), catalog.check_text)

    def _clean_share(self, name: str) -> Any:
        return checked(self.cleaned_data.get(name), catalog.check_share)

    def clean_achievement_threshold(self) -> Any:
        """A threshold in (0, 1]."""
        return self._clean_share("achievement_threshold")

    def clean_participation_threshold(self) -> Any:
        """A threshold in (0, 1]."""
        return self._clean_share("participation_threshold")


class ProgramCourseInline(admin.TabularInline):
    """
    The program's courses, in order: required ones, and those of an elective group.

    How many a micro-degree needs is counted on its smallest valid path, with the groups and the nested programmes,
    by the whole programme's check (``admin_structure``).
    """

    model = ProgramCourse
    form = ProgramCourseForm
    extra = 0

    def get_formset(self, request: HttpRequest, obj: Any = None, **kwargs: Any) -> Any:
        """Each form offers this programme's groups."""
        formset = super().get_formset(request, obj, **kwargs)
        formset.form = type("ProgramCourseOfForm", (formset.form,), {"parent_program": obj})
        return formset


def _kept(formset: Any) -> list[dict[str, Any]]:
    """The rows of a formset that stay: valid, filled in, not marked for deletion."""
    return [form.cleaned_data for form in formset.forms
            if getattr(form, "cleaned_data", None) and not form.cleaned_data.get("DELETE", False)]


def _plain(value: Decimal | None) -> Any:
    return None if value is None else str(value)


def program_data(program: Any, formsets: dict[str, Any]) -> dict[str, Any]:
    """The programme as a catalog file would declare it, from the admin's form (``program``) and its formsets."""
    groups = {row["slug"]: row for row in _kept(formsets.get("groups", ()))} if "groups" in formsets else {}
    courses = _kept(formsets["courses"]) if "courses" in formsets else []
    by_group: dict[str, list[dict[str, Any]]] = {slug: [] for slug in groups}

    def course(row: dict[str, Any]) -> dict[str, Any]:
        return {key: value for key, value in (
            ("key", str(row["course_key"])), ("title", row.get("title")), ("hours", _plain(row.get("hours"))),
            ("ects", _plain(row.get("ects"))), ("planned", bool(row.get("planned"))),
            ("achievement_threshold", _plain(row.get("achievement_threshold"))),
            ("participation_threshold", _plain(row.get("participation_threshold"))),
        ) if value is not None}

    required = []
    for row in sorted(courses, key=lambda r: r.get("order") or 0):
        group = row.get("group")
        if group is not None and group.slug in by_group:
            by_group[group.slug].append(course(row))
        else:
            required.append(course(row))
    capstone = next((str(row["course_key"]) for row in courses if row.get("capstone")), None)
    data: dict[str, Any] = {
        "id": program.slug, "title": program.title,
        "issuers": [row["issuer"].slug for row in _kept(formsets["issuers"])] if "issuers" in formsets else [],
        "courses": required,
        "electives": [{"id": slug, "title": row.get("title"), "choose": row.get("choose"), "courses": by_group[slug]}
                      for slug, row in groups.items()],
        "requires": [row["required"].slug for row in _kept(formsets["steps"])] if "steps" in formsets else [],
        "recognitions": [_recognition(row) for row in _kept(formsets["recognitions"])]
        if "recognitions" in formsets else [],
    }
    if capstone:
        data["capstone"] = {"key": capstone, "last": bool(program.capstone_last)}
    return {key: value for key, value in data.items() if value != [] or key in ("courses", "issuers")}


def _recognition(row: dict[str, Any]) -> dict[str, Any]:
    found: dict[str, Any] = {"id": row.get("slug"), "by": row["issuer"].slug if row.get("issuer") else None}
    if row.get("title"):
        found["title"] = row["title"]
    if row.get("whole_program"):
        found["program"] = True
    elif row.get("all_courses"):
        found["courses"] = "all"
    else:
        found["courses"] = [str(course.course_key) for course in row.get("courses") or ()]
    if row.get("threshold") is not None:
        found["threshold"] = str(row["threshold"])
    if row.get("condition"):
        found["condition"] = row["condition"]
    if row.get("credit_amount") is not None or row.get("credit_unit"):
        found["credits"] = {"amount": _plain(row.get("credit_amount")), "unit": row.get("credit_unit") or ""}
    return found


class WholeProgramFormSet(forms.BaseInlineFormSet):
    """
    The last inline of a programme: its clean checks the whole programme as a file would.

    ``ProgramAdmin`` hands it the sibling formsets (``siblings``) before they are validated in order.
    """

    siblings: dict[str, Any] = {}

    def clean(self) -> None:
        """Refuse the programme with every error the program file's validation finds, each naming its place."""
        super().clean()
        if any(formset.total_error_count() for formset in self.siblings.values() if formset is not self):
            return  # their own errors first
        problems = api.program_edit_problems(program_data(self.instance, {**self.siblings, "recognitions": self}))
        if problems:
            raise forms.ValidationError(problems)


class GroupForm(forms.ModelForm):
    """An elective group: its id a slug, its title fit to show."""

    class Meta:
        model = ProgramGroup
        fields = ("slug", "title", "choose", "order")

    def clean_slug(self) -> Any:
        """Ids are slugs, as in program files."""
        value = self.cleaned_data.get("slug")
        if value and (message := catalog.check_slug(value)):
            raise forms.ValidationError(message)
        return value


class ProgramGroupInline(admin.TabularInline):
    """The programme's elective groups ("choose k of its courses"); a course joins one in the courses below."""

    model = ProgramGroup
    form = GroupForm
    extra = 0
    verbose_name_plural = _("elective groups (save a new group before choosing it for courses)")


class ProgramStepInline(admin.TabularInline):
    """The programmes whose micro-degree this one requires as a step."""

    model = ProgramStep
    fk_name = "program"
    extra = 0


class RecognitionForm(forms.ModelForm):
    """A recognition by an outside body; its courses are this programme's."""

    class Meta:
        model = Recognition
        fields = ("slug", "title", "issuer", "all_courses", "whole_program", "courses", "threshold", "condition",
                  "credit_amount", "credit_unit", "order")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        program = getattr(self, "parent_program", None)
        if "courses" in self.fields and program is not None and program.pk:
            self.fields["courses"].queryset = program.courses.all()  # type: ignore[attr-defined]

    def clean_slug(self) -> Any:
        """Ids are slugs, as in program files."""
        value = self.cleaned_data.get("slug")
        if value and (message := catalog.check_slug(value)):
            raise forms.ValidationError(message)
        return value

    def clean_threshold(self) -> Any:
        """That body's threshold, in (0, 1], as in program files."""
        value = self.cleaned_data.get("threshold")
        if value is not None and (message := catalog.check_share(value)):
            raise forms.ValidationError(message)
        return value


class RecognitionInline(admin.StackedInline):
    """The recognitions of outside bodies: their own threshold, condition and credits (checked last, as a whole)."""

    model = Recognition
    form = RecognitionForm
    formset = WholeProgramFormSet
    extra = 0
    filter_horizontal = ("courses",)

    def get_formset(self, request: Any, obj: Any = None, **kwargs: Any) -> Any:
        """Each form limits its courses to this programme's."""
        formset = super().get_formset(request, obj, **kwargs)
        formset.form = type("ProgramRecognitionForm", (formset.form,), {"parent_program": obj})
        return formset
