"""The further conditions of recognitions (an on-site exam) as recorded for learners, and who may record them."""
from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from opaque_keys.edx.django.models import CourseKeyField

from .programs import Issuer, Recognition


class ConditionRecorder(models.Model):
    """
    A person who may record the conditions of one recognising body's recognitions (its staff).

    .. pii: Links a staff member (user id) to the body they record for.
    .. pii_types: id
    .. pii_retirement: local_api
    """

    issuer = models.ForeignKey(Issuer, on_delete=models.CASCADE, related_name="recorders",
                               verbose_name=_("recognising body"))
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+",
                             verbose_name=_("staff member"))

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=("issuer", "user"), name="microdegree_condition_recorder_unique"),
        ]
        verbose_name = _("condition recorder")
        verbose_name_plural = _("condition recorders")

    def __str__(self) -> str:
        return f"{self.user_id} for {self.issuer_id}"


class RecognitionCondition(models.Model):
    """
    A recognition's further condition as recorded for one learner: passed or not, when, with what result.

    One row per (recognition, learner, course), the latest recording; every recording is kept in
    :class:`RecognitionConditionEntry`, the audit trail.

    .. pii: Links a learner (user id) to an exam result and the staff member who recorded it.
    .. pii_types: id, other
    .. pii_retirement: local_api
    """

    recognition = models.ForeignKey(Recognition, on_delete=models.CASCADE, related_name="conditions")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+",
                             verbose_name=_("learner"))
    course_key = CourseKeyField(_("course key"), max_length=255, blank=True,
                                help_text=_("The course the condition is about; empty for a whole program's."))
    passed = models.BooleanField(_("passed"))
    result = models.CharField(_("result"), max_length=64, blank=True, help_text=_("E.g. a grade: 1.7."))
    taken_on = models.DateField(_("taken on"))
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True,
                                    related_name="+", verbose_name=_("recorded by"))
    recorded_at = models.DateTimeField(_("recorded at"))

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=("recognition", "user", "course_key"), name="microdegree_condition_unique"),
        ]
        # Beside a recognising body's own staff (ConditionRecorder): who may record for every body.
        permissions = [("record_any_condition", _("Can record the conditions of every recognising body"))]
        verbose_name = _("recorded condition")
        verbose_name_plural = _("recorded conditions")

    def __str__(self) -> str:
        return f"{self.recognition_id}: {self.user_id} {'passed' if self.passed else 'not passed'}"


class RecognitionConditionEntry(models.Model):
    """
    One recording of a condition, kept for good (append-only): the audit trail of who recorded what, and when.

    .. pii: Links a learner (user id) to an exam result and the staff member who recorded it.
    .. pii_types: id, other
    .. pii_retirement: local_api
    """

    recognition = models.ForeignKey(Recognition, on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+",
                             verbose_name=_("learner"))
    course_key = CourseKeyField(_("course key"), max_length=255, blank=True)
    passed = models.BooleanField(_("passed"))
    result = models.CharField(_("result"), max_length=64, blank=True)
    taken_on = models.DateField(_("taken on"))
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True,
                                    related_name="+", verbose_name=_("recorded by"))
    recorded_at = models.DateTimeField(_("recorded at"))
    source = models.CharField(_("source"), max_length=16, help_text=_("admin, csv or api."))

    class Meta:
        ordering = ("-recorded_at", "-id")
        verbose_name = _("condition recording")
        verbose_name_plural = _("condition recordings")

    def __str__(self) -> str:
        return f"{self.recorded_at:%Y-%m-%d %H:%M} {self.recognition_id}: {self.user_id}"
