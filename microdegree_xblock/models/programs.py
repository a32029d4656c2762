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
    capstone_last = models.BooleanField(
        _("capstone last"), default=False,
        help_text=_("The capstone course's achievement record is issued only once every other requirement holds."),
    )
    requires = models.ManyToManyField(
        "self", through="ProgramStep", symmetrical=False, related_name="required_by", blank=True,
        verbose_name=_("required programs"),
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
    group = models.ForeignKey(
        "ProgramGroup", on_delete=models.SET_NULL, null=True, blank=True, related_name="courses",
        verbose_name=_("elective group"), help_text=_("Empty: a required course."),
    )
    capstone = models.BooleanField(
        _("capstone"), default=False, help_text=_("The program's capstone (a required course; at most one)."),
    )
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


class ProgramGroup(models.Model):
    """
    An elective group of a program: the learner chooses ``choose`` of its courses.

    .. no_pii: Catalog data.
    """

    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="groups")
    slug = models.SlugField(_("id"), max_length=64)
    title = models.CharField(_("title"), max_length=255)
    choose = models.PositiveSmallIntegerField(_("choose"), help_text=_("How many of the group's courses count."))
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        ordering = ("program", "order", "id")
        constraints = [
            models.UniqueConstraint(fields=("program", "slug"), name="microdegree_program_group_unique"),
            guards.constraint("microdegree_group_choose_range", models.Q(choose__gte=1)),
        ]
        verbose_name = _("elective group")
        verbose_name_plural = _("elective groups")

    def __str__(self) -> str:
        return f"{self.title} ({self.choose})"


class ProgramStep(models.Model):
    """
    Another program whose micro-degree a program requires as one of its steps.

    .. no_pii: Catalog data.
    """

    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="steps")
    required = models.ForeignKey(Program, on_delete=models.PROTECT, related_name="+",
                                 verbose_name=_("required program"))
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        ordering = ("program", "order", "id")
        constraints = [
            models.UniqueConstraint(fields=("program", "required"), name="microdegree_program_step_unique"),
            guards.constraint("microdegree_program_step_not_self", ~models.Q(program=models.F("required"))),
        ]
        verbose_name = _("required program")
        verbose_name_plural = _("required programs")

    def __str__(self) -> str:
        return f"{self.program_id} requires {self.required_id}"


class Recognition(models.Model):
    """
    An outside body's recognition of program courses, or of the whole program, under that body's own rule.

    Its own grade threshold (empty: the course's achievement threshold), optionally a further condition that an
    authorised person records (an on-site exam), and what it grants (an amount of a unit: 12 CME points, 2 ECTS).
    Each earned recognition is an award of kind ``recognition`` whose ``rule`` is this recognition's id. Changing
    or deleting one keeps what it already issued (docs/decisions/0002).

    .. no_pii: Catalog data.
    """

    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="recognitions")
    slug = models.SlugField(_("id"), max_length=64)
    title = models.CharField(_("title"), max_length=255, blank=True,
                             help_text=_("Empty: named after the recognising body."))
    issuer = models.ForeignKey(Issuer, on_delete=models.PROTECT, related_name="recognitions",
                               verbose_name=_("recognising body"))
    all_courses = models.BooleanField(_("all courses"), default=False,
                                      help_text=_("Every course of the program, electives included."))
    whole_program = models.BooleanField(_("whole program"), default=False,
                                        help_text=_("A recognition of the micro-degree, not of its courses."))
    courses = models.ManyToManyField(ProgramCourse, blank=True, related_name="recognitions",
                                     verbose_name=_("courses"))
    threshold = models.DecimalField(
        _("threshold"), max_digits=5, decimal_places=4, null=True, blank=True, validators=UNIT_INTERVAL,
        help_text=_("That body's share of graded points, 0 to 1. Empty: the course's achievement threshold."),
    )
    condition = models.CharField(
        _("condition"), max_length=255, blank=True,
        help_text=_("A further condition someone records, e.g. an on-site exam passed. Empty: none."),
    )
    credit_amount = models.DecimalField(_("credits"), max_digits=5, decimal_places=1, null=True, blank=True)
    credit_unit = models.CharField(_("credit unit"), max_length=32, blank=True, help_text=_("E.g. ECTS or CME."))
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        ordering = ("program", "order", "id")
        constraints = [
            models.UniqueConstraint(fields=("program", "slug"), name="microdegree_recognition_unique"),
            guards.constraint("microdegree_recognition_threshold_range", guards.threshold("threshold")),
            guards.constraint("microdegree_recognition_credits_range",
                              guards.between("credit_amount", *limits.CREDITS, low_open=True)),
            guards.constraint("microdegree_recognition_credits_unit",
                              models.Q(credit_amount__isnull=True) | ~models.Q(credit_unit="")),
        ]
        verbose_name = _("recognition")
        verbose_name_plural = _("recognitions")

    def __str__(self) -> str:
        return self.title or f"{self.slug} ({self.program_id})"
