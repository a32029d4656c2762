"""
The award rules, as pure functions over plain data (no ORM, no request, no settings).

Shares (grade percent, completion fraction, thresholds) are compared as Decimals quantised to six places, so a
float such as ``0.6000000000000001`` or ``0.5999999999999999`` (what float arithmetic makes of 60 %) earns a
0.6 threshold, while ``0.5999`` does not.
"""
from __future__ import annotations

import math
from collections.abc import Iterable
from decimal import ROUND_HALF_EVEN, Decimal, InvalidOperation

from ..data import (
    ACHIEVEMENT,
    EARNED,
    IN_PROGRESS,
    NOT_STARTED,
    PARTICIPATION,
    PLANNED,
    AwardDue,
    CourseRule,
    LearnerState,
)

__all__ = [
    "to_share",
    "meets",
    "due_course_awards",
    "course_status",
    "better",
]

SHARE_QUANTUM = Decimal("0.000001")
# Shares already made, by (type, value): a pure function's results, remembered because a backfill converts the same
# few thousand grades a million times. Bounded; values that are not hashable or not valid are never remembered.
_SHARES: dict[tuple[type, object], Decimal] = {}
_SHARES_KEPT = 20_000


def to_share(value: object, *, name: str = "value") -> Decimal:
    """
    Return ``value`` (a float, int, str or Decimal between 0 and 1) as a Decimal with six places.

    Raises:
        ValueError: for anything that is not a finite number between 0 and 1 (booleans included).
    """
    try:
        return _SHARES[type(value), value]
    except (KeyError, TypeError):  # TypeError: unhashable, or a signalling NaN
        pass
    share = _share(value, name)
    if len(_SHARES) < _SHARES_KEPT:
        _SHARES[type(value), value] = share
    return share


def _share(value: object, name: str) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, (int, float, str, Decimal)):
        raise ValueError(f"{name} must be a number between 0 and 1, got {value!r}")
    if isinstance(value, float) and not math.isfinite(value):
        raise ValueError(f"{name} must be a finite number, got {value!r}")
    try:
        # repr() of a float is the shortest string that round-trips, so 0.6 stays 0.6.
        share = Decimal(repr(value) if isinstance(value, float) else value)
    except InvalidOperation as exc:
        raise ValueError(f"{name} must be a number between 0 and 1, got {value!r}") from exc
    if not share.is_finite() or share < 0 or share > 1:
        raise ValueError(f"{name} must be a number between 0 and 1, got {value!r}")
    return share.quantize(SHARE_QUANTUM, rounding=ROUND_HALF_EVEN)


def meets(value: Decimal | None, threshold: Decimal) -> bool:
    """Whether a measured share reaches a threshold (both compared at six decimal places)."""
    if value is None:
        return False
    return to_share(value) >= to_share(threshold, name="threshold")


def better(old: Decimal | None, new: Decimal | None) -> bool:
    """Whether ``new`` is a better "best seen" value than ``old``."""
    return new is not None and (old is None or new > old)


def due_course_awards(rule: CourseRule, state: LearnerState, held: Iterable[str] = ()) -> list[AwardDue]:
    """
    Return the course awards now due to a learner and not yet held, in a stable order.

    A planned course cannot be earned. The achievement record and the participation confirmation are decided
    independently: each from its own measure against its own threshold.
    """
    if rule.planned:
        return []
    held = set(held)
    due = []
    if PARTICIPATION not in held and meets(state.best_completion, rule.participation_threshold):
        assert state.best_completion is not None
        due.append(AwardDue(PARTICIPATION, to_share(state.best_completion), rule.participation_threshold))
    if ACHIEVEMENT not in held and meets(state.best_percent, rule.achievement_threshold):
        assert state.best_percent is not None
        due.append(AwardDue(ACHIEVEMENT, to_share(state.best_percent), rule.achievement_threshold))
    return due


def course_status(rule: CourseRule, state: LearnerState | None, *, achieved: bool) -> str:
    """The learner's status in a program course: earned, in_progress, not_started or planned."""
    if rule.planned:
        return PLANNED
    if achieved:
        return EARNED
    if state is not None and (state.best_percent or state.best_completion):
        return IN_PROGRESS
    return NOT_STARTED
