"""
Tampered copies of genuine credentials for the verifier tests: each a change, named by what it changes.

Every change takes the credential and the documents a verifier fetches (DID documents, status lists) and returns the
changed copy (tests/credentials/test_node_verifier.py pairs each with the reason a verifier must give).
"""
from __future__ import annotations

import base64
import gzip
import json
from collections.abc import Callable
from datetime import UTC, datetime

from microdegree_xblock.credentials import keys, ob3, proofs

EVIL_DID = "did:web:evil.example:issuers:charite"


def issuer_id(credential: dict) -> str:
    issuer = credential["issuer"]
    return issuer["id"] if isinstance(issuer, dict) else issuer


def replace_text(credential: dict, old: str, new: str) -> dict:
    text = json.dumps(credential, ensure_ascii=False)
    assert old in text, old
    return json.loads(text.replace(old, new, 1))


def set_at(path: tuple, value) -> Callable[[dict, dict], dict]:
    def change(credential: dict, _documents: dict) -> dict:
        node = credential
        for step in path[:-1]:
            node = node[step]
        assert path[-1] not in node or node[path[-1]] != value, path
        node[path[-1]] = value
        return credential
    return change


def altered_proof_value(credential: dict, _documents: dict) -> dict:
    value = credential["proof"][0]["proofValue"]
    credential["proof"][0]["proofValue"] = value[:-3] + ("2" if value[-3] != "2" else "3") + value[-2:]
    return credential


def other_issuer(credential: dict, documents: dict) -> dict:
    other = next(did for did in documents if did.startswith("did:web:") and did != issuer_id(credential))
    credential["issuer"]["id"] = other
    return credential


def bit_cleared(credential: dict, _documents: dict) -> dict:
    """The status list with the revoked credential's bit cleared (the gzip of all zeros, as it was before)."""
    subject = credential["credentialSubject"]
    raw = subject["encodedList"][1:]
    bits = gzip.decompress(base64.urlsafe_b64decode(raw + "=" * (-len(raw) % 4)))
    assert any(bits), "the status list holds the revoked credential's bit"
    cleared = gzip.compress(bytes(len(bits)), mtime=0)
    subject["encodedList"] = "u" + base64.urlsafe_b64encode(cleared).decode().rstrip("=")
    return credential


def unknown_context(credential: dict, _documents: dict) -> dict:
    credential["@context"].append("https://example.org/evil-context.jsonld")
    return credential


FOREIGN_KEY = keys.generate_private_key()
FOREIGN_MULTIBASE = keys.public_key_multibase(FOREIGN_KEY)


def resigned(credential: dict, method: str) -> dict:
    unsigned = {k: v for k, v in credential.items() if k != "proof"}
    return proofs.sign(unsigned, private_key=FOREIGN_KEY, verification_method=method,
                       created=datetime.now(UTC).replace(microsecond=0))


def foreign_key_under_the_issuers_did(credential: dict, _documents: dict) -> dict:
    return resigned(credential, ob3.verification_method_id(issuer_id(credential), FOREIGN_MULTIBASE))


def foreign_key_as_the_issuers_key(credential: dict, _documents: dict) -> dict:
    return resigned(credential, credential["proof"][0]["verificationMethod"])


def foreign_did(credential: dict, documents: dict) -> dict:
    """Signed by a key that a (resolvable) DID controls, but not the issuer's DID."""
    documents[EVIL_DID] = ob3.controller_document(did=EVIL_DID, public_keys=[FOREIGN_MULTIBASE])
    return resigned(credential, ob3.verification_method_id(EVIL_DID, FOREIGN_MULTIBASE))


def in_member(change: Callable[[dict, dict], dict]) -> Callable[[dict, dict], dict]:
    def in_member(credential: dict, documents: dict) -> dict:
        members = credential["credentialSubject"]["verifiableCredential"]
        members[1] = change(members[1], documents)
        return credential
    return in_member


def replaced(old: str, new: str) -> Callable[[dict, dict], dict]:
    return lambda credential, _documents: replace_text(credential, old, new)
