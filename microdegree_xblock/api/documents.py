"""
The public documents of credentials and issuers, as the verification endpoints serve them.

Everything here reads what signing stored, or builds it cheaply from the database: the verification page's facts,
the exact signed OB 3.0 / CLR text, OB 2.0 hosted verification (Issuer, BadgeClass, Assertion, baked badges), the
issuers' did:web documents, status lists and revocation lists, and LinkedIn's "Add to profile" link. Nothing here
signs.
"""
from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from .. import conf
from ..credentials import images, jsonld, linkedin, links, ob2, ob3, qr
from ..credentials.evidence import credits_text
from ..credentials.facts import AchievementFacts, AwardFacts
from ..data import AwardInfo
from ..exceptions import CredentialNotReady, PrivateCredential, UnknownIssuer, UnknownStatusList
from ..models import Award, Issuer, SignedCredential, SigningKey, StatusList
from ._internal import award_info, award_row
from .facts import award_facts, badge_facts, issuer_facts

__all__ = [
    "CredentialPage", "badge_subtitle", "get_badge_image", "get_baked_badge", "get_baked_badge_png",
    "get_controller_document",
    "get_credential_page", "get_extension_context", "get_ob2_assertion", "get_ob2_badge_class", "get_ob2_issuer",
    "get_revocation_list", "get_signed_credential", "get_status_list_credential", "linkedin_url", "qr_code_svg",
]

# What the public documents need of an award, selected with it.
_PUBLIC = ("user", "status_list__issuer")


@dataclass(frozen=True)
class CredentialPage:
    """
    Everything the public verification page, the PDF and the LinkedIn link show of an award.

    Attributes:
        award (AwardInfo): the award.
        facts (AwardFacts): what its credentials say.
        private (bool): the learner made it private (then nothing else may be shown).
        signed (bool): its OB 3.0 credential is signed and stored.
        links (dict[str, str]): its public URLs (the award links of the REST API).
        user_id (int): the learner's user id (for the owner's own view of a private credential).
    """

    award: AwardInfo
    facts: AwardFacts
    private: bool
    signed: bool
    links: dict[str, str]
    user_id: int

    @property
    def is_revoked(self) -> bool:
        """Whether the award was revoked."""
        return self.award.is_revoked

    def hidden_from(self, viewer_id: int | None) -> bool:
        """Whether the credential is private to anyone but its learner, and ``viewer_id`` is someone else."""
        return self.private and viewer_id != self.user_id

    @property
    def figures(self) -> dict[str, str | None]:
        """The page's numbers as text: ``hours``, ``ects``, ``value`` and ``threshold`` (percent); None if absent."""
        achievement = self.facts.achievement
        return {
            "hours": ob3.number_text(achievement.hours),
            "ects": ob3.number_text(achievement.ects) if achievement.ects is not None else None,
            "value": ob3.percent_text(self.facts.value) if self.facts.value is not None else None,
            "threshold": ob3.percent_text(achievement.threshold) if achievement.threshold is not None else None,
        }

    @property
    def credits(self) -> str | None:
        """A recognition's credits as text (``12 CME``, ``2 ECTS``); None for other awards and without credits."""
        recognition = self.facts.achievement.recognition
        return credits_text(recognition.credits) if recognition is not None and recognition.credits else None

    def qr_svg(self) -> str:
        """A QR code of the verification URL, as SVG markup (generated; it holds no text of the learner's)."""
        return qr.qr_svg(self.links["verify_url"])

    def wallet_qr_svg(self) -> str:
        """A QR code of the OB 3.0 credential's URL, for a wallet to scan and fetch (docs/decisions/0036)."""
        return qr.qr_svg(self.links["ob3_url"])


def badge_subtitle(achievement: AchievementFacts) -> str:
    """What a badge image shows under its title: the recognising body of a recognition, else the program."""
    return achievement.lead.name if achievement.recognition is not None else achievement.program_title


def qr_code_svg(url: str) -> str:
    """A QR code of a URL as SVG markup (segno's own markup: no text of anyone's)."""
    return qr.qr_svg(url)


def _public_award(award_id: str | uuid.UUID) -> Award:
    return award_row(award_id, *_PUBLIC)


def get_credential_page(*, award_id: str | uuid.UUID) -> CredentialPage:
    """
    What the public verification page shows of an award (a constant number of queries; no signing).

    Raises:
        UnknownAward: if the id is malformed or unknown.
    """
    award = _public_award(award_id)
    signed = SignedCredential.objects.filter(award=award, format=SignedCredential.OB3).exists()
    return CredentialPage(
        award=award_info(award), facts=award_facts(award), private=award.private, signed=signed,
        links=links.award_links(conf.lms_root_url(), str(award.uuid), kind=award.kind), user_id=award.user_id,
    )


def get_signed_credential(*, award_id: str | uuid.UUID, fmt: str, viewer_id: int | None = None) -> str:
    """
    The exact stored text of an award's signed credential (``ob3``, or ``clr`` for a degree).

    Raises:
        UnknownAward: unknown id.
        PrivateCredential: the learner made it private and ``viewer_id`` is not theirs.
        CredentialNotReady: not signed (yet), or a CLR of a course award.
    """
    award = _shown_award(award_id, viewer_id)
    stored = SignedCredential.objects.filter(award=award, format=fmt).values_list("text", flat=True).first()
    if stored is None:
        raise CredentialNotReady(f"no {fmt} credential for award {award.uuid}")
    return str(stored)


def _issuer(issuer_id: str) -> Issuer:
    issuer = Issuer.objects.filter(slug=issuer_id).first()
    if issuer is None:
        raise UnknownIssuer(f"no issuer {issuer_id!r}")
    return issuer


def get_controller_document(*, issuer_id: str) -> dict[str, Any]:
    """
    An issuer's did:web DID document, listing every signing key (current and retired) as a Multikey.

    Raises:
        UnknownIssuer: unknown issuer.
    """
    issuer = _issuer(issuer_id)
    public_keys = list(SigningKey.objects.order_by("created_at", "id").values_list("public_key_multibase", flat=True))
    return ob3.controller_document(did=issuer_facts(issuer).did, public_keys=public_keys)


def get_status_list_credential(*, issuer_id: str, number: int) -> str:
    """
    The exact signed text of an issuer's status list credential.

    Raises:
        UnknownStatusList: no such list.
    """
    found = StatusList.objects.filter(issuer__slug=issuer_id, number=number).exclude(credential="").first()
    if found is None:
        raise UnknownStatusList(f"no status list {issuer_id}/{number}")
    return found.credential


def get_revocation_list(*, issuer_id: str) -> dict[str, Any]:
    """
    An issuer's 1EdTech Revocation List: its revoked CLR credentials, with the reasons.

    Raises:
        UnknownIssuer: unknown issuer.
    """
    issuer = _issuer(issuer_id)
    revoked = SignedCredential.objects.filter(issuer=issuer, format=SignedCredential.CLR,
                                              award__revoked_at__isnull=False).order_by("id")
    return ob3.revocation_list(url=links.revocation_list_url(conf.lms_root_url(), issuer.slug),
                               issuer=issuer_facts(issuer),
                               revoked=[(c.credential_id, c.award.revoked_reason) for c in
                                        revoked.select_related("award")])


def get_ob2_issuer(*, issuer_id: str) -> dict[str, Any]:
    """
    An issuer's Open Badges 2.0 Issuer Profile.

    Raises:
        UnknownIssuer: unknown issuer.
    """
    return ob2.issuer(issuer_facts(_issuer(issuer_id)))


def get_ob2_badge_class(*, program_id: str, kind: str, course_key: str | None = None) -> dict[str, Any]:
    """
    The Open Badges 2.0 BadgeClass of a program course's award kind, or of a program's degree.

    Raises:
        UnknownBadge: no such program, course or kind.
    """
    return ob2.badge_class(badge_facts(program_id, kind, course_key))


def get_badge_image(*, program_id: str, kind: str, course_key: str | None = None) -> str:
    """
    The badge image (SVG) of a BadgeClass, generated from its title.

    Raises:
        UnknownBadge: no such program, course or kind.
    """
    facts = badge_facts(program_id, kind, course_key)
    return images.badge_svg(title=facts.name, subtitle=badge_subtitle(facts), kind=facts.kind)


def _assertion(award: Award, facts: AwardFacts) -> dict[str, Any]:
    root = conf.lms_root_url()
    return ob2.assertion(facts, url=links.ob2_assertion_url(root, str(award.uuid)),
                         image_url=links.award_links(root, str(award.uuid), kind=award.kind)["badge_url"])


def _shown_award(award_id: str | uuid.UUID, viewer_id: int | None) -> Award:
    """The award, unless its learner made it private and ``viewer_id`` is someone else (docs/decisions/0034)."""
    award = _public_award(award_id)
    if award.private and viewer_id != award.user_id:
        raise PrivateCredential(str(award.uuid))
    return award


def get_ob2_assertion(*, award_id: str | uuid.UUID, viewer_id: int | None = None) -> dict[str, Any]:
    """
    An award's Open Badges 2.0 hosted Assertion (revoked awards answer as revoked).

    Raises:
        UnknownAward: unknown id.
        PrivateCredential: the learner made it private and ``viewer_id`` is not theirs: hosted verification
            answers that it is not available, as for an unknown assertion.
    """
    award = _shown_award(award_id, viewer_id)
    return _assertion(award, award_facts(award))


def _badge_look(award_id: str | uuid.UUID, viewer_id: int | None) -> tuple[dict[str, Any], dict[str, str]]:
    """The award's hosted OB 2.0 assertion and what its badge image shows."""
    award = _shown_award(award_id, viewer_id)
    facts = award_facts(award)
    look = {"title": facts.achievement.name, "subtitle": badge_subtitle(facts.achievement), "kind": award.kind}
    return _assertion(award, facts), look


def get_baked_badge(*, award_id: str | uuid.UUID, viewer_id: int | None = None) -> str:
    """
    The award's badge image (SVG) with its OB 2.0 Assertion baked in.

    Raises:
        UnknownAward: unknown id.
        PrivateCredential: the learner made it private and ``viewer_id`` is not theirs.
    """
    assertion_data, look = _badge_look(award_id, viewer_id)
    return ob2.bake_svg(images.badge_svg(**look), assertion_data=assertion_data)


def get_baked_badge_png(*, award_id: str | uuid.UUID, viewer_id: int | None = None) -> bytes:
    """
    The award's badge image as a PNG with its OB 2.0 Assertion baked in (an ``iTXt`` chunk, per the baking spec).

    Raises:
        UnknownAward: unknown id.
        PrivateCredential: the learner made it private and ``viewer_id`` is not theirs.
    """
    assertion_data, look = _badge_look(award_id, viewer_id)
    return ob2.bake_png(images.badge_png(**look), assertion_data=assertion_data)


def linkedin_url(page: CredentialPage, *, organization_id: str = "") -> str:
    """
    LinkedIn's "Add to profile" link for an award, every field filled in.

    The organisation is the body that issues it: the program's lead, or a recognition's recognising body (whose
    LinkedIn id the platform's setting is not: a recognition names its body by name).
    """
    facts = page.facts
    return linkedin.add_to_profile_url(
        name=facts.achievement.name, organization=facts.achievement.lead.name, issued_on=facts.issued_on,
        cert_url=page.links["verify_url"], cert_id=page.award.id,
        organization_id=organization_id or ("" if facts.achievement.recognition is not None
                                            else conf.linkedin_organization_id()),
    )


def get_extension_context() -> dict[str, Any]:
    """
    The plugin's old JSON-LD extension context, served unchanged.

    The credentials signed before docs/decisions/0032 name it; new credentials name published contexts only.
    """
    return jsonld.legacy_context()
