"""
Django admin for platform admins: issuers, programs with their courses, learner states and awards.

The admin validates with the same checks as the program files (``catalog.py``) and acts through ``api.py``.
"""
from __future__ import annotations

from types import SimpleNamespace
from typing import Any, cast

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.helpers import ActionForm
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponseRedirect
from django.urls import URLPattern, path, reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from . import api, catalog
from .admin_structure import (
    ProgramCourseInline,
    ProgramGroupInline,
    ProgramStepInline,
    RecognitionInline,
    WholeProgramFormSet,
)
from .models import (
    Award,
    Issuer,
    LearnerCourseState,
    Program,
    ProgramCourse,
    ProgramGroup,
    ProgramIssuer,
    ProgramStep,
    Recognition,
)


def _checked(value: Any, check: Any) -> Any:
    """Run one of the catalog's single-field checks on a form value; raise its message as a form error."""
    if value not in (None, "") and (message := check(value)):
        raise forms.ValidationError(message)
    return value


class IssuerForm(forms.ModelForm):
    """Issuer form: the same checks as program files."""

    # An http(s) URL is required (clean_url), so the scheme is never assumed.
    url = forms.CharField(label=_("website"), max_length=255)

    class Meta:
        model = Issuer
        fields = ("slug", "name", "url", "email", "country")

    def clean_slug(self) -> Any:
        """Ids are slugs, as in program files."""
        return _checked(self.cleaned_data.get("slug"), catalog.check_slug)

    def clean_name(self) -> Any:
        """A name fit to show on certificates, as in program files."""
        return _checked(self.cleaned_data.get("name"), catalog.check_text)

    def clean_url(self) -> Any:
        """An http(s) URL, as in program files."""
        return _checked(self.cleaned_data.get("url"), catalog.check_http_url)

    def clean_country(self) -> str:
        """Check the country code as the program files do."""
        country = (self.cleaned_data.get("country") or "").upper()
        if message := catalog.check_country(country):
            raise forms.ValidationError(message)
        return country


class StoredCatalogWarnings(admin.ModelAdmin):
    """
    Shows admins what the catalog's checks find wrong with the stored catalog (``api.catalog_problems``).

    A catalog written by a script, raw SQL or an older release may hold values a program file would be refused
    for; the pages still read it, and these warnings say what to correct: on the list, how many rows are affected;
    on a row's page, each problem with its place. ``catalog_section`` names the rows in a file's terms.
    """

    catalog_section = ""

    def _problems(self, slug: str | None = None) -> list[str]:
        prefix = f"{self.catalog_section}[{slug}]" if slug else f"{self.catalog_section}["
        return [problem for problem in api.catalog_problems() if problem.startswith(prefix)]

    def changelist_view(self, request: HttpRequest, extra_context: Any = None) -> Any:
        """The list, with a warning naming the rows that would be refused in a program file."""
        if request.method == "GET":
            places = sorted({problem.split(":", 1)[0].split("]", 1)[0] + "]" for problem in self._problems()})
            if places:
                self.message_user(request, _("Stored with values a program file would be refused for: %(places)s. "
                                             "Open each to see what to correct.") % {"places": ", ".join(places)},
                                  level=messages.WARNING)
        return super().changelist_view(request, extra_context)

    def change_view(self, request: HttpRequest, object_id: str, form_url: str = "",
                    extra_context: Any = None) -> Any:
        """The row's page, with each problem a program file would be refused for."""
        obj = self.get_object(request, object_id) if request.method == "GET" else None
        for problem in self._problems(obj.slug) if obj is not None else ():
            self.message_user(request, _("This is stored with a value a program file would be refused for: "
                                         "%(problem)s") % {"problem": problem}, level=messages.WARNING)
        return super().change_view(request, object_id, form_url, extra_context)


@admin.register(Issuer)
class IssuerAdmin(StoredCatalogWarnings):
    """Issuers."""

    form = IssuerForm
    list_display = ("name", "slug", "country", "url")
    search_fields = ("name", "slug")
    catalog_section = "issuers"


class ProgramIssuerFormSet(forms.BaseInlineFormSet):
    """A program needs at least one issuer."""

    def clean(self) -> None:
        """Reject a program without an issuer."""
        super().clean()
        kept = [f for f in self.forms if f.cleaned_data and not f.cleaned_data.get("DELETE", False)]
        if not kept:
            raise forms.ValidationError(_("A program needs at least one issuer."))


class ProgramIssuerInline(admin.TabularInline):
    """The program's issuers (more than one: co-issued)."""

    model = ProgramIssuer
    formset = ProgramIssuerFormSet
    extra = 0
    min_num = 1


class ProgramForm(forms.ModelForm):
    """Program form: the id is a slug, as in program files."""

    class Meta:
        model = Program
        fields = ("slug", "title", "description", "learning_outcomes", "eqf_level", "participation_form",
                  "assessment_type", "quality_assurance", "badge_image_url", "capstone_last")

    def clean_badge_image_url(self) -> Any:
        """An http(s) URL, as in program files."""
        return _checked(self.cleaned_data.get("badge_image_url"), catalog.check_http_url)

    def clean_slug(self) -> Any:
        """Ids are slugs, as in program files."""
        return _checked(self.cleaned_data.get("slug"), catalog.check_slug)

    def clean_title(self) -> Any:
        """A title fit to show on certificates, as in program files."""
        return _checked(self.cleaned_data.get("title"), catalog.check_text)


def _course_rules(program: Program) -> set[tuple[Any, ...]]:
    """What decides a program's awards: its courses, thresholds, groups, capstone, steps and recognitions."""
    return {
        *ProgramCourse.objects.filter(program=program).values_list(
            "course_key", "achievement_threshold", "participation_threshold", "planned", "group__choose", "capstone"),
        *(("step", *row) for row in ProgramStep.objects.filter(program=program).values_list("required_id")),
        *(("recognition", *row) for row in Recognition.objects.filter(program=program).values_list(
            "slug", "issuer_id", "threshold", "condition", "all_courses", "whole_program", "courses")),
    }


@admin.register(Program)
class ProgramAdmin(StoredCatalogWarnings):
    """Programs with their issuers and courses."""

    form = ProgramForm
    catalog_section = "programs"

    list_display = ("title", "slug")
    search_fields = ("title", "slug")
    inlines = (ProgramIssuerInline, ProgramCourseInline, ProgramGroupInline, ProgramStepInline, RecognitionInline)
    actions = ("backfill",)

    def _create_formsets(self, request: HttpRequest, obj: Any, change: bool) -> Any:
        """The recognitions' formset, validated last, checks the whole programme with its siblings' rows."""
        formsets, inline_instances = super()._create_formsets(request, obj, change)  # type: ignore[misc]
        names = {ProgramIssuer: "issuers", ProgramCourse: "courses", ProgramGroup: "groups", ProgramStep: "steps"}
        siblings = {names[formset.model]: formset for formset in formsets if formset.model in names}
        for formset in formsets:
            if isinstance(formset, WholeProgramFormSet):
                formset.siblings = siblings
        return formsets, inline_instances

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        """
        After saving, warn when the total hours are outside the recommended range, and backfill changed courses.

        A new program, or changed courses or thresholds, may make awards due from grades earned before: the
        backfill is queued when tasks run in Celery, else the admin is told how to run it (docs/decisions/0031).
        """
        rules_before = _course_rules(form.instance)
        super().save_related(request, form, formsets, change)
        for warning in api.program_warnings(form.instance.slug):
            self.message_user(request, warning, level=messages.WARNING)
        if change and _course_rules(form.instance) == rules_before:
            return
        if api.queue_backfill([form.instance.slug]):
            self.message_user(request, _("The awards due from grades earned before are being issued in the "
                                         "background (backfill queued)."))
        else:
            self.message_user(request, _(
                "Learners may have earned awards of this program before it was saved: choose \"Backfill from the "
                "platform's grades\" in the list of programs, or run %(command)s."
            ) % {"command": f"microdegree_programs backfill --program {form.instance.slug}"},
                level=messages.WARNING)

    def has_backfill_permission(self, request: HttpRequest) -> bool:
        """Backfilling issues awards: it needs the program change permission."""
        return request.user.has_perm(f"{self.opts.app_label}.change_program")

    @admin.action(description=_("Backfill from the platform's grades"), permissions=["backfill"])
    def backfill(self, request: HttpRequest, queryset: QuerySet[Program]) -> None:
        """Issue the awards due from the platform's grades: queued in Celery, else run here and reported."""
        slugs = sorted(queryset.values_list("slug", flat=True))
        if api.queue_backfill(slugs):
            self.message_user(request, _("Backfill queued for %(programs)s.") % {"programs": ", ".join(slugs)})
            return
        try:
            report = api.backfill(program_ids=slugs)
        except ValueError as exc:
            self.message_user(request, str(exc), level=messages.ERROR)
            return
        self.message_user(request, _(
            "Backfill of %(programs)s: %(rows)d grade row(s) read, %(awards)d award(s) issued."
        ) % {"programs": ", ".join(slugs), "rows": report.rows, "awards": report.awarded})


@admin.register(LearnerCourseState)
class LearnerCourseStateAdmin(admin.ModelAdmin):
    """What the plugin has seen of learners (read only)."""

    list_display = ("user", "course_key", "best_percent", "best_completion", "modified")
    search_fields = ("user__username", "course_key")
    readonly_fields = [field.name for field in LearnerCourseState._meta.fields]

    def has_add_permission(self, request: HttpRequest) -> bool:
        """Learner states come from events, never from the admin."""
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        """Read only."""
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        """A learner state is the evidence of their awards: only the learner's retirement removes it."""
        return False


class RevokeActionForm(ActionForm):
    """The awards changelist's action bar, with the reason a revocation or a re-issue needs."""

    reason = forms.CharField(label=_("Reason"), required=False, max_length=500)


@admin.register(Award)
class AwardAdmin(admin.ModelAdmin):
    """Awards: read only, except for revocation and re-issue (actions that need a reason)."""

    list_display = ("uuid", "kind", "user", "program", "course_key", "issued_at", "revoked_at")
    list_filter = ("kind", "program", ("revoked_at", admin.EmptyFieldListFilter))
    search_fields = ("uuid", "user__username", "course_key")
    readonly_fields = [field.name for field in Award._meta.fields]
    action_form = RevokeActionForm
    actions = ("revoke", "reissue")

    def has_add_permission(self, request: HttpRequest) -> bool:
        """Awards are issued by the rules, never by hand."""
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        """Read only: revocation is an action of its own."""
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        """
        Never: an award ends only by revocation with a reason (docs/decisions/0002-award-semantics.rst).

        Deleting would leave its status-list bit at 0, so copies held elsewhere would still verify, and no
        ``BADGE_REVOKED`` would be sent. Without this permission Django offers neither the delete button nor the
        "delete selected" action, and refuses both when posted.
        """
        return False

    def has_revoke_permission(self, request: HttpRequest) -> bool:
        """Revoking needs the award change permission, although awards are otherwise read only here."""
        return request.user.has_perm(f"{self.opts.app_label}.change_award")

    def has_reissue_permission(self, request: HttpRequest) -> bool:
        """Re-issuing needs the award change permission too."""
        return self.has_revoke_permission(request)

    @admin.action(description=_("Revoke selected awards (give a reason)"), permissions=["revoke"])
    def revoke(self, request: HttpRequest, queryset: QuerySet[Award]) -> None:
        """Revoke the selected awards through the api, with the reason typed in the action bar."""
        reason = (request.POST.get("reason") or "").strip()
        if not reason:
            self.message_user(request, _("A revocation needs a reason."), level=messages.ERROR)
            return
        count = 0
        for award_uuid in queryset.values_list("uuid", flat=True):
            api.revoke_award(award_id=award_uuid, reason=reason)
            count += 1
        self.message_user(request, ngettext("%(count)d award revoked.", "%(count)d awards revoked.", count)
                          % {"count": count})

    @admin.action(description=_("Re-issue selected awards (give a reason): each is revoked and replaced"),
                  permissions=["reissue"])
    def reissue(self, request: HttpRequest, queryset: QuerySet[Award]) -> None:
        """Re-issue the selected awards through the api, with the reason typed in the action bar."""
        reason = (request.POST.get("reason") or "").strip()
        if not reason:
            self.message_user(request, _("A re-issue needs a reason."), level=messages.ERROR)
            return
        count = 0
        for award_uuid in queryset.values_list("uuid", flat=True):
            try:
                api.reissue_award(award_id=award_uuid, reason=reason)
            except api.AwardReissued as exc:
                self.message_user(request, str(exc), level=messages.WARNING)
                continue
            count += 1
        self.message_user(request, ngettext("%(count)d award re-issued.", "%(count)d awards re-issued.", count)
                          % {"count": count})


class ReportingLink:  # pylint: disable=too-few-public-methods
    """The dashboard's entry in the admin index, which lists models only: a stand-in, no table (ADR 37)."""

    _meta = SimpleNamespace(app_label="microdegree", model_name="reporting", object_name="Reporting",
                            verbose_name=_("reporting dashboard"), verbose_name_plural=_("reporting dashboard"),
                            abstract=False, swapped=False, is_composite_pk=False, app_config=None)


class ReportingLinkAdmin(admin.ModelAdmin):
    """Shows the dashboard in the admin index, to staff; its "changelist" redirects to the dashboard."""

    def get_model_perms(self, request: HttpRequest) -> dict[str, bool]:
        """Only the view link, for staff (the dashboard itself is staff only)."""
        return {"add": False, "change": False, "delete": False, "view": request.user.is_staff}

    def get_urls(self) -> list[URLPattern]:
        """The one page: a redirect to the dashboard, behind the admin's own sign-in."""
        redirect = self.admin_site.admin_view(lambda request: HttpResponseRedirect(reverse("microdegree:reporting")))
        return [path("", redirect, name="microdegree_reporting_changelist")]


admin.site.register(cast(Any, [ReportingLink]), ReportingLinkAdmin)
from . import admin_conditions  # noqa: E402,F401  (registers the conditions' admin)
