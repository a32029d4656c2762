"""
Strict JSON-LD processing ("safe mode"): every term defined, nothing dropped, no relative IRI.

The VC Data Integrity specification asks signers and verifiers to refuse a document whose JSON-LD transformation
meets an undefined term, drops a property or produces a relative IRI. PyLD has no such mode, so this module checks
it with PyLD's public expansion only (any PyLD release the plugin supports):

* a **sentinel default vocabulary** is added to every ``@context`` of the document (before VC 2.0's
  issuer-dependent terms context, or an inline ``@vocab``, where the document has one), so a term that no context
  defines expands to ``<UNDEFINED_VOCAB><term>`` instead of being silently dropped, and so does an undefined
  ``@type`` value;
* a **sentinel base IRI** makes every relative IRI (an ``@id``, or a value of an ``@id``-typed term) expand to
  ``<RELATIVE_BASE><reference>``;
* every JSON object is **tagged with its JSON path** (a property whose key is an absolute IRI, which every context
  keeps), so a problem is reported where it is (``credentialSchema[0].type: ...``) and an object that expansion
  dropped anyway (under a ``@context: null`` reset, for instance) is noticed by its missing tag;
* a property that expansion drops nevertheless (under a property-scoped ``@context: null``, which no sentinel
  follows into an object without its own ``@context``) is reported through PyLD's ``on_property_dropped`` handler
  where PyLD has one (3.x);
* a term that resolves through VC 2.0's issuer-dependent vocabulary
  (``https://www.w3.org/ns/credentials/undefined-terms/v2``) is accepted only when its name is allowed by the
  caller: that context defines every term, so without a list it would hide every typo.

A document that passes expands exactly as it does without the sentinels; its expanded form, with the tags removed,
is returned so that canonicalisation does not expand it a second time from its contexts.

Limits: language, index, id and type maps (``@container`` ``@language``/``@index``/``@id``/``@type``) are not
supported (no context the plugin uses defines one): the tags make such a map invalid, and the document is refused
with PyLD's error.
"""
from __future__ import annotations

import inspect
from collections.abc import Callable, Collection, Iterator
from typing import Any
from urllib.parse import urljoin

from pyld import jsonld

__all__ = ["ISSUER_DEPENDENT_VOCAB", "RELATIVE_BASE", "UNDEFINED_VOCAB", "StrictJsonLdError", "strict_expand"]

UNDEFINED_VOCAB = "urn:x-microdegree-strict:undefined:"
RELATIVE_BASE = "https://relative-iri.invalid/base/"
_RELATIVE_HOST = "https://relative-iri.invalid/"  # what ``../x`` or ``/x`` resolve to as well
ISSUER_DEPENDENT_VOCAB = "https://www.w3.org/ns/credentials/undefined-term#"
UNDEFINED_TERMS_CONTEXT = "https://www.w3.org/ns/credentials/undefined-terms/v2"
_TAG = "urn:x-microdegree-strict:path"
_KEYWORD_KEYS = ("@value", "@list", "@set")

DocumentLoader = Callable[..., dict[str, Any]]


class StrictJsonLdError(ValueError):
    """
    A document that strict JSON-LD processing refuses.

    Attributes:
        problems (tuple[str, ...]): one line per problem, each starting with the JSON path of the offending term.
    """

    def __init__(self, problems: list[str]):
        self.problems = tuple(problems)
        super().__init__("; ".join(self.problems))


def _sets_vocab(item: Any) -> bool:
    return item == UNDEFINED_TERMS_CONTEXT or (isinstance(item, dict) and "@vocab" in item)


def _with_sentinel(context: Any) -> list[Any]:
    """
    A ``@context`` value with the sentinel vocabulary added.

    It goes before the first context that sets a vocabulary of its own (VC 2.0's issuer-dependent terms, or an
    inline ``@vocab``): the terms that vocabulary maps are defined, and only the issuer-dependent ones are checked.
    """
    items = list(context) if isinstance(context, list) else [context]
    position = next((n for n, item in enumerate(items) if _sets_vocab(item)), len(items))
    return [*items[:position], {"@vocab": UNDEFINED_VOCAB}, *items[position:]]


def _tagged(value: Any, path: str, tags: dict[str, Any]) -> Any:
    """A copy of ``value`` with each JSON object tagged by its path (``tags`` maps each path to its object)."""
    if isinstance(value, list):
        return [_tagged(item, f"{path}[{n}]", tags) for n, item in enumerate(value)]
    if not isinstance(value, dict):
        return value
    copy: dict[str, Any] = {}
    for key, item in value.items():
        if key == "@context":
            copy[key] = _with_sentinel(item)
        else:
            copy[key] = _tagged(item, f"{path}.{key}" if path else key, tags)
    if not any(key in value for key in _KEYWORD_KEYS):
        copy[_TAG] = path
        tags[path] = value
    return copy


def _key_holding(node: dict[str, Any], match: Callable[[str], bool]) -> str | None:
    """The key of the compact object ``node`` whose value is (or lists) a string that ``match`` accepts."""
    for key, item in node.items():
        values = item if isinstance(item, list) else [item]
        if any(isinstance(v, str) and match(v) for v in values):
            return key
    return None


class _Walk:
    """One walk of a tagged expanded document: collects the problems and the tags seen, and removes the tags."""

    def __init__(self, tags: dict[str, Any], allowed: Collection[str]):
        self.tags = tags
        self.allowed = allowed
        self.seen: set[str] = set()
        self.sizes: dict[str, int] = {}  # tag path -> how many entries its expanded node has
        self.problems: list[str] = []

    def _at(self, path: str, key: str | None) -> str:
        if key is None:
            return path or "(document)"
        return f"{path}.{key}" if path else key

    def _iri(self, path: str, iri: str, *, what: str) -> None:
        """Check one IRI used as a ``@type``, a datatype or an ``@id`` at the node of ``path``."""
        node = self.tags.get(path, {})
        if iri.startswith(UNDEFINED_VOCAB):
            name = iri[len(UNDEFINED_VOCAB):]
            where = self._at(path, _key_holding(node, lambda v: v == name))
            self.problems.append(f"{where}: {name!r} is not defined by any context")
        elif iri.startswith(_RELATIVE_HOST):
            found = _key_holding(node, lambda v: urljoin(RELATIVE_BASE, v) == iri)
            original = next((v for v in _strings(node.get(found)) if urljoin(RELATIVE_BASE, v) == iri),
                            iri) if found else iri
            self.problems.append(f"{self._at(path, found)}: {original!r} is a relative IRI ({what})")
        elif iri.startswith(ISSUER_DEPENDENT_VOCAB) and iri[len(ISSUER_DEPENDENT_VOCAB):] not in self.allowed:
            name = iri[len(ISSUER_DEPENDENT_VOCAB):]
            where = self._at(path, _key_holding(node, lambda v: v == name))
            self.problems.append(f"{where}: {name!r} is only an issuer-dependent term")

    def _literal(self, value: Any) -> Any:
        """A JSON literal (``@json``) without tags: its content is data, not terms."""
        if isinstance(value, list):
            return [self._literal(item) for item in value]
        if isinstance(value, dict):
            if isinstance(value.get(_TAG), str):
                self.seen.add(value[_TAG])
            return {k: self._literal(v) for k, v in value.items() if k != _TAG}
        return value

    def value(self, value: Any, path: str) -> Any:
        """Check and untag one expanded value at the node of ``path``."""
        if isinstance(value, list):
            return [self.value(item, path) for item in value]
        if not isinstance(value, dict):
            return value
        if "@value" in value:
            datatype = value.get("@type")
            if datatype == "@json":
                return {**value, "@value": self._literal(value["@value"])}
            if isinstance(datatype, str):
                self._iri(path, datatype, what="datatype")
            return value
        tag = value.get(_TAG)
        if isinstance(tag, list) and tag and isinstance(tag[0], dict):
            path = str(tag[0].get("@value", path))
            self.seen.add(path)
            self.sizes[path] = len(value) - 1
        result: dict[str, Any] = {}
        for key, item in value.items():
            if key == _TAG:
                continue
            if key == "@id" and isinstance(item, str):
                self._iri(path, item, what="@id")
            elif key == "@type":
                for name in item if isinstance(item, list) else [item]:
                    self._iri(path, name, what="@type")
            elif not key.startswith("@"):
                self._property(path, key)
            result[key] = self.value(item, path) if key not in ("@id", "@type") else item
        return result

    def _property(self, path: str, key: str) -> None:
        if key.startswith(UNDEFINED_VOCAB):
            term = key[len(UNDEFINED_VOCAB):]
            self.problems.append(f"{self._at(path, term)}: {term!r} is not defined by any context")
        elif key.startswith(ISSUER_DEPENDENT_VOCAB) and key[len(ISSUER_DEPENDENT_VOCAB):] not in self.allowed:
            term = key[len(ISSUER_DEPENDENT_VOCAB):]
            self.problems.append(f"{self._at(path, term)}: {term!r} is only an issuer-dependent term")
        elif key.startswith(_RELATIVE_HOST):
            self.problems.append(f"{path or '(document)'}: property {key!r} is a relative IRI")


def _strings(value: Any) -> Iterator[str]:
    for item in value if isinstance(value, list) else [value]:
        if isinstance(item, str):
            yield item


def _paths_of_key(value: Any, key: str | None, path: str = "") -> Iterator[str]:
    """The JSON paths at which ``key`` is a key of an object (outside ``@context``)."""
    if isinstance(value, list):
        for n, item in enumerate(value):
            yield from _paths_of_key(item, key, f"{path}[{n}]")
    elif isinstance(value, dict):
        for name, item in value.items():
            if name == "@context":
                continue
            inner = f"{path}.{name}" if path else name
            if name == key:
                yield inner
            yield from _paths_of_key(item, key, inner)


def _parent(path: str) -> str:
    return path.rsplit(".", 1)[0] if "." in path else ""


def _keys(node: Any) -> list[str]:
    return [key for key in node if key != "@context"] if isinstance(node, dict) else []


_REPORTS_DROPS = "on_property_dropped" in inspect.signature(jsonld.expand).parameters


def strict_expand(document: dict[str, Any], *, document_loader: DocumentLoader,
                  issuer_dependent: Collection[str] = ()) -> list[Any]:
    """
    The expanded form of ``document``, checked strictly (see the module's description).

    ``issuer_dependent`` names the terms that may resolve through VC 2.0's issuer-dependent vocabulary.

    Raises:
        StrictJsonLdError: naming the JSON path of every undefined term, relative IRI or dropped object.
        pyld.jsonld.JsonLdError: the document is no valid JSON-LD (a protected term redefined, an unknown context).
    """
    tags: dict[str, Any] = {}
    tagged = _tagged(document, "", tags)
    if "@context" not in document:
        tagged["@context"] = _with_sentinel([])
    dropped: list[str | None] = []
    options = {"base": RELATIVE_BASE, "documentLoader": document_loader}
    if _REPORTS_DROPS:
        expanded = jsonld.expand(tagged, options, on_property_dropped=dropped.append)
    else:  # pragma: no cover - PyLD 2.x: the sentinel vocabulary alone catches undefined terms
        expanded = jsonld.expand(tagged, options)
    walk = _Walk(tags, frozenset(issuer_dependent))
    result = walk.value(expanded, "")
    for name in dict.fromkeys(dropped):
        paths = list(_paths_of_key(document, name))
        # Where the key was dropped: in an object whose expanded node has fewer entries than it has keys.
        lost = [p for p in paths if walk.sizes.get(_parent(p), 0) < len(_keys(tags.get(_parent(p))))]
        for path in lost or paths or ["(document)"]:
            walk.problems.append(f"{path}: {name!r} was dropped by the JSON-LD expansion")
    for path in tags:
        if path not in walk.seen:
            walk.problems.append(f"{path or '(document)'}: this object was dropped by the JSON-LD expansion")
    if walk.problems:
        raise StrictJsonLdError(walk.problems)
    return list(result)
