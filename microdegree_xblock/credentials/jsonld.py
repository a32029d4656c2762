"""
JSON-LD processing with bundled contexts only: nothing is ever fetched from the network.
"""
from __future__ import annotations

import copy
import json
from functools import cache
from pathlib import Path
from typing import Any

from pyld import jsonld

__all__ = [
    "CLR_V2", "CONTEXT_FILES", "DATA_INTEGRITY_V1", "DID_V1", "MULTIKEY_V1", "OB_V2", "OB_V3", "VC_V2",
    "EXTENSION_CONTEXT_PATH", "UnknownContext", "bundled_context", "canonicalize", "document_loader",
    "extension_context", "extension_context_url",
]

VC_V2 = "https://www.w3.org/ns/credentials/v2"
OB_V3 = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"
CLR_V2 = "https://purl.imsglobal.org/spec/clr/v2p0/context-2.0.1.json"
OB_V2 = "https://w3id.org/openbadges/v2"
DATA_INTEGRITY_V1 = "https://w3id.org/security/data-integrity/v1"
MULTIKEY_V1 = "https://w3id.org/security/multikey/v1"
DID_V1 = "https://www.w3.org/ns/did/v1"

# Context URL -> bundled file (see contexts/NOTICE for where each came from).
CONTEXT_FILES = {
    VC_V2: "credentials-v2.jsonld",
    OB_V3: "ob-v3p0-3.0.3.json",
    CLR_V2: "clr-v2p0-2.0.1.json",
    OB_V2: "ob-v2p0.json",
    DATA_INTEGRITY_V1: "data-integrity-v1.jsonld",
    MULTIKEY_V1: "multikey-v1.jsonld",
    DID_V1: "did-v1.jsonld",
}
# The plugin's own extension context, served by every LMS that runs it at <LMS_ROOT_URL><EXTENSION_CONTEXT_PATH>.
EXTENSION_CONTEXT_PATH = "/microdegree/contexts/microdegree-v1.jsonld"
EXTENSION_CONTEXT_FILE = "microdegree-v1.jsonld"
_DIR = Path(__file__).resolve().parent / "contexts"


class UnknownContext(jsonld.JsonLdError):
    """A document names a context that is not bundled; it is never fetched."""


@cache
def _load(name: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((_DIR / name).read_text(encoding="utf-8"))
    return data


def extension_context_url(root_url: str) -> str:
    """The URL of the plugin's extension context on the LMS at ``root_url``."""
    return root_url.rstrip("/") + EXTENSION_CONTEXT_PATH


def _file_for(url: str) -> str | None:
    if url in CONTEXT_FILES:
        return CONTEXT_FILES[url]
    if url.startswith(("https://", "http://")) and url.endswith(EXTENSION_CONTEXT_PATH):
        return EXTENSION_CONTEXT_FILE
    return None


def extension_context() -> dict[str, Any]:
    """A copy of the plugin's own extension context (served at ``EXTENSION_CONTEXT_PATH`` on the LMS)."""
    return copy.deepcopy(_load(EXTENSION_CONTEXT_FILE))


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


def canonicalize(document: dict[str, Any]) -> str:
    """
    The RDF Dataset Canonicalization (RDFC-1.0, published as URDNA2015 in pyld) of a JSON-LD document.

    Returns canonical N-Quads. Contexts come from the bundle only.
    """
    result: str = jsonld.normalize(document, {
        "algorithm": "URDNA2015", "format": "application/n-quads", "documentLoader": document_loader,
    })
    return result
