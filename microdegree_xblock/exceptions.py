"""
The errors of the micro-degree plugin's api, one named class each.

Callers catch them by class. The web views map every :class:`NotFound` to its HTTP answer in one place
(``views.answers_errors``), with the class's public message; nothing about the lookup that failed is shown.
Each class keeps the built-in base it had before this module existed (``LookupError``, ``PermissionError``,
``RuntimeError``), so older callers that catch those still work.
"""
from __future__ import annotations

from django.utils.translation import gettext_lazy as _

__all__ = [
    "AwardReissued",
    "AwardsAreKept",
    "CredentialNotReady",
    "InvalidCondition",
    "MicrodegreeError",
    "NotAllowedToRecord",
    "NotFound",
    "PrivateCredential",
    "SigningKeyConfigured",
    "UnknownAward",
    "UnknownBadge",
    "UnknownCredential",
    "UnknownIssuer",
    "UnknownRecognition",
    "UnknownStatusList",
]


class MicrodegreeError(Exception):
    """Every error the api raises on purpose."""


class NotFound(MicrodegreeError, LookupError):
    """
    Nothing public has the given id.

    Attributes:
        status_code (int): the HTTP status the views answer with.
        public_message (str): what the views show (translated); it never repeats the id asked for.
    """

    status_code = 404
    public_message = _("Not found.")


class UnknownCredential(NotFound):
    """No credential can be shown for the given award id (the three reasons below)."""

    public_message = _("No such credential.")


class UnknownAward(UnknownCredential):
    """No award has the given public id (malformed, unknown, or not the learner's own)."""


class CredentialNotReady(UnknownCredential):
    """The award exists but its signed credential is not stored (yet): it is signed after commit."""


class PrivateCredential(UnknownCredential, PermissionError):
    """The learner made this credential private: to anyone else it does not exist."""


class UnknownIssuer(NotFound):
    """No issuer has the given id."""

    public_message = _("No such issuer.")


class UnknownBadge(NotFound):
    """No program, program course or award kind matches the badge asked for."""

    public_message = _("No such badge.")


class UnknownStatusList(NotFound):
    """The issuer has no status list with that number."""

    public_message = _("No such status list.")


class SigningKeyConfigured(MicrodegreeError, RuntimeError):
    """The active signing key comes from settings: rotate it there."""


class AwardsAreKept(MicrodegreeError, PermissionError):
    """
    Something tried to delete awards: an award ends only by revocation with a reason, retirement aside.

    Raised by ``Award.delete()`` and by ``delete()`` on a queryset of awards, outside a learner's retirement
    (docs/decisions/0002-award-semantics.rst, docs/decisions/0027-re-issuing-an-award.rst).
    """


class AwardReissued(MicrodegreeError, ValueError):
    """The award was re-issued already: re-issue its successor, the award that holds its place now."""


class UnknownRecognition(NotFound):
    """No recognition has the given id in the given program (docs/decisions/0040)."""

    public_message = _("No such recognition.")


class NotAllowedToRecord(MicrodegreeError, PermissionError):
    """
    The user may not record the conditions of this recognition: it is another recognising body's.

    Attributes:
        public_message (str): what the views show (translated).
    """

    public_message = _("You may not record the conditions of this recognition.")


class InvalidCondition(MicrodegreeError, ValueError):
    """
    A condition to record is refused: each field's problem, by field (``taken_on``: "in the future").

    Attributes:
        errors (dict[str, str]): the problem of each refused field, by its name (the CSV column, the JSON key).
    """

    def __init__(self, errors: dict[str, str]) -> None:
        self.errors = dict(errors)
        super().__init__("; ".join(f"{field}: {message}" for field, message in self.errors.items()))
