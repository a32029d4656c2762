"""
JSON-LD processing with bundled contexts only: nothing is ever fetched from the network.

Canonicalisation is strict by default (``strict``: no undefined term, no dropped property, no relative IRI;
docs/decisions/0032). Only the credentials signed before strictness, which name the plugin's own extension context
(``LEGACY_CONTEXT_PATH``), are canonicalised the old way, to verify the bytes they were signed over.
"""
from __future__ import annotations

import copy
import json
from functools import cache
from pathlib import Path
from typing import Any

from pyld import jsonld

from .strict import UNDEFINED_TERMS_CONTEXT, StrictJsonLdError, strict_expand

__all__ = [
    "CLR_V2", "CONTEXT_FILES", "DATA_INTEGRITY_V1", "DID_V1", "ISSUER_DEPENDENT_TERMS", "LEGACY_CONTEXT_PATH",
    "MULTIKEY_V1", "OB_V2", "OB_V3", "OB_V3_EXTENSIONS", "PUBLISHED_CONTEXTS", "StrictJsonLdError",
    "UNDEFINED_TERMS_V2", "UnknownContext", "VC_V2", "bundled_context", "canonicalize", "check_strict",
    "document_loader", "is_legacy", "legacy_context", "strict_expand",
]

VC_V2 = "https://www.w3.org/ns/credentials/v2"
OB_V3 = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"
CLR_V2 = "https://purl.imsglobal.org/spec/clr/v2p0/context-2.0.1.json"
OB_V2 = "https://w3id.org/openbadges/v2"
DATA_INTEGRITY_V1 = "https://w3id.org/security/data-integrity/v1"
MULTIKEY_V1 = "https://w3id.org/security/multikey/v1"
DID_V1 = "https://www.w3.org/ns/did/v1"
OB_V3_EXTENSIONS = "https://purl.imsglobal.org/spec/ob/v3p0/extensions.json"
UNDEFINED_TERMS_V2 = UNDEFINED_TERMS_CONTEXT  # VC 2.0's issuer-dependent terms (a @vocab)

# The only terms the plugin signs through the issuer-dependent vocabulary: the CLR 2.0 schema requires
# ``issuanceDate``, which no published context compatible with VC 2.0 defines (docs/decisions/0032).
ISSUER_DEPENDENT_TERMS = frozenset({"issuanceDate"})

# Context URL -> bundled file (see contexts/NOTICE for where each came from).
CONTEXT_FILES = {
    VC_V2: "credentials-v2.jsonld",
    OB_V3: "ob-v3p0-3.0.3.json",
    CLR_V2: "clr-v2p0-2.0.1.json",
    OB_V2: "ob-v2p0.json",
    DATA_INTEGRITY_V1: "data-integrity-v1.jsonld",
    MULTIKEY_V1: "multikey-v1.jsonld",
    DID_V1: "did-v1.jsonld",
    OB_V3_EXTENSIONS: "ob-v3p0-extensions.json",
    UNDEFINED_TERMS_V2: "undefined-terms-v2.jsonld",
}
# What new credentials may name: published, stable contexts only.
PUBLISHED_CONTEXTS = frozenset(CONTEXT_FILES)
# The plugin's own extension context, named by the credentials signed before docs/decisions/0032 (by the URL of the
# LMS that issued them) and still served there, unchanged, so that they keep resolving. New credentials never name it.
LEGACY_CONTEXT_PATH = "/microdegree/contexts/microdegree-v1.jsonld"
LEGACY_CONTEXT_FILE = "microdegree-v1.jsonld"
_DIR = Path(__file__).resolve().parent / "contexts"


class UnknownContext(jsonld.JsonLdError):
    """A document names a context that is not bundled; it is never fetched."""


@cache
def _load(name: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((_DIR / name).read_text(encoding="utf-8"))
    return data


def _is_legacy_url(url: Any) -> bool:
    return isinstance(url, str) and url.startswith(("https://", "http://")) and url.endswith(LEGACY_CONTEXT_PATH)


def _file_for(url: str) -> str | None:
    if url in CONTEXT_FILES:
        return CONTEXT_FILES[url]
    if _is_legacy_url(url):
        return LEGACY_CONTEXT_FILE
    return None


def legacy_context() -> dict[str, Any]:
    """A copy of the plugin's old extension context (still served at ``LEGACY_CONTEXT_PATH`` on the LMS)."""
    return copy.deepcopy(_load(LEGACY_CONTEXT_FILE))


def is_legacy(document: dict[str, Any]) -> bool:
    """Whether a credential was signed before strictness: its ``@context`` names the plugin's old context."""
    context = document.get("@context")
    return any(_is_legacy_url(url) for url in (context if isinstance(context, list) else [context]))


def bundled_context(url: str) -> dict[str, Any]:
    """A copy of a bundled context document."""
    name = _file_for(url)
    if name is None:
        raise UnknownContext(f"context {url} is not bundled", "jsonld.LoadDocumentError",
                             code="loading remote context failed")
    return copy.deepcopy(_load(name))


def document_loader(url: str, options: dict[str, Any] | None = None) -> dict[str, Any]:
    """A pyld document loader that serves the bundled contexts and refuses every other URL."""
    return {"contentType": "application/ld+json", "contextUrl": None, "documentUrl": url,
            "document": bundled_context(url)}


def check_strict(document: dict[str, Any]) -> list[Any]:
    """
    The expanded form of a document, checked strictly (``strict.strict_expand``) with the bundled contexts.

    Raises:
        StrictJsonLdError: an undefined term, a dropped object or a relative IRI, each named by its JSON path.
        UnknownContext: the document names a context that is not bundled.
    """
    return strict_expand(document, document_loader=document_loader, issuer_dependent=ISSUER_DEPENDENT_TERMS)


def canonicalize(document: dict[str, Any], *, strict: bool = True) -> str:
    """
    The RDF Dataset Canonicalization (RDFC-1.0, published as URDNA2015 in pyld) of a JSON-LD document.

    Returns canonical N-Quads. Contexts come from the bundle only. ``strict`` (the default) refuses what strict
    JSON-LD processing refuses; ``strict=False`` only for verifying credentials signed before (``is_legacy``).

    Raises:
        StrictJsonLdError: see :func:`check_strict`.
    """
    source: Any = check_strict(document) if strict else document
    result: str = jsonld.normalize(source, {
        "algorithm": "URDNA2015", "format": "application/n-quads", "documentLoader": document_loader,
    })
    return result
