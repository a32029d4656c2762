"""
Data Integrity proofs with the ``eddsa-rdfc-2022`` cryptosuite (W3C VC Data Integrity EdDSA Cryptosuites v1.0).

Signing: the proof options (without ``proofValue``, with the document's ``@context``) and the document (without
``proof``) are each canonicalised with RDFC-1.0 and hashed with SHA-256; the Ed25519 signature over
``hash(proof options) + hash(document)`` is the ``proofValue``, multibase base58-btc encoded. ``proof`` is always an
array (a proof set), as the Open Badges 3.0 schema requires.

Both sides are strict (``jsonld.check_strict``): the signer refuses, and the verifier rejects, a document with an
undefined term, a dropped property or a relative IRI. Credentials signed before strictness (``jsonld.is_legacy``)
are verified over the bytes they were signed over, canonicalised the old way (docs/decisions/0032).
"""
from __future__ import annotations

import hashlib
from collections.abc import Callable
from datetime import datetime
from typing import Any

from cryptography.exceptions import InvalidSignature
from pyld.jsonld import JsonLdError

from .dates import iso_z
from .jsonld import StrictJsonLdError, canonicalize, is_legacy
from .keys import Ed25519PrivateKey, Ed25519PublicKey, base58btc_decode, base58btc_encode

__all__ = ["CRYPTOSUITE", "PROOF_TYPE", "hash_data", "proof_methods", "sign", "verify"]

PROOF_TYPE = "DataIntegrityProof"
CRYPTOSUITE = "eddsa-rdfc-2022"


def hash_data(document: dict[str, Any], proof_options: dict[str, Any], *, strict: bool = True) -> bytes:
    """
    SHA-256 of the canonical proof options followed by SHA-256 of the canonical document (spec 3.3.x).

    Raises:
        StrictJsonLdError: (``strict``) the document or the options are refused by strict JSON-LD processing.
    """
    unsecured = {key: value for key, value in document.items() if key != "proof"}
    options = {key: value for key, value in proof_options.items() if key != "proofValue"}
    options["@context"] = document["@context"]
    return (hashlib.sha256(canonicalize(options, strict=strict).encode("utf-8")).digest()
            + hashlib.sha256(canonicalize(unsecured, strict=strict).encode("utf-8")).digest())


def sign(document: dict[str, Any], *, private_key: Ed25519PrivateKey, verification_method: str,
         created: datetime, proof_purpose: str = "assertionMethod") -> dict[str, Any]:
    """
    The document with a new Data Integrity proof added to its ``proof`` array.

    Raises:
        StrictJsonLdError: strict JSON-LD processing refuses the document (nothing is signed).
    """
    options = {
        "type": PROOF_TYPE,
        "cryptosuite": CRYPTOSUITE,
        "created": iso_z(created),
        "verificationMethod": verification_method,
        "proofPurpose": proof_purpose,
    }
    signature = private_key.sign(hash_data(document, options))
    existing = document.get("proof", [])
    proofs = list(existing) if isinstance(existing, list) else [existing]
    return {**document, "proof": [*proofs, {**options, "proofValue": "z" + base58btc_encode(signature)}]}


def _proofs(document: dict[str, Any]) -> list[dict[str, Any]]:
    """The document's ``eddsa-rdfc-2022`` Data Integrity proofs."""
    found = document.get("proof")
    found = found if isinstance(found, list) else [found] if found else []
    return [p for p in found if isinstance(p, dict) and p.get("type") == PROOF_TYPE
            and p.get("cryptosuite") == CRYPTOSUITE]


def proof_methods(document: dict[str, Any]) -> list[str]:
    """The verification method of each of the document's ``eddsa-rdfc-2022`` proofs, in order."""
    return [str(proof.get("verificationMethod", "")) for proof in _proofs(document)]


def verify(document: dict[str, Any], *, resolve: Callable[[str], Ed25519PublicKey | None]) -> bool:
    """
    Whether every ``eddsa-rdfc-2022`` proof of the document verifies (and there is at least one).

    ``resolve`` maps a verification method id to its public key, or None when unknown. A document that strict
    JSON-LD processing refuses does not verify, unless it was signed before strictness (``jsonld.is_legacy``).
    """
    strict = not is_legacy(document)
    ours = _proofs(document)
    if not ours:
        return False
    for proof in ours:
        key = resolve(str(proof.get("verificationMethod", "")))
        value = str(proof.get("proofValue", ""))
        if key is None or not value.startswith("z"):
            return False
        try:
            key.verify(base58btc_decode(value[1:]), hash_data(document, proof, strict=strict))
        except (InvalidSignature, ValueError, StrictJsonLdError, JsonLdError):
            return False
    return True
