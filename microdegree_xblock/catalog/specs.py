"""
Program catalog files as plain data: what a file declares, once validated, and the error that lists what is wrong.
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

__all__ = ["CapstoneSpec", "CatalogError", "CatalogSpec", "CourseSpec", "CreditsSpec", "GroupSpec", "IssuerSpec",
           "ProgramSpec", "RecognitionSpec"]


class CatalogError(ValueError):
    """A catalog file is invalid; ``errors`` lists every problem found, each naming where it is."""

    def __init__(self, errors: Iterable[str]):
        self.errors = list(errors)
        super().__init__("\n".join(self.errors))


@dataclass(frozen=True)
class IssuerSpec:
    """An issuer as a catalog file declares it."""

    id: str
    name: str
    url: str
    email: str = ""
    country: str = ""


@dataclass(frozen=True)
class CourseSpec:
    """A program course as a catalog file declares it (thresholds None: the platform default)."""

    key: str
    title: str
    hours: Decimal
    ects: Decimal | None = None
    planned: bool = False
    achievement_threshold: Decimal | None = None
    participation_threshold: Decimal | None = None
    badge_image: str = ""


@dataclass(frozen=True)
class GroupSpec:
    """An elective group: ``choose`` of its courses."""

    id: str
    title: str
    choose: int
    courses: tuple[CourseSpec, ...]


@dataclass(frozen=True)
class CapstoneSpec:
    """The programme's capstone (one of its required courses) and whether its record must come last."""

    key: str
    last: bool = True


@dataclass(frozen=True)
class CreditsSpec:
    """What a recognition grants per course (or for the programme): an amount of a unit (ECTS, CME...)."""

    amount: Decimal
    unit: str


@dataclass(frozen=True)
class RecognitionSpec:
    """
    An outside body's recognition of programme courses, or of the whole programme, under its own rule.

    ``courses`` names the courses (empty with ``all_courses``: every course of the programme, electives too);
    ``program``: the recognition is of the degree. ``threshold`` None: the course's achievement threshold (for a
    programme: none of its own). ``condition``: a further condition someone records (an on-site exam), or "".
    """

    id: str
    by: str
    title: str = ""
    courses: tuple[str, ...] = ()
    all_courses: bool = False
    program: bool = False
    threshold: Decimal | None = None
    condition: str = ""
    credits: CreditsSpec | None = None


@dataclass(frozen=True)
class ProgramSpec:
    """
    A program as a catalog file declares it.

    The EU micro-credential elements (learning outcomes, EQF level, form of participation, type of assessment, type
    of quality assurance) are optional; empty ones fall back to the platform's settings in the credentials.
    """

    id: str
    title: str
    description: str
    issuers: tuple[str, ...]
    courses: tuple[CourseSpec, ...]
    learning_outcomes: tuple[str, ...] = ()
    eqf_level: int | None = None
    participation_form: str = ""
    assessment_type: str = ""
    quality_assurance: str = ""
    badge_image: str = ""
    electives: tuple[GroupSpec, ...] = ()
    capstone: CapstoneSpec | None = None
    requires: tuple[str, ...] = ()
    recognitions: tuple[RecognitionSpec, ...] = ()

    @property
    def all_courses(self) -> tuple[CourseSpec, ...]:
        """Every course of the programme: the required ones, then each elective group's."""
        return self.courses + tuple(course for group in self.electives for course in group.courses)


@dataclass(frozen=True)
class CatalogSpec:
    """A whole validated catalog file, and the warnings it gave."""

    issuers: tuple[IssuerSpec, ...] = ()
    programs: tuple[ProgramSpec, ...] = ()
    warnings: tuple[str, ...] = field(default=(), compare=False)
