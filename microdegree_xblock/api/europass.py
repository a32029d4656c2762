"""
The European Digital Credential (ELM 3) export of an award: unsigned JSON-LD that its awarding body e-seals.

The export is built on request from the award's facts (``credentials.edc``); nothing is signed or stored here. The
awarding body seals it with its eIDAS e-seal outside the plugin, in the Commission's EDC issuer or with a qualified
seal (docs/europass.rst, docs/decisions/0033). A micro-degree's export names the learner's course credentials (the
achievement records of its courses) and the micro-degrees it nests (docs/decisions/0040) as its parts.
"""
from __future__ import annotations

import json
import uuid

from .. import conf
from ..credentials import edc
from ..data import ACHIEVEMENT, DEGREE
from ..exceptions import CredentialNotReady, PrivateCredential
from ..models import Award, Program, ProgramStep, SignedCredential
from ._internal import award_row
from .facts import award_facts, program_by_pk

__all__ = ["get_edc_credential"]

# What the facts of an award need, selected with it (as for the other public documents).
_RELATED = ("user", "status_list__issuer")


def _parts(degree: Award, program: Program, viewer_id: int | None) -> list[edc.EdcPart]:
    """
    A degree's parts: its course records, then the micro-degrees of the programmes it nests.

    The learner's valid achievement records in the program, in course order, then their valid micro-degrees of the
    programmes it nests, in step order. One its learner made private is named only in the learner's own download
    (docs/decisions/0034).
    """
    order = {str(course.course_key): number for number, course in enumerate(program.courses.all())}
    courses = Award.objects.filter(user_id=degree.user_id, program_id=degree.program_id, kind=ACHIEVEMENT,
                                   revoked_at__isnull=True).select_related("program", *_RELATED)
    if viewer_id != degree.user_id:
        courses = courses.filter(private=False)
    steps = ProgramStep.objects.filter(program_id=degree.program_id)
    nested = Award.objects.filter(user_id=degree.user_id, kind=DEGREE, revoked_at__isnull=True,
                                  program_id__in=steps.values("required_id")).select_related("program", *_RELATED)
    if viewer_id != degree.user_id:
        nested = nested.filter(private=False)
    steps_order = dict(steps.values_list("required_id", "order")) if nested else {}
    root = conf.lms_root_url()
    parts = [edc.EdcPart(facts=award_facts(course, program), url=edc.edc_url(root, str(course.uuid)))
             for course in sorted(courses, key=lambda a: (order.get(str(a.course_key), len(order)), a.issued_at))]
    return parts + [edc.EdcPart(facts=award_facts(inner), url=edc.edc_url(root, str(inner.uuid)))
                    for inner in sorted(nested, key=lambda a: (steps_order.get(a.program_id, 0), a.program_id))]


def get_edc_credential(*, award_id: str | uuid.UUID, viewer_id: int | None = None) -> str:
    """
    An award as an unsigned European Digital Credential (ELM 3 JSON-LD), for its awarding body to e-seal.

    Shown as the signed OB 3.0 credential is (``get_signed_credential``): to anyone unless its learner made it
    private, once its credentials are signed. A revoked award has no export: sealing one would issue it again.

    Raises:
        UnknownAward: unknown id.
        PrivateCredential: the learner made it private and ``viewer_id`` is not theirs.
        CredentialNotReady: its credentials are not signed (yet), or it was revoked.
    """
    award = award_row(award_id, *_RELATED)
    if award.private and viewer_id != award.user_id:
        raise PrivateCredential(str(award.uuid))
    if not SignedCredential.objects.filter(award=award, format=SignedCredential.OB3).exists():
        raise CredentialNotReady(f"no ob3 credential for award {award.uuid}")
    if award.revoked_at is not None:
        raise CredentialNotReady(f"award {award.uuid} is revoked: it has no European Digital Credential")
    program = program_by_pk(award.program_id)
    parts = _parts(award, program, viewer_id) if award.kind == DEGREE else []
    document = edc.european_digital_credential(award_facts(award, program), parts=parts)
    return json.dumps(document, ensure_ascii=False, indent=2)
