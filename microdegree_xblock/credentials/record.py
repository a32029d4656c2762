"""
A learner's whole record: every credential they hold, in one CLR 2.0 ``ClrCredential``, issued by the platform.

Each credential inside keeps the proof of the awarding body that signed it; the record itself is signed by the
platform (its own ``did:web``, ``<LMS>/microdegree/did.json``), which vouches that these are one learner's
credentials. Course achievements are linked to the micro-degree they count for, and a micro-degree to those that
nest it (``isChildOf``).
Built from plain data: no Django, no models.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from .ob3 import CLR_CONTEXT, CLR_SCHEMA, SCHEMA_VALIDATOR, identity_hash

__all__ = ["RecordMember", "learner_record_credential", "platform_profile"]


@dataclass(frozen=True)
class RecordMember:
    """
    One credential of the record, with what links it to the others.

    Attributes:
        credential (dict): the signed member credential (an OB 3.0 ``AchievementCredential``, as the CLR bundles).
        degree_achievement_id (str | None): for a course credential, the achievement id of a micro-degree it counts
            for, when the learner holds that degree; else None.
        nesting_achievement_ids (tuple[str, ...]): for a micro-degree, the achievement ids of the micro-degrees
            that require it as a step, of those the learner holds.
    """

    credential: dict[str, Any]
    degree_achievement_id: str | None = None
    nesting_achievement_ids: tuple[str, ...] = ()


def platform_profile(*, did: str, name: str, url: str) -> dict[str, Any]:
    """The platform as an issuer ``Profile`` (its id is its did:web)."""
    return {"id": did, "type": ["Profile"], "name": name, "url": url}


def learner_record_credential(*, record_id: str, name: str, issued: str, issuer: dict[str, Any],
                              members: Sequence[RecordMember], email: str = "", salt: str = "") -> dict[str, Any]:
    """
    The unsigned CLR 2.0 credential of a learner's whole record.

    ``issued`` is its ``validFrom`` (ISO 8601, UTC); ``email`` and ``salt`` identify the learner as their own
    credentials do (a salted hash). It has no status of its own: it is a snapshot, and every credential inside
    carries its own.
    """
    achievements: list[dict[str, Any]] = []
    associations = []
    for member in members:
        found = member.credential["credentialSubject"]["achievement"]
        if found["id"] not in {a["id"] for a in achievements}:
            achievements.append(found)
        parents = [member.degree_achievement_id] if member.degree_achievement_id else []
        for parent in [*parents, *member.nesting_achievement_ids]:
            association = {"type": "Association", "associationType": "isChildOf", "sourceId": found["id"],
                           "targetId": parent}
            if parent != found["id"] and association not in associations:
                associations.append(association)
    subject: dict[str, Any] = {
        "type": ["ClrSubject"],
        "achievement": achievements,
        "verifiableCredential": [member.credential for member in members],
    }
    if associations:
        subject["association"] = associations
    if email:
        subject["identifier"] = [{"type": "IdentityObject", "identityType": "emailAddress", "hashed": True,
                                  "identityHash": identity_hash(email, salt), "salt": salt}]
    return {
        "@context": list(CLR_CONTEXT),
        "id": record_id,
        "type": ["VerifiableCredential", "ClrCredential"],
        "name": name,
        "issuer": issuer,
        "validFrom": issued,
        "issuanceDate": issued,
        "credentialSubject": subject,
        "credentialSchema": [{"id": CLR_SCHEMA, "type": SCHEMA_VALIDATOR}],
    }
