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
from functools import cache

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

KEY_ID_BYTES = 4
NONCE_BYTES = 12


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


def lookup_hash(text: str) -> str:
    """The keyed hash a value is found by (hex): equal for equal values, meaningless without the key."""
    return hmac.new(settings.LOOKUP_KEY.encode(), text.encode(), hashlib.sha256).hexdigest()
