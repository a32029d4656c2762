"""
What the database and the ORM refuse, whoever writes: numbers out of range, and awards deleted.

The check constraints of the models are built here from ``limits.py`` (docs/decisions/0026); awards may be deleted
only inside :func:`retiring`, a learner's retirement (docs/decisions/0027).
"""
from __future__ import annotations

import contextvars
from collections.abc import Iterator
from contextlib import contextmanager

import django
from django.db import models

from . import limits
from .exceptions import AwardsAreKept

__all__ = ["AwardQuerySet", "between", "constraint", "deleting_allowed", "retiring", "threshold"]


def constraint(name: str, condition: models.Q) -> models.CheckConstraint:
    """
    A check constraint of the database (limits.py): whatever writes the row, a value outside its range is refused.

    Django 5.1 renamed the argument from ``check`` to ``condition``; both releases we support get their own.
    """
    if django.VERSION >= (5, 1):
        return models.CheckConstraint(condition=condition, name=name)
    return models.CheckConstraint(check=condition, name=name)  # type: ignore[call-arg]  # pragma: no cover


def between(field: str, low: object, high: object, *, nullable: bool = True, low_open: bool = False) -> models.Q:
    """``field`` within [low, high] (or (low, high] with ``low_open``), or NULL when ``nullable``."""
    within = models.Q(**{f"{field}__gt" if low_open else f"{field}__gte": low, f"{field}__lte": high})
    return within | models.Q(**{f"{field}__isnull": True}) if nullable else within


def threshold(field: str) -> models.Q:
    """A threshold column: NULL (the platform default) or a share from the smallest storable one up to 1."""
    return between(field, limits.SMALLEST_THRESHOLD, 1)


_RETIRING = contextvars.ContextVar("microdegree_retiring", default=False)


@contextmanager
def retiring() -> Iterator[None]:
    """Within this block (a learner's retirement, ``api.retire_user``), and only here, awards may be deleted."""
    token = _RETIRING.set(True)
    try:
        yield
    finally:
        _RETIRING.reset(token)


class AwardQuerySet(models.QuerySet):
    """Awards are never deleted in bulk, except in a learner's retirement."""

    def delete(self) -> tuple[int, dict[str, int]]:
        """Refused (``AwardsAreKept``) outside :func:`retiring`: revoke the awards instead, with a reason."""
        if not deleting_allowed():
            raise AwardsAreKept("awards are never deleted: revoke them with a reason (api.revoke_award)")
        return super().delete()


def deleting_allowed() -> bool:
    """Whether awards may be deleted here and now (inside :func:`retiring`)."""
    return _RETIRING.get()
