"""
The public URLs of an award's credentials and of the issuers' documents, all under ``<LMS root>/microdegree/``.

One place builds them, so that the REST API, the verification page and the credentials agree.
"""
from __future__ import annotations

from urllib.parse import quote

from ..data import DEGREE, RECOGNITION

__all__ = [
    "award_links", "badge_class_url", "issuer_did_document_url", "ob2_assertion_url", "ob2_issuer_url",
    "revocation_list_url", "status_list_url", "verify_url",
]

PREFIX = "/microdegree"


def _root(root: str) -> str:
    return root.rstrip("/") + PREFIX


def verify_url(root: str, award_id: str) -> str:
    """The public verification page of an award."""
    return f"{_root(root)}/verify/{award_id}/"


def ob2_assertion_url(root: str, award_id: str) -> str:
    """The Open Badges 2.0 hosted Assertion of an award (its ``id``)."""
    return f"{_root(root)}/ob2/assertions/{award_id}/"


def ob2_issuer_url(root: str, issuer_id: str) -> str:
    """The Open Badges 2.0 Issuer Profile of an awarding body."""
    return f"{_root(root)}/ob2/issuers/{issuer_id}/"


def badge_class_url(root: str, *, program_id: str, kind: str, course_key: str | None, rule: str = "") -> str:
    """
    The Open Badges 2.0 BadgeClass of a program course's award kind, of a program's degree, or of a recognition.

    A recognition's names its rule: ``.../recognition/<rule>/<course key>/``, or ``.../recognition/<rule>/`` for a
    whole program's (the course routes take the rule and the key as one path; ``api.badge_facts`` parts them).
    """
    if kind == RECOGNITION and rule:
        tail = f"{quote(rule, safe='')}/" + (f"{quote(course_key, safe=':+/')}/" if course_key else "")
        return f"{_root(root)}/ob2/programs/{program_id}/{kind}/{tail}"
    if kind == DEGREE or not course_key:
        return f"{_root(root)}/ob2/programs/{program_id}/degree/"
    # ':' and '+' (course-v1 keys) and '/' (old "org/course/run" keys) stay as they are: the route takes a path.
    return f"{_root(root)}/ob2/programs/{program_id}/{kind}/{quote(course_key, safe=':+/')}/"


def issuer_did_document_url(root: str, issuer_id: str) -> str:
    """Where an awarding body's did:web DID document is served."""
    return f"{_root(root)}/issuers/{issuer_id}/did.json"


def status_list_url(root: str, issuer_id: str, number: int) -> str:
    """An awarding body's Bitstring Status List credential."""
    return f"{_root(root)}/status/{issuer_id}/{number}/"


def revocation_list_url(root: str, issuer_id: str) -> str:
    """An awarding body's 1EdTech Revocation List (the status of its CLR credentials)."""
    return f"{_root(root)}/status/{issuer_id}/revocations/"


def award_links(root: str, award_id: str, *, kind: str) -> dict[str, str]:
    """
    Every link of an award.

    The verification page, OB 2.0, OB 3.0, the PDF, LinkedIn, the baked badges, the European Digital Credential
    export (and the CLR for a degree).
    """
    base = f"{_root(root)}/credentials/{award_id}"
    links = {
        "verify_url": verify_url(root, award_id),
        "ob2_url": ob2_assertion_url(root, award_id),
        "ob3_url": f"{base}/ob3/",
        "pdf_url": f"{base}/certificate.pdf",
        "linkedin_url": f"{base}/linkedin/",
        "badge_url": f"{base}/badge/",
        "badge_png_url": f"{base}/badge.png",
        "edc_url": f"{base}/edc/",
    }
    if kind == DEGREE:
        links["clr_url"] = f"{base}/clr/"
    return links
