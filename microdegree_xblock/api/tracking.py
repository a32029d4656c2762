"""
Tracking-log events: what happens to awards and credentials, for the platform's own analytics pipelines.

Every award issued, revoked, made private or public, and every view or download of a credential on the public
pages is emitted through Open edX's ``eventtracking`` (by ``compat``; nothing outside the LMS), so that the
tracking log, event-routing-backends (xAPI, Caliper) and Aspects see them (docs/decisions/0038). The names and
fields are documented in the README; they are a public interface: add fields, never rename or drop one.
"""
from __future__ import annotations

import uuid
from typing import Any

from .. import compat
from ..models import Award

__all__ = [
    "AWARD_ISSUED", "AWARD_MADE_PRIVATE", "AWARD_MADE_PUBLIC", "AWARD_REVOKED", "CREDENTIAL_DOWNLOADED",
    "CREDENTIAL_VERIFIED", "CREDENTIAL_VIEWED", "track_award", "track_credential_use", "track_verification",
]

AWARD_ISSUED = "edx.microdegree.award.issued"
AWARD_REVOKED = "edx.microdegree.award.revoked"
AWARD_MADE_PRIVATE = "edx.microdegree.award.made_private"
AWARD_MADE_PUBLIC = "edx.microdegree.award.made_public"
CREDENTIAL_VIEWED = "edx.microdegree.credential.viewed"
CREDENTIAL_DOWNLOADED = "edx.microdegree.credential.downloaded"
CREDENTIAL_VERIFIED = "edx.microdegree.credential.verified"
# What a download can be: the formats of the public credential addresses.
DOWNLOAD_FORMATS = frozenset({"ob3", "clr", "pdf", "badge_svg", "badge_png", "ob2_assertion", "edc"})


def _award_fields(award: Award) -> dict[str, Any]:
    return {
        "award_id": str(award.uuid),
        "kind": award.kind,
        "program_id": award.program.slug,
        "course_id": str(award.course_key) if award.course_key else None,
        "user_id": award.user_id,
    }


def track_award(name: str, award: Award, **fields: Any) -> None:
    """Emit one of the award events (issued, revoked, made private or public) for ``award`` (program selected)."""
    compat.emit_tracking_event(name, {**_award_fields(award), **fields},
                               course_key=str(award.course_key) if award.course_key else None)


def track_credential_use(*, award_id: str | uuid.UUID, what: str, viewer_id: int | None) -> None:
    """
    Emit that a credential was viewed (``what="page"``) or downloaded (a format of ``DOWNLOAD_FORMATS``).

    Called by the public views after they answered; one query, and none when no tracker is there (outside the
    LMS). ``by_owner`` says whether its learner looked; the viewer's own id is in the LMS's event context.
    """
    if not compat.tracking_enabled():
        return
    award = Award.objects.select_related("program").filter(uuid=award_id).first()
    if award is None:
        return
    if what == "page":
        name, extra = CREDENTIAL_VIEWED, {}
    else:
        if what not in DOWNLOAD_FORMATS:
            raise ValueError(f"unknown credential format {what!r}")
        name, extra = CREDENTIAL_DOWNLOADED, {"format": what}
    track_award(name, award, by_owner=viewer_id == award.user_id, **extra)


def track_verification(*, outcome: str, reason: str, kind: str, award_found: bool) -> None:
    """Emit that someone handed a credential to the verification page, and what it found (nothing of its text)."""
    compat.emit_tracking_event(CREDENTIAL_VERIFIED, {
        "outcome": outcome, "reason": reason, "format": kind, "issued_here": award_found})
