"""
Bitstring Status List v1.0: the revocation bits of many credentials in one compressed bitstring.

Index 0 is the left-most (most significant) bit of the first byte. The list is GZIP-compressed and encoded as
multibase base64url without padding (``u...``). Lists have 131,072 entries (16 KB), the specification's minimum
for herd privacy.
"""
from __future__ import annotations

import base64
import gzip
from collections.abc import Iterable

__all__ = ["LIST_SIZE", "decode", "encode", "index_for", "is_set", "with_bits"]

LIST_SIZE = 131_072
# Entries are handed out by a per-list counter; the counter is spread over the list by a fixed odd multiplier
# (a bijection modulo a power of two), so that neighbouring awards do not sit at neighbouring indexes and an index
# is never handed out twice.
_MULTIPLIER = 40_503
_OFFSET = 7_919


def index_for(counter: int, size: int = LIST_SIZE) -> int:
    """The list index of the ``counter``-th entry handed out (0 <= counter < size); distinct for distinct counters."""
    if not 0 <= counter < size:
        raise ValueError(f"counter {counter} outside the list of {size} entries")
    return (counter * _MULTIPLIER + _OFFSET) % size


def encode(bits: Iterable[int], size: int = LIST_SIZE) -> str:
    """The ``encodedList`` of a list of ``size`` entries with the given indexes set."""
    buffer = bytearray(size // 8)
    for index in bits:
        if not 0 <= index < size:
            raise ValueError(f"index {index} outside the list of {size} entries")
        buffer[index // 8] |= 0x80 >> (index % 8)
    compressed = gzip.compress(bytes(buffer), mtime=0)
    return "u" + base64.urlsafe_b64encode(compressed).decode("ascii").rstrip("=")


def decode(encoded: str) -> bytes:
    """The raw bitstring of an ``encodedList``."""
    if not encoded.startswith("u"):
        raise ValueError("encodedList must be multibase base64url ('u')")
    body = encoded[1:]
    return gzip.decompress(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))


def is_set(encoded: str, index: int) -> bool:
    """
    Whether the entry at ``index`` is set.

    Raises:
        ValueError: an index outside the list (a negative one would read from its end).
    """
    raw = decode(encoded)
    if not 0 <= index < len(raw) * 8:
        raise ValueError(f"status list index {index} is outside the list of {len(raw) * 8} entries")
    return bool(raw[index // 8] & (0x80 >> (index % 8)))


def with_bits(encoded: str | None, bits: Iterable[int], size: int = LIST_SIZE) -> str:
    """An ``encodedList`` with ``bits`` set in addition to those already set in ``encoded`` (None: an empty list)."""
    raw = decode(encoded) if encoded else bytes(size // 8)
    already = [i for i in range(len(raw) * 8) if raw[i // 8] & (0x80 >> (i % 8))] if any(raw) else []
    return encode([*already, *bits], size=len(raw) * 8)
