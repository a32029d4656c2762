"""
The learner's own data, whole, to take along (data portability, GDPR Art. 20).

``export_learner_data`` gathers everything the plugin keeps of one learner: what it saw of each course, every award
with its evidence and status, and the signed credentials exactly as stored. A constant number of queries whatever
the number of awards.
"""
from __future__ import annotations

import json
from datetime import datetime
from decimal import Decimal
from typing import Any

from django.utils import timezone

from .. import conf
from ..credentials import links
from ..models import Award, LearnerCourseState, SignedCredential

__all__ = ["EXPORT_FORMAT", "export_learner_data"]

# The export's own version: fields are added, never renamed or removed.
EXPORT_FORMAT = "microdegree-learner-data/1"


def _when(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def _share(value: Decimal | None) -> str | None:
    return None if value is None else format(value.normalize(), "f")


def export_learner_data(*, user_id: int) -> dict[str, Any]:
    """
    Everything the plugin keeps of a learner, as JSON-ready data (four queries).

    The course states (best grade and completion seen, when, and from which event; the first pass), every award
    (revoked and private ones included, with their evidence and public addresses) and each award's signed
    credentials (OB 3.0, CLR), parsed from their stored text.
    """
    root = conf.lms_root_url()
    states = LearnerCourseState.objects.filter(user_id=user_id).order_by("course_key")
    awards = list(Award.objects.filter(user_id=user_id).select_related("program").order_by("issued_at", "id"))
    signed: dict[int, dict[str, Any]] = {}
    for award_pk, fmt, text in (SignedCredential.objects.filter(award__user_id=user_id)
                                .values_list("award_id", "format", "text").order_by("id")):
        signed.setdefault(award_pk, {})[fmt] = json.loads(text)
    return {
        "format": EXPORT_FORMAT,
        "exported_at": timezone.now().isoformat(),
        "user_id": user_id,
        "course_states": [{
            "course_key": str(state.course_key),
            "best_percent": _share(state.best_percent), "best_percent_at": _when(state.best_percent_at),
            "best_percent_event": state.best_percent_event,
            "best_completion": _share(state.best_completion), "best_completion_at": _when(state.best_completion_at),
            "best_completion_event": state.best_completion_event,
            "first_passed_at": _when(state.first_passed_at), "modified": _when(state.modified),
        } for state in states],
        "awards": [{
            "id": str(award.uuid), "kind": award.kind, "program_id": award.program.slug,
            "program_title": award.program.title,
            "course_key": str(award.course_key) if award.course_key else None,
            "issued_at": _when(award.issued_at),
            "evidence": {"value": _share(award.evidence_value), "threshold": _share(award.evidence_threshold),
                         "event_type": award.evidence_event_type, "event_time": _when(award.evidence_event_time)},
            "revoked_at": _when(award.revoked_at), "revoked_reason": award.revoked_reason,
            "private": award.private, "generation": award.generation,
            "links": links.award_links(root, str(award.uuid), kind=award.kind),
            "credentials": signed.get(award.pk, {}),
        } for award in awards],
    }
