"""
Helpers of the credential tests: an award pipeline run to its end, and a verifier written from the specifications.

The verifier shares no code with the plugin's signing: it reads the contexts the standards bodies publish (the
copies in tests/standards), resolves did:web through HTTP (the Django test client), decodes base58 and
Multikey itself, canonicalises with pyld (RDFC-1.0 / URDNA2015) and checks Ed25519 with cryptography.
"""
from __future__ import annotations

import hashlib
import json
from pathlib import Path
from urllib.parse import unquote, urlsplit

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from pyld import jsonld

STANDARDS = Path(__file__).resolve().parent / "standards"  # copies of the published documents (README there)
PUBLISHED = {
    "https://www.w3.org/ns/credentials/v2": "contexts/credentials-v2.jsonld",
    "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json": "contexts/ob-v3p0-3.0.3.json",
    "https://purl.imsglobal.org/spec/clr/v2p0/context-2.0.1.json": "contexts/clr-v2p0-2.0.1.json",
}
B58 = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"


def schema(name: str) -> dict:
    return json.loads((STANDARDS / "schemas" / name).read_text(encoding="utf-8"))


def b58decode(text: str) -> bytes:
    number = 0
    for char in text:
        number = number * 58 + B58.index(char)
    body = number.to_bytes((number.bit_length() + 7) // 8, "big")
    return b"\0" * (len(text) - len(text.lstrip("1"))) + body


class SpecVerifier:
    """Verifies eddsa-rdfc-2022 Data Integrity proofs as the W3C specification describes them."""

    def __init__(self, client):
        self.client = client

    def _get(self, url: str) -> dict:
        response = self.client.get(urlsplit(url).path)
        assert response.status_code == 200, (url, response.status_code)
        return json.loads(response.content)

    def loader(self, url, options=None):  # pylint: disable=unused-argument
        if url in PUBLISHED:
            document = json.loads((STANDARDS / PUBLISHED[url]).read_text(encoding="utf-8"))
        elif url.endswith("/microdegree/contexts/microdegree-v1.jsonld"):
            document = self._get(url)  # the issuer's own context, served by the issuer
        else:
            raise AssertionError(f"the verifier was asked for an unexpected context {url}")
        return {"contentType": "application/ld+json", "contextUrl": None, "documentUrl": url, "document": document}

    def canon(self, document: dict) -> bytes:
        jsonld._resolved_context_cache.clear()  # pylint: disable=protected-access  # no context from the signer
        return jsonld.normalize(document, {"algorithm": "URDNA2015", "format": "application/n-quads",
                                           "documentLoader": self.loader}).encode()

    def public_key(self, method: str) -> Ed25519PublicKey:
        did, _, fragment = method.partition("#")
        host, *path = did.removeprefix("did:web:").split(":")
        assert unquote(host) == "testserver" or unquote(host).startswith(("127.0.0.1", "localhost"))
        controller = self._get("/" + "/".join(unquote(p) for p in path) + "/did.json")
        assert controller["id"] == did
        assert method in controller["assertionMethod"]
        vm = next(m for m in controller["verificationMethod"] if m["id"] == method)
        assert vm["type"] == "Multikey" and vm["controller"] == did and vm["publicKeyMultibase"] == fragment
        raw = b58decode(vm["publicKeyMultibase"][1:])
        assert raw[:2] == b"\xed\x01" and len(raw) == 34
        return Ed25519PublicKey.from_public_bytes(raw[2:])

    def verify(self, credential: dict) -> bool:
        proofs = credential["proof"]
        assert isinstance(proofs, list) and proofs
        unsecured = {k: v for k, v in credential.items() if k != "proof"}
        for proof in proofs:
            assert proof["type"] == "DataIntegrityProof" and proof["cryptosuite"] == "eddsa-rdfc-2022"
            assert proof["proofPurpose"] == "assertionMethod"
            options = {k: v for k, v in proof.items() if k != "proofValue"}
            options["@context"] = credential["@context"]
            data = hashlib.sha256(self.canon(options)).digest() + hashlib.sha256(self.canon(unsecured)).digest()
            key = self.public_key(proof["verificationMethod"])
            issuer = credential["issuer"]["id"] if isinstance(credential["issuer"], dict) else credential["issuer"]
            assert proof["verificationMethod"].split("#")[0] == issuer, "the issuer must control the key"
            try:
                key.verify(b58decode(proof["proofValue"][1:]), data)
            except (InvalidSignature, ValueError):
                return False
        return True
