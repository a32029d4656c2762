"""
Ed25519 keys and their encodings: PEM for storage and settings, Multikey (multibase base58-btc) for publication.
"""
from __future__ import annotations

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

__all__ = [
    "Ed25519PrivateKey", "Ed25519PublicKey", "base58btc_decode", "base58btc_encode", "generate_private_key",
    "private_key_from_pem", "private_key_to_pem", "public_key_from_multibase", "public_key_multibase",
]

_ALPHABET = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"
_INDEX = {char: i for i, char in enumerate(_ALPHABET)}
# Multicodec prefix of an Ed25519 public key (0xed, as an unsigned varint: 0xed 0x01).
_ED25519_PUB = b"\xed\x01"


def base58btc_encode(data: bytes) -> str:
    """Base58 (Bitcoin alphabet); leading zero bytes become leading '1's."""
    number = int.from_bytes(data, "big")
    chars = []
    while number:
        number, rest = divmod(number, 58)
        chars.append(_ALPHABET[rest])
    zeros = len(data) - len(data.lstrip(b"\0"))
    return "1" * zeros + "".join(reversed(chars))


def base58btc_decode(text: str) -> bytes:
    """The inverse of :func:`base58btc_encode`."""
    number = 0
    for char in text:
        if char not in _INDEX:
            raise ValueError(f"{char!r} is not a base58btc character")
        number = number * 58 + _INDEX[char]
    zeros = len(text) - len(text.lstrip("1"))
    body = number.to_bytes((number.bit_length() + 7) // 8, "big") if number else b""
    return b"\0" * zeros + body


def generate_private_key() -> Ed25519PrivateKey:
    """A new random Ed25519 key."""
    return Ed25519PrivateKey.generate()


def private_key_to_pem(key: Ed25519PrivateKey) -> str:
    """The key as unencrypted PKCS#8 PEM."""
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode("ascii")


def private_key_from_pem(text: str) -> Ed25519PrivateKey:
    """
    An Ed25519 key from PKCS#8 PEM (as :func:`private_key_to_pem` writes it, or ``openssl genpkey -algorithm ed25519``).

    Raises:
        ValueError: if the text is not an Ed25519 private key, or is an encrypted one (give it unencrypted).
    """
    try:
        key = serialization.load_pem_private_key(text.strip().encode("ascii"), password=None)
    except TypeError as exc:  # cryptography: "Password was not given but private key is encrypted"
        raise ValueError("the private key is encrypted: give an unencrypted PKCS#8 PEM") from exc
    except UnicodeEncodeError as exc:
        raise ValueError("a PEM private key is ASCII text") from exc
    if not isinstance(key, Ed25519PrivateKey):
        raise ValueError("not an Ed25519 private key")
    return key


def public_key_multibase(key: Ed25519PublicKey | Ed25519PrivateKey) -> str:
    """The Multikey ``publicKeyMultibase`` of a key: ``z`` + base58btc(0xed01 + 32 key bytes)."""
    public = key.public_key() if isinstance(key, Ed25519PrivateKey) else key
    raw = public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return "z" + base58btc_encode(_ED25519_PUB + raw)


def public_key_from_multibase(text: str) -> Ed25519PublicKey:
    """
    The Ed25519 public key of a Multikey ``publicKeyMultibase``.

    Raises:
        ValueError: if it is not a base58btc multibase Ed25519 public key.
    """
    if not text.startswith("z"):
        raise ValueError("only base58btc multibase ('z') keys are supported")
    data = base58btc_decode(text[1:])
    if not data.startswith(_ED25519_PUB) or len(data) != len(_ED25519_PUB) + 32:
        raise ValueError("not an Ed25519 multikey")
    return Ed25519PublicKey.from_public_bytes(data[len(_ED25519_PUB):])
