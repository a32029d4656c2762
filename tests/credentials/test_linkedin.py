"""
LinkedIn's "Add to profile" link.

The "Add license or certification" form (https://www.linkedin.com/profile/add, documented at
https://addtoprofile.linkedin.com/): ``startTask=CERTIFICATION_NAME``, ``name``, ``organizationId`` or
``organizationName``, ``issueYear``, ``issueMonth``, ``certUrl``, ``certId``, as an
application/x-www-form-urlencoded query (UTF-8, WHATWG URL Standard).
"""
from __future__ import annotations

from datetime import UTC, datetime
from urllib.parse import parse_qs, urlsplit
from zoneinfo import ZoneInfo

from microdegree_xblock.credentials.linkedin import add_to_profile_url

CERT_URL = "https://lms.example.org/microdegree/verify/6f1c2c3e-8a4b-4e0f-9d1a-2b3c4d5e6f70/?lang=de&x=1"


def _query(url: str) -> dict[str, str]:
    parts = urlsplit(url)
    assert (parts.scheme, parts.netloc, parts.path, parts.fragment) == ("https", "www.linkedin.com", "/profile/add", "")
    fields = parse_qs(parts.query, keep_blank_values=True, strict_parsing=True, encoding="utf-8", errors="strict")
    assert all(len(values) == 1 for values in fields.values()), fields
    return {key: values[0] for key, values in fields.items()}


def _url(**overrides) -> str:
    arguments = {
        "name": "Dr. med. KI – Micro-degree", "organization": "Charité Berlin",
        "issued_on": datetime(2024, 3, 5, 12, tzinfo=UTC), "cert_url": CERT_URL, "cert_id": "6f1c2c3e",
    }
    return add_to_profile_url(**{**arguments, **overrides})


def test_every_field_of_the_form_is_filled():
    assert _query(_url()) == {
        "startTask": "CERTIFICATION_NAME",
        "name": "Dr. med. KI – Micro-degree",
        "organizationName": "Charité Berlin",
        "issueYear": "2024",
        "issueMonth": "3",
        "certUrl": CERT_URL,
        "certId": "6f1c2c3e",
    }


def test_non_ascii_is_utf8_percent_encoded():
    query = urlsplit(_url(name="Charité", organization="Universität Mannheim")).query
    assert query.isascii()
    assert "name=Charit%C3%A9" in query.split("&")
    assert "organizationName=Universit%C3%A4t+Mannheim" in query.split("&")


def test_ampersands_and_equals_signs_in_values_do_not_split_fields():
    fields = _query(_url(name="Tom & Jerry = Friends", organization="A&B", cert_id="a&certId=b"))
    assert fields["name"] == "Tom & Jerry = Friends"
    assert fields["organizationName"] == "A&B"
    assert fields["certId"] == "a&certId=b"
    assert fields["certUrl"] == CERT_URL  # its own query survives intact


def test_organization_id_replaces_the_name():
    fields = _query(_url(organization_id="1337"))
    assert fields["organizationId"] == "1337"
    assert "organizationName" not in fields


def test_issue_month_and_year_are_numbers():
    fields = _query(_url(issued_on=datetime(2025, 12, 31, 23, 59, tzinfo=UTC)))
    assert (fields["issueYear"], fields["issueMonth"]) == ("2025", "12")


def test_the_issue_month_is_the_credentials_own_in_utc():
    # 00:30 on New Year's Day in Berlin is still 31 December in UTC, the credential's validFrom.
    fields = _query(_url(issued_on=datetime(2026, 1, 1, 0, 30, tzinfo=ZoneInfo("Europe/Berlin"))))
    assert (fields["issueYear"], fields["issueMonth"]) == ("2025", "12")
