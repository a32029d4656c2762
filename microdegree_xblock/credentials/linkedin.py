"""
LinkedIn's "Add to profile" link for a certification, with every field pre-filled.
"""
from __future__ import annotations

from datetime import UTC, datetime
from urllib.parse import urlencode

__all__ = ["add_to_profile_url"]

LINKEDIN_ADD_URL = "https://www.linkedin.com/profile/add"


def add_to_profile_url(*, name: str, organization: str, issued_on: datetime, cert_url: str, cert_id: str,
                       organization_id: str = "") -> str:
    """
    The LinkedIn link that opens the learner's "Add license or certification" form filled in.

    ``organization_id`` (LinkedIn's numeric company id) links the organisation's page; without it the name is used.
    """
    params = {"startTask": "CERTIFICATION_NAME", "name": name}
    if organization_id:
        params["organizationId"] = organization_id
    else:
        params["organizationName"] = organization
    # The month of the credential's own date (UTC, as its validFrom), not of the server's or the learner's zone.
    issued = issued_on.astimezone(UTC) if issued_on.tzinfo is not None else issued_on
    params.update({
        "issueYear": str(issued.year),
        "issueMonth": str(issued.month),
        "certUrl": cert_url,
        "certId": cert_id,
    })
    return f"{LINKEDIN_ADD_URL}?{urlencode(params)}"
