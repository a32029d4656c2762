"""
Credentials signed before strict JSON-LD (docs/decisions/0032) keep verifying, as they were stored.

``legacy/`` holds an OB 3.0 credential and a CLR exactly as the plugin signed them before (with a fixed test key, on
an LMS at ``http://127.0.0.1:8000``), and the issuer's DID document. They name the plugin's old extension context,
which the LMS still serves unchanged; they are verified over the bytes they were signed over, while strict
processing refuses them (their schema validator type is undefined), which is why new credentials have a new form.
"""
from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest

from microdegree_xblock.credentials import jsonld, keys, proofs
from microdegree_xblock.credentials.strict import StrictJsonLdError
from tests.credentials_helpers import SpecVerifier

LEGACY = Path(__file__).resolve().parent / "legacy"
CONTROLLER = json.loads((LEGACY / "did.json").read_text(encoding="utf-8"))


def _load(name: str) -> dict:
    return json.loads((LEGACY / f"{name}.json").read_text(encoding="utf-8"))


def _resolve(method: str):
    if method in CONTROLLER["assertionMethod"]:
        return keys.public_key_from_multibase(method.partition("#")[2])
    return None


@pytest.mark.parametrize("name", ["ob3", "clr"])
def test_an_old_credential_still_verifies_and_a_changed_one_does_not(name):
    credential = _load(name)
    assert jsonld.is_legacy(credential)
    assert proofs.verify(credential, resolve=_resolve)
    changed = copy.deepcopy(credential)
    changed["name"] += "!"
    assert not proofs.verify(changed, resolve=_resolve)
    if name == "clr":
        assert all(proofs.verify(m, resolve=_resolve) for m in credential["credentialSubject"]["verifiableCredential"])


@pytest.mark.django_db
def test_the_independent_verifier_reads_the_old_context_from_the_lms(client):
    verifier = SpecVerifier(client, controllers={CONTROLLER["id"]: CONTROLLER})
    clr = _load("clr")
    assert verifier.verify(_load("ob3")) and verifier.verify(clr)
    assert all(verifier.verify(m) for m in clr["credentialSubject"]["verifiableCredential"])


def test_strict_processing_refuses_the_old_form():
    credential = _load("ob3")
    del credential["proof"]
    with pytest.raises(StrictJsonLdError, match="'1EdTechJsonSchemaValidator2019' is not defined by any context"):
        jsonld.canonicalize(credential)
