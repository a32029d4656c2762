"""
A second independent verifier, from another language's reference stack: Digital Bazaar's JavaScript VC libraries.

Every kind of credential the plugin issues, signed by the real pipeline and fetched through its views as a verifier
would (the OB 3.0 participation confirmation, achievement record and micro-degree, the CLR 2.0 of the degree and
each credential it bundles, the Bitstring status list credential, the learner's whole record signed by the
platform), is accepted by ``tests/credentials/node/verify
.mjs``; every tampered copy (a changed name, grade, date or issuer, an altered proof value, a term no context
defines, a relative IRI, an unknown context, a foreign key) and a revoked credential are refused, each for its
reason. Credentials signed before strictness (tests/credentials/legacy/) are not in its scope. The Python verifier of
tests/credentials_helpers.py (pyld and cryptography, strict) is given the same cases and must agree on each.

The libraries (pinned in tests/credentials/node/package-lock.json, Node 20): ``@digitalbazaar/vc`` 7.3.0,
``@digitalbazaar/data-integrity`` 2.5.0, ``@digitalbazaar/eddsa-rdfc-2022-cryptosuite`` 1.3.0,
``@digitalbazaar/ed25519-multikey`` 1.3.1, ``jsonld-signatures`` 11.6.0 and ``jsonld`` 9.0.0. They canonicalise in
jsonld's safe mode; the document loader serves only the copies of the published contexts (tests/standards) and the
DID documents this module fetched from the plugin's did:web views, and throws on anything else.

All credentials go through one ``node`` process per module. Without ``node`` or the installed modules the module is
skipped (``make test`` installs them: ``npm ci --prefix tests/credentials/node``); under ``CI=true`` it fails.
"""
from __future__ import annotations

import base64
import copy
import gzip
import json
import os
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import NamedTuple
from urllib.parse import unquote, urlsplit

import pytest
from completion.models import BlockCompletion
from django.contrib.auth import get_user_model
from django.db import transaction
from django.test import Client, TestCase, override_settings
from opaque_keys.edx.keys import CourseKey
from pyld import jsonld
from waffle.testutils import override_switch

from microdegree_xblock import api
from microdegree_xblock.catalog import parse_catalog
from tests.conftest import BASICS, CATALOG, CLINICS, VET, send_grade
from tests.credentials import demo
from tests.credentials.tampering import (
    FOREIGN_MULTIBASE,
    altered_proof_value,
    bit_cleared,
    foreign_did,
    foreign_key_as_the_issuers_key,
    foreign_key_under_the_issuers_did,
    in_member,
    issuer_id,
    other_issuer,
    replaced,
    set_at,
    unknown_context,
)
from tests.credentials_helpers import SpecVerifier

pytestmark = pytest.mark.django_db  # the module's fixture signs in a transaction that it rolls back

NODE_DIR = Path(__file__).resolve().parent / "node"
HOW_TO_RUN = ("install the JavaScript verifier with `npm ci --prefix tests/credentials/node --no-audit --no-fund` "
              "(Node 20; `make test` does it), then run `.venv/bin/python -m pytest tests/credentials/"
              "test_node_verifier.py`")
THIRD = "course-v1:X+Third+1"
GENUINE = ["ob3-participation", "ob3-achievement", "ob3-degree", "ob3-co-issued", "clr", "clr-member-0",
           "clr-member-1", "clr-member-2", "clr-member-3", "status-list", "record",
           # Recognitions and nesting (docs/decisions/0040), from the demo catalog under ids of their own: the
           # chamber's CME certification, a university's ECTS after a recorded exam, the nesting degree and its CLR
           # (the nested AI_VET degree and its four courses among its eight members).
           "ob3-recognition", "ob3-recognition-condition", "ob3-nesting-degree", "clr-nested",
           *(f"clr-nested-member-{n}" for n in range(8)), "status-list-recognition"]
DEMO = "demo-"
INVALID_SIGNATURE = "Error: Invalid signature."
UNDEFINED_FOO = 'jsonld.ValidationError: Safe mode validation error. (invalid property "foo")'


def _did_path(did: str) -> str:
    """Where did:web serves a DID document (did:web method specification, section 3.2.1; no well-known case here)."""
    host, *segments = did.removeprefix("did:web:").split(":")
    assert segments and unquote(host) == "127.0.0.1:8000", did
    return "/" + "/".join(unquote(s) for s in segments) + "/did.json"


def _get(client: Client, url: str) -> dict:
    response = client.get(urlsplit(url).path)
    assert response.status_code == 200, (url, response.status_code)
    return json.loads(response.content)


def _earn(user, course_key: str, percent: float) -> None:
    with TestCase.captureOnCommitCallbacks(execute=True):
        send_grade(user.pk, course_key, percent)


def _issue_and_fetch() -> tuple[dict[str, dict], dict[str, dict]]:
    """Run the award pipeline to its end and fetch what a verifier fetches: the credentials and their documents."""
    client = Client()
    api.load_catalog(parse_catalog(CATALOG))
    api.load_catalog(parse_catalog(  # as tests/conftest.py's ``degree``: a co-issued three-course degree
        "programs:\n  - id: mini\n    title: Mini <Degree>\n    issuers: [charite, ki-campus]\n    courses:\n"
        f"      - {{key: \"{BASICS}\", title: Basics, hours: 21, ects: 1}}\n"
        f"      - {{key: \"{CLINICS}\", title: Clinics, hours: 16, ects: 2}}\n"
        f"      - {{key: \"{THIRD}\", title: Third, hours: 10, ects: 1}}\n",
        known_issuer_ids=api.known_issuer_ids()))
    users = get_user_model().objects
    anna = users.create_user("anna", "anna@example.org", "pw", first_name="Anna", last_name="Schmidt")
    ben = users.create_user("ben", "ben@example.org", "pw", first_name="Ben", last_name="Becker")
    for key, percent in ((VET[0], 0.9), (BASICS, 0.95), (CLINICS, 0.95), (THIRD, 0.95)):
        _earn(anna, key, percent)
    _earn(ben, VET[0], 0.9)
    course = CourseKey.from_string(VET[1])  # half of its content completed: a participation confirmation
    with override_settings(MICRODEGREE_COMPLETABLE_BLOCKS={VET[1]: 4}), \
            override_switch("completion.enable_completion_tracking", active=True):
        for block in ("a", "b"):
            with TestCase.captureOnCommitCallbacks(execute=True):
                BlockCompletion.objects.submit_completion(user=anna, block_key=course.make_usage_key("html", block),
                                                          completion=1.0)
    awards = api.get_learner_awards(user_id=anna.pk)

    def award(kind: str, course_key: str | None, program: str | None = None):
        return next(a for a in awards if a.kind == kind and a.course_key == course_key
                    and program in (None, a.program_id))

    def ob3_of(found) -> dict:
        return _get(client, f"/microdegree/credentials/{found.id}/ob3/")

    degree = award("degree", None, "mini")
    credentials = {
        "ob3-participation": ob3_of(award("participation", VET[1])),
        "ob3-achievement": ob3_of(award("achievement", VET[0])),
        "ob3-degree": ob3_of(degree),
        "ob3-co-issued": ob3_of(award("achievement", BASICS, "dr-med-ki")),
        "clr": _get(client, f"/microdegree/credentials/{degree.id}/clr/"),
    }
    for n, member in enumerate(credentials["clr"]["credentialSubject"]["verifiableCredential"]):
        credentials[f"clr-member-{n}"] = member
    # Anna's whole record: every award she holds in one CLR, signed by the platform's own did:web.
    client.force_login(anna)
    credentials["record"] = _get(client, "/microdegree/achievements/record.json")
    client.logout()
    revoked = next(a for a in api.get_learner_awards(user_id=ben.pk) if a.kind == "achievement")
    credentials["revoked"] = ob3_of(revoked)
    with TestCase.captureOnCommitCallbacks(execute=True):
        api.revoke_award(award_id=revoked.id, reason="Exam fraud")
    credentials.update(_recognitions_and_nesting(client))
    # The documents, fetched after the revocation: the status lists hold its bit.
    documents: dict[str, dict] = {}
    for credential in credentials.values():
        did = issuer_id(credential)
        documents[did] = _get(client, _did_path(did))
        entry = credential.get("credentialStatus")
        if entry:
            url = entry["statusListCredential"] if entry["type"] == "BitstringStatusListEntry" else entry["id"]
            documents[url] = _get(client, url)
    credentials["status-list"] = documents[credentials["ob3-achievement"]["credentialStatus"]["statusListCredential"]]
    credentials["status-list-recognition"] = documents[
        credentials["ob3-recognition"]["credentialStatus"]["statusListCredential"]]
    return credentials, documents


def _recognitions_and_nesting(client: Client) -> dict[str, dict]:
    """Carla's recognitions and nested degrees, from the demo catalog (its ids prefixed: beside the test catalog's)."""
    demo.load_demo(DEMO)
    carla = get_user_model().objects.create_user("carla", "carla@example.org", "pw", first_name="Carla",
                                                 last_name="Conti")
    demo.earn(carla, demo.BASICS, 0.8)
    demo.record_condition(carla, DEMO + "ai-vet", "uma-ects", demo.VET[0])
    demo.nested_degrees(carla)
    awards = api.get_learner_awards(user_id=carla.pk)

    def ob3_of(kind: str, program: str, rule: str = "") -> dict:
        found = next(a for a in awards if (a.kind, a.program_id, a.rule) == (kind, DEMO + program, rule))
        return _get(client, f"/microdegree/credentials/{found.id}/ob3/")

    nesting = next(a for a in awards if (a.kind, a.program_id) == ("degree", DEMO + "ki-bildung"))
    found = {
        "ob3-recognition": ob3_of("recognition", "dr-med-ki", "lak-bw-cme"),
        "ob3-recognition-condition": ob3_of("recognition", "ai-vet", "uma-ects"),
        "ob3-nesting-degree": ob3_of("degree", "ki-bildung"),
        "clr-nested": _get(client, f"/microdegree/credentials/{nesting.id}/clr/"),
    }
    for n, member in enumerate(found["clr-nested"]["credentialSubject"]["verifiableCredential"]):
        found[f"clr-nested-member-{n}"] = member
    return found


NOT_THE_ISSUERS = "Error: Credential issuer must match the verification method controller."
TAMPERED: dict[str, tuple[str, Callable[[dict, dict], dict], str]] = {
    # label: (the genuine credential changed, the change, what the refusal must say)
    "learner-name": ("ob3-achievement", replaced("Anna Schmidt", "Anna Schmidu"), INVALID_SIGNATURE),
    "achievement-name": ("ob3-achievement", replaced("AI_VET I", "AI_VET J"), INVALID_SIGNATURE),
    "grade": ("ob3-achievement", replaced('"value": "90"', '"value": "99"'), INVALID_SIGNATURE),
    "hours": ("ob3-achievement", replaced("PT25H", "PT26H"), INVALID_SIGNATURE),
    "valid-from": ("ob3-achievement", set_at(("validFrom",), "2020-01-01T00:00:00Z"), INVALID_SIGNATURE),
    "participation-date": ("ob3-participation", set_at(("awardedDate",), "2020-01-01T00:00:00Z"), INVALID_SIGNATURE),
    "degree-name": ("ob3-degree", replaced("Mini <Degree>", "Maxi <Degree>"), INVALID_SIGNATURE),
    "issuer-id": ("ob3-achievement", other_issuer, INVALID_SIGNATURE),
    "issuer-name": ("ob3-co-issued", replaced("Charité Berlin", "Charite Berlin"), INVALID_SIGNATURE),
    "proof-value": ("ob3-achievement", altered_proof_value, INVALID_SIGNATURE),
    "proof-created": ("ob3-achievement", set_at(("proof", 0, "created"), "2020-01-01T00:00:00Z"), INVALID_SIGNATURE),
    "undefined-term": ("ob3-achievement", set_at(("foo",), "bar"), UNDEFINED_FOO),
    "undefined-term-deep": ("ob3-degree", set_at(("credentialSubject", "achievement", "foo"), "bar"), UNDEFINED_FOO),
    "undefined-proof-option": ("ob3-participation", set_at(("proof", 0, "foo"), "bar"), UNDEFINED_FOO),
    "relative-iri": ("ob3-participation", set_at(("credentialSchema", 0, "id"), "../schema.json"),
                     'Safe mode validation error. (relative @id reference "../schema.json")'),
    "unknown-context": ("ob3-achievement", unknown_context,
                        "documentLoader: https://example.org/evil-context.jsonld is neither a bundled context"),
    "foreign-key-unpublished": ("ob3-achievement", foreign_key_under_the_issuers_did,
                                f"has no verification method did:web:127.0.0.1%3A8000:microdegree:issuers:"
                                f"uni-mannheim#{FOREIGN_MULTIBASE}"),
    "foreign-key-posing": ("ob3-achievement", foreign_key_as_the_issuers_key, INVALID_SIGNATURE),
    "foreign-did": ("ob3-degree", foreign_did, NOT_THE_ISSUERS),
    "clr-member-grade": ("clr", in_member(replaced('"value": "95"', '"value": "99"')), INVALID_SIGNATURE),
    "clr-holder-name": ("clr", replaced("Anna Schmidt", "Anna Schmidu"), INVALID_SIGNATURE),
    # CLR 2.0 names VC 2.0's issuer-dependent context (for ``issuanceDate``): its @vocab defines every term, so an
    # added term is not dropped; it is signed over, and the signature fails.
    "clr-added-term": ("clr", set_at(("foo",), "bar"), INVALID_SIGNATURE),
    "member-added-term": ("clr-member-1", set_at(("credentialSubject", "foo"), "bar"), INVALID_SIGNATURE),
    "member-issuance-date": ("clr-member-2", set_at(("issuanceDate",), "2020-01-01T00:00:00Z"), INVALID_SIGNATURE),
    "record-member": ("record", in_member(replaced('"value": "95"', '"value": "99"')), INVALID_SIGNATURE),
    "record-holder-name": ("record", replaced("Anna Schmidt", "Anna Schmidu"), INVALID_SIGNATURE),
    "status-list-bits": ("status-list", bit_cleared, INVALID_SIGNATURE),
    "recognition-threshold": ("ob3-recognition", replaced('"requiredValue": "70"', '"requiredValue": "60"'),
                              INVALID_SIGNATURE),
    "recognition-credits": ("ob3-recognition", set_at(("credentialSubject", "creditsEarned"), 24.0), INVALID_SIGNATURE),
    "recognition-rule": ("ob3-recognition", replaced("Rule applied: lak-bw-cme", "Rule applied: platform"),
                         INVALID_SIGNATURE),
    "recognition-body": ("ob3-recognition", replaced("Landesärztekammer Baden-Württemberg",
                                                  "Landesärztekammer Bayern"), INVALID_SIGNATURE),
    "condition-result": ("ob3-recognition-condition", replaced('"value": "1.7"', '"value": "1.0"'), INVALID_SIGNATURE),
    "nesting-criteria": ("ob3-nesting-degree", replaced("1 of the 2 courses", "0 of the 2 courses"), INVALID_SIGNATURE),
    "nested-association": ("clr-nested", set_at(("credentialSubject", "association", 0, "associationType"),
                                              "isPeerOf"), INVALID_SIGNATURE),
    "nested-member-grade": ("clr-nested", in_member(replaced('"value": "90"', '"value": "99"')), INVALID_SIGNATURE),
    "status-list-foreign-key": ("status-list", foreign_key_as_the_issuers_key, INVALID_SIGNATURE),
}


# ---------------------------------------------------------------------------------------------------------------
# One node process for the module

def _node_or_skip() -> str:
    node = shutil.which("node")
    missing = ("`node` is not on PATH" if node is None else
               "tests/credentials/node/node_modules is missing" if not (NODE_DIR / "node_modules").is_dir() else "")
    if missing:
        message = f"the JavaScript verifier cannot run: {missing}; {HOW_TO_RUN}"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    assert node is not None
    return node


class Run(NamedTuple):
    credentials: dict[str, dict]  # label -> the genuine credential, as fetched
    verdicts: dict[str, dict]     # label -> the JavaScript verifier's verdict: {"verified": bool, "error": str}
    cases: dict[str, dict]        # label -> every credential handed to it, genuine and tampered
    documents: dict[str, dict]    # url -> the DID documents and status lists it was given


class Issued(NamedTuple):
    credentials: dict[str, dict]  # label -> the genuine credential (and the revoked one), as fetched
    cases: dict[str, dict]        # label -> every credential to verify: those and the tampered copies
    documents: dict[str, dict]    # url -> the DID documents and status lists a verifier fetches


@pytest.fixture(scope="module")
def issued(django_db_setup, django_db_blocker) -> Issued:  # pylint: disable=unused-argument
    """Issue and fetch every kind (in a transaction rolled back after), and tamper with copies."""
    api.catalog_changed()
    with django_db_blocker.unblock(), transaction.atomic():
        credentials, documents = _issue_and_fetch()
        transaction.set_rollback(True)
    api.catalog_changed()
    cases = dict(credentials)
    for label, (source, change, _reason) in TAMPERED.items():
        cases[f"tampered-{label}"] = change(copy.deepcopy(credentials[source]), documents)
    return Issued(credentials, cases, documents)


@pytest.fixture(scope="module")
def run(issued, tmp_path_factory) -> Run:
    """Verify every case in one node process."""
    node = _node_or_skip()
    cases, documents = issued.cases, issued.documents
    path = tmp_path_factory.mktemp("node") / "input.json"
    path.write_text(json.dumps({"credentials": list(cases.values()), "documents": documents}), encoding="utf-8")
    result = subprocess.run([node, "verify.mjs", str(path)], cwd=NODE_DIR, capture_output=True, text=True,
                            timeout=300, check=False)
    assert result.returncode == 0, f"node exited {result.returncode}\n{result.stdout}\n{result.stderr}"
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert [line["index"] for line in lines] == list(range(len(cases))), result.stdout
    return Run(issued.credentials, dict(zip(cases, lines, strict=True)), cases, documents)


def test_every_kind_the_plugin_issues_is_there_and_verified(run):
    credentials = run.credentials
    assert {label: credentials[label]["credentialSubject"]["achievement"]["achievementType"]
            for label in ("ob3-participation", "ob3-achievement", "ob3-degree", "ob3-co-issued")} == {
        "ob3-participation": "CertificateOfCompletion", "ob3-achievement": "Course", "ob3-degree": "MicroCredential",
        "ob3-co-issued": "Course"}
    assert credentials["clr"]["type"] == ["VerifiableCredential", "ClrCredential"]
    assert credentials["clr"]["credentialStatus"]["type"] == "1EdTechRevocationList"
    assert [m["credentialSubject"]["achievement"]["achievementType"]
            for m in credentials["clr"]["credentialSubject"]["verifiableCredential"]] == [
        "MicroCredential", "Course", "Course", "Course"]
    assert credentials["status-list"]["type"] == ["VerifiableCredential", "BitstringStatusListCredential"]
    assert {issuer_id(credentials[label]) for label in GENUINE} == {
        f"did:web:127.0.0.1%3A8000:microdegree:issuers:{slug}" for slug in (
            "uni-mannheim", "charite", DEMO + "lak-bw", DEMO + "uni-mannheim")} | {
        "did:web:127.0.0.1%3A8000:microdegree"}  # the platform itself: the learner's whole record
    # A recognition is its body's Certification, listed in that body's status list (docs/decisions/0040).
    recognition = credentials["ob3-recognition"]
    assert recognition["credentialSubject"]["achievement"]["achievementType"] == "Certification"
    assert issuer_id(recognition) == issuer_id(credentials["status-list-recognition"]).replace("#", "") \
        == f"did:web:127.0.0.1%3A8000:microdegree:issuers:{DEMO}lak-bw"
    nested = credentials["clr-nested"]["credentialSubject"]
    assert len(nested["verifiableCredential"]) == 8 and len(nested["association"]) == 7
    assert all(credentials[label]["proof"][0]["cryptosuite"] == "eddsa-rdfc-2022" for label in GENUINE)
    refused = {label: run.verdicts[label]["error"] for label in GENUINE if not run.verdicts[label]["verified"]}
    assert not refused, refused


@pytest.mark.parametrize("label", GENUINE)
def test_a_genuine_credential_is_accepted(run, label):
    verdict = run.verdicts[label]
    assert verdict == {"index": verdict["index"], "verified": True, "error": ""}, verdict["error"]


@pytest.mark.parametrize("label", list(TAMPERED))
def test_a_tampered_copy_is_refused_for_its_reason(run, label):
    verdict = run.verdicts[f"tampered-{label}"]
    assert verdict["verified"] is False
    assert TAMPERED[label][2] in verdict["error"], verdict["error"]


def test_a_revoked_credential_is_refused_by_its_status_list(run):
    verdict = run.verdicts["revoked"]  # genuinely signed: the status check runs only after the proof verified
    assert verdict["verified"] is False
    assert "revocation bit" in verdict["error"] and "is set: the credential is revoked" in verdict["error"], verdict
    entry = run.credentials["revoked"]["credentialStatus"]
    assert f"bit {entry['statusListIndex']} is set" in verdict["error"]


@pytest.mark.parametrize(("ci", "outcome"), [("true", pytest.fail.Exception), ("", pytest.skip.Exception)])
def test_without_node_the_module_is_skipped_but_fails_under_ci(monkeypatch, ci, outcome):
    monkeypatch.setattr(shutil, "which", lambda name: None)
    monkeypatch.setenv("CI", ci)
    with pytest.raises(outcome, match=r"`node` is not on PATH; install the JavaScript verifier with `npm ci"):
        _node_or_skip()


def test_the_python_verifier_takes_and_refuses_the_same_cases(issued):
    """
    The other independent verifier (tests/credentials_helpers.py, with a status check here) on the same cases.

    It needs no Node: every genuine credential is accepted; the revoked one and every tampered copy are refused,
    as the JavaScript verifier decides (``test_a_genuine_credential_is_accepted``, ``..._refused_for_its_reason``).
    """
    controllers = {doc["id"]: doc for doc in issued.documents.values() if str(doc.get("id", "")).startswith("did:")}
    verifier = SpecVerifier(client=None, controllers=controllers)

    def signed(credential: dict) -> bool:
        try:
            return verifier.verify(copy.deepcopy(credential))
        except (AssertionError, jsonld.JsonLdError):  # its own checks refuse, or JSON-LD processing does
            return False

    def revoked(credential: dict) -> bool:
        """The entry's bit in its (verified) Bitstring status list: the left-most bit is index 0."""
        status = credential.get("credentialStatus", {})
        if status.get("type") != "BitstringStatusListEntry":
            return False
        status_list = issued.documents[status["statusListCredential"]]
        assert signed(status_list)
        raw = status_list["credentialSubject"]["encodedList"][1:]
        bits = gzip.decompress(base64.urlsafe_b64decode(raw + "=" * (-len(raw) % 4)))
        index = int(status["statusListIndex"])
        return bool(bits[index // 8] & (0x80 >> (index % 8)))

    def accepts(credential: dict) -> bool:
        return signed(credential) and not revoked(credential)

    python = {label: accepts(credential) for label, credential in issued.cases.items()}
    assert {label for label, accepted in python.items() if accepted} == set(GENUINE)
    assert "revoked" in python and len(python) == len(GENUINE) + 1 + len(TAMPERED)
