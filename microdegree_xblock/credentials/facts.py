"""
The plain data the credential builders take: gathered by ``api.py`` from the database, never a model.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

__all__ = ["AchievementFacts", "AwardFacts", "ConditionFacts", "CreditFacts", "IssuerFacts", "EuElements",
           "RecognitionFacts", "StatusRef", "ECTS_UNIT"]

# The credit unit that the European frameworks know (ECTS); any other (CME, a body's own points) is the body's.
ECTS_UNIT = "ECTS"


@dataclass(frozen=True)
class IssuerFacts:
    """
    An issuer (an awarding body) as credentials name it.

    Attributes:
        id (str): its id in the catalog.
        name (str): its name.
        url (str): its website.
        email (str): its contact address (may be empty).
        country (str): ISO 3166-1 alpha-2 code of its country.
        did (str): its ``did:web`` identifier: the OB 3.0 issuer id and the controller of the signing keys.
        ob2_url (str): the URL of its Open Badges 2.0 Issuer Profile.
    """

    id: str
    name: str
    url: str
    email: str
    country: str
    did: str
    ob2_url: str


@dataclass(frozen=True)
class EuElements:
    """
    The elements of the EU Council Recommendation on micro-credentials (2022, Annex I) that are not named elsewhere.

    Attributes:
        learning_outcomes (tuple[str, ...]): what the learner knows and can do.
        eqf_level (int | None): the European Qualifications Framework level (1-8), if any.
        participation_form (str): form of participation (online, blended, on site).
        assessment (str): type of assessment.
        quality_assurance (str): type of quality assurance.
    """

    learning_outcomes: tuple[str, ...]
    eqf_level: int | None
    participation_form: str
    assessment: str
    quality_assurance: str


@dataclass(frozen=True)
class CreditFacts:
    """
    Credits an award grants: an amount of a unit.

    Attributes:
        amount (Decimal): how many.
        unit (str): ``ECTS`` (:data:`ECTS_UNIT`), ``CME`` or a body's own short text.
    """

    amount: Decimal
    unit: str

    @property
    def is_ects(self) -> bool:
        """Whether the unit is ECTS (compared without case)."""
        return self.unit.strip().upper() == ECTS_UNIT


@dataclass(frozen=True)
class RecognitionFacts:
    """
    An outside body's recognition of a program course (or of the whole program) under its own rule.

    Attributes:
        rule (str): the recognition's id in its program: the rule an award of kind ``recognition`` met.
        title (str): its title in the catalog ("" when it has none: it is named after the body).
        course_title (str | None): the course it recognises (None: the whole program).
        threshold (Decimal | None): that body's grade share (0..1); None for a program's recognition without one.
        condition (str): the further condition the body asks for (an on-site exam), "" for none.
        credits (CreditFacts | None): what it grants, if anything.
        program_issuers (tuple[IssuerFacts, ...]): the awarding bodies of the program whose course it recognises.
    """

    rule: str
    title: str
    course_title: str | None
    threshold: Decimal | None
    condition: str
    credits: CreditFacts | None
    program_issuers: tuple[IssuerFacts, ...] = ()


@dataclass(frozen=True)
class AchievementFacts:
    """
    What an award certifies: one per program course and kind, and one per program degree (the BadgeClass).

    Attributes:
        template_id (str): the stable badge template UUID (``api.template_uuid``).
        kind (str): participation, achievement, recognition or degree.
        name (str): the title, e.g. ``Achievement record: Basics``.
        description (str): what it stands for.
        criteria (str): how it is earned (a narrative).
        program_title (str): the program's title.
        course_key (str | None): the course (None for a degree).
        hours (Decimal): notional workload in hours.
        ects (Decimal | None): ECTS credits, if any.
        threshold (Decimal | None): the share (0..1) needed, for course awards.
        issuers (tuple[IssuerFacts, ...]): the issuers (awarding bodies), lead first.
        eu (EuElements): the remaining EU micro-credential elements.
        badgeclass_url (str): the Open Badges 2.0 BadgeClass URL.
        image_url (str): the badge image URL.
        language (str): the language of the texts (BCP 47).
        recognition (RecognitionFacts | None): for a recognition, the body's rule; its issuers are that body alone.
        requirement (str): for a degree, what was met, as one clause (the required courses, the elective groups,
            the nested micro-degrees, the capstone); "" otherwise.
    """

    template_id: str
    kind: str
    name: str
    description: str
    criteria: str
    program_title: str
    course_key: str | None
    hours: Decimal
    ects: Decimal | None
    threshold: Decimal | None
    issuers: tuple[IssuerFacts, ...]
    eu: EuElements
    badgeclass_url: str
    image_url: str
    language: str = "en"
    recognition: RecognitionFacts | None = None
    requirement: str = ""

    @property
    def lead(self) -> IssuerFacts:
        """The lead issuer: the one that signs the credentials (for a recognition, the recognising body)."""
        return self.issuers[0]

    @property
    def rule(self) -> str:
        """The rule the award met: the recognition's id, or "" for the platform's own awards."""
        return self.recognition.rule if self.recognition is not None else ""

    @property
    def credits(self) -> CreditFacts | None:
        """What the award grants: a recognition's credits, else the ECTS credits of the course or program."""
        if self.recognition is not None:
            return self.recognition.credits
        return CreditFacts(self.ects, ECTS_UNIT) if self.ects is not None else None


@dataclass(frozen=True)
class StatusRef:
    """
    Where an award's revocation bit lives.

    Attributes:
        list_url (str): the URL of the status list credential.
        index (int): the entry's index in the list.
    """

    list_url: str
    index: int


@dataclass(frozen=True)
class ConditionFacts:
    """
    A recognition's further condition as recorded for the learner (never who recorded it).

    Attributes:
        passed (bool): whether it was passed.
        taken_on (date): when.
        result (str): the result as recorded (e.g. a grade), "" if none.
    """

    passed: bool
    taken_on: date
    result: str = ""


@dataclass(frozen=True)
class AwardFacts:
    """
    One award to one learner, with everything its credentials say.

    Attributes:
        uuid (str): the award's public id.
        achievement (AchievementFacts): what it certifies.
        issued_on (datetime): when it was issued.
        learner_name (str): the learner's full name.
        email (str): the learner's email (only ever published hashed, with ``salt``).
        salt (str): the award's recipient salt.
        value (Decimal | None): the measured grade or completion share (0..1).
        event_type (str): the event that measured it.
        event_time (datetime | None): when.
        verify_url (str): the public verification page.
        status (StatusRef | None): its revocation entry.
        revoked_on (datetime | None): when it was revoked, if it was.
        revoked_reason (str): why.
        condition (ConditionFacts | None): for a recognition with a further condition, the recorded one.
    """

    uuid: str
    achievement: AchievementFacts
    issued_on: datetime
    learner_name: str
    email: str
    salt: str
    value: Decimal | None
    event_type: str
    event_time: datetime | None
    verify_url: str
    status: StatusRef | None = None
    revoked_on: datetime | None = None
    revoked_reason: str = ""
    condition: ConditionFacts | None = None
