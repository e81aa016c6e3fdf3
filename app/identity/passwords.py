"""Login passwords (argon2id) and payment passwords (keyed hash with a server-side pepper).

A payment password has only 10^6 values, so a slow hash would not protect a
leaked database; the pepper (not in the database) does, and the 5-try lockout
protects the live system. Verifying costs microseconds.
"""

from __future__ import annotations

import hashlib
import hmac

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from .. import runtime

_hasher = PasswordHasher()
# A hash to verify against when the account does not exist, so timing does not reveal it.
_DUMMY_HASH = _hasher.hash("fenpay-dummy-password-1!")


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    try:
        return _hasher.verify(password_hash or _DUMMY_HASH, password) and password_hash is not None
    except (VerificationError, InvalidHashError):
        return False


def hash_payment_password(user_id: int, pin: str) -> str:
    pepper = runtime.settings().payment_pepper
    return hmac.new(pepper, f"pin:{user_id}:{pin}".encode(), hashlib.sha256).hexdigest()


def payment_password_matches(user_id: int, stored: str | None, pin: str) -> bool:
    return stored is not None and hmac.compare_digest(stored, hash_payment_password(user_id, pin))
