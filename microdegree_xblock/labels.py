"""
The names of the award kinds, in one place: the admin's choices, the certificate, the pages and the credentials.

The labels are translatable (``gettext_lazy``); :func:`kind_name` gives the English one, which the credentials
(written in English, ``language: en``) and the outgoing events use.
"""
from __future__ import annotations

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from django.utils.translation import override

from .data import ACHIEVEMENT, DEGREE, PARTICIPATION, RECOGNITION

__all__ = ["KIND_LABELS", "kind_label", "kind_name"]

KIND_LABELS: dict[str, Promise] = {
    PARTICIPATION: _("Participation confirmation"),
    ACHIEVEMENT: _("Achievement record"),
    DEGREE: _("Micro-degree"),
    RECOGNITION: _("Recognition"),
}


def kind_label(kind: str) -> Promise:
    """
    The translatable label of an award kind (rendered in the active language).

    Raises:
        KeyError: for an unknown kind.
    """
    return KIND_LABELS[kind]


def kind_name(kind: str) -> str:
    """The English name of an award kind, as the credentials say it."""
    with override("en"):
        return str(KIND_LABELS[kind])
