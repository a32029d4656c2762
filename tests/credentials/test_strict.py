"""
Strict JSON-LD at signing and verifying (docs/decisions/0032): every term defined, nothing dropped, no relative IRI.

Each credential kind the plugin signs (course participation, achievement record, degree, and the CLR that bundles a
degree's credentials) is checked strictly, signed, canonicalised without a relative IRI and verified by the plugin
and by the independent verifier (tests/credentials_helpers.py); an undefined term or a relative IRI is refused
at signing and at verifying, with the JSON path of the term.
"""
from __future__ import annotations

import copy
import re
from datetime import UTC, datetime
from decimal import Decimal

import jsonschema
import pytest

from microdegree_xblock.credentials import jsonld, keys, ob3, proofs
from microdegree_xblock.credentials.facts import AchievementFacts, AwardFacts, EuElements, IssuerFacts, StatusRef
from microdegree_xblock.credentials.strict import StrictJsonLdError
from microdegree_xblock.data import ACHIEVEMENT, DEGREE, PARTICIPATION
from tests.credentials_helpers import PUBLISHED, SpecVerifier, schema

ROOT = "http://127.0.0.1:8000"
KEY = keys.generate_private_key()
MULTIBASE = keys.public_key_multibase(KEY)
SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")


def _issuer(slug: str, name: str) -> IssuerFacts:
    return IssuerFacts(id=slug, name=name, url=f"https://{slug}.example.org", email="", country="DE",
                       did=ob3.did_web(ROOT, "microdegree", "issuers", slug), ob2_url=f"{ROOT}/ob2/{slug}/")


ISSUERS = (_issuer("charite", "Charité Berlin"), _issuer("ki-campus", "KI-Campus"))
CONTROLLER = ob3.controller_document(did=ISSUERS[0].did, public_keys=[MULTIBASE])


def _achievement(kind: str, number: int = 1) -> AchievementFacts:
    course = None if kind == DEGREE else f"course-v1:X+C{number}+2024"
    return AchievementFacts(
        template_id=f"00000000-0000-4000-8000-{kind[:1].encode().hex()}{number:010d}", kind=kind,
        name=f"{kind} {number}", description="What it stands for.", criteria="How it is earned.",
        program_title="Programme", course_key=course, hours=Decimal(25), ects=Decimal("1.5"),
        threshold=None if kind == DEGREE else Decimal("0.6"), issuers=ISSUERS,
        eu=EuElements(learning_outcomes=("Knows A", "Can B"), eqf_level=6, participation_form="online",
                      assessment="Graded online assessments", quality_assurance="Internal review"),
        badgeclass_url=f"{ROOT}/microdegree/ob2/{kind}/{number}/", image_url=f"{ROOT}/microdegree/ob2/{kind}/img/",
    )


def _award(kind: str, number: int = 1) -> AwardFacts:
    return AwardFacts(
        uuid=f"11111111-1111-4111-8111-{kind[:1].encode().hex()}{number:010d}", achievement=_achievement(kind, number),
        issued_on=datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC), learner_name="Anna Schmidt", email="anna@example.org",
        salt="pepper", value=None if kind == DEGREE else Decimal("0.9"), event_type="grade",
        event_time=datetime(2026, 1, 2, tzinfo=UTC), verify_url=f"{ROOT}/microdegree/verify/{kind}{number}/",
        status=StatusRef(list_url=f"{ROOT}/microdegree/status/charite/0/", index=7),
    )


def _sign(document: dict) -> dict:
    return proofs.sign(document, private_key=KEY, verification_method=ob3.verification_method_id(
        ISSUERS[0].did, MULTIBASE), created=datetime(2026, 1, 2, tzinfo=UTC))


def _resolve(method: str):
    return keys.public_key_from_multibase(method.partition("#")[2]) if method.startswith(ISSUERS[0].did) else None


def _clr() -> dict:
    members = [_sign(ob3.clr_member_credential(_award(DEGREE)))]
    members += [_sign(ob3.clr_member_credential(_award(ACHIEVEMENT, n))) for n in (1, 2, 3)]
    return ob3.clr_credential(_award(DEGREE), members=members,
                              revocation_list_url=f"{ROOT}/microdegree/status/charite/revocations/")


KINDS = {
    PARTICIPATION: lambda: ob3.open_badge_credential(_award(PARTICIPATION)),
    ACHIEVEMENT: lambda: ob3.open_badge_credential(_award(ACHIEVEMENT)),
    DEGREE: lambda: ob3.open_badge_credential(_award(DEGREE)),
    "clr": _clr,
}


def _contexts(document: dict):
    yield document["@context"]
    for member in document.get("credentialSubject", {}).get("verifiableCredential", []):
        yield from _contexts(member)


def _spec_verifier() -> SpecVerifier:
    return SpecVerifier(client=None, controllers={ISSUERS[0].did: CONTROLLER})


@pytest.mark.parametrize("kind", list(KINDS))
def test_every_kind_is_strict_and_its_canonical_form_has_no_relative_iri(kind):
    document = KINDS[kind]()
    jsonld.check_strict(document)  # raises on any problem
    canonical = jsonld.canonicalize(document)
    iris = re.findall(r"<([^>]*)>", canonical)
    assert iris and all(SCHEME.match(iri) for iri in iris)
    assert "example.org/base" not in canonical and "invalid" not in canonical
    assert canonical == jsonld.canonicalize(document, strict=False)  # the checked expansion changes no byte
    signed = _sign(document)
    assert proofs.verify(signed, resolve=_resolve)
    verifier = _spec_verifier()
    assert verifier.verify(signed), verifier.refusal
    if kind == "clr":  # and the 1EdTech JSON schemas still accept them
        jsonschema.Draft4Validator(schema("clr_v2p0_clrcredential_schema_draft4.json")).validate(signed)
    else:
        jsonschema.Draft201909Validator(schema("ob_v3p0_achievementcredential.json")).validate(signed)


@pytest.mark.parametrize("kind", list(KINDS))
def test_new_credentials_name_only_published_contexts(kind):
    for context in _contexts(KINDS[kind]()):
        assert context and all(url in jsonld.PUBLISHED_CONTEXTS and url in PUBLISHED for url in context), context
        assert not any("/microdegree/" in url for url in context)


def test_the_schema_validator_type_is_defined_by_the_published_extensions_context():
    document = KINDS[ACHIEVEMENT]()
    assert document["credentialSchema"][0]["type"] == "1EdTechJsonSchemaValidator2019"
    assert "<https://purl.imsglobal.org/spec/vccs/v1p0/context.json#1EdTechJsonSchemaValidator2019>" in \
        jsonld.canonicalize(document)
    without = {**document, "@context": [jsonld.VC_V2, jsonld.OB_V3]}  # the form signed before ADR 32
    with pytest.raises(StrictJsonLdError) as refused:
        _sign(without)
    assert refused.value.problems == (
        "credentialSchema[0].type: '1EdTechJsonSchemaValidator2019' is not defined by any context",)


@pytest.mark.parametrize(("where", "path"), [
    ((), "foo"),
    (("credentialSubject", "achievement"), "credentialSubject.achievement.foo"),
    (("credentialSubject", "achievement", "alignment", 1), "credentialSubject.achievement.alignment[1].foo"),
])
def test_an_undefined_term_is_refused_at_signing(where, path):
    document = KINDS[ACHIEVEMENT]()
    node = document
    for step in where:
        node = node[step]
    node["foo"] = "bar"
    with pytest.raises(StrictJsonLdError, match=re.escape(f"{path}: 'foo' is not defined by any context")):
        _sign(document)


@pytest.mark.parametrize("deep", [False, True])
def test_an_undefined_term_is_refused_at_verifying(deep):
    signed = _sign(KINDS[ACHIEVEMENT]())
    assert proofs.verify(signed, resolve=_resolve)
    tampered = copy.deepcopy(signed)
    (tampered["credentialSubject"]["achievement"] if deep else tampered)["foo"] = "bar"
    # Not strict, the added term would be dropped from the canonical form: the signature would still match.
    assert proofs.hash_data(tampered, signed["proof"][0], strict=False) == \
        proofs.hash_data(signed, signed["proof"][0], strict=False)
    assert not proofs.verify(tampered, resolve=_resolve)
    verifier = _spec_verifier()
    assert not verifier.verify(tampered) and "'foo'" in verifier.refusal


def test_an_undefined_term_in_a_clr_member_is_refused_though_the_clr_names_issuer_dependent_terms():
    clr = KINDS["clr"]()
    clr["credentialSubject"]["verifiableCredential"][1]["credentialSubject"]["achievement"]["foo"] = "bar"
    with pytest.raises(StrictJsonLdError, match=re.escape(
            "credentialSubject.verifiableCredential[1].credentialSubject.achievement.foo: 'foo' is only an "
            "issuer-dependent term")):
        _sign(clr)
    signed = _sign(KINDS["clr"]())
    signed["credentialSubject"]["verifiableCredential"][0]["foo"] = "bar"
    assert not proofs.verify(signed, resolve=_resolve)
    verifier = _spec_verifier()
    assert not verifier.verify(signed) and "undefined-term#foo" in verifier.refusal


def test_a_relative_type_or_id_is_refused():
    document = KINDS[PARTICIPATION]()
    document["type"] = ["VerifiableCredential", "OpenBadgeCredential", "MyBadge"]
    document["evidence"][0]["id"] = "evidence/1"
    with pytest.raises(StrictJsonLdError) as refused:
        _sign(document)
    assert set(refused.value.problems) == {
        "type: 'MyBadge' is not defined by any context",
        "evidence[0].id: 'evidence/1' is a relative IRI (@id)",
    }
    signed = _sign(KINDS[PARTICIPATION]())
    signed["credentialSchema"][0]["id"] = "../schema.json"
    assert not proofs.verify(signed, resolve=_resolve)
    assert not _spec_verifier().verify(signed)


def test_a_context_reset_does_not_hide_an_undefined_term():
    # VC 2.0 resets the context (``@context: null``) inside a presentation's ``verifiableCredential``.
    credential = {"type": ["VerifiableCredential"], "nickname": "Anna"}
    presentation = {"@context": [jsonld.VC_V2], "type": ["VerifiablePresentation"],
                    "verifiableCredential": [{"@context": [jsonld.VC_V2], **credential}]}
    with pytest.raises(StrictJsonLdError, match=re.escape(
            "verifiableCredential[0].nickname: 'nickname' is not defined by any context")):
        jsonld.check_strict(presentation)
    presentation["verifiableCredential"] = [credential]  # no context of its own: expansion drops its terms
    with pytest.raises(StrictJsonLdError, match=re.escape(
            "verifiableCredential[0].nickname: 'nickname' was dropped by the JSON-LD expansion")):
        jsonld.check_strict(presentation)


def test_a_proof_with_an_undefined_option_is_refused():
    signed = _sign(KINDS[ACHIEVEMENT]())
    signed["proof"][0]["comment"] = "hello"
    assert not proofs.verify(signed, resolve=_resolve)
