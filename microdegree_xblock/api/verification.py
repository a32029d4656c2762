"""
Verifying any credential handed in: an OB 3.0 or CLR 2.0 credential (JSON), or a baked OB 2.0 badge (PNG or SVG).

The public page ``/microdegree/verify/`` calls :func:`verify_credential` with what a visitor uploaded or pasted
(docs/decisions/0035). Nothing is fetched from anywhere: this platform's own keys, status lists and hosted
assertions are read from its database; a credential signed by anyone else is told apart as such, not checked.
The order keeps hostile input cheap: size, then parsing, then who signed it, and only for this platform's own
keys the strict JSON-LD processing and the signature.
"""
from __future__ import annotations

import json
import re
import uuid
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from django.utils.translation import gettext_lazy as _

from .. import conf
from ..credentials import jsonld, links, ob2, proofs, statuslist
from ..credentials.keys import public_key_from_multibase
from ..models import Award, Issuer, SignedCredential, SigningKey, StatusList
from .facts import award_facts, issuer_facts
from .signing import platform_did

__all__ = ["MAX_CREDENTIAL_BYTES", "Verification", "too_large", "verify_credential"]

# A CLR bundle of a large programme is some tens of kB, a baked PNG badge less: 1 MB leaves room and bounds the work.
MAX_CREDENTIAL_BYTES = 1_000_000
# Nesting deeper than any credential needs is refused before JSON-LD processing sees it.
MAX_DEPTH = 64

VALID, REVOKED, TAMPERED, FOREIGN, NOT_AVAILABLE, UNKNOWN, MALFORMED = (
    "valid", "revoked", "tampered", "foreign", "not_available", "unknown", "malformed")

# Why an outcome, in plain words (shown on the page in the visitor's language).
REASONS = {
    "too_large": _("The file is larger than this page checks (1 MB)."),
    "empty": _("Nothing was uploaded or pasted."),
    "not_json": _("This is neither a credential in JSON nor a badge image (PNG or SVG)."),
    "not_credential": _("This JSON is not an Open Badges 3.0, CLR 2.0 or Open Badges 2.0 credential."),
    "not_baked": _("This image holds no baked badge."),
    "no_proof": _("The credential carries no signature this page can check (a Data Integrity proof, "
                  "eddsa-rdfc-2022)."),
    "foreign_signer": _("It was signed by someone else than this platform. This page checks only this "
                        "platform's own credentials and fetches nothing from other sites: check it with its "
                        "issuer's verifier."),
    "foreign_host": _("It is hosted by another site. This page checks only this platform's own badges and fetches "
                      "nothing from other sites."),
    "unknown_key": _("It names one of this platform's awarding bodies, but no key this platform ever used: it was "
                     "not signed here."),
    "strict": _("It contains data that no published vocabulary defines, so its signature cannot cover it: the "
                "credential was changed after signing."),
    "signature": _("The signature does not match the content: the credential was changed after signing."),
    "member": _("A credential inside the bundle was changed after signing."),
    "differs": _("The badge's data differ from what this platform issued: it was changed."),
    "unknown_award": _("This platform has no record of this badge."),
    "private": _("Its holder has made this credential private: it cannot be verified here."),
    "unrecorded": _("The signature is valid and this platform's, but it keeps no record of the credential any "
                    "more (its holder's account was deleted)."),
    "revoked": _("It was revoked."),
    "valid": _("The signature is valid, it was issued by this platform, and it is not revoked."),
    "record": _("The signature is this platform's: a learner's whole record, each credential inside signed by its "
                "awarding body and intact. Check each credential's own status on its verification page."),
}
_STATUS_PATH = re.compile(r"/microdegree/status/(?P<slug>[-a-zA-Z0-9_]+)/(?P<number>[0-9]{1,9})/$")
_ASSERTION_PATH = re.compile(r"/microdegree/ob2/assertions/(?P<uuid>[0-9a-fA-F-]{32,36})/$")


@dataclass(frozen=True)
class Verification:
    """
    What the verification of a handed-in credential found.

    Attributes:
        outcome (str): valid, revoked, tampered, foreign, not_available, unknown or malformed.
        reason (str): the key of :data:`REASONS` that says why, in plain words.
        kind (str): what was handed in: ``ob3``, ``clr``, ``ob2`` (a hosted assertion) or "" when unreadable.
        key_id (str): the verification method that signed it (OB 3.0 and CLR).
        signers (tuple[str, ...]): the awarding bodies that issued it (this platform's own credentials only).
        name (str): the achievement's name as issued (this platform's own credentials only).
        issued_on (datetime | None): when it was issued (idem).
        verify_url (str): its verification page here, when it is this platform's and not private.
        revoked_on (datetime | None): when it was revoked, and ``revoked_reason`` why.
        legacy (bool): signed in the form before strict JSON-LD (docs/decisions/0032): data its old context does
            not define is not covered by its signature, so only what this page shows from the record is vouched for.
    """

    outcome: str
    reason: str
    kind: str = ""
    key_id: str = ""
    signers: tuple[str, ...] = ()
    name: str = ""
    issued_on: datetime | None = None
    verify_url: str = ""
    revoked_on: datetime | None = None
    revoked_reason: str = ""
    legacy: bool = False

    @property
    def message(self) -> str:
        """The reason in plain words, in the active language."""
        return str(REASONS[self.reason])


def too_large() -> Verification:
    """The answer to a hand-in larger than :data:`MAX_CREDENTIAL_BYTES`, without reading it."""
    return Verification(MALFORMED, "too_large")


def verify_credential(data: bytes) -> Verification:
    """
    Verify an uploaded or pasted credential: OB 3.0 / CLR 2.0 JSON, an OB 2.0 assertion, a baked PNG or SVG badge.

    Never raises for bad input: a malformed, foreign, tampered or private credential is an outcome of its own.
    """
    if not data.strip() or len(data) > MAX_CREDENTIAL_BYTES:
        return Verification(MALFORMED, "too_large" if data.strip() else "empty")
    try:
        if data.startswith(ob2.PNG_SIGNATURE):
            return _baked(ob2.unbake_png(data))
        text = data.decode("utf-8-sig").strip()
    except (ValueError, UnicodeDecodeError):
        return Verification(MALFORMED, "not_json")
    if text.startswith("<"):
        return _baked(ob2.unbake_svg(text))
    document = _json(text)
    return _document(document) if document is not None else Verification(MALFORMED, "not_json")


def _json(text: str) -> dict[str, Any] | None:
    try:
        document = json.loads(text)
    except (ValueError, RecursionError):
        return None
    return document if isinstance(document, dict) and _depth(document) <= MAX_DEPTH else None


def _depth(value: Any, level: int = 0) -> int:
    if level > MAX_DEPTH:
        return level
    if isinstance(value, dict):
        return max((_depth(item, level + 1) for item in value.values()), default=level)
    if isinstance(value, list):
        return max((_depth(item, level + 1) for item in value), default=level)
    return level


def _baked(text: str | None) -> Verification:
    if text is None:
        return Verification(MALFORMED, "not_baked")
    if text.startswith("http"):
        return _ob2({"id": text}, compare=False)
    document = _json(text)
    return _document(document) if document is not None else Verification(MALFORMED, "not_baked")


def _contexts(document: dict[str, Any]) -> list[Any]:
    context = document.get("@context")
    return context if isinstance(context, list) else [context]


def _document(document: dict[str, Any]) -> Verification:
    contexts = _contexts(document)
    if jsonld.VC_V2 in contexts:
        return _vc(document)
    if jsonld.OB_V2 in contexts:
        return _ob2(document, compare=True)
    return Verification(MALFORMED, "not_credential")


def _types(document: dict[str, Any]) -> list[Any]:
    kinds = document.get("type")
    return kinds if isinstance(kinds, list) else [kinds]


def _vc(document: dict[str, Any]) -> Verification:
    """An OB 3.0 or CLR 2.0 credential: who signed it, then (this platform's keys only) whether it is intact."""
    kind = "clr" if "ClrCredential" in _types(document) else "ob3"
    found = proofs.proof_methods(document)
    if not found:
        return Verification(TAMPERED, "no_proof", kind=kind)
    dids: dict[str, Issuer | None] = {issuer_facts(issuer).did: issuer for issuer in Issuer.objects.all()}
    dids[platform_did()] = None  # the platform itself signs learners' whole records
    method = found[0]
    if method.partition("#")[0] not in dids:
        return Verification(FOREIGN, "foreign_signer", kind=kind, key_id=method)
    # Every key the platform ever had (a handful): a bundle's members may be signed with a key retired since.
    keys = set(SigningKey.objects.values_list("public_key_multibase", flat=True))
    if any(m.partition("#")[0] not in dids or m.partition("#")[2] not in keys for m in found):
        return Verification(TAMPERED, "unknown_key", kind=kind, key_id=method)
    broken = _broken(document, kind=kind, dids=set(dids), keys=keys)
    if broken:
        return Verification(TAMPERED, broken, kind=kind, key_id=method)
    signer = dids[method.partition("#")[0]]
    if signer is None:
        return Verification(VALID, "record", kind=kind, key_id=method, signers=(conf.platform_name(),),
                            name=str(document.get("name", "")))
    checked = _ours(document, kind=kind, key_id=method, signer=signer)
    return replace(checked, legacy=True) if jsonld.is_legacy(document) else checked


def _broken(document: dict[str, Any], *, kind: str, dids: set[str], keys: set[str]) -> str:
    """Why a credential signed with this platform's keys is not intact ("" when it is): strictness, signatures."""
    def resolve(method_id: str) -> Any:
        did, _sep, multibase = method_id.partition("#")
        return public_key_from_multibase(multibase) if did in dids and multibase in keys else None

    subject = document.get("credentialSubject")
    members = (subject.get("verifiableCredential") or []) if kind == "clr" and isinstance(subject, dict) else []
    try:
        if not jsonld.is_legacy(document):
            jsonld.check_strict(document)
        if not proofs.verify(document, resolve=resolve):
            return "signature"
        if not isinstance(members, list) or not all(
                isinstance(member, dict) and proofs.verify(member, resolve=resolve) for member in members):
            return "member"
    except Exception:  # pylint: disable=broad-except
        # Anyone can name this platform's public key: what JSON-LD processing makes of hostile input is a
        # refusal (an undefined term, a relative IRI, a context not bundled, or worse), never an error page.
        return "strict"
    return ""


def _ours(document: dict[str, Any], *, kind: str, key_id: str, signer: Issuer) -> Verification:
    """A credential with a valid signature of this platform's: what its record says (revoked, private)."""
    stored = (SignedCredential.objects.filter(credential_id=str(document.get("id", "")))
              .select_related("award__program", "award__user", "award__status_list__issuer").first())
    if stored is None:
        return Verification(VALID, "unrecorded", kind=kind, key_id=key_id, signers=(signer.name,))
    award = stored.award
    revoked = award.revoked_at is not None or _status_bit_set(document)
    if award.private:
        return Verification(REVOKED if revoked else VALID, "private", kind=kind, key_id=key_id,
                            signers=(signer.name,))
    facts = award_facts(award)
    return Verification(
        REVOKED if revoked else VALID, "revoked" if revoked else "valid", kind=kind, key_id=key_id,
        signers=tuple(issuer.name for issuer in facts.achievement.issuers), name=facts.achievement.name,
        issued_on=facts.issued_on, verify_url=links.verify_url(conf.lms_root_url(), str(award.uuid)),
        revoked_on=award.revoked_at, revoked_reason=award.revoked_reason)


def _status_bit_set(document: dict[str, Any]) -> bool:
    """Whether the credential's status list entry (on this platform's own list) says revoked."""
    status = document.get("credentialStatus")
    if not isinstance(status, dict) or status.get("type") != "BitstringStatusListEntry":
        return False
    url, root = str(status.get("statusListCredential", "")), conf.lms_root_url().rstrip("/")
    found = _STATUS_PATH.search(url[len(root):]) if url.startswith(root) else None
    index = str(status.get("statusListIndex", ""))
    if found is None or not index.isdigit():
        return False
    encoded = (StatusList.objects.filter(issuer__slug=found["slug"], number=int(found["number"]))
               .values_list("encoded_list", flat=True).first())
    return bool(encoded) and statuslist.is_set(str(encoded), int(index))


def _ob2(assertion: dict[str, Any], *, compare: bool) -> Verification:
    """An OB 2.0 assertion: hosted verification against this platform's own hosted copy."""
    url, root = str(assertion.get("id", "")), conf.lms_root_url().rstrip("/")
    found = _ASSERTION_PATH.search(url[len(root):]) if url.startswith(root) else None
    if found is None:
        return Verification(FOREIGN, "foreign_host", kind="ob2")
    try:
        award = Award.objects.select_related("program", "user", "status_list__issuer").get(
            uuid=uuid.UUID(found["uuid"]))
    except (ValueError, Award.DoesNotExist):
        return Verification(UNKNOWN, "unknown_award", kind="ob2")
    if award.private:
        return Verification(NOT_AVAILABLE, "private", kind="ob2")
    facts = award_facts(award)
    hosted = ob2.assertion(facts, url=url, image_url=links.award_links(root, str(award.uuid),
                                                                       kind=award.kind)["badge_url"])
    if compare and any(assertion.get(name) != hosted.get(name)
                       for name in ("recipient", "badge", "issuedOn", "verification")):
        return Verification(TAMPERED, "differs", kind="ob2")
    revoked = award.revoked_at is not None
    return Verification(
        REVOKED if revoked else VALID, "revoked" if revoked else "valid", kind="ob2",
        signers=tuple(issuer.name for issuer in facts.achievement.issuers), name=facts.achievement.name,
        issued_on=facts.issued_on, verify_url=links.verify_url(root, str(award.uuid)),
        revoked_on=award.revoked_at, revoked_reason=award.revoked_reason)
