"""
Open Badges 2.0 hosted verification: Issuer Profile, BadgeClass and Assertion, and baked badge images.

Every object's ``id`` is the URL that serves it (hosted verification); the recipient is the salted SHA-256 of
the learner's email. A revoked Assertion says so (``revoked``, ``revocationReason``). Baking follows the Open
Badges 2.0 Baking Specification: an ``iTXt`` chunk ``openbadges`` in a PNG, an ``openbadges:assertion`` element in
an SVG.
"""
from __future__ import annotations

import json
import re
import struct
import zlib
from typing import Any
from xml.sax.saxutils import quoteattr

from .dates import iso_z
from .facts import AchievementFacts, AwardFacts, IssuerFacts
from .jsonld import OB_V2
from .ob3 import evidence_narrative, identity_hash, percent_text

__all__ = ["assertion", "badge_class", "bake_png", "bake_svg", "issuer", "PNG_SIGNATURE", "unbake_png", "unbake_svg"]

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def issuer(profile: IssuerFacts) -> dict[str, Any]:
    """An awarding body's Issuer Profile."""
    data: dict[str, Any] = {"@context": OB_V2, "type": "Issuer", "id": profile.ob2_url, "name": profile.name,
                            "url": profile.url}
    if profile.email:
        data["email"] = profile.email
    return data


def _alignment(facts: AchievementFacts) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    if facts.eu.eqf_level:
        found.append({"targetName": f"EQF level {facts.eu.eqf_level}",
                      "targetUrl": f"http://data.europa.eu/snb/eqf/{facts.eu.eqf_level}",
                      "targetFramework": "European Qualifications Framework", "targetCode": str(facts.eu.eqf_level)})
    for number, outcome in enumerate(facts.eu.learning_outcomes, start=1):
        found.append({"targetName": outcome, "targetUrl": f"{facts.badgeclass_url}#learning-outcome-{number}"})
    return found


def badge_class(facts: AchievementFacts) -> dict[str, Any]:
    """
    What an award certifies, as a BadgeClass; every awarding body is named in the description.

    A recognition's is issued by its recognising body and tagged with its rule.
    """
    issuers = ", ".join(issuer.name for issuer in facts.issuers)
    data: dict[str, Any] = {
        "@context": OB_V2,
        "type": "BadgeClass",
        "id": facts.badgeclass_url,
        "name": facts.name,
        "description": f"{facts.description} Awarded by {issuers}.",
        "image": facts.image_url,
        "criteria": {"id": facts.badgeclass_url, "narrative": facts.criteria},
        "issuer": facts.lead.ob2_url,
        "tags": [facts.program_title, facts.kind, *([facts.rule] if facts.rule else [])],
    }
    if alignment := _alignment(facts):
        data["alignment"] = alignment
    return data


def assertion(facts: AwardFacts, *, url: str, image_url: str) -> dict[str, Any]:
    """One award as a hosted Assertion; revoked awards answer as revoked."""
    data: dict[str, Any] = {
        "@context": OB_V2,
        "type": "Assertion",
        "id": url,
        "recipient": {"type": "email", "hashed": True, "salt": facts.salt,
                      "identity": identity_hash(facts.email, facts.salt)},
        "badge": facts.achievement.badgeclass_url,
        "issuedOn": iso_z(facts.issued_on),
        "verification": {"type": "hosted"},
        "image": image_url,
        "evidence": [{"id": facts.verify_url, "narrative": evidence_narrative(facts)}],
    }
    if facts.value is not None:
        data["narrative"] = f"{percent_text(facts.value)} %"
    if facts.revoked_on is not None:
        data["revoked"] = True
        data["revocationReason"] = facts.revoked_reason
    return data


def _json_for_markup(data: dict[str, Any]) -> str:
    # No '<', '>' or '&' in the text, so it can never close the CDATA section or the element.
    return (json.dumps(data, ensure_ascii=False, separators=(",", ":"))
            .replace("&", "\\u0026").replace("<", "\\u003c").replace(">", "\\u003e"))


def bake_svg(svg: str, *, assertion_data: dict[str, Any]) -> str:
    """An SVG badge with the assertion embedded (``<openbadges:assertion verify=...>``)."""
    start = svg.index("<svg") + len("<svg")
    head, rest = svg[:start], svg[start:]
    close = rest.index(">")
    element = (f'<openbadges:assertion verify={quoteattr(str(assertion_data["id"]))}>'
               f"<![CDATA[{_json_for_markup(assertion_data)}]]></openbadges:assertion>")
    return head + ' xmlns:openbadges="http://openbadges.org"' + rest[:close + 1] + element + rest[close + 1:]


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)


def bake_png(png: bytes, *, assertion_data: dict[str, Any]) -> bytes:
    """
    A PNG badge with the assertion embedded as an uncompressed ``iTXt`` chunk with keyword ``openbadges``.

    Raises:
        ValueError: if ``png`` is not a PNG.
    """
    if not png.startswith(PNG_SIGNATURE):
        raise ValueError("not a PNG image")
    text = json.dumps(assertion_data, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    itxt = _chunk(b"iTXt", b"openbadges\0\0\0\0\0" + text)
    chunks, position = [], len(PNG_SIGNATURE)
    while position < len(png):
        (length,) = struct.unpack(">I", png[position:position + 4])
        kind = png[position + 4:position + 8]
        end = position + 12 + length
        if not (kind == b"iTXt" and png[position + 8:position + 19] == b"openbadges\0"):  # drop an older baking
            if kind == b"IEND":
                chunks.append(itxt)
            chunks.append(png[position:end])
        position = end
    return PNG_SIGNATURE + b"".join(chunks)


# The baked element: its verify attribute, or its text (a CDATA section or plain JSON). Only the first counts.
_SVG_ASSERTION = re.compile(
    r"<openbadges:assertion\b(?P<attrs>[^>]{0,2000})>(?:\s*<!\[CDATA\[(?P<cdata>.*?)\]\]>|(?P<text>[^<]*))",
    re.DOTALL)
_VERIFY_ATTR = re.compile(r"""\bverify\s*=\s*(?:"([^"]*)"|'([^']*)')""")


def unbake_png(png: bytes) -> str | None:
    """
    The text baked in a PNG badge (an assertion's JSON or its URL), or None when nothing is baked.

    Reads the ``iTXt`` chunk with keyword ``openbadges`` (uncompressed or zlib-compressed, per the specs).

    Raises:
        ValueError: not a PNG, or a chunk that runs past the end of the file.
    """
    if not png.startswith(PNG_SIGNATURE):
        raise ValueError("not a PNG image")
    position = len(PNG_SIGNATURE)
    while position + 8 <= len(png):
        (length,) = struct.unpack(">I", png[position:position + 4])
        kind = png[position + 4:position + 8]
        end = position + 12 + length
        if end > len(png):
            raise ValueError("a PNG chunk runs past the end of the file")
        data = png[position + 8:position + 8 + length]
        if kind == b"iTXt" and data.startswith(b"openbadges\0"):
            compressed, rest = data[11:12] == b"\1", data[13:]
            # After the flags: a language tag and a translated keyword, each ended by a NUL, then the text.
            text = rest.split(b"\0", 2)[-1]
            if compressed:
                text = zlib.decompressobj().decompress(text, 10 * len(png) + 65536)
            return text.decode("utf-8")
        if kind == b"IEND":
            break
        position = end
    return None


def unbake_svg(svg: str) -> str | None:
    """The text baked in an SVG badge: the ``openbadges:assertion`` element's JSON, else its ``verify`` URL."""
    found = _SVG_ASSERTION.search(svg)
    if found is None:
        return None
    text = (found.group("cdata") if found.group("cdata") is not None else found.group("text") or "").strip()
    if text:
        return text
    verify = _VERIFY_ATTR.search(found.group("attrs"))
    return next((value for value in verify.groups() if value is not None), None) if verify else None
