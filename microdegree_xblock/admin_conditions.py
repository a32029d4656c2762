"""
Django admin of the recognitions' further conditions: recording them, their audit trail, who may record them.

Every recording goes through ``api.record_condition`` (source ``admin``), so the admin keeps the same audit trail,
permissions and issuing as the CSV command and the REST endpoint (docs/decisions/0040). A recognising body's staff
(a condition recorder who may use the admin) see and record only their body's recognitions; superusers and holders
of ``microdegree.record_any_condition`` every body's. The audit trail is read only for everyone; who may record is
for superusers to say.
"""
from __future__ import annotations

from typing import Any, cast

from django import forms
from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from opaque_keys.edx.django.models import CourseKeyField

from . import api
from .models import ConditionRecorder, Recognition, RecognitionCondition, RecognitionConditionEntry

SOURCE = "admin"


def _recordable(request: HttpRequest) -> QuerySet[Recognition]:
    return api.recordable_recognitions(request.user)


def _limited(request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
    """Rows of the recognitions the user may record; every row for those who may record every body's."""
    if request.user.is_superuser or request.user.has_perm(api.RECORD_ANY_PERMISSION):
        return queryset
    return queryset.filter(recognition__in=_recordable(request))


class ConditionForm(forms.ModelForm):
    """
    A condition to record: checked by the api when the form is cleaned (each problem on its field), recorded on save.

    On a new recording the recognition, the learner (a username or a user id) and the course say which condition;
    on a recorded one they stay, and only what was recorded (passed, the date, the result) changes.
    """

    learner = forms.CharField(label=_("learner"), max_length=150, help_text=_("The learner's username or user id."))
    # Set by ConditionAdmin.get_form for the request: who records.
    recorder: Any = None

    class Meta:
        model = RecognitionCondition
        fields = ("recognition", "learner", "course_key", "passed", "taken_on", "result")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk:  # the condition recorded: which one it is stays
            for name in ("recognition", "learner", "course_key"):
                if name in self.fields:
                    self.fields[name].disabled = True
                    self.fields[name].required = False
            self.initial["learner"] = self.instance.user.username

    def recognition(self) -> Recognition | None:
        """The recognition whose condition this is."""
        return self.instance.recognition if self.instance.pk else self.cleaned_data.get("recognition")

    def arguments(self) -> dict[str, Any]:
        """The api's arguments from the cleaned form (the recorded condition's own identity on a change)."""
        data = self.cleaned_data
        recognition = self.recognition()
        course_key = self.instance.course_key if self.instance.pk else data.get("course_key")
        return {
            "program_id": recognition.program.slug if recognition else "",
            "recognition_id": recognition.slug if recognition else "",
            "learner": self.instance.user_id if self.instance.pk else data.get("learner", ""),
            "course_key": str(course_key) if course_key else None, "passed": data.get("passed", False),
            "taken_on": data.get("taken_on"), "result": data.get("result", ""), "recorded_by": self.recorder,
            "source": SOURCE,
        }

    def clean(self) -> dict[str, Any]:
        """Check everything the api checks, without recording: each refused value on its field."""
        super().clean()
        cleaned = self.cleaned_data
        if self.errors or (not self.instance.pk and not cleaned.get("recognition")):
            return cleaned
        try:
            api.record_condition(**self.arguments(), dry_run=True)
        except api.NotAllowedToRecord as exc:
            raise forms.ValidationError(exc.public_message) from exc
        except api.InvalidCondition as exc:
            for name, message in exc.errors.items():
                field = {"user": "learner"}.get(name, name)
                self.add_error(field if field in self.fields and not self.fields[field].disabled else None, message)
        return cleaned

    def _post_clean(self) -> None:
        # The api checks and stores the condition; the model's own validation would ask for the learner and the
        # recording's time, which the api sets.
        pass


@admin.register(RecognitionCondition)
class ConditionAdmin(admin.ModelAdmin):
    """The recorded conditions, latest first; recording one issues the recognition when its other rules hold."""

    form = ConditionForm
    list_display = ("recognition", "issuer", "user", "course_key", "passed", "result", "taken_on", "recorded_by",
                    "recorded_at")
    list_filter = (("recognition", admin.RelatedOnlyFieldListFilter), ("recognition__issuer",
                   admin.RelatedOnlyFieldListFilter), "passed")
    list_select_related = ("recognition__issuer", "recognition__program", "user", "recorded_by")
    search_fields = ("user__username",)
    ordering = ("-recorded_at", "-id")
    readonly_fields = ("recorded_by", "recorded_at")

    @admin.display(description=_("recognising body"), ordering="recognition__issuer__name")
    def issuer(self, obj: RecognitionCondition) -> str:
        """The recognition's body."""
        return str(obj.recognition.issuer)

    def get_queryset(self, request: HttpRequest) -> QuerySet[RecognitionCondition]:
        """Only the conditions of the recognitions the user may record."""
        return _limited(request, super().get_queryset(request))

    def get_form(self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any) -> Any:
        """The form, knowing who records."""
        form = super().get_form(request, obj, change=change, **kwargs)
        cast(Any, form).recorder = request.user
        return form

    def formfield_for_foreignkey(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        """Offer only the recognitions with a condition that the user may record."""
        if db_field.name == "recognition":
            kwargs["queryset"] = _recordable(request)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def _may_record_any(self, request: HttpRequest) -> bool:
        return request.user.is_active and request.user.is_staff and _recordable(request).exists()

    def has_module_permission(self, request: HttpRequest) -> bool:
        """Shown to those who may record some body's conditions."""
        return self._may_record_any(request)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        """Their body's conditions (the list is limited to them)."""
        return self.has_change_permission(request, obj)

    def has_add_permission(self, request: HttpRequest) -> bool:
        """Recording needs a body to record for, not the model's add permission."""
        return self._may_record_any(request)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        """A recorded condition may be recorded again (corrected) by whoever may record its recognition's."""
        if obj is None:
            return self._may_record_any(request)
        return request.user.is_staff and api.may_record(request.user, obj.recognition)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        """Never: a recording is corrected by recording again, and its trail stays (retirement aside)."""
        return False

    def save_model(self, request: HttpRequest, obj: RecognitionCondition, form: Any, change: bool) -> None:
        """Record through the api (audit entry, issuing); the page then shows the stored row."""
        result = api.record_condition(**form.arguments())
        stored = RecognitionCondition.objects.get(recognition=form.recognition(), user_id=result.condition.user_id,
                                                  course_key=result.condition.course_key or CourseKeyField.Empty)
        for column in RecognitionCondition._meta.concrete_fields:
            setattr(obj, column.attname, getattr(stored, column.attname))
        obj._state.adding = False
        if result.awarded:
            self.message_user(request, _("The recognition was issued."))
        elif result.outcome == "unchanged":
            self.message_user(request, _("This was recorded already: nothing changed."))

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        """Nothing related: the api stored everything."""


@admin.register(RecognitionConditionEntry)
class ConditionEntryAdmin(admin.ModelAdmin):
    """The audit trail of the recordings: who recorded what, when, and from where. Read only, for everyone."""

    list_display = ("recorded_at", "recognition", "user", "course_key", "passed", "result", "taken_on",
                    "recorded_by", "source")
    list_filter = (("recognition", admin.RelatedOnlyFieldListFilter), "source", "passed")
    list_select_related = ("recognition", "user", "recorded_by")
    search_fields = ("user__username", "recorded_by__username")
    readonly_fields = [field.name for field in RecognitionConditionEntry._meta.fields]

    def get_queryset(self, request: HttpRequest) -> QuerySet[RecognitionConditionEntry]:
        """Only the recordings of the recognitions the user may record."""
        return _limited(request, super().get_queryset(request))

    def has_module_permission(self, request: HttpRequest) -> bool:
        """Shown to those who may record some body's conditions."""
        return request.user.is_active and request.user.is_staff and _recordable(request).exists()

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        """Their body's recordings."""
        if obj is None:
            return self.has_module_permission(request)
        return request.user.is_staff and api.may_record(request.user, obj.recognition)

    def has_add_permission(self, request: HttpRequest) -> bool:
        """The trail is written by recording only."""
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        """Append-only."""
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        """Append-only: only a learner's retirement removes their entries."""
        return False


@admin.register(ConditionRecorder)
class ConditionRecorderAdmin(admin.ModelAdmin):
    """Who records the conditions of which recognising body (its staff): for superusers to say."""

    list_display = ("issuer", "user")
    list_filter = ("issuer",)
    list_select_related = ("issuer", "user")
    search_fields = ("user__username", "issuer__name")
    raw_id_fields = ("user",)

    def has_module_permission(self, request: HttpRequest) -> bool:
        """Superusers only."""
        return request.user.is_active and request.user.is_superuser

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        """Superusers only."""
        return self.has_module_permission(request)

    def has_add_permission(self, request: HttpRequest) -> bool:
        """Superusers only."""
        return self.has_module_permission(request)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        """Superusers only."""
        return self.has_module_permission(request)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        """Superusers only."""
        return self.has_module_permission(request)
