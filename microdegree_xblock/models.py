"""
Database models of the micro-degree plugin.

Only ``api.py`` reads and writes these models (the admin registers them); everything else goes through the api.
Awards are never deleted by configuration changes: they reference their program and course key, not the
program-course row, so a course dropped from a program leaves the learner's records intact.
"""
from __future__ import annotations

import uuid
from typing import Any

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from opaque_keys.edx.django.models import CourseKeyField

from . import data, guards, limits
from .exceptions import AwardsAreKept
from .labels import KIND_LABELS

UNIT_INTERVAL = [MinValueValidator(0), MaxValueValidator(1)]
EQF_LEVELS = [MinValueValidator(limits.EQF_LEVELS[0]), MaxValueValidator(limits.EQF_LEVELS[1])]


class Issuer(models.Model):
    """
    An awarding body (a university, a chamber, the platform itself) that issues or co-issues programs.

    .. no_pii: Issuers are organisations; their contact address is an institutional address.
    """

    slug = models.SlugField(_("id"), max_length=64, unique=True)
    name = models.CharField(_("name"), max_length=255)
    url = models.URLField(_("website"), max_length=255)
    email = models.EmailField(_("contact email"), max_length=255, blank=True)
    country = models.CharField(_("country"), max_length=2, help_text=_("ISO 3166-1 alpha-2 code, e.g. DE."))

    class Meta:
        ordering = ("name",)
        verbose_name = _("issuer")
        verbose_name_plural = _("issuers")

    def __str__(self) -> str:
        return self.name


class Program(models.Model):
    """
    A micro-degree: a stack of thematically aligned courses, issued by one or more issuers.

    .. no_pii: Programs are catalog data.
    """

    slug = models.SlugField(_("id"), max_length=64, unique=True)
    title = models.CharField(_("title"), max_length=255)
    description = models.TextField(_("description"), blank=True)
    issuers = models.ManyToManyField(Issuer, through="ProgramIssuer", related_name="programs")
    # The EU Council Recommendation's micro-credential elements that the catalog does not otherwise hold
    # (docs/decisions/0021); empty values fall back to the platform's settings.
    learning_outcomes = models.TextField(
        _("learning outcomes"), blank=True, help_text=_("One learning outcome per line."),
    )
    eqf_level = models.PositiveSmallIntegerField(
        _("EQF level"), null=True, blank=True, validators=EQF_LEVELS,
        help_text=_("European Qualifications Framework level (1-8), if the program has one."),
    )
    participation_form = models.CharField(
        _("form of participation"), max_length=255, blank=True,
        help_text=_("E.g. online, blended or on site. Empty: the platform default."),
    )
    assessment_type = models.CharField(
        _("type of assessment"), max_length=255, blank=True,
        help_text=_("E.g. graded online assessments. Empty: the platform default."),
    )
    quality_assurance = models.TextField(
        _("type of quality assurance"), blank=True,
        help_text=_("How the program's quality is assured. Empty: the platform default."),
    )
    badge_image_url = models.URLField(
        _("badge image"), max_length=255, blank=True,
        help_text=_("URL of the micro-degree's badge image (PNG or SVG). Empty: one is generated from the title."),
    )

    class Meta:
        ordering = ("title",)
        constraints = [
            guards.constraint("microdegree_program_eqf_range", guards.between("eqf_level", *limits.EQF_LEVELS)),
        ]
        verbose_name = _("program")
        verbose_name_plural = _("programs")

    def __str__(self) -> str:
        return self.title


class ProgramIssuer(models.Model):
    """
    An issuer of a program, in the order the program names its issuers (first = lead issuer).

    .. no_pii: Links catalog data only.
    """

    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="program_issuers")
    issuer = models.ForeignKey(Issuer, on_delete=models.PROTECT, related_name="+")
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        ordering = ("order", "id")
        constraints = [
            models.UniqueConstraint(fields=("program", "issuer"), name="microdegree_program_issuer_unique"),
        ]
        verbose_name = _("program issuer")
        verbose_name_plural = _("program issuers")

    def __str__(self) -> str:
        return f"{self.program_id}: {self.issuer_id}"


class ProgramCourse(models.Model):
    """
    A course of a program, possibly only planned, with optional thresholds overriding the platform defaults.

    The same course may belong to several programs with different thresholds (a recognising body such as a
    medical chamber may recognise a course only at a higher grade).

    .. no_pii: Catalog data.
    """

    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="courses")
    course_key = CourseKeyField(_("course key"), max_length=255, db_index=True)
    title = models.CharField(_("title"), max_length=255)
    hours = models.DecimalField(_("hours"), max_digits=6, decimal_places=1, validators=[MinValueValidator(0)])
    ects = models.DecimalField(
        _("ECTS credits"), max_digits=5, decimal_places=1, null=True, blank=True, validators=[MinValueValidator(0)]
    )
    planned = models.BooleanField(_("planned"), default=False, help_text=_("Listed, but not yet available."))
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    achievement_threshold = models.DecimalField(
        _("achievement threshold"), max_digits=5, decimal_places=4, null=True, blank=True,
        validators=UNIT_INTERVAL, help_text=_("Share of graded points, 0 to 1. Empty: the platform default."),
    )
    participation_threshold = models.DecimalField(
        _("participation threshold"), max_digits=5, decimal_places=4, null=True, blank=True,
        validators=UNIT_INTERVAL, help_text=_("Share of content accessed, 0 to 1. Empty: the platform default."),
    )
    badge_image_url = models.URLField(
        _("badge image"), max_length=255, blank=True,
        help_text=_("URL of the badge image of this course's records (PNG or SVG). Empty: generated from the title."),
    )

    class Meta:
        ordering = ("program", "order", "id")
        constraints = [
            models.UniqueConstraint(fields=("program", "course_key"), name="microdegree_program_course_unique"),
            guards.constraint("microdegree_course_hours_range",
                       guards.between("hours", *limits.COURSE_HOURS, nullable=False, low_open=True)),
            guards.constraint("microdegree_course_ects_range", guards.between("ects", *limits.ECTS)),
            guards.constraint("microdegree_course_achievement_range", guards.threshold("achievement_threshold")),
            guards.constraint("microdegree_course_participation_range", guards.threshold("participation_threshold")),
        ]
        verbose_name = _("program course")
        verbose_name_plural = _("program courses")

    def __str__(self) -> str:
        return f"{self.title} ({self.course_key})"


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
                fields=("user", "program", "course_key", "kind", "generation"), name="microdegree_award_issue_unique"
            ),
            models.UniqueConstraint(fields=("status_list", "status_index"), name="microdegree_award_status_unique"),
            # A course award carries its evidence: the share measured and the threshold it met (ADR 0002).
            guards.constraint("microdegree_award_evidence", models.Q(kind=data.DEGREE) | models.Q(
                evidence_value__isnull=False, evidence_threshold__isnull=False,
                evidence_value__gte=models.F("evidence_threshold"))),
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


class SigningKey(models.Model):
    """
    An Ed25519 key of the platform that signs credentials (docs/decisions/0020).

    The active key is the newest one not retired. Generated keys keep their private key here until they are
    retired (``microdegree_keys rotate``); a key configured in settings (``MICRODEGREE_SIGNING_KEY``) is recorded
    with its public key only. Every key stays published in the issuers' DID documents, so that credentials signed
    before a rotation keep verifying.

    .. no_pii: Keys of the platform.
    """

    GENERATED = "generated"
    SETTINGS = "settings"
    SOURCE_CHOICES = ((GENERATED, _("generated on first use")), (SETTINGS, _("from settings")))

    public_key_multibase = models.CharField(_("public key (multibase)"), max_length=64, unique=True)
    private_key_pem = models.TextField(_("private key (PEM)"), blank=True, editable=False)
    source = models.CharField(_("source"), max_length=16, choices=SOURCE_CHOICES, default=GENERATED)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    retired_at = models.DateTimeField(_("retired at"), null=True, blank=True)

    class Meta:
        ordering = ("-created_at", "-id")
        verbose_name = _("signing key")
        verbose_name_plural = _("signing keys")

    def __str__(self) -> str:
        return self.public_key_multibase


class StatusList(models.Model):
    """
    One Bitstring Status List of an issuer (131,072 revocation bits), with its signed status list credential.

    Entries are handed out by ``allocated`` and never reused: the bits of deleted (retired) awards stay set.

    .. no_pii: Bits and counters; nothing links an entry to a learner but the award, which holds the index.
    """

    issuer = models.ForeignKey(Issuer, on_delete=models.PROTECT, related_name="+", verbose_name=_("issuer"))
    number = models.PositiveIntegerField(_("list number"))
    allocated = models.PositiveIntegerField(_("entries handed out"), default=0)
    encoded_list = models.TextField(_("encoded list"), blank=True)
    credential = models.TextField(_("signed status list credential"), blank=True)
    modified = models.DateTimeField(_("modified"), auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=("issuer", "number"), name="microdegree_status_list_unique"),
        ]
        verbose_name = _("status list")
        verbose_name_plural = _("status lists")

    def __str__(self) -> str:
        return f"{self.issuer_id}/{self.number}"


class SignedCredential(models.Model):
    """
    The exact signed text of one credential of an award: its OB 3.0 OpenBadgeCredential, or a degree's CLR.

    Stored once, when the award is processed after commit, and served byte for byte; never re-serialised.

    .. pii: The learner's name and salted email hash, inside the signed credential.
    .. pii_types: name, email_address
    .. pii_retirement: local_api
    """

    OB3 = "ob3"
    CLR = "clr"
    CLR_MEMBER = "clr-member"
    FORMAT_CHOICES = ((OB3, "Open Badges 3.0"), (CLR, "CLR 2.0"), (CLR_MEMBER, _("Open Badges 3.0 inside a CLR")))

    award = models.ForeignKey(Award, on_delete=models.CASCADE, related_name="credentials")
    format = models.CharField(_("format"), max_length=16, choices=FORMAT_CHOICES)
    credential_id = models.CharField(_("credential id"), max_length=255)
    issuer = models.ForeignKey(Issuer, on_delete=models.PROTECT, related_name="+", verbose_name=_("issuer"))
    key = models.ForeignKey(SigningKey, on_delete=models.PROTECT, related_name="+", verbose_name=_("signing key"))
    text = models.TextField(_("signed document"))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=("award", "format"), name="microdegree_signed_credential_unique"),
        ]
        verbose_name = _("signed credential")
        verbose_name_plural = _("signed credentials")

    def __str__(self) -> str:
        return f"{self.format} {self.credential_id}"
