"""Field encryption at rest (AES-256-GCM) and keyed blind indexes for lookups.

Ciphertexts are ``v1:<key id>:<nonce+ciphertext, base64>``; the key id lets
``fenpay rotate-key`` re-encrypt while old keys still decrypt.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os

from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from . import runtime


def key_id(key: bytes) -> str:
    return hashlib.sha256(b"fenpay-key-id" + key).hexdigest()[:8]


def _keys() -> dict[str, bytes]:
    settings = runtime.settings()
    keys = {key_id(k): k for k in settings.old_encryption_keys}
    keys[key_id(settings.encryption_key)] = settings.encryption_key
    return keys


def encrypt(plaintext: str, *, key: bytes | None = None) -> str:
    key = key or runtime.settings().encryption_key
    nonce = os.urandom(12)
    sealed = AESGCM(key).encrypt(nonce, plaintext.encode(), None)
    return f"v1:{key_id(key)}:{base64.urlsafe_b64encode(nonce + sealed).decode()}"


def decrypt(token: str) -> str:
    version, kid, body = token.split(":", 2)
    if version != "v1":
        raise ValueError("unknown ciphertext version")
    key = _keys().get(kid)
    if key is None:
        raise ValueError("ciphertext key is not configured")
    raw = base64.urlsafe_b64decode(body)
    return AESGCM(key).decrypt(raw[:12], raw[12:], None).decode()


def needs_rotation(token: str) -> bool:
    return token.split(":", 2)[1] != key_id(runtime.settings().encryption_key)


def blind_index(value: str, purpose: str) -> str:
    """Keyed hash for equality lookups (uniqueness of ID and card numbers). Uses the pepper,
    which does not rotate with the encryption key."""
    pepper = runtime.settings().payment_pepper
    return hmac.new(pepper, f"{purpose}:{value}".encode(), hashlib.sha256).hexdigest()
