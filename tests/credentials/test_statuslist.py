"""
Bitstring Status List encoding, checked against W3C Bitstring Status List v1.0 (https://www.w3.org/TR/vc-bitstring-status-list/).

The spec: ``encodedList`` is the multibase base64url (no padding, prefix ``u``) of the GZIP-compressed bitstring;
the list has at least 131,072 entries (16 KB); index 0 is the left-most bit of the bitstring. The lists made by the
module are decoded here with :mod:`gzip` and :mod:`base64` only, never with the module's own decoder.
"""
from __future__ import annotations

import base64
import gzip
import re

import pytest

from microdegree_xblock.credentials import statuslist
from microdegree_xblock.credentials.statuslist import LIST_SIZE, encode, index_for, is_set, with_bits


def _raw(encoded: str) -> bytes:
    """The bitstring of an encodedList, decoded by the spec's rules only."""
    assert encoded.startswith("u")
    body = encoded[1:]
    assert re.fullmatch(r"[A-Za-z0-9_-]*", body), "base64url alphabet, without padding"
    compressed = base64.b64decode(body + "=" * (-len(body) % 4), altchars=b"-_", validate=True)
    assert compressed[:2] == b"\x1f\x8b", "GZIP member"
    return gzip.decompress(compressed)


def _set_bits(raw: bytes) -> set[int]:
    return {n * 8 + b for n, byte in enumerate(raw) for b in range(8) if byte & (0x80 >> b)}


def _hand_made(raw: bytes) -> str:
    return "u" + base64.urlsafe_b64encode(gzip.compress(raw)).decode().rstrip("=")


def test_list_size_is_the_spec_minimum():
    assert LIST_SIZE == 131_072 == 16 * 1024 * 8
    raw = _raw(encode([]))
    assert len(raw) == 16 * 1024
    assert not any(raw)


def test_index_zero_is_the_most_significant_bit_of_the_first_byte():
    raw = _raw(encode([0]))
    assert raw[0] == 0x80
    assert not any(raw[1:])


def test_exactly_the_given_bits_are_set():
    bits = {0, 7, 8, 12_345, LIST_SIZE - 1}
    raw = _raw(encode(bits))
    assert raw[0] == 0x81  # indexes 0 and 7
    assert raw[1] == 0x80  # index 8
    assert raw[12_345 // 8] == 0x80 >> (12_345 % 8)
    assert raw[-1] == 0x01  # the last index is the right-most bit
    assert _set_bits(raw) == bits


def test_with_bits_adds_to_the_bits_already_set():
    raw = _raw(with_bits(encode([3, 100]), [100, 99_999]))
    assert _set_bits(raw) == {3, 100, 99_999}
    assert _set_bits(_raw(with_bits(None, [42]))) == {42}
    assert len(_raw(with_bits(None, []))) == LIST_SIZE // 8


def test_setting_bits_is_idempotent():
    once = with_bits(None, [5, 77])
    assert with_bits(once, [5]) == once
    assert with_bits(with_bits(once, [77]), [5, 77]) == once
    assert encode([5, 5, 77]) == encode([77, 5])


def test_with_bits_keeps_the_size_of_an_existing_list():
    small = encode([1], size=64)
    assert len(_raw(small)) == 8
    assert _set_bits(_raw(with_bits(small, [63]))) == {1, 63}
    with pytest.raises(ValueError):
        with_bits(small, [64])


@pytest.mark.parametrize("index", [-1, LIST_SIZE, LIST_SIZE + 8])
def test_out_of_range_indexes_are_refused(index):
    with pytest.raises(ValueError):
        encode([index])
    with pytest.raises(ValueError):
        with_bits(None, [index])
    # the last entry set: a negative index would read it from the end of the list
    with pytest.raises(ValueError, match="outside the list"):
        is_set(encode([LIST_SIZE - 1]), index)


def test_is_set_reads_a_list_made_by_another_implementation():
    raw = bytearray(LIST_SIZE // 8)
    raw[0] = 0b0100_0000  # index 1
    raw[-1] = 0b0000_0001  # index 131071
    encoded = _hand_made(bytes(raw))
    assert is_set(encoded, 1)
    assert is_set(encoded, LIST_SIZE - 1)
    assert not is_set(encoded, 0)
    assert not is_set(encoded, 2)
    assert not is_set(encoded, LIST_SIZE - 2)


def test_decode_refuses_a_non_base64url_multibase():
    with pytest.raises(ValueError):
        statuslist.decode("z" + _hand_made(bytes(16))[1:])


def test_index_for_hands_out_every_index_once():
    indexes = [index_for(counter) for counter in range(LIST_SIZE)]
    assert set(indexes) == set(range(LIST_SIZE))


def test_index_for_spreads_neighbouring_counters():
    assert all(abs(index_for(c + 1) - index_for(c)) > 1 for c in range(1_000))


@pytest.mark.parametrize("counter", [-1, LIST_SIZE])
def test_index_for_refuses_counters_outside_the_list(counter):
    with pytest.raises(ValueError):
        index_for(counter)
