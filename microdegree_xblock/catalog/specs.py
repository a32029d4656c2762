"""
Program catalog files as plain data: what a file declares, once validated, and the error that lists what is wrong.
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

__all__ = ["CatalogError", "CatalogSpec", "CourseSpec", "IssuerSpec", "ProgramSpec"]


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


@dataclass(frozen=True)
class CatalogSpec:
    """A whole validated catalog file, and the warnings it gave."""

    issuers: tuple[IssuerSpec, ...] = ()
    programs: tuple[ProgramSpec, ...] = ()
    warnings: tuple[str, ...] = field(default=(), compare=False)
