"""
European Digital Credentials (EDC): every award as an unsigned European Learning Model 3 JSON-LD credential.

The credential follows the ELM 3 EDC application profile (``EDC-generic-full`` SHACL shapes) and carries the
mandatory elements of the Council Recommendation on micro-credentials (2022, Annex I); the mapping is
docs/decisions/0033. It is left unsigned: the awarding body seals it with its eIDAS e-seal outside the plugin
(the Commission's EDC issuer or a qualified seal; docs/europass.rst).

It names the W3C Verifiable Credentials 1.1 context and the ELM context, as the Commission's EDCs do. The ELM
context is bundled (``contexts/edc-ap-context.jsonld``, :func:`elm_context`); nothing is fetched at run time.
Built from plain facts (``credentials.facts``): no Django, no models.
"""
from __future__ import annotations

import base64
import json
import re
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from functools import cache
from pathlib import Path
from typing import Any

from ..data import DEGREE, PARTICIPATION
from . import images, links
from .dates import iso_z
from .evidence import (
    condition_text,
    credits_text,
    evidence_narrative,
    number_text,
    percent_text,
    rule_text,
    threshold_owner,
)
from .facts import AchievementFacts, AwardFacts, IssuerFacts

__all__ = [
    "EDC_CONTEXT", "ELM_CONTEXT", "ELM_CONTEXT_FILE", "EdcPart", "QA_NOT_DECLARED", "SHAPES", "VC_V1",
    "achievement_id", "country_iri", "credential_id", "edc_url", "elm_context", "european_digital_credential",
    "mode_concept", "workload",
]

VC_V1 = "https://www.w3.org/2018/credentials/v1"
ELM_CONTEXT = "http://data.europa.eu/snb/model/context/edc-ap"
EDC_CONTEXT = (VC_V1, ELM_CONTEXT)
ELM_CONTEXT_FILE = "edc-ap-context.jsonld"
SHAPES = "http://data.europa.eu/snb/model/ap/edc-generic-full"

# Controlled vocabularies (the EU Publications Office's authority tables and the Europass lists).
SNB = "http://data.europa.eu/snb/"
AUTHORITY = "http://publications.europa.eu/resource/authority/"
COUNTRY = AUTHORITY + "country"
LANGUAGE = AUTHORITY + "language"
FILE_TYPE = AUTHORITY + "file-type"
_SCHEME = "25831c2"  # the scheme id of every Europass controlled list
GENERIC_PROFILE = (SNB + "credential/e34929035b", "Generic")
ECTS = (SNB + "education-credit/6fcec5c5af", "European Credit Transfer System")
BASE64 = (SNB + "encoding/6146cde7dd", "base64")
# Europass "Mode of learning and assessment": the form of participation, as the catalog writes it.
_MODES = {
    "online": ("920fbb3cbe", "Online"), "e-learning": ("920fbb3cbe", "Online"),
    "blended": ("e92d221e4d", "Blended"), "hybrid": ("c_3a90b26d", "Hybrid"),
    "on site": ("9191af2ed9", "Presential"), "on-site": ("9191af2ed9", "Presential"),
    "onsite": ("9191af2ed9", "Presential"), "in person": ("9191af2ed9", "Presential"),
    "in-person": ("9191af2ed9", "Presential"), "face-to-face": ("9191af2ed9", "Presential"),
    "face to face": ("9191af2ed9", "Presential"), "presential": ("9191af2ed9", "Presential"),
    "work-based": ("729f3bed4b", "Workbased"), "workbased": ("729f3bed4b", "Workbased"),
    "project-based": ("7813801c77", "Project based"), "project based": ("7813801c77", "Project based"),
}
# The EU's official languages (BCP 47 -> the language authority table); any other: MUL (multiple languages).
_LANGUAGES = dict(pair.split(":") for pair in (
    "bg:BUL cs:CES da:DAN de:DEU el:ELL en:ENG es:SPA et:EST fi:FIN fr:FRA ga:GLE hr:HRV hu:HUN it:ITA lt:LIT "
    "lv:LAV mt:MLT nl:NLD pl:POL pt:POR ro:RON sk:SLK sl:SLV sv:SWE").split())
# ISO 3166-1 alpha-2 -> alpha-3, the codes of the EU country authority table (every code the catalog accepts).
_ALPHA3 = {pair[:2]: pair[2:] for pair in (
    "ADAND AEARE AFAFG AGATG AIAIA ALALB AMARM AOAGO AQATA ARARG ASASM ATAUT AUAUS AWABW AXALA AZAZE BABIH BBBRB "
    "BDBGD BEBEL BFBFA BGBGR BHBHR BIBDI BJBEN BLBLM BMBMU BNBRN BOBOL BQBES BRBRA BSBHS BTBTN BVBVT BWBWA BYBLR "
    "BZBLZ CACAN CCCCK CDCOD CFCAF CGCOG CHCHE CICIV CKCOK CLCHL CMCMR CNCHN COCOL CRCRI CUCUB CVCPV CWCUW CXCXR "
    "CYCYP CZCZE DEDEU DJDJI DKDNK DMDMA DODOM DZDZA ECECU EEEST EGEGY EHESH ERERI ESESP ETETH FIFIN FJFJI FKFLK "
    "FMFSM FOFRO FRFRA GAGAB GBGBR GDGRD GEGEO GFGUF GGGGY GHGHA GIGIB GLGRL GMGMB GNGIN GPGLP GQGNQ GRGRC GSSGS "
    "GTGTM GUGUM GWGNB GYGUY HKHKG HMHMD HNHND HRHRV HTHTI HUHUN IDIDN IEIRL ILISR IMIMN ININD IOIOT IQIRQ IRIRN "
    "ISISL ITITA JEJEY JMJAM JOJOR JPJPN KEKEN KGKGZ KHKHM KIKIR KMCOM KNKNA KPPRK KRKOR KWKWT KYCYM KZKAZ LALAO "
    "LBLBN LCLCA LILIE LKLKA LRLBR LSLSO LTLTU LULUX LVLVA LYLBY MAMAR MCMCO MDMDA MEMNE MFMAF MGMDG MHMHL MKMKD "
    "MLMLI MMMMR MNMNG MOMAC MPMNP MQMTQ MRMRT MSMSR MTMLT MUMUS MVMDV MWMWI MXMEX MYMYS MZMOZ NANAM NCNCL NENER "
    "NFNFK NGNGA NINIC NLNLD NONOR NPNPL NRNRU NUNIU NZNZL OMOMN PAPAN PEPER PFPYF PGPNG PHPHL PKPAK PLPOL PMSPM "
    "PNPCN PRPRI PSPSE PTPRT PWPLW PYPRY QAQAT REREU ROROU RSSRB RURUS RWRWA SASAU SBSLB SCSYC SDSDN SESWE SGSGP "
    "SHSHN SISVN SJSJM SKSVK SLSLE SMSMR SNSEN SOSOM SRSUR SSSSD STSTP SVSLV SXSXM SYSYR SZSWZ TCTCA TDTCD TFATF "
    "TGTGO THTHA TJTJK TKTKL TLTLS TMTKM TNTUN TOTON TRTUR TTTTO TVTUV TWTWN TZTZA UAUKR UGUGA UMUMI USUSA UYURY "
    "UZUZB VAVAT VCVCT VEVEN VGVGB VIVIR VNVNM VUVUT WFWLF WSWSM YEYEM YTMYT ZAZAF ZMZMB ZWZWE").split()}
# What the texts say where the catalog declares nothing (docs/decisions/0033).
QA_NOT_DECLARED = "not declared by the awarding body"
_CONTEXT_DIR = Path(__file__).resolve().parent / "contexts"


@dataclass(frozen=True)
class EdcPart:
    """
    A course credential that a micro-degree's EDC names as its part.

    Attributes:
        facts (AwardFacts): the course award (an achievement record).
        url (str): where its own EDC is served (:func:`edc_url`).
    """

    facts: AwardFacts
    url: str


@cache
def _elm_context_text() -> str:
    return (_CONTEXT_DIR / ELM_CONTEXT_FILE).read_text(encoding="utf-8")


def elm_context() -> dict[str, Any]:
    """A copy of the bundled ELM context document (``ELM_CONTEXT``), for JSON-LD processing without the network."""
    data: dict[str, Any] = json.loads(_elm_context_text())  # parsed anew: every caller gets its own copy
    return data


def edc_url(root: str, award_id: str) -> str:
    """Where an award's EDC is served: ``<LMS root>/microdegree/credentials/<award id>/edc/``."""
    return f"{root.rstrip('/')}{links.PREFIX}/credentials/{award_id}/edc/"


def credential_id(award_id: str) -> str:
    """The id of an award's EDC (stable; not the OB 3.0 credential's id: it is another credential)."""
    return f"urn:uuid:{uuid.uuid5(uuid.UUID(award_id), 'edc')}"


def achievement_id(award_id: str) -> str:
    """The id of an award's learning achievement: the same in its own EDC and in a degree's that names it."""
    return f"urn:uuid:{uuid.uuid5(uuid.UUID(award_id), 'edc-achievement')}"


def _urn(base: str, name: str) -> str:
    """A stable id for a node of ``base`` (a UUID, or else any IRI such as a did:web)."""
    try:
        namespace = uuid.UUID(base)
    except ValueError:
        return f"urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, f'{base}#{name}')}"
    return f"urn:uuid:{uuid.uuid5(namespace, name)}"


def _concept(iri: str, scheme: str, label: str | None = None) -> dict[str, Any]:
    data: dict[str, Any] = {"id": iri, "type": "Concept", "inScheme": {"id": scheme, "type": "ConceptScheme"}}
    if label:
        data["prefLabel"] = {"en": label}
    return data


def _snb(pair: tuple[str, str], list_name: str) -> dict[str, Any]:
    return _concept(pair[0], f"{SNB}{list_name}/{_SCHEME}", pair[1])


def country_iri(alpha2: str) -> str | None:
    """The EU country authority concept of an ISO 3166-1 alpha-2 code (``DE`` -> ``.../country/DEU``), or None."""
    alpha3 = _ALPHA3.get(alpha2.upper())
    return f"{COUNTRY}/{alpha3}" if alpha3 else None


def _language(tag: str) -> dict[str, Any]:
    return _concept(f"{LANGUAGE}/{_LANGUAGES.get(tag.split('-', maxsplit=1)[0].lower(), 'MUL')}", LANGUAGE)


def mode_concept(participation_form: str) -> dict[str, Any] | None:
    """
    The Europass mode of learning and assessment of a form of participation, or None if the text names none.

    The catalog's text is matched as a whole or by its first part (``online, self-paced`` is Online).
    """
    text = " ".join(participation_form.lower().split())
    found = _MODES.get(text) or _MODES.get(re.split(r"[,;(/]", text)[0].strip())
    return _snb((f"{SNB}learning-assessment/{found[0]}", found[1]), "learning-assessment") if found else None


def workload(hours: Decimal) -> str:
    """Hours as an ``xsd:duration`` (only seconds may have a fraction there: 1.5 hours is ``PT1H30M``)."""
    minutes = int((hours * 60).quantize(Decimal(1), rounding=ROUND_HALF_UP))
    whole, rest = divmod(minutes, 60)
    return "PT" + (f"{whole}H" if whole or not rest else "") + (f"{rest}M" if rest else "")


def _text(language: str, value: str) -> dict[str, str]:
    return {language: value}


def _note(node_id: str, language: str, value: str) -> dict[str, Any]:
    return {"id": node_id, "type": "Note", "noteLiteral": _text(language, value)}


def _organisation(issuer: IssuerFacts, language: str) -> dict[str, Any]:
    """
    An awarding body: its country, website, contact address and legal identifier (its did:web; ADR 33).

    A country code that the catalog's checks would refuse (stored otherwise) leaves the location and the legal
    identifier's country out: the export is still served, and fails the shapes where it is wrong.
    """
    iri = country_iri(issuer.country)
    data: dict[str, Any] = {
        "id": issuer.did,
        "type": "Organisation",
        "legalName": _text(language, issuer.name),
        "eIDASIdentifier": {"id": _urn(issuer.did, "legal-identifier"), "type": "LegalIdentifier",
                            "notation": issuer.did, "schemeName": "did:web"},
        "homepage": {"id": _urn(issuer.did, "homepage"), "type": "WebResource", "contentURL": issuer.url},
    }
    if iri:
        country = _concept(iri, COUNTRY)
        data["location"] = {"id": _urn(issuer.did, "location"), "type": "Location",
                            "address": {"id": _urn(issuer.did, "address"), "type": "Address", "countryCode": country}}
        data["eIDASIdentifier"]["spatial"] = country
    if issuer.email:
        data["contactPoint"] = {"id": _urn(issuer.did, "contact"), "type": "ContactPoint",
                                "emailAddress": {"id": f"mailto:{issuer.email}", "type": "Mailbox"}}
    return data


def _awarding(facts: AwardFacts) -> dict[str, Any]:
    ach = facts.achievement
    return {
        "id": _urn(facts.uuid, "awarding"),
        "type": "AwardingProcess",
        "awardingBody": [_organisation(issuer, ach.language) for issuer in ach.issuers],
        "awardingDate": iso_z(facts.issued_on),
    }


def _specification(ach: AchievementFacts) -> dict[str, Any]:
    """
    What the award certifies, with the EU elements that describe the learning.

    A qualification for the degree and an achievement record; a learning achievement specification for a
    participation confirmation, which certifies no level.
    """
    language, eu = ach.language, ach.eu
    qualification = ach.kind != PARTICIPATION
    data: dict[str, Any] = {
        "id": _urn(ach.template_id, "edc-specification"),
        "type": "Qualification" if qualification else "LearningAchievementSpecification",
        "title": _text(language, ach.name),
        "description": _text(language, ach.description),
        "language": [_language(language)],
        "volumeOfLearning": workload(ach.hours),
    }
    credits = ach.credits
    if credits is not None and credits.is_ects:
        data["creditPoint"] = [{"id": _urn(ach.template_id, "ects"), "type": "CreditPoint",
                                "framework": _snb(ECTS, "education-credit"), "point": number_text(credits.amount)}]
    if qualification:
        data["isPartialQualification"] = ach.kind != DEGREE
        if eu.eqf_level:
            data["eqfLevel"] = _snb((f"{SNB}eqf/{eu.eqf_level}", f"Level {eu.eqf_level}"), "eqf")
    if eu.learning_outcomes:
        data["learningOutcome"] = [
            {"id": _urn(ach.template_id, f"learning-outcome-{number}"), "type": "LearningOutcome",
             "title": _text(language, outcome)}
            for number, outcome in enumerate(eu.learning_outcomes, start=1)
        ]
    else:  # none declared: the catalog's description of what the award certifies (ADR 33)
        data["learningOutcomeSummary"] = _note(_urn(ach.template_id, "learning-outcomes"), language, ach.description)
    if mode := mode_concept(eu.participation_form):
        data["mode"] = [mode]
    data["additionalNote"] = [
        _note(_urn(ach.template_id, "participation"), language, f"Form of participation: {eu.participation_form}"),
        _note(_urn(ach.template_id, "quality-assurance"), language,
              f"Type of quality assurance: {eu.quality_assurance or QA_NOT_DECLARED}"),
    ]
    if credits is not None and not credits.is_ects:  # no European framework: the body's own unit, said in words
        data["additionalNote"].append(_note(_urn(ach.template_id, "credits"), language,
                                            f"Credits: {credits_text(credits)}, granted by {ach.lead.name}"))
    return data


def _assessment(facts: AwardFacts) -> dict[str, Any]:
    """How the award was earned: the type of assessment, the criteria, and the measured value (the grade)."""
    ach = facts.achievement
    language = ach.language
    specification: dict[str, Any] = {
        "id": _urn(ach.template_id, "edc-assessment"), "type": "LearningAssessmentSpecification",
        "title": _text(language, ach.eu.assessment), "description": _text(language, ach.criteria),
        "language": [_language(language)],
    }
    if mode := mode_concept(ach.eu.participation_form):
        specification["mode"] = [mode]
    data: dict[str, Any] = {
        "id": _urn(facts.uuid, "assessment"), "type": "LearningAssessment",
        "title": _text(language, ach.eu.assessment), "awardedBy": _awarding(facts), "specifiedBy": specification,
    }
    if facts.value is not None:
        measured = ("Share of the course content completed" if ach.kind == PARTICIPATION
                    else "Course grade" if ach.course_key else "Lowest course grade counted")
        required = f" (required: {percent_text(ach.threshold)} %)" if ach.threshold is not None else ""
        if ach.recognition is not None and ach.threshold is not None:
            required = f" (required: {percent_text(ach.threshold)} %, {threshold_owner(ach)})"
        further = " ".join(part for part in (rule_text(ach), condition_text(facts)) if part)
        grade = f"{measured}: {percent_text(facts.value)} %{required}. {further}"
    else:  # a degree or a whole program's recognition: passed (the shapes require a grade)
        grade = f"Passed. {evidence_narrative(facts)}"
    data["grade"] = _note(_urn(facts.uuid, "grade"), language, grade)
    if facts.event_time is not None:
        data["dateIssued"] = iso_z(facts.event_time)
    return data


def _part(part: EdcPart) -> dict[str, Any]:
    """A course credential named by a degree: its achievement (same id as in its own EDC), id and URL."""
    facts = part.facts
    language = facts.achievement.language
    return {
        "id": achievement_id(facts.uuid),
        "type": "LearningAchievement",
        "title": _text(language, facts.achievement.name),
        "awardedBy": _awarding(facts),
        "identifier": [{"id": _urn(facts.uuid, "edc-identifier"), "type": "Identifier",
                        "schemeName": "European Digital Credential", "notation": credential_id(facts.uuid)}],
        "supplementaryDocument": [{"id": part.url, "type": "WebResource", "contentURL": part.url,
                                   "title": _text(language, f"European Digital Credential: {facts.achievement.name}")}],
    }


def _display(facts: AwardFacts) -> dict[str, Any]:
    ach = facts.achievement
    language = _language(ach.language)
    subtitle = ach.lead.name if ach.recognition is not None else ach.program_title
    png = images.badge_png(title=ach.name, subtitle=subtitle, kind=ach.kind)
    image = {
        "id": _urn(facts.uuid, "display-image"), "type": "MediaObject",
        "content": base64.b64encode(png).decode("ascii"),
        "contentEncoding": _snb(BASE64, "encoding"),
        "contentType": _concept(f"{FILE_TYPE}/PNG", FILE_TYPE, "PNG"),
    }
    return {
        "id": _urn(facts.uuid, "display"), "type": "DisplayParameter",
        "title": _text(ach.language, ach.name), "description": _text(ach.language, ach.description),
        "primaryLanguage": language, "language": [language],
        "individualDisplay": [{"id": _urn(facts.uuid, "display-individual"), "type": "IndividualDisplay",
                               "language": language,
                               "displayDetail": [{"id": _urn(facts.uuid, "display-page-1"), "type": "DisplayDetail",
                                                  "page": 1, "image": image}]}],
    }


def european_digital_credential(facts: AwardFacts, *, parts: Sequence[EdcPart] = ()) -> dict[str, Any]:
    """
    An award as an unsigned European Digital Credential (ELM 3, EDC generic profile), to be e-sealed outside.

    ``parts`` are the course credentials a micro-degree names as its parts (``hasPart``), each by its achievement
    id, its EDC's id and its URL; course awards have none.
    """
    ach = facts.achievement
    language = ach.language
    issued = iso_z(facts.issued_on)
    achievement: dict[str, Any] = {
        "id": achievement_id(facts.uuid),
        "type": "LearningAchievement",
        "title": _text(language, ach.name),
        "description": _text(language, ach.description),
        "awardedBy": _awarding(facts),
        "specifiedBy": _specification(ach),
        "provenBy": [_assessment(facts)],
        "supplementaryDocument": [{"id": facts.verify_url, "type": "WebResource", "contentURL": facts.verify_url,
                                   "title": _text(language, "Verification page")}],
    }
    if parts:
        achievement["hasPart"] = [_part(part) for part in parts]
    return {
        "@context": list(EDC_CONTEXT),
        "id": credential_id(facts.uuid),
        "type": ["VerifiableCredential", "EuropeanDigitalCredential"],
        "credentialProfiles": [_snb(GENERIC_PROFILE, "credential")],
        "credentialSchema": {"id": SHAPES, "type": "ShaclValidator2017"},
        "identifier": [{"id": _urn(facts.uuid, "award-identifier"), "type": "Identifier",
                        "schemeName": "Award id", "notation": facts.uuid}],
        "displayParameter": _display(facts),
        "issuer": _organisation(ach.lead, language),
        "issued": issued,
        "validFrom": issued,
        "credentialSubject": {
            "id": _urn(facts.uuid, "learner"),
            "type": "Person",
            "fullName": _text(language, facts.learner_name),
            "hasClaim": [achievement],
        },
    }
