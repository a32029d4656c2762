"""
A learner's whole record: every valid award they hold, as one CLR 2.0 credential signed by the platform.

Made when the learner asks for it (the achievements page's download), not stored: it is a snapshot, and each
credential inside is the stored member credential signed by its awarding body (docs/decisions/0039).
"""
from __future__ import annotations

import uuid
from collections import defaultdict

from django.utils import timezone

from .. import conf
from ..credentials import ob3, record
from ..credentials.dates import iso_z
from ..data import ACHIEVEMENT, DEGREE
from ..models import Award, ProgramStep, SigningKey
from .signing import member_credentials, platform_did, sign_as_platform

__all__ = ["get_learner_record", "get_platform_controller_document"]


def get_learner_record(*, user_id: int) -> str:
    """
    The signed CLR 2.0 of everything the learner holds (revoked awards left out; private ones in: it is theirs).

    Course achievements are linked (``isChildOf``) to the micro-degree of their program when the learner holds it,
    and a micro-degree to those of the programmes that nest it (docs/decisions/0040).
    """
    awards = list(Award.objects.filter(user_id=user_id, revoked_at__isnull=True)
                  .select_related("program", "user", "status_list__issuer").order_by("issued_at", "id"))
    members = []
    credentials = member_credentials(awards)
    degree_of = {award.program_id: credentials[award.pk]["credentialSubject"]["achievement"]["id"]
                 for award in awards if award.kind == DEGREE}
    outer: dict[int, list[int]] = defaultdict(list)  # a programme -> those that nest it, of degrees held
    if len(degree_of) > 1:
        for required, program in ProgramStep.objects.filter(required_id__in=list(degree_of), program_id__in=list(
                degree_of)).order_by("order", "id").values_list("required_id", "program_id"):
            outer[required].append(program)
    for award in awards:
        parent = degree_of.get(award.program_id) if award.kind == ACHIEVEMENT else None
        nesting = tuple(degree_of[pk] for pk in outer[award.program_id]) if award.kind == DEGREE else ()
        members.append(record.RecordMember(credentials[award.pk], degree_achievement_id=parent,
                                           nesting_achievement_ids=nesting))
    user = awards[0].user if awards else None
    name = conf.platform_name()
    document = record.learner_record_credential(
        record_id=f"urn:uuid:{uuid.uuid4()}",
        name=f"{name}: micro-credentials of {user.get_full_name() or user.username}" if user else name,
        issued=iso_z(timezone.now()),
        issuer=record.platform_profile(did=platform_did(), name=name, url=conf.lms_root_url()),
        members=members, email=user.email if user else "", salt=awards[0].recipient_salt if awards else "")
    return sign_as_platform(document)


def get_platform_controller_document() -> dict[str, object]:
    """The platform's own DID document: every signing key, as the awarding bodies' documents list them."""
    keys = list(SigningKey.objects.order_by("created_at", "id").values_list("public_key_multibase", flat=True))
    return ob3.controller_document(did=platform_did(), public_keys=keys)
