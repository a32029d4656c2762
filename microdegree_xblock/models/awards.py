"""What the plugin knows of learners: their best course states and their awards."""
from __future__ import annotations

import uuid
from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from opaque_keys.edx.django.models import CourseKeyField

from .. import data, guards, limits
from ..exceptions import AwardsAreKept
from ..labels import KIND_LABELS
from .programs import UNIT_INTERVAL, Program


class LearnerCourseState(models.Model):
    """
    What the plugin has seen of one learner in one course: the best grade and completion, and when.

    Values only ever go up ("best seen"), so events that arrive late or out of order cannot lower them. The
    awards derived from this state carry the moment each threshold was first met (their ``issued_at`` and
    evidence), because thresholds belong to a program course, not to the course.

    .. pii: Links a learner (user id) to their grade and progress in a course.
    .. pii_types: id, other
    .. pii_retirement: local_api
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    course_key = CourseKeyField(_("course key"), max_length=255)
    best_percent = models.DecimalField(
        _("best grade"), max_digits=7, decimal_places=6, null=True, blank=True, validators=UNIT_INTERVAL
    )
    best_percent_at = models.DateTimeField(_("best grade seen at"), null=True, blank=True)
    best_percent_event = models.CharField(_("best grade reported by"), max_length=255, blank=True)
    best_completion = models.DecimalField(
        _("best completion"), max_digits=7, decimal_places=6, null=True, blank=True, validators=UNIT_INTERVAL
    )
    best_completion_at = models.DateTimeField(_("best completion seen at"), null=True, blank=True)
    best_completion_event = models.CharField(_("best completion reported by"), max_length=255, blank=True)
    first_passed_at = models.DateTimeField(
        _("first passed at"), null=True, blank=True,
        help_text=_("When the LMS first reported the course's own passing grade. Informational only."),
    )
    modified = models.DateTimeField(_("modified"), auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=("user", "course_key"), name="microdegree_learner_course_unique"),
            guards.constraint("microdegree_state_percent_range", guards.between("best_percent", *limits.SHARE)),
            guards.constraint("microdegree_state_completion_range", guards.between("best_completion", *limits.SHARE)),
        ]
        verbose_name = _("learner course state")
        verbose_name_plural = _("learner course states")

    def __str__(self) -> str:
        return f"{self.user_id} in {self.course_key}"


class Award(models.Model):
    """
    A participation confirmation, an achievement record or a micro-degree, issued to one learner.

    One row per (learner, program, course, kind) and issue: the database constraint, not Python, guarantees it.
    Degrees have an empty course key. Awards are earned for good: only an explicit revocation with a reason ends
    them, and they are never deleted but in the learner's retirement. An admin may re-issue a revoked award
    (``api.reissue_award``): a new row with the next ``generation``, pointing to the one it replaces, which stays.

    .. pii: Links a learner (user id) to their achievements, grades and a public identifier.
    .. pii_types: id, other
    .. pii_retirement: local_api
    """

    PARTICIPATION = data.PARTICIPATION
    ACHIEVEMENT = data.ACHIEVEMENT
    DEGREE = data.DEGREE
    KIND_CHOICES = tuple(KIND_LABELS.items())

    uuid = models.UUIDField(_("public id"), default=uuid.uuid4, unique=True, editable=False)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    program = models.ForeignKey(Program, on_delete=models.PROTECT, related_name="awards")
    course_key = CourseKeyField(_("course key"), max_length=255, blank=True)
    kind = models.CharField(_("kind"), max_length=16, choices=KIND_CHOICES)
    # The recognition's id for a recognition (docs/decisions/0040); "" for the platform's own awards. Never null,
    # so that the unique key below is exact on MariaDB too, which holds any two nulls distinct.
    rule = models.CharField(_("rule"), max_length=64, blank=True, default="")
    issued_at = models.DateTimeField(_("issued at"))
    # Evidence: what was measured, against which threshold, from which event.
    evidence_value = models.DecimalField(
        _("measured value"), max_digits=7, decimal_places=6, null=True, blank=True,
        help_text=_("Grade percent (achievement) or completion fraction (participation), 0 to 1."),
    )
    evidence_threshold = models.DecimalField(
        _("threshold applied"), max_digits=5, decimal_places=4, null=True, blank=True
    )
    evidence_event_type = models.CharField(_("event type"), max_length=255, blank=True)
    evidence_event_time = models.DateTimeField(_("event time"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    revoked_reason = models.TextField(_("revocation reason"), blank=True)
    # Credentials: the recipient salt of the hashed email, the revocation entry, and the learner's choice.
    recipient_salt = models.CharField(_("recipient salt"), max_length=64, default=data.new_salt, editable=False)
    status_list = models.ForeignKey(
        "StatusList", on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("status list"),
    )
    status_index = models.PositiveIntegerField(_("status list index"), null=True, blank=True)
    private = models.BooleanField(
        _("private"), default=False,
        help_text=_("The learner hid this credential: its public page shows only that it is private."),
    )
    # Re-issue (docs/decisions/0027): 0 for an award the rules issued, n for its n-th re-issue.
    generation = models.PositiveSmallIntegerField(
        _("issue"), default=0, editable=False, help_text=_("0: issued by the rules; 1 and up: re-issued by an admin."),
    )
    reissue_of = models.OneToOneField(
        "self", on_delete=models.SET_NULL, null=True, blank=True, editable=False, related_name="reissued_as",
        verbose_name=_("re-issue of"),
    )
    reissue_reason = models.TextField(_("re-issue reason"), blank=True, editable=False)
    # When BADGE_AWARDED was sent for the award; empty until then (docs/decisions/0028).
    announced_at = models.DateTimeField(_("announced at"), null=True, editable=False)

    objects = guards.AwardQuerySet.as_manager()

    class Meta:
        ordering = ("-issued_at",)
        constraints = [
            models.UniqueConstraint(
                fields=("user", "program", "course_key", "kind", "rule", "generation"),
                name="microdegree_award_rule_issue_unique",
            ),
            models.UniqueConstraint(fields=("status_list", "status_index"), name="microdegree_award_status_unique"),
            # A course award carries its evidence: the share measured and the threshold it met (ADR 0002); so does
            # a recognition, but one of a whole programme without a threshold of its own.
            guards.constraint("microdegree_award_evidence_rule", models.Q(kind=data.DEGREE) | models.Q(
                kind=data.RECOGNITION, evidence_value__isnull=True, evidence_threshold__isnull=True,
            ) | models.Q(
                evidence_value__isnull=False, evidence_threshold__isnull=False,
                evidence_value__gte=models.F("evidence_threshold"))),
            guards.constraint("microdegree_award_rule_kind",
                              models.Q(kind=data.RECOGNITION, rule__gt="") | (~models.Q(kind=data.RECOGNITION)
                                                                             & models.Q(rule=""))),
            guards.constraint("microdegree_award_value_range", guards.between("evidence_value", *limits.SHARE)),
            guards.constraint("microdegree_award_threshold_range", guards.threshold("evidence_threshold")),
        ]
        verbose_name = _("award")
        verbose_name_plural = _("awards")

    def __str__(self) -> str:
        return f"{self.kind} {self.uuid}"

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        """Refused (``AwardsAreKept``) outside :func:`retiring`: revoke the award instead, with a reason."""
        if not guards.deleting_allowed():
            raise AwardsAreKept(f"award {self.uuid} is never deleted: revoke it with a reason (api.revoke_award)")
        return super().delete(*args, **kwargs)
