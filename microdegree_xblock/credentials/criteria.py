"""
What credentials say an award requires, in their English (docs/decisions/0040).

A micro-degree's requirement: the required courses, the elective groups ("k of n"), the micro-degrees it nests, the
capstone; its OB 3.0 criteria, its description and the evidence of what was met are written from one plain outline
of the programme. A recognition's: its body's threshold, its further condition, what it grants. No Django, no
models.
"""
from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from .evidence import credits_text
from .facts import CreditFacts

__all__ = ["CourseOutline", "GroupOutline", "ProgramOutline", "RecognitionTexts", "criteria_text", "recognition_texts",
           "requirement_text", "summary_text"]


@dataclass(frozen=True)
class CourseOutline:
    """
    A course as a requirement names it.

    Attributes:
        title (str): its title.
        hours (Decimal): its notional workload.
        ects (Decimal | None): its ECTS credits, if any.
        planned (bool): listed, not yet available.
    """

    title: str
    hours: Decimal = Decimal(0)
    ects: Decimal | None = None
    planned: bool = False


@dataclass(frozen=True)
class GroupOutline:
    """
    An elective group: ``choose`` of its courses count.

    Attributes:
        id (str): the group's id in its programme.
        title (str): its title.
        choose (int): how many of its courses count.
        courses (tuple[CourseOutline, ...]): its courses, in order.
    """

    id: str
    title: str
    choose: int
    courses: tuple[CourseOutline, ...]


@dataclass(frozen=True)
class ProgramOutline:
    """
    What a programme's micro-degree requires.

    Attributes:
        id (str): the programme's id.
        title (str): its title.
        required (tuple[CourseOutline, ...]): its required courses (its capstone not among them), in order.
        groups (tuple[GroupOutline, ...]): its elective groups.
        nested (tuple[ProgramOutline, ...]): the programmes whose micro-degree it requires, in order.
        capstone (CourseOutline | None): its capstone course, if it has one.
        capstone_last (bool): the capstone's record is issued only once every other requirement holds.
    """

    id: str
    title: str
    required: tuple[CourseOutline, ...] = ()
    groups: tuple[GroupOutline, ...] = ()
    nested: tuple[ProgramOutline, ...] = ()
    capstone: CourseOutline | None = None
    capstone_last: bool = False

    @property
    def flat(self) -> bool:
        """A list of required courses, nothing more (every programme before elective groups and nesting)."""
        return not self.groups and not self.nested and self.capstone is None

    def every_course(self) -> list[CourseOutline]:
        """Every course of the programme and of those it nests."""
        own = [*self.required, *(c for g in self.groups for c in g.courses)]
        own += [self.capstone] if self.capstone is not None else []
        return own + [course for inner in self.nested for course in inner.every_course()]


def _titles(courses: tuple[CourseOutline, ...], separator: str = ", ") -> str:
    return separator.join(course.title for course in courses)


def _courses(count: int) -> str:
    return f"{count} course{'s' if count != 1 else ''}"


def _group(group: GroupOutline) -> str:
    records = "record" if group.choose == 1 else "records"
    return (f"the achievement {records} of {group.choose} of the {_courses(len(group.courses))} of the elective "
            f"group {group.title} ({_titles(group.courses)})")


def _capstone(outline: ProgramOutline) -> str:
    last = ", taken last: its record is issued once every other requirement holds" if outline.capstone_last else ""
    title = outline.capstone.title if outline.capstone is not None else ""
    return f"the achievement record of the capstone {title}{last}"


def _clauses(outline: ProgramOutline, seen: frozenset[str] = frozenset()) -> list[str]:
    if outline.flat:
        return [f"the achievement record of every course of the program: {_titles(outline.required, '; ')}"]
    found = []
    if outline.required:
        found.append(f"the achievement record of every required course ({_titles(outline.required)})")
    found += [_group(group) for group in outline.groups]
    for inner in outline.nested:
        found.append(_nested(inner, seen | {outline.id}))
    if outline.capstone is not None:
        found.append(_capstone(outline))
    return found


def _nested(inner: ProgramOutline, seen: frozenset[str]) -> str:
    """A nested micro-degree with what it asks for, in brackets (a cycle, refused by the catalog, is cut)."""
    if inner.id in seen:
        return f"the micro-degree {inner.title}"
    return f"the micro-degree {inner.title} [{'; '.join(_clauses(inner, seen))}]"


def criteria_text(outline: ProgramOutline) -> str:
    """How the micro-degree is earned, as its criteria narrative says it."""
    clauses = _clauses(outline)
    if outline.flat:
        return f"Earn {clauses[0]}."
    return f"Earn, in the program {outline.title}: " + "; ".join(clauses) + "."


def requirement_text(outline: ProgramOutline) -> str:
    """What a learner holding the micro-degree met, as one clause (for its evidence)."""
    return "; ".join(_clauses(outline))


def summary_text(outline: ProgramOutline) -> str:
    """The requirement in brief, for the degree's description ("" for a flat programme: its criteria say it)."""
    if outline.flat:
        return ""
    parts = [f"{_courses(len(outline.required))} required"] if outline.required else []
    parts += [f"{group.choose} of the {_courses(len(group.courses))} of the elective group {group.title}"
              for group in outline.groups]
    parts += [f"the micro-degree {inner.title}" for inner in outline.nested]
    if outline.capstone is not None:
        parts.append("a capstone, taken last" if outline.capstone_last else "a capstone")
    return "Requirements: " + ", ".join(parts) + "."


@dataclass(frozen=True)
class RecognitionTexts:
    """A recognition's name, description and criteria."""

    name: str
    description: str
    criteria: str


def recognition_texts(*, body: str, title: str, rule: str, program: str, program_issuers: tuple[str, ...],
                      course: tuple[str, str] | None, threshold: str | None, condition: str,
                      credits: CreditFacts | None) -> RecognitionTexts:
    """
    What a recognition says: who recognises what under which rule, at which threshold, with which condition.

    ``course`` is the recognised course's (title, key), None for the whole program; ``threshold`` the body's
    threshold as a percentage number, None when it has none of its own (a whole program's).
    """
    subject = course[0] if course is not None else program
    recognised = (f"the course {subject} of the micro-degree program {program}" if course is not None
                  else f"the micro-degree {program}")
    description = f"{body} recognises {recognised} under its own rule ({rule})."
    if credits is not None:
        description += f" It grants {credits_text(credits)}."
    if program_issuers:
        description += f" The program is awarded by {', '.join(program_issuers)}."
    if course is not None:
        criteria = [f"Reach a course grade of at least {threshold} % in {subject} ({course[1]}), the threshold of "
                    f"{body}." if threshold else f"Complete the course {subject} ({course[1]})."]
    else:
        every = (f", with a course grade of at least {threshold} % (the threshold of {body}) in every course it "
                 f"counts" if threshold else "")
        criteria = [f"Hold the micro-degree {subject}{every}."]
    if condition:
        criteria.append(f"Pass the further condition that {body} asks for, as recorded: {condition}.")
    if credits is not None:
        criteria.append(f"Grants {credits_text(credits)}.")
    return RecognitionTexts(name=f"{title or f'Recognition by {body}'}: {subject}", description=description,
                            criteria=" ".join(criteria))
