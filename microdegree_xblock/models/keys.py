"""The platform's signing keys, the issuers' status lists and the signed text of every credential."""
from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from .awards import Award
from .programs import Issuer


class SigningKey(models.Model):
    """
    An Ed25519 key of the platform that signs credentials (docs/decisions/0020).

    The active key is the newest one not retired. Generated keys keep their private key here until they are
    retired (``microdegree_keys rotate``); a key configured in settings (``MICRODEGREE_SIGNING_KEY``) is recorded
    with its public key only. Every key stays published in the issuers' DID documents, so that credentials signed
    before a rotation keep verifying.

    .. no_pii: Keys of the platform.
    """

    GENERATED = "generated"
    SETTINGS = "settings"
    SOURCE_CHOICES = ((GENERATED, _("generated on first use")), (SETTINGS, _("from settings")))

    public_key_multibase = models.CharField(_("public key (multibase)"), max_length=64, unique=True)
    private_key_pem = models.TextField(_("private key (PEM)"), blank=True, editable=False)
    source = models.CharField(_("source"), max_length=16, choices=SOURCE_CHOICES, default=GENERATED)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    retired_at = models.DateTimeField(_("retired at"), null=True, blank=True)

    class Meta:
        ordering = ("-created_at", "-id")
        verbose_name = _("signing key")
        verbose_name_plural = _("signing keys")

    def __str__(self) -> str:
        return self.public_key_multibase


class StatusList(models.Model):
    """
    One Bitstring Status List of an issuer (131,072 revocation bits), with its signed status list credential.

    Entries are handed out by ``allocated`` and never reused: the bits of deleted (retired) awards stay set.

    .. no_pii: Bits and counters; nothing links an entry to a learner but the award, which holds the index.
    """

    issuer = models.ForeignKey(Issuer, on_delete=models.PROTECT, related_name="+", verbose_name=_("issuer"))
    number = models.PositiveIntegerField(_("list number"))
    allocated = models.PositiveIntegerField(_("entries handed out"), default=0)
    encoded_list = models.TextField(_("encoded list"), blank=True)
    credential = models.TextField(_("signed status list credential"), blank=True)
    modified = models.DateTimeField(_("modified"), auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=("issuer", "number"), name="microdegree_status_list_unique"),
        ]
        verbose_name = _("status list")
        verbose_name_plural = _("status lists")

    def __str__(self) -> str:
        return f"{self.issuer_id}/{self.number}"


class SignedCredential(models.Model):
    """
    The exact signed text of one credential of an award: its OB 3.0 OpenBadgeCredential, or a degree's CLR.

    Stored once, when the award is processed after commit, and served byte for byte; never re-serialised.

    .. pii: The learner's name and salted email hash, inside the signed credential.
    .. pii_types: name, email_address
    .. pii_retirement: local_api
    """

    OB3 = "ob3"
    CLR = "clr"
    CLR_MEMBER = "clr-member"
    FORMAT_CHOICES = ((OB3, "Open Badges 3.0"), (CLR, "CLR 2.0"), (CLR_MEMBER, _("Open Badges 3.0 inside a CLR")))

    award = models.ForeignKey(Award, on_delete=models.CASCADE, related_name="credentials")
    format = models.CharField(_("format"), max_length=16, choices=FORMAT_CHOICES)
    credential_id = models.CharField(_("credential id"), max_length=255)
    issuer = models.ForeignKey(Issuer, on_delete=models.PROTECT, related_name="+", verbose_name=_("issuer"))
    key = models.ForeignKey(SigningKey, on_delete=models.PROTECT, related_name="+", verbose_name=_("signing key"))
    text = models.TextField(_("signed document"))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=("award", "format"), name="microdegree_signed_credential_unique"),
        ]
        verbose_name = _("signed credential")
        verbose_name_plural = _("signed credentials")

    def __str__(self) -> str:
        return f"{self.format} {self.credential_id}"
