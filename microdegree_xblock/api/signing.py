"""
Signing: the platform's keys, the Data Integrity proofs of every credential, and the issuers' status lists.

Credentials are signed once, in the after-commit task path (:func:`issue_credentials`), never on a page view; the
exact signed text is stored and served as it is (docs/decisions/0022-signing-in-the-task-path.rst).
"""
from __future__ import annotations

import json
import logging
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from .. import conf
from ..credentials import dates, keys, links, ob3, proofs, statuslist
from ..credentials.facts import AwardFacts, IssuerFacts
from ..data import ACHIEVEMENT, DEGREE
from ..exceptions import SigningKeyConfigured
from ..models import Award, Issuer, Program, ProgramStep, SignedCredential, SigningKey, StatusList
from ._internal import WRITE_ATTEMPTS, with_retries
from .facts import award_facts, awarding_issuer, issuer_facts, program_by_pk

__all__ = [
    "SigningKeyInfo", "ensure_signing_key", "generate_signing_key_pem", "get_signing_keys", "issue_credentials",
    "member_credentials", "platform_did", "rotate_signing_key", "set_status_bits", "sign_as_platform",
    "unsigned_award_pks",
]

log = logging.getLogger(__name__)

# The key that signs: its row and its private part.
ActiveKey = tuple[SigningKey, keys.Ed25519PrivateKey]


@dataclass(frozen=True)
class SigningKeyInfo:
    """A signing key as the keys command lists it."""

    public_key_multibase: str
    source: str
    created_at: datetime
    retired_at: datetime | None
    active: bool


# ---------------------------------------------------------------------------------------------------------------
# Keys


def _active_key() -> ActiveKey:
    """The key that signs now: from settings (production), else the newest generated one, created on first use."""
    configured = conf.signing_key_pem()
    if configured:
        private = keys.private_key_from_pem(configured)
        row, _created = SigningKey.objects.get_or_create(public_key_multibase=keys.public_key_multibase(private),
                                                         defaults={"source": SigningKey.SETTINGS})
        return row, private
    current = SigningKey.objects.filter(retired_at__isnull=True).exclude(private_key_pem="").first()
    if current is not None:
        return current, keys.private_key_from_pem(current.private_key_pem)
    # First use: create the platform's key (two workers racing here create two keys; both stay published).
    private = keys.generate_private_key()
    row = SigningKey.objects.create(public_key_multibase=keys.public_key_multibase(private),
                                    private_key_pem=keys.private_key_to_pem(private), source=SigningKey.GENERATED)
    log.info("microdegree: created signing key %s", row.public_key_multibase)
    return row, private


def get_signing_keys() -> list[SigningKeyInfo]:
    """Every signing key, newest first (the first unretired one with a private key, or the configured one, signs)."""
    configured = conf.signing_key_pem()
    active = keys.public_key_multibase(keys.private_key_from_pem(configured)) if configured else None
    rows = list(SigningKey.objects.all())
    if active is None:
        active = next((r.public_key_multibase for r in rows if r.retired_at is None and r.private_key_pem), None)
    return [SigningKeyInfo(public_key_multibase=r.public_key_multibase, source=r.source, created_at=r.created_at,
                           retired_at=r.retired_at, active=r.public_key_multibase == active) for r in rows]


def generate_signing_key_pem() -> str:
    """A new Ed25519 private key in PEM, for ``MICRODEGREE_SIGNING_KEY``; nothing is stored."""
    return keys.private_key_to_pem(keys.generate_private_key())


def ensure_signing_key() -> str:
    """The active signing key's public key, creating (or recording the configured) key if needed."""
    row, _private = _active_key()
    return row.public_key_multibase


def rotate_signing_key() -> str:
    """
    Retire the generated signing key and create a new one; returns the new public key.

    The retired key loses its private part but stays published, so credentials it signed keep verifying.

    Raises:
        SigningKeyConfigured: when ``MICRODEGREE_SIGNING_KEY`` sets the key (rotate by changing the setting).
    """
    if conf.signing_key_pem():
        raise SigningKeyConfigured("the signing key is set by MICRODEGREE_SIGNING_KEY: change that setting to rotate")
    with transaction.atomic():
        retired = SigningKey.objects.filter(retired_at__isnull=True).update(retired_at=timezone.now(),
                                                                            private_key_pem="")
        private = keys.generate_private_key()
        row = SigningKey.objects.create(public_key_multibase=keys.public_key_multibase(private),
                                        private_key_pem=keys.private_key_to_pem(private),
                                        source=SigningKey.GENERATED)
    log.info("microdegree: signing key rotated: %s retired, %s now signs", retired, row.public_key_multibase)
    return row.public_key_multibase


def _sign(document: dict[str, Any], issuer: IssuerFacts, key: ActiveKey) -> str:
    row, private = key
    method = ob3.verification_method_id(issuer.did, row.public_key_multibase)
    signed = proofs.sign(document, private_key=private, verification_method=method, created=timezone.now())
    return json.dumps(signed, ensure_ascii=False, indent=2)


# ---------------------------------------------------------------------------------------------------------------
# Status lists


def _sign_status_list(status_list: StatusList, key: ActiveKey | None = None) -> None:
    issuer = issuer_facts(status_list.issuer)
    encoded = status_list.encoded_list or statuslist.encode([])
    document = ob3.status_list_credential(
        url=links.status_list_url(conf.lms_root_url(), status_list.issuer.slug, status_list.number), issuer=issuer,
        encoded_list=encoded, valid_from=dates.iso_z(timezone.now()),
    )
    status_list.encoded_list = encoded
    status_list.credential = _sign(document, issuer, key or _active_key())
    status_list.save(update_fields=["encoded_list", "credential", "modified"])


def _allocate_status(award: Award, issuer: Issuer) -> None:
    """Hand the award the next entry of its issuer's current status list (a new list when it is full)."""
    for _attempt in range(WRITE_ATTEMPTS):
        status_list = (StatusList.objects.select_for_update().filter(issuer=issuer).order_by("-number")
                       .select_related("issuer").first())
        if status_list is None or status_list.allocated >= statuslist.LIST_SIZE:
            number = 0 if status_list is None else status_list.number + 1
            try:
                with transaction.atomic():
                    status_list = StatusList.objects.create(issuer=issuer, number=number)
            except IntegrityError:
                continue  # created concurrently: lock that one
            status_list = StatusList.objects.select_for_update().select_related("issuer").get(pk=status_list.pk)
        award.status_list = status_list
        award.status_index = statuslist.index_for(status_list.allocated)
        status_list.allocated += 1
        status_list.save(update_fields=["allocated", "modified"])
        award.save(update_fields=["status_list", "status_index"])
        if not status_list.credential:
            _sign_status_list(status_list)
        return
    raise RuntimeError(f"could not allocate a status list entry for award {award.uuid}")


def set_status_bits(awards: Iterable[Award]) -> None:
    """Set the revocation bits of awards and re-sign their status lists (one signature per list)."""
    by_list: dict[int, list[int]] = defaultdict(list)
    for award in awards:
        if award.status_list_id is not None and award.status_index is not None:
            by_list[award.status_list_id].append(award.status_index)
    if not by_list:
        return
    key = _active_key()
    for status_list in StatusList.objects.select_for_update().select_related("issuer").filter(pk__in=list(by_list)):
        status_list.encoded_list = statuslist.with_bits(status_list.encoded_list or None, by_list[status_list.pk])
        _sign_status_list(status_list, key)


# ---------------------------------------------------------------------------------------------------------------
# Credentials


def _store(award: Award, fmt: str, *, credential_id: str, issuer: Issuer, key: SigningKey, text: str) -> None:
    try:
        with transaction.atomic():
            SignedCredential.objects.create(award=award, format=fmt, credential_id=credential_id, issuer=issuer,
                                            key=key, text=text)
    except IntegrityError:
        log.info("microdegree: %s credential of award %s was stored concurrently", fmt, award.uuid)


def _sign_award(award_pk: int) -> None:
    with transaction.atomic():
        # Lock the award's row alone: its status list is an outer join, which PostgreSQL cannot lock.
        of_self: tuple[str, ...] = ("self",) if connection.features.has_select_for_update_of else ()
        award = (Award.objects.select_for_update(of=of_self).select_related("program", "user", "status_list__issuer")
                 .get(pk=award_pk))
        held = set(SignedCredential.objects.filter(award=award).values_list("format", flat=True))
        wanted = {SignedCredential.OB3} | ({SignedCredential.CLR} if award.kind == DEGREE else set())
        if wanted <= held or award.revoked_at is not None:
            return
        program = program_by_pk(award.program_id)
        if award.status_list_id is None:
            # In the list of the body that issues it: the program's lead, or a recognition's recognising body.
            _allocate_status(award, awarding_issuer(award, program))
        key = _active_key()
        facts = award_facts(award, program)
        issuer = awarding_issuer(award, program)
        signer = issuer_facts(issuer)
        if SignedCredential.OB3 not in held:
            document = ob3.open_badge_credential(facts)
            _store(award, SignedCredential.OB3, credential_id=document["id"], issuer=issuer, key=key[0],
                   text=_sign(document, signer, key))
        if award.kind == DEGREE and SignedCredential.CLR not in held:
            _sign_clr(award, facts, program, signer=signer, issuer=issuer, key=key)
    log.info("microdegree: credentials of award %s signed", award.uuid)


def _member_text(award: Award, program: Program, key: ActiveKey) -> str:
    """An award's member credential (stored once), signed by the body that issues the award."""
    stored = SignedCredential.objects.filter(award=award, format=SignedCredential.CLR_MEMBER).first()
    if stored is not None:
        return stored.text
    issuer = awarding_issuer(award, program)
    document = ob3.clr_member_credential(award_facts(award, program))
    text = _sign(document, issuer_facts(issuer), key)
    _store(award, SignedCredential.CLR_MEMBER, credential_id=document["id"], issuer=issuer, key=key[0], text=text)
    return text


# A degree's bundle: each award with its programme and the degree award it counts for (None: the bundled degree).
Bundled = list[tuple[Award, Program, Award | None]]


def _bundle(degree: Award, program: Program, seen: frozenset[int] = frozenset()) -> Bundled:
    """
    What a degree's CLR bundles: the degree, its courses' records, then each nested programme's degree and its own.

    The learner's valid awards only, in course and step order; a nested degree the learner does not validly hold
    (revoked since) brings nothing. Deeper nesting follows the same way (the catalog refuses cycles).
    """
    order = {str(c.course_key): n for n, c in enumerate(program.courses.all())}
    courses = sorted(
        Award.objects.filter(user_id=degree.user_id, program_id=program.pk, kind=ACHIEVEMENT,
                             revoked_at__isnull=True).select_related("user", "status_list__issuer"),
        key=lambda a: order.get(str(a.course_key), len(order)),
    )
    found: Bundled = [(degree, program, None), *((course, program, degree) for course in courses)]
    steps = list(ProgramStep.objects.filter(program=program).order_by("order", "id")
                 .values_list("required_id", flat=True))
    inner_degrees = {a.program_id: a for a in Award.objects.filter(
        user_id=degree.user_id, program_id__in=[pk for pk in steps if pk not in seen | {program.pk}], kind=DEGREE,
        revoked_at__isnull=True).select_related("program", "user", "status_list__issuer")}
    for step_pk in steps:
        if step_pk in inner_degrees:
            inner = inner_degrees[step_pk]
            nested = _bundle(inner, program_by_pk(step_pk), seen | {program.pk})
            found += [(award, where, parent or degree) for award, where, parent in nested]
    return found


def _sign_clr(degree: Award, facts: AwardFacts, program: Program, *, signer: IssuerFacts, issuer: Issuer,
              key: ActiveKey) -> None:
    bundled = _bundle(degree, program)
    members = [json.loads(_member_text(award, where, key)) for award, where, _parent in bundled]
    achievement_of = {award.pk: member["credentialSubject"]["achievement"]["id"]
                      for (award, _where, _parent), member in zip(bundled, members, strict=True)}
    parents = {achievement_of[award.pk]: achievement_of[parent.pk] for award, _where, parent in bundled if parent}
    document = ob3.clr_credential(facts, members=members, parents=parents,
                                  revocation_list_url=links.revocation_list_url(conf.lms_root_url(), issuer.slug))
    _store(degree, SignedCredential.CLR, credential_id=document["id"], issuer=issuer, key=key[0],
           text=_sign(document, signer, key))


def member_credentials(awards: Sequence[Award]) -> dict[int, dict[str, Any]]:
    """
    Each award's credential as a CLR bundles it, by award pk: signed by its awarding body, stored once.

    ``awards`` have their program, user and status list (with its issuer) selected. The stored ones are read in one
    query; only those not stored yet read their programme (once per programme) and the key, and are signed.
    """
    stored = dict(SignedCredential.objects.filter(award__in=[a.pk for a in awards],
                                                  format=SignedCredential.CLR_MEMBER).values_list("award_id", "text"))
    key: ActiveKey | None = None
    programs: dict[int, Program] = {}
    members = {}
    for award in awards:
        text = stored.get(award.pk)
        if text is None:
            key = key or _active_key()
            if award.program_id not in programs:
                programs[award.program_id] = program_by_pk(award.program_id)
            text = _member_text(award, programs[award.program_id], key)
        members[award.pk] = json.loads(text)
    return members


def platform_did() -> str:
    """The platform's own ``did:web`` (its document: ``<LMS>/microdegree/did.json``): it signs learner records."""
    return ob3.did_web(conf.lms_root_url(), "microdegree")


def sign_as_platform(document: dict[str, Any]) -> str:
    """A document signed by the platform itself (its did:web and the active key), as JSON text."""
    key = _active_key()
    method = ob3.verification_method_id(platform_did(), key[0].public_key_multibase)
    signed = proofs.sign(document, private_key=key[1], verification_method=method, created=timezone.now())
    return json.dumps(signed, ensure_ascii=False, indent=2)


def issue_credentials(*, award_pks: Iterable[int]) -> None:
    """
    Sign and store the credentials of awards (by primary key) that have none yet (OB 3.0; a degree's CLR too).

    Idempotent. Runs in the after-commit task path (``process_awards``), never on a page view. A failure is
    logged; the next ``reconcile`` signs what is missing.
    """
    for award_pk in award_pks:
        try:
            with_retries(_sign_award, award_pk)
        except Exception:  # pylint: disable=broad-except
            log.exception("microdegree: signing the credentials of award %s failed", award_pk)


def unsigned_award_pks(user_id: int | None = None) -> list[int]:
    """The valid awards (of one learner, or all) whose OB 3.0 credential is missing."""
    awards = Award.objects.filter(revoked_at__isnull=True).exclude(credentials__format=SignedCredential.OB3)
    if user_id is not None:
        awards = awards.filter(user_id=user_id)
    return list(awards.values_list("pk", flat=True))
