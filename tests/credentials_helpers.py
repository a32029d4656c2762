"""
Helpers of the credential tests: an award pipeline run to its end, and a verifier written from the specifications.

The verifier shares no code with the plugin's signing: it reads the contexts the standards bodies publish (the
copies in tests/standards), resolves did:web through HTTP (the Django test client), decodes base58 and
Multikey itself, canonicalises with pyld (RDFC-1.0 / URDNA2015) and checks Ed25519 with cryptography.

It is strict in its own way (not the plugin's): a property that JSON-LD expansion drops (pyld's
``on_property_dropped``) or an IRI that had to be resolved against a base (canonicalised with a base no credential
can hold) refuses the credential, and so does a term taken from VC 2.0's issuer-dependent vocabulary other than
``issuanceDate``. Only a credential signed before strictness, which names the plugin's old context
(``/microdegree/contexts/microdegree-v1.jsonld``, then served by the issuer), is canonicalised the old way.
"""
from __future__ import annotations

import hashlib
import json
import re
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
    "https://purl.imsglobal.org/spec/ob/v3p0/extensions.json": "contexts/ob-v3p0-extensions.json",
    "https://www.w3.org/ns/credentials/undefined-terms/v2": "contexts/undefined-terms-v2.jsonld",
}
OLD_CONTEXT = "/microdegree/contexts/microdegree-v1.jsonld"
NO_BASE = "https://no-base.invalid/"  # a base no credential holds: an IRI under it was relative
ISSUER_DEPENDENT = "https://www.w3.org/ns/credentials/undefined-term#"
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

    def __init__(self, client, controllers: dict | None = None):
        self.client = client
        self.controllers = controllers or {}  # did -> DID document, instead of asking the client
        self.refusal = ""  # why the last credential was refused before its signature was checked

    def _get(self, url: str) -> dict:
        response = self.client.get(urlsplit(url).path)
        assert response.status_code == 200, (url, response.status_code)
        return json.loads(response.content)

    def loader(self, url, options=None):  # pylint: disable=unused-argument
        if url in PUBLISHED:
            document = json.loads((STANDARDS / PUBLISHED[url]).read_text(encoding="utf-8"))
        elif url.endswith(OLD_CONTEXT):
            document = self._get(url)  # the issuer's own context, served by the issuer
        else:
            raise AssertionError(f"the verifier was asked for an unexpected context {url}")
        return {"contentType": "application/ld+json", "contextUrl": None, "documentUrl": url, "document": document}

    @staticmethod
    def is_old(credential: dict) -> bool:
        context = credential.get("@context")
        return any(isinstance(c, str) and c.endswith(OLD_CONTEXT) for c in (context if isinstance(context, list)
                                                                             else [context]))

    def strict_problems(self, document: dict) -> list[str]:
        """What strict JSON-LD processing refuses in a document: dropped properties and relative IRIs."""
        dropped: list[str] = []
        jsonld._resolved_context_cache.clear()  # pylint: disable=protected-access
        jsonld.expand(document, {"documentLoader": self.loader}, on_property_dropped=dropped.append)
        quads = self.canon(document, base=NO_BASE).decode()
        relative = sorted({iri for iri in re.findall(r"<([^>]*)>", quads) if iri.startswith(NO_BASE)})
        dependent = sorted({iri for iri in re.findall(r"<([^>]*)>", quads) if iri.startswith(ISSUER_DEPENDENT)}
                           - {ISSUER_DEPENDENT + "issuanceDate"})
        return ([f"dropped {p!r}" for p in dropped] + [f"relative {iri!r}" for iri in relative]
                + [f"issuer-dependent {iri!r}" for iri in dependent])

    def canon(self, document: dict, base: str = "") -> bytes:
        jsonld._resolved_context_cache.clear()  # pylint: disable=protected-access  # no context from the signer
        return jsonld.normalize(document, {"algorithm": "URDNA2015", "format": "application/n-quads",
                                           "documentLoader": self.loader, "base": base}).encode()

    def public_key(self, method: str) -> Ed25519PublicKey:
        did, _, fragment = method.partition("#")
        host, *path = did.removeprefix("did:web:").split(":")
        assert unquote(host) == "testserver" or unquote(host).startswith(("127.0.0.1", "localhost"))
        controller = self.controllers.get(did) or self._get("/" + "/".join(unquote(p) for p in path) + "/did.json")
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
        self.refusal = ""
        if not self.is_old(credential):
            problems = self.strict_problems(unsecured) + [
                p for proof in proofs
                for p in self.strict_problems({**{k: v for k, v in proof.items() if k != "proofValue"},
                                               "@context": credential["@context"]})]
            if problems:
                self.refusal = "; ".join(problems)
                return False
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
