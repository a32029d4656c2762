"""
Open Badges 3.0 and CLR 2.0 credentials, the status list credential, and the issuers' DID documents.

``OpenBadgeCredential`` and ``ClrCredential`` follow the VC 2.0 data model; the Bitstring Status List credential
holds the revocation bits; the ``did:web`` controller document publishes the signing keys.

These build unsigned documents from plain facts; ``proofs.sign`` secures them, strictly: every JSON key and type
used here is defined by a published context (VC 2.0, OB 3.0.3 and its extensions context, CLR 2.0.1), or is an
absolute IRI. The three EU micro-credential elements that Open Badges 3.0 lacks are written with the European
Learning Model's own property IRIs as keys (``ELM_AWARDING_BODY``, ``ELM_VOLUME_OF_LEARNING``, ``ELM_MODE``): the
ELM context cannot be combined with the protected VC 2.0 and OB 3.0 terms. The CLR 2.0 schema's ``issuanceDate``
is VC 2.0's issuer-dependent term (docs/decisions/0032; the CLR 2.0 schema allows only URLs in ``@context``).
"""
from __future__ import annotations

import hashlib
import uuid
from collections.abc import Mapping
from dataclasses import replace
from typing import Any
from urllib.parse import quote, unquote, urlsplit

from ..data import ACHIEVEMENT, DEGREE, PARTICIPATION, RECOGNITION
from .dates import iso_z
from .evidence import (
    condition_result_id,
    credit_alignment,
    evidence_items,
    evidence_narrative,
    number_text,
    percent_text,
    rule_id,
    threshold_owner,
)
from .facts import AchievementFacts, AwardFacts, IssuerFacts, StatusRef
from .jsonld import CLR_V2, DID_V1, MULTIKEY_V1, OB_V3, OB_V3_EXTENSIONS, UNDEFINED_TERMS_V2, VC_V2

__all__ = [
    "ACHIEVEMENT_TYPES", "CLR_CONTEXT", "CLR_MEMBER_CONTEXT", "CLR_SCHEMA", "ELM_AWARDING_BODY", "ELM_MODE",
    "ELM_VOLUME_OF_LEARNING", "OB3_CONTEXT", "OB3_SCHEMA", "REVOCATION_LIST_TYPE", "achievement", "clr_credential",
    "clr_member_credential", "evidence_narrative", "number_text", "revocation_list",
    "controller_document", "did_web", "did_web_document_url", "identity_hash", "open_badge_credential",
    "percent_text", "profile", "status_list_credential", "verification_method_id",
]

OB3_SCHEMA = "https://purl.imsglobal.org/spec/ob/v3p0/schema/json/ob_v3p0_achievementcredential_schema.json"
CLR_SCHEMA = "https://purl.imsglobal.org/spec/clr/v2p0/schema/json/clr_v2p0_clrcredential_schema.json"
SCHEMA_VALIDATOR = "1EdTechJsonSchemaValidator2019"
REVOCATION_LIST_TYPE = "1EdTechRevocationList"

# A recognition is a Certification: a credential an authoritative body (not the course's provider) awards for
# meeting its own standard (docs/decisions/0040).
ACHIEVEMENT_TYPES = {PARTICIPATION: "CertificateOfCompletion", ACHIEVEMENT: "Course", DEGREE: "MicroCredential",
                     RECOGNITION: "Certification"}
EQF_URL = "http://data.europa.eu/snb/eqf/{level}"

# The contexts of each credential: published ones only (docs/decisions/0032).
OB3_CONTEXT = (VC_V2, OB_V3, OB_V3_EXTENSIONS)
CLR_MEMBER_CONTEXT = (*OB3_CONTEXT, UNDEFINED_TERMS_V2)  # the CLR 2.0 schema wants ``issuanceDate`` on members too
CLR_CONTEXT = (VC_V2, CLR_V2, OB_V3, OB_V3_EXTENSIONS, UNDEFINED_TERMS_V2)
# European Learning Model 3 properties, by IRI (the ELM context redefines terms that VC 2.0 and OB 3.0 protect).
ELM = "http://data.europa.eu/snb/model/elm/"
ELM_AWARDING_BODY = ELM + "awardingBody"
ELM_VOLUME_OF_LEARNING = ELM + "volumeOfLearning"
ELM_MODE = ELM + "mode"
XSD_DURATION = "http://www.w3.org/2001/XMLSchema#duration"


def did_web(root_url: str, *path: str) -> str:
    """The ``did:web`` identifier of a document served at ``<root_url>/<path...>/did.json``."""
    parts = urlsplit(root_url)
    host = quote(parts.netloc, safe="")
    segments = [s for s in parts.path.split("/") if s] + list(path)
    return ":".join(["did", "web", host, *(quote(s, safe="") for s in segments)])


def did_web_document_url(did: str, *, scheme: str = "https") -> str:
    """Where a ``did:web`` DID document is served (``https``; ``http`` only for a local stand-in)."""
    if not did.startswith("did:web:"):
        raise ValueError(f"{did!r} is not a did:web identifier")
    host, *segments = did[len("did:web:"):].split(":")
    path = "/".join(unquote(s) for s in segments) if segments else ".well-known"
    return f"{scheme}://{unquote(host)}/{path}/did.json"


def verification_method_id(did: str, public_key_multibase: str) -> str:
    """A key's verification method id in a controller document: the DID and the key as fragment."""
    return f"{did}#{public_key_multibase}"


def identity_hash(email: str, salt: str) -> str:
    """The salted SHA-256 of a normalised email address, as Open Badges writes it (``sha256$<hex>``)."""
    return "sha256$" + hashlib.sha256((email.strip().lower() + salt).encode("utf-8")).hexdigest()


def profile(issuer: IssuerFacts) -> dict[str, Any]:
    """An issuer (awarding body) as an OB 3.0 ``Profile`` (its id is its did:web)."""
    data: dict[str, Any] = {
        "id": issuer.did,
        "type": ["Profile"],
        "name": issuer.name,
        "url": issuer.url,
        "address": {"type": ["Address"], "addressCountryCode": issuer.country},
    }
    if issuer.email:
        data["email"] = issuer.email
    return data


def _alignments(facts: AchievementFacts) -> list[dict[str, Any]]:
    found = []
    if facts.eu.eqf_level:
        found.append({
            "type": ["Alignment"], "targetType": "ext:EQFLevel", "targetFramework": "European Qualifications Framework",
            "targetCode": str(facts.eu.eqf_level), "targetName": f"EQF level {facts.eu.eqf_level}",
            "targetUrl": EQF_URL.format(level=facts.eu.eqf_level),
        })
    for number, outcome in enumerate(facts.eu.learning_outcomes, start=1):
        found.append({
            "type": ["Alignment"], "targetType": "ext:LearningOutcome", "targetName": outcome,
            "targetUrl": f"{facts.badgeclass_url}#learning-outcome-{number}",
        })
    if facts.eu.quality_assurance:
        # The program's quality assurance: its lead body's (a recognition's program is another body's).
        owners = facts.recognition.program_issuers if facts.recognition and facts.recognition.program_issuers \
            else facts.issuers
        found.append({
            "type": ["Alignment"], "targetType": "ext:QualityAssurance", "targetName": facts.eu.quality_assurance,
            "targetUrl": owners[0].url,
        })
    if credits := credit_alignment(facts):
        found.append(credits)
    return found


def _result_description(facts: AchievementFacts) -> dict[str, Any] | None:
    if facts.threshold is None:
        return None
    name = facts.eu.assessment
    if facts.recognition is not None:  # whose threshold, under which rule
        measured = "Course grade" if facts.course_key else "Lowest course grade counted"
        name = f"{measured}, {threshold_owner(facts)} (rule {rule_id(facts)})"
    return {
        "id": f"urn:uuid:{uuid.uuid5(uuid.UUID(facts.template_id), 'result')}",
        "type": ["ResultDescription"],
        "name": name,
        "resultType": "Percent",
        "requiredValue": percent_text(facts.threshold),
        "valueMin": "0",
        "valueMax": "100",
    }


def _result_descriptions(facts: AchievementFacts) -> list[dict[str, Any]]:
    """The grade's (when there is a threshold) and a recognition's further condition's, as a ``Status``."""
    found = [result] if (result := _result_description(facts)) else []
    if facts.recognition is not None and facts.recognition.condition:
        found.append({"id": condition_result_id(facts), "type": ["ResultDescription"],
                      "name": facts.recognition.condition, "resultType": "Status"})
    return found


def _results(facts: AwardFacts) -> list[dict[str, Any]]:
    """The learner's results: the grade against its threshold, and a recorded condition (``Completed``)."""
    ach = facts.achievement
    found = []
    if facts.value is not None and (result := _result_description(ach)):
        found.append({"type": ["Result"], "resultDescription": result["id"], "value": percent_text(facts.value)})
    condition = facts.condition
    if ach.recognition is not None and ach.recognition.condition and condition is not None and condition.passed:
        entry: dict[str, Any] = {"type": ["Result"], "resultDescription": condition_result_id(ach),
                                 "status": "Completed"}
        if condition.result:
            entry["value"] = condition.result
        found.append(entry)
    return found


def achievement(facts: AchievementFacts) -> dict[str, Any]:
    """What an award certifies, as an OB 3.0 ``Achievement`` carrying the EU micro-credential elements."""
    data: dict[str, Any] = {
        "id": f"urn:uuid:{facts.template_id}",
        "type": ["Achievement"],
        "achievementType": ACHIEVEMENT_TYPES[facts.kind],
        "name": facts.name,
        "description": facts.description,
        "criteria": {"id": facts.badgeclass_url, "narrative": facts.criteria},
        "image": {"id": facts.image_url, "type": "Image", "caption": facts.name},
        "creator": profile(facts.lead),
        "inLanguage": facts.language,
        ELM_VOLUME_OF_LEARNING: {"@value": f"PT{number_text(facts.hours)}H", "@type": XSD_DURATION},
        ELM_MODE: facts.eu.participation_form,
        ELM_AWARDING_BODY: [profile(issuer) for issuer in facts.issuers],
    }
    if facts.course_key:
        data["humanCode"] = facts.course_key
    if facts.credits is not None:
        data["creditsAvailable"] = float(facts.credits.amount)
    if alignments := _alignments(facts):
        data["alignment"] = alignments
    if results := _result_descriptions(facts):
        data["resultDescription"] = results
    return data


def _identifiers(facts: AwardFacts) -> list[dict[str, Any]]:
    found = [{
        "type": "IdentityObject", "identityType": "emailAddress", "hashed": True,
        "identityHash": identity_hash(facts.email, facts.salt), "salt": facts.salt,
    }] if facts.email else []
    if facts.learner_name:
        found.append({"type": "IdentityObject", "identityType": "name", "hashed": False,
                      "identityHash": facts.learner_name})
    return found


def _status(status: StatusRef) -> dict[str, Any]:
    return {
        "id": f"{status.list_url}#{status.index}",
        "type": "BitstringStatusListEntry",
        "statusPurpose": "revocation",
        "statusListIndex": str(status.index),
        "statusListCredential": status.list_url,
    }


def open_badge_credential(facts: AwardFacts) -> dict[str, Any]:
    """An award as an unsigned OB 3.0 ``OpenBadgeCredential``."""
    ach = facts.achievement
    issued = iso_z(facts.issued_on)
    subject: dict[str, Any] = {"type": ["AchievementSubject"], "achievement": achievement(ach)}
    if identifiers := _identifiers(facts):
        subject["identifier"] = identifiers
    if ach.credits is not None:
        subject["creditsEarned"] = float(ach.credits.amount)
    if results := _results(facts):
        subject["result"] = results
    document: dict[str, Any] = {
        "@context": list(OB3_CONTEXT),
        "id": f"urn:uuid:{facts.uuid}",
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "name": ach.name,
        "description": ach.description,
        "issuer": profile(ach.lead),
        "validFrom": issued,
        "awardedDate": issued,
        "credentialSubject": subject,
        "evidence": evidence_items(facts),
        "credentialSchema": [{"id": OB3_SCHEMA, "type": SCHEMA_VALIDATOR}],
    }
    if facts.status is not None:
        document["credentialStatus"] = _status(facts.status)
    return document


def clr_member_credential(facts: AwardFacts) -> dict[str, Any]:
    """
    An award as an unsigned OpenBadgeCredential for embedding in a CLR: its own id, no ``credentialStatus``.

    It carries the ``issuanceDate`` that the CLR 2.0 schema requires of the credentials a CLR embeds (VC 2.0's
    issuer-dependent term, docs/decisions/0032). The CLR 2.0 schema allows only an ``id`` and a ``type`` in the
    ``credentialStatus`` of the credentials a CLR embeds, so a Bitstring Status List entry cannot go there; the
    CLR's own status covers its members (docs/decisions/0022).
    """
    document = open_badge_credential(replace(facts, status=None))
    document["@context"] = list(CLR_MEMBER_CONTEXT)
    document["id"] = f"urn:uuid:{uuid.uuid5(uuid.UUID(facts.uuid), 'clr-member')}"
    document["issuanceDate"] = document["validFrom"]
    return document


def clr_credential(facts: AwardFacts, *, members: list[dict[str, Any]], revocation_list_url: str,
                   parents: Mapping[str, str] | None = None) -> dict[str, Any]:
    """
    A micro-degree as an unsigned CLR 2.0 ``ClrCredential``.

    ``members`` are the signed member credentials (:func:`clr_member_credential`), the degree's first, then its
    courses', then those of the micro-degrees it nests (each such degree, then its courses); each keeps its own
    proof. The CLR lists their achievements and links each to the one it counts for (``isChildOf``): ``parents``
    maps an achievement's id to its parent's (a nested degree's courses to that degree, the nested degree to the
    outer one); an achievement it does not name is the degree's child. Its status is a 1EdTech Revocation List
    entry (the one status method the CLR 2.0 schema allows).
    """
    ach = facts.achievement
    issued = iso_z(facts.issued_on)
    degree_id = f"urn:uuid:{ach.template_id}"
    parents = parents or {}
    achievements: list[dict[str, Any]] = []
    associations: list[dict[str, Any]] = []
    for member in members:
        found = member["credentialSubject"]["achievement"]
        if found["id"] not in {a["id"] for a in achievements}:
            achievements.append(found)
        parent = parents.get(found["id"], degree_id)
        association = {"type": "Association", "associationType": "isChildOf", "sourceId": found["id"],
                       "targetId": parent}
        if found["id"] != degree_id and parent != found["id"] and association not in associations:
            associations.append(association)
    subject: dict[str, Any] = {
        "type": ["ClrSubject"],
        "achievement": achievements,
        "verifiableCredential": members,
        "association": associations,
    }
    if facts.email:
        subject["identifier"] = [{"type": "IdentityObject", "identityType": "emailAddress", "hashed": True,
                                  "identityHash": identity_hash(facts.email, facts.salt), "salt": facts.salt}]
    return {
        "@context": list(CLR_CONTEXT),
        "id": f"urn:uuid:{uuid.uuid5(uuid.UUID(facts.uuid), 'clr')}",
        "type": ["VerifiableCredential", "ClrCredential"],
        "name": ach.name,
        "description": ach.description,
        "issuer": profile(ach.lead),
        "validFrom": issued,
        "issuanceDate": issued,
        "credentialSubject": subject,
        "credentialStatus": {"id": revocation_list_url, "type": REVOCATION_LIST_TYPE},
        "credentialSchema": [{"id": CLR_SCHEMA, "type": SCHEMA_VALIDATOR}],
    }


def revocation_list(*, url: str, issuer: IssuerFacts, revoked: list[tuple[str, str]]) -> dict[str, Any]:
    """A 1EdTech Revocation List: the ids (and reasons) of an issuer's revoked CLR credentials."""
    return {
        "id": url,
        "issuer": issuer.did,
        "revokedCredentials": [{"id": credential_id, "revocationReason": reason} for credential_id, reason in revoked],
    }


def status_list_credential(*, url: str, issuer: IssuerFacts, encoded_list: str, valid_from: str) -> dict[str, Any]:
    """An unsigned ``BitstringStatusListCredential`` of revocation bits, issued by the issuer."""
    return {
        "@context": [VC_V2],
        "id": url,
        "type": ["VerifiableCredential", "BitstringStatusListCredential"],
        "issuer": issuer.did,
        "validFrom": valid_from,
        "credentialSubject": {
            "id": f"{url}#list",
            "type": "BitstringStatusList",
            "statusPurpose": "revocation",
            "encodedList": encoded_list,
        },
    }


def controller_document(*, did: str, public_keys: list[str]) -> dict[str, Any]:
    """
    The DID document (a controller document) of an awarding issuer: every key, current and retired, as a Multikey.

    Retired keys stay listed (and usable for ``assertionMethod``) so that credentials signed before a rotation
    keep verifying.
    """
    methods = [
        {"id": verification_method_id(did, key), "type": "Multikey", "controller": did, "publicKeyMultibase": key}
        for key in public_keys
    ]
    return {
        "@context": [DID_V1, MULTIKEY_V1],
        "id": did,
        "verificationMethod": methods,
        "assertionMethod": [m["id"] for m in methods],
    }
