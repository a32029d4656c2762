"""Backfill runs: which learners' past grades have been read, and where an interrupted run resumes."""
from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class BackfillRun(models.Model):
    """
    One backfill of awards from the platform's grades or an export file, for one scope, and where it has got to.

    A run that is interrupted (a crash, Ctrl-C, a deploy) resumes from its cursor when the same backfill is started
    again; a finished run keeps its counts and no cursor. The scope is the sorted courses and learners asked for,
    and the source; its digest identifies the run.

    .. pii: While a run is unfinished, its cursor holds the id of the last learner it reached in a course.
    .. pii_types: id
    .. pii_retirement: local_api
    """

    PLATFORM = "platform"
    FILE = "file"
    SOURCE_CHOICES = ((PLATFORM, _("the platform's grades and completions")), (FILE, _("an export file")))

    scope_digest = models.CharField(_("scope digest"), max_length=64, unique=True, editable=False)
    scope = models.TextField(_("scope"), editable=False)
    source = models.CharField(_("source"), max_length=16, choices=SOURCE_CHOICES)
    cursor = models.JSONField(_("resume after"), null=True, blank=True, editable=False)
    rows_read = models.PositiveBigIntegerField(_("rows read"), default=0)
    awards_issued = models.PositiveBigIntegerField(_("awards issued"), default=0)
    started_at = models.DateTimeField(_("started at"))
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        ordering = ("-started_at",)
        verbose_name = _("backfill run")
        verbose_name_plural = _("backfill runs")

    def __str__(self) -> str:
        return f"{self.source}: {self.scope[:80]}"
