"""Personal data at rest: ID and phone numbers are encrypted, and found again by a keyed hash.

- Encryption is AES-256-GCM (authenticated: a changed byte fails to decrypt rather than reading
  as another number). A stored value is ``key id (4 bytes) ‖ nonce (12) ‖ ciphertext+tag``; the key
  id is the first four bytes of SHA-256 of the key, so several keys can be in force at once.
- ``DATA_KEYS`` (settings, from the environment) lists the keys, the current one first. Rotating:
  put a new key first, keep the old ones after it, run ``manage.py rotate_data_keys`` (which
  re-encrypts every value under the current key), then drop the old keys.
- Lookups never decrypt: ``lookup_hash`` is HMAC-SHA256 under ``LOOKUP_KEY``, so equal numbers
  have equal hashes (one person, one record) but the hash says nothing without the key.

Keys never reach the database, the logs or an error message.
"""

import base64
import hashlib
import hmac
import os
import uuid
from functools import cache

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

KEY_ID_BYTES = 4
NONCE_BYTES = 12
LOOKUP_BITS = 128


class UndecryptableValue(ValueError):
    """The value was encrypted under a key that is no longer configured, or was altered."""


def _key_id(key: bytes) -> bytes:
    return hashlib.sha256(key).digest()[:KEY_ID_BYTES]


def decode_key(text: str) -> bytes:
    key = base64.urlsafe_b64decode(text.strip() + "=" * (-len(text.strip()) % 4))
    if len(key) != 32:
        raise ImproperlyConfigured("Each of DATA_KEYS must be 32 bytes, base64-encoded (manage.py new_data_key).")
    return key


def new_key() -> str:
    return base64.urlsafe_b64encode(os.urandom(32)).decode().rstrip("=")


@cache
def _ciphers(keys: tuple[str, ...]) -> tuple[tuple[bytes, AESGCM], dict[bytes, AESGCM]]:
    if not keys:
        raise ImproperlyConfigured("DATA_KEYS is empty: set at least one key.")
    decoded = [decode_key(k) for k in keys]
    by_id = {_key_id(k): AESGCM(k) for k in decoded}
    return (_key_id(decoded[0]), by_id[_key_id(decoded[0])]), by_id


def _current() -> tuple[tuple[bytes, AESGCM], dict[bytes, AESGCM]]:
    return _ciphers(tuple(settings.DATA_KEYS))


def encrypt(text: str) -> bytes:
    (key_id, cipher), _ = _current()
    nonce = os.urandom(NONCE_BYTES)
    return key_id + nonce + cipher.encrypt(nonce, text.encode(), None)


def encrypt_all(texts: list[str]) -> list[bytes]:
    """``encrypt`` for many values at once (an import): the key looked up and the random nonces
    drawn once for all of them."""
    (key_id, cipher), _ = _current()
    nonces = os.urandom(NONCE_BYTES * len(texts))
    sealed = []
    for index, text in enumerate(texts):
        nonce = nonces[index * NONCE_BYTES : (index + 1) * NONCE_BYTES]
        sealed.append(key_id + nonce + cipher.encrypt(nonce, text.encode(), None))
    return sealed


def decrypt(blob: bytes) -> str:
    _, by_id = _current()
    blob = bytes(blob)
    cipher = by_id.get(blob[:KEY_ID_BYTES])
    if cipher is None:
        raise UndecryptableValue("encrypted under a key that is not in DATA_KEYS")
    nonce = blob[KEY_ID_BYTES : KEY_ID_BYTES + NONCE_BYTES]
    try:
        return cipher.decrypt(nonce, blob[KEY_ID_BYTES + NONCE_BYTES :], None).decode()
    except InvalidTag:
        raise UndecryptableValue("the encrypted value was altered") from None


def is_current(blob: bytes) -> bool:
    """Encrypted under the current key (rotation skips these)."""
    (key_id, _), _ = _current()
    return bytes(blob[:KEY_ID_BYTES]) == key_id


def lookup_hash(text: str) -> uuid.UUID:
    """The keyed hash a value is found by: equal for equal values, meaningless without the key.

    HMAC-SHA256 cut to its first 128 bits (``LOOKUP_BITS``) and kept in a ``uuid`` column: 16 bytes
    compared as bytes, where the full hash in hex took 64 characters compared by collation. The
    unique index on it is a quarter of the size, which is what an import of 10^5 people pays for
    (docs/members.md). Two different numbers share a hash with odds of about n²/2^129."""
    mac = _lookup_mac(settings.LOOKUP_KEY).copy()
    mac.update(text.encode())
    return uuid.UUID(bytes=mac.digest()[: LOOKUP_BITS // 8])


def lookup_hashes(texts: list[str]) -> list[uuid.UUID]:
    """``lookup_hash`` for many values at once (an import)."""
    keyed, size = _lookup_mac(settings.LOOKUP_KEY), LOOKUP_BITS // 8
    hashes = []
    for text in texts:
        mac = keyed.copy()
        mac.update(text.encode())
        hashes.append(uuid.UUID(bytes=mac.digest()[:size]))
    return hashes


@cache
def _lookup_mac(key: str) -> "hmac.HMAC":
    # Keyed once: each hash then copies it, which skips hashing the key's pads again.
    return hmac.new(key.encode(), digestmod=hashlib.sha256)
