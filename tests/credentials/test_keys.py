"""
Ed25519 keys: PKCS#8 PEM, base58btc and the Multikey ``publicKeyMultibase``.

Checked against the base58btc vectors of draft-msporny-base58 (Bitcoin alphabet, leading zero bytes as '1's) and
the Multikey encoding of W3C Controlled Identifiers 1.0 (``z`` + base58btc(0xed 0x01 + 32 key bytes), so ``z6Mk...``),
with the example key pair of W3C Data Integrity EdDSA Cryptosuites v1.0 (vc-di-eddsa) as a known vector.
"""
from __future__ import annotations

import os

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from microdegree_xblock.credentials.keys import (
    Ed25519PrivateKey,
    base58btc_decode,
    base58btc_encode,
    generate_private_key,
    private_key_from_pem,
    private_key_to_pem,
    public_key_from_multibase,
    public_key_multibase,
)

# vc-di-eddsa example key pair: secretKeyMultibase is z + base58btc(0x80 0x26 + 32-byte seed).
_SECRET_MULTIBASE = "z3u2en7t5LR2WtQH5PfFqMqwVHBeXouLzo6haApm8XHqvjxq"
_PUBLIC_MULTIBASE = "z6MkrJVnaZkeFzdQyMZu1cgjg7k1pZZ6pvBQ7XJPt4swbTQ2"


def _raw_public(key) -> bytes:
    return key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


@pytest.mark.parametrize(("data", "text"), [
    (b"hello world", "StV1DL6CwTryKyV"),
    (b"Hello World!", "2NEpo7TZRRrLZSi2U"),
    (bytes.fromhex("0000287fb4cd"), "11233QC4"),
    (b"\0", "1"),
    (b"\0\0\0", "111"),
    (b"", ""),
])
def test_base58btc_vectors(data, text):
    assert base58btc_encode(data) == text
    assert base58btc_decode(text) == data


def test_base58btc_round_trip_keeps_leading_zero_bytes():
    for data in (b"\0" + os.urandom(31), b"\0\0\xff", os.urandom(34)):
        assert base58btc_decode(base58btc_encode(data)) == data


@pytest.mark.parametrize("char", ["0", "O", "I", "l", "+", " "])
def test_base58btc_refuses_characters_outside_the_alphabet(char):
    with pytest.raises(ValueError):
        base58btc_decode(f"StV1{char}DL6")


def test_multikey_of_the_vc_di_eddsa_example_key():
    seed = base58btc_decode(_SECRET_MULTIBASE[1:])
    assert seed[:2] == b"\x80\x26"
    key = Ed25519PrivateKey.from_private_bytes(seed[2:])
    assert public_key_multibase(key) == _PUBLIC_MULTIBASE
    assert public_key_multibase(key.public_key()) == _PUBLIC_MULTIBASE
    assert _raw_public(public_key_from_multibase(_PUBLIC_MULTIBASE)) == _raw_public(key.public_key())


def test_multikey_layout_and_round_trip():
    key = generate_private_key()
    text = public_key_multibase(key)
    assert text.startswith("z6Mk")
    data = base58btc_decode(text[1:])
    assert data[:2] == b"\xed\x01"
    assert data[2:] == _raw_public(key.public_key())
    assert _raw_public(public_key_from_multibase(text)) == data[2:]


def test_pem_round_trip_is_unencrypted_pkcs8():
    key = generate_private_key()
    pem = private_key_to_pem(key)
    assert pem.startswith("-----BEGIN PRIVATE KEY-----\n")
    assert "ENCRYPTED" not in pem
    loaded = private_key_from_pem(pem)
    assert _raw_public(loaded.public_key()) == _raw_public(key.public_key())
    assert private_key_from_pem(f"\n  {pem}  \n").private_bytes_raw() == key.private_bytes_raw()


def test_pem_of_another_key_type_is_refused():
    p256 = ec.generate_private_key(ec.SECP256R1()).private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()
    with pytest.raises(ValueError):
        private_key_from_pem(p256)


@pytest.mark.parametrize("text", [
    "",
    "not a key",
    "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n",
    "-----BEGIN PRIVATE KEY-----\nCharité\n-----END PRIVATE KEY-----\n",
])
def test_garbage_pem_is_refused(text):
    with pytest.raises(ValueError):
        private_key_from_pem(text)


def test_public_key_pem_is_refused_as_private_key():
    public_pem = generate_private_key().public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    ).decode()
    with pytest.raises(ValueError):
        private_key_from_pem(public_pem)


def test_multibase_other_than_base58btc_is_refused():
    text = public_key_multibase(generate_private_key())
    with pytest.raises(ValueError):
        public_key_from_multibase("u" + text[1:])
    with pytest.raises(ValueError):
        public_key_from_multibase(text[1:])  # no multibase prefix at all


@pytest.mark.parametrize("data", [
    b"\xec\x01" + bytes(range(32)),  # x25519-pub
    b"\xe7\x01\x02" + bytes(range(32)),  # secp256k1-pub (33-byte compressed key)
    b"\x80\x26" + bytes(range(32)),  # ed25519-priv
    b"\xed\x01" + bytes(range(31)),  # too short
    b"\xed\x01" + bytes(range(33)),  # too long
    bytes(range(1, 33)),  # no multicodec prefix
])
def test_wrong_multicodec_prefix_or_length_is_refused(data):
    with pytest.raises(ValueError):
        public_key_from_multibase("z" + base58btc_encode(data))


def test_an_encrypted_pem_is_refused_with_a_clear_error():
    encrypted = generate_private_key().private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
        serialization.BestAvailableEncryption(b"secret")).decode()
    with pytest.raises(ValueError, match="encrypted"):
        private_key_from_pem(encrypted)


def test_a_pem_with_non_ascii_text_is_refused():
    with pytest.raises(ValueError, match="ASCII"):
        private_key_from_pem("-----BEGIN PRIVATE KEY-----\nschlüssel\n-----END PRIVATE KEY-----")
