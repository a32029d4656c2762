"""The program catalog in the database: issuers, programs, their issuers and their courses."""
from __future__ import annotations

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from opaque_keys.edx.django.models import CourseKeyField

from .. import guards, limits

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
