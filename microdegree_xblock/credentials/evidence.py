"""
What an award's evidence says, in the credentials' English.

The value measured, the threshold met and whose it is, the rule applied, a recorded condition; the credits and
their unit.

Shared by the Open Badges 3.0 and 2.0 builders and the European Digital Credential (docs/decisions/0040: every
award's evidence names the rule it met, ``platform`` for the platform's own awards, and which body's threshold).
Built from plain facts: no Django, no models.
"""
from __future__ import annotations

import uuid
from decimal import Decimal
from typing import Any

from ..data import ACHIEVEMENT, DEGREE, PARTICIPATION
from .dates import iso_z
from .facts import AchievementFacts, AwardFacts, CreditFacts

__all__ = [
    "ECTS_FRAMEWORK", "ECTS_FRAMEWORK_URL", "PLATFORM_RULE", "condition_result_id", "condition_text",
    "credit_alignment", "credits_text", "evidence_items", "evidence_narrative", "number_text", "percent_text",
    "rule_id", "rule_text", "threshold_owner",
]

# What an award of the platform's own rules names as its rule (a recognition names its id).
PLATFORM_RULE = "platform"
# The ECTS as the European Learning Model's controlled list names it (the EDC's credit framework too).
ECTS_FRAMEWORK = "European Credit Transfer and Accumulation System"
ECTS_FRAMEWORK_URL = "http://data.europa.eu/snb/education-credit/6fcec5c5af"
_MEASURED = {PARTICIPATION: "Share of the course content completed", ACHIEVEMENT: "Course grade"}


def number_text(value: Decimal) -> str:
    """A Decimal without trailing zeros (``21``, ``1.5``)."""
    normal = value.normalize()
    return format(normal.quantize(Decimal(1)) if normal == normal.to_integral() else normal, "f")


def percent_text(share: Decimal) -> str:
    """A share 0..1 as a percentage number (``0.7`` -> ``70``)."""
    return number_text(share * 100)


def credits_text(credits: CreditFacts) -> str:
    """Credits as text: ``12 CME``, ``2 ECTS``."""
    return f"{number_text(credits.amount)} {credits.unit}"


def rule_id(ach: AchievementFacts) -> str:
    """The rule an award met, as its evidence names it: the recognition's id, or ``platform``."""
    return ach.rule or PLATFORM_RULE


def threshold_owner(ach: AchievementFacts) -> str:
    """Whose threshold an award met: the recognising body's, or the program's (the platform's own rule)."""
    if ach.recognition is not None:
        return f"the threshold of {ach.lead.name}"
    return f"the threshold of the program {ach.program_title}"


def rule_text(ach: AchievementFacts) -> str:
    """The rule applied, as one sentence."""
    if ach.recognition is not None:
        return f"Rule applied: {ach.recognition.rule}, the recognition by {ach.lead.name}."
    return f"Rule applied: {PLATFORM_RULE} (the platform's own rules of the program {ach.program_title})."


def condition_text(facts: AwardFacts) -> str:
    """A recognition's further condition and how it was recorded ("" when the recognition has none)."""
    rec = facts.achievement.recognition
    if rec is None or not rec.condition:
        return ""
    found = facts.condition
    if found is None:
        return f"Further condition: {rec.condition}."
    recorded = (f"recorded as {'passed' if found.passed else 'not passed'} on {found.taken_on.isoformat()}"
                + (f" (result: {found.result})" if found.result else ""))
    return f"Further condition: {rec.condition}: {recorded}."


def _measurement(facts: AwardFacts) -> str:
    ach = facts.achievement
    value = f"{percent_text(facts.value)} %" if facts.value is not None else "unknown"
    threshold = (f"{percent_text(ach.threshold)} %, {threshold_owner(ach)}" if ach.threshold is not None
                 else "-")
    when = f" on {iso_z(facts.event_time)}" if facts.event_time else ""
    reported = f", reported by {facts.event_type or 'the LMS'}{when}"
    if ach.course_key is None:  # a whole program's recognition
        if facts.value is None:
            return f"The micro-degree {ach.program_title} is held."
        return (f"Lowest course grade counted for the micro-degree {ach.program_title}: {value} (required in every "
                f"course counted: {threshold}){reported}.")
    measured = _MEASURED.get(ach.kind, _MEASURED[ACHIEVEMENT])
    return f"{measured} in {ach.course_key}: {value} (required: {threshold}){reported}."


def evidence_narrative(facts: AwardFacts) -> str:
    """What was measured, against which threshold (and whose), by which event, under which rule."""
    ach = facts.achievement
    if ach.kind == DEGREE:
        requirement = ach.requirement or "an achievement record of every course"
        return f"Every requirement of {ach.program_title} is met: {requirement}. {rule_text(ach)}"
    parts = [_measurement(facts), rule_text(ach), condition_text(facts)]
    return " ".join(part for part in parts if part)


def condition_result_id(ach: AchievementFacts) -> str:
    """The id of a recognition's result description of its further condition (an OB 3.0 ``Status``)."""
    return f"urn:uuid:{uuid.uuid5(uuid.UUID(ach.template_id), 'condition')}"


def evidence_items(facts: AwardFacts) -> list[dict[str, Any]]:
    """
    The OB 3.0 ``evidence`` of an award: the measurement under its rule, and a recorded condition on its own.

    The condition's evidence says what was recorded (passed, when, the result), never who recorded it.
    """
    ach = facts.achievement
    found = [{"id": facts.verify_url, "type": ["Evidence"], "name": ach.name,
              "narrative": evidence_narrative(facts)}]
    rec, condition = ach.recognition, facts.condition
    if rec is not None and rec.condition and condition is not None:
        found.append({
            "id": f"urn:uuid:{uuid.uuid5(uuid.UUID(facts.uuid), 'condition')}",
            "type": ["Evidence"],
            "name": rec.condition,
            "genre": "Recorded condition",
            "narrative": condition_text(facts),
        })
    return found


def credit_alignment(ach: AchievementFacts) -> dict[str, Any] | None:
    """
    The unit of an award's credits (``creditsAvailable``, ``creditsEarned``), which OB 3.0 has no field for.

    An alignment to the credit system: the ECTS by its European Learning Model concept, any other unit (CME points)
    as the awarding body's own, at the body's website.
    """
    credits = ach.credits
    if credits is None:
        return None
    if credits.is_ects:
        framework, url = ECTS_FRAMEWORK, ECTS_FRAMEWORK_URL
    else:
        framework, url = f"{credits.unit} credits of {ach.lead.name}", ach.lead.url
    return {
        "type": ["Alignment"], "targetType": "ext:CreditUnit", "targetFramework": framework,
        "targetCode": credits.unit, "targetName": f"{credits.unit} credits", "targetUrl": url,
        "targetDescription": f"The unit of this achievement's credits: {credits_text(credits)}.",
    }
