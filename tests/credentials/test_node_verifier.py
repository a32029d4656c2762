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
from datetime import UTC, datetime
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
from microdegree_xblock.credentials import keys, ob3, proofs
from tests.conftest import BASICS, CATALOG, CLINICS, VET, send_grade
from tests.credentials_helpers import SpecVerifier

pytestmark = pytest.mark.django_db  # the module's fixture signs in a transaction that it rolls back

NODE_DIR = Path(__file__).resolve().parent / "node"
HOW_TO_RUN = ("install the JavaScript verifier with `npm ci --prefix tests/credentials/node --no-audit --no-fund` "
              "(Node 20; `make test` does it), then run `.venv/bin/python -m pytest tests/credentials/"
              "test_node_verifier.py`")
THIRD = "course-v1:X+Third+1"
EVIL_DID = "did:web:evil.example:issuers:charite"
GENUINE = ["ob3-participation", "ob3-achievement", "ob3-degree", "ob3-co-issued", "clr", "clr-member-0",
           "clr-member-1", "clr-member-2", "clr-member-3", "status-list", "record"]
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


def _issuer_id(credential: dict) -> str:
    issuer = credential["issuer"]
    return issuer["id"] if isinstance(issuer, dict) else issuer


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
    # The documents, fetched after the revocation: the status lists hold its bit.
    documents: dict[str, dict] = {}
    for credential in credentials.values():
        did = _issuer_id(credential)
        documents[did] = _get(client, _did_path(did))
        entry = credential.get("credentialStatus")
        if entry:
            url = entry["statusListCredential"] if entry["type"] == "BitstringStatusListEntry" else entry["id"]
            documents[url] = _get(client, url)
    credentials["status-list"] = documents[credentials["ob3-achievement"]["credentialStatus"]["statusListCredential"]]
    return credentials, documents


# ---------------------------------------------------------------------------------------------------------------
# Tampered copies: each a change of a genuine credential, and the reason the JavaScript stack must give.

def _replace(credential: dict, old: str, new: str) -> dict:
    text = json.dumps(credential, ensure_ascii=False)
    assert old in text, old
    return json.loads(text.replace(old, new, 1))


def _set(path: tuple, value) -> Callable[[dict, dict], dict]:
    def change(credential: dict, _documents: dict) -> dict:
        node = credential
        for step in path[:-1]:
            node = node[step]
        assert path[-1] not in node or node[path[-1]] != value, path
        node[path[-1]] = value
        return credential
    return change


def _altered_proof_value(credential: dict, _documents: dict) -> dict:
    value = credential["proof"][0]["proofValue"]
    credential["proof"][0]["proofValue"] = value[:-3] + ("2" if value[-3] != "2" else "3") + value[-2:]
    return credential


def _other_issuer(credential: dict, documents: dict) -> dict:
    other = next(did for did in documents if did.startswith("did:web:") and did != _issuer_id(credential))
    credential["issuer"]["id"] = other
    return credential


def _bit_cleared(credential: dict, _documents: dict) -> dict:
    """The status list with the revoked credential's bit cleared (the gzip of all zeros, as it was before)."""
    subject = credential["credentialSubject"]
    raw = subject["encodedList"][1:]
    bits = gzip.decompress(base64.urlsafe_b64decode(raw + "=" * (-len(raw) % 4)))
    assert any(bits), "the status list holds the revoked credential's bit"
    cleared = gzip.compress(bytes(len(bits)), mtime=0)
    subject["encodedList"] = "u" + base64.urlsafe_b64encode(cleared).decode().rstrip("=")
    return credential


def _unknown_context(credential: dict, _documents: dict) -> dict:
    credential["@context"].append("https://example.org/evil-context.jsonld")
    return credential


FOREIGN_KEY = keys.generate_private_key()
FOREIGN_MULTIBASE = keys.public_key_multibase(FOREIGN_KEY)


def _resigned(credential: dict, method: str) -> dict:
    unsigned = {k: v for k, v in credential.items() if k != "proof"}
    return proofs.sign(unsigned, private_key=FOREIGN_KEY, verification_method=method,
                       created=datetime.now(UTC).replace(microsecond=0))


def _foreign_key_under_the_issuers_did(credential: dict, _documents: dict) -> dict:
    return _resigned(credential, ob3.verification_method_id(_issuer_id(credential), FOREIGN_MULTIBASE))


def _foreign_key_as_the_issuers_key(credential: dict, _documents: dict) -> dict:
    return _resigned(credential, credential["proof"][0]["verificationMethod"])


def _foreign_did(credential: dict, documents: dict) -> dict:
    """Signed by a key that a (resolvable) DID controls, but not the issuer's DID."""
    documents[EVIL_DID] = ob3.controller_document(did=EVIL_DID, public_keys=[FOREIGN_MULTIBASE])
    return _resigned(credential, ob3.verification_method_id(EVIL_DID, FOREIGN_MULTIBASE))


def _in_member(change: Callable[[dict, dict], dict]) -> Callable[[dict, dict], dict]:
    def in_member(credential: dict, documents: dict) -> dict:
        members = credential["credentialSubject"]["verifiableCredential"]
        members[1] = change(members[1], documents)
        return credential
    return in_member


def _text(old: str, new: str) -> Callable[[dict, dict], dict]:
    return lambda credential, _documents: _replace(credential, old, new)


NOT_THE_ISSUERS = "Error: Credential issuer must match the verification method controller."
TAMPERED: dict[str, tuple[str, Callable[[dict, dict], dict], str]] = {
    # label: (the genuine credential changed, the change, what the refusal must say)
    "learner-name": ("ob3-achievement", _text("Anna Schmidt", "Anna Schmidu"), INVALID_SIGNATURE),
    "achievement-name": ("ob3-achievement", _text("AI_VET I", "AI_VET J"), INVALID_SIGNATURE),
    "grade": ("ob3-achievement", _text('"value": "90"', '"value": "99"'), INVALID_SIGNATURE),
    "hours": ("ob3-achievement", _text("PT25H", "PT26H"), INVALID_SIGNATURE),
    "valid-from": ("ob3-achievement", _set(("validFrom",), "2020-01-01T00:00:00Z"), INVALID_SIGNATURE),
    "participation-date": ("ob3-participation", _set(("awardedDate",), "2020-01-01T00:00:00Z"), INVALID_SIGNATURE),
    "degree-name": ("ob3-degree", _text("Mini <Degree>", "Maxi <Degree>"), INVALID_SIGNATURE),
    "issuer-id": ("ob3-achievement", _other_issuer, INVALID_SIGNATURE),
    "issuer-name": ("ob3-co-issued", _text("Charité Berlin", "Charite Berlin"), INVALID_SIGNATURE),
    "proof-value": ("ob3-achievement", _altered_proof_value, INVALID_SIGNATURE),
    "proof-created": ("ob3-achievement", _set(("proof", 0, "created"), "2020-01-01T00:00:00Z"), INVALID_SIGNATURE),
    "undefined-term": ("ob3-achievement", _set(("foo",), "bar"), UNDEFINED_FOO),
    "undefined-term-deep": ("ob3-degree", _set(("credentialSubject", "achievement", "foo"), "bar"), UNDEFINED_FOO),
    "undefined-proof-option": ("ob3-participation", _set(("proof", 0, "foo"), "bar"), UNDEFINED_FOO),
    "relative-iri": ("ob3-participation", _set(("credentialSchema", 0, "id"), "../schema.json"),
                     'Safe mode validation error. (relative @id reference "../schema.json")'),
    "unknown-context": ("ob3-achievement", _unknown_context,
                        "documentLoader: https://example.org/evil-context.jsonld is neither a bundled context"),
    "foreign-key-unpublished": ("ob3-achievement", _foreign_key_under_the_issuers_did,
                                f"has no verification method did:web:127.0.0.1%3A8000:microdegree:issuers:"
                                f"uni-mannheim#{FOREIGN_MULTIBASE}"),
    "foreign-key-posing": ("ob3-achievement", _foreign_key_as_the_issuers_key, INVALID_SIGNATURE),
    "foreign-did": ("ob3-degree", _foreign_did, NOT_THE_ISSUERS),
    "clr-member-grade": ("clr", _in_member(_text('"value": "95"', '"value": "99"')), INVALID_SIGNATURE),
    "clr-holder-name": ("clr", _text("Anna Schmidt", "Anna Schmidu"), INVALID_SIGNATURE),
    # CLR 2.0 names VC 2.0's issuer-dependent context (for ``issuanceDate``): its @vocab defines every term, so an
    # added term is not dropped; it is signed over, and the signature fails.
    "clr-added-term": ("clr", _set(("foo",), "bar"), INVALID_SIGNATURE),
    "member-added-term": ("clr-member-1", _set(("credentialSubject", "foo"), "bar"), INVALID_SIGNATURE),
    "member-issuance-date": ("clr-member-2", _set(("issuanceDate",), "2020-01-01T00:00:00Z"), INVALID_SIGNATURE),
    "record-member": ("record", _in_member(_text('"value": "95"', '"value": "99"')), INVALID_SIGNATURE),
    "record-holder-name": ("record", _text("Anna Schmidt", "Anna Schmidu"), INVALID_SIGNATURE),
    "status-list-bits": ("status-list", _bit_cleared, INVALID_SIGNATURE),
    "status-list-foreign-key": ("status-list", _foreign_key_as_the_issuers_key, INVALID_SIGNATURE),
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
    assert {_issuer_id(credentials[label]) for label in GENUINE} == {
        f"did:web:127.0.0.1%3A8000:microdegree:issuers:{slug}" for slug in ("uni-mannheim", "charite")} | {
        "did:web:127.0.0.1%3A8000:microdegree"}  # the platform itself: the learner's whole record
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
