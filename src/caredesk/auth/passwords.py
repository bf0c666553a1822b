"""Passwords, hashed with argon2id."""

from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

MIN_LENGTH = 10
_hasher = PasswordHasher()
# Verified against when the e-mail is unknown, so a wrong address costs as long as a wrong password.
_DUMMY_HASH = _hasher.hash("caredesk: no such user")


class WeakPasswordError(ValueError):
    """The password is too short to protect a care team's inbox."""


def check_password_strength(password: str) -> str:
    if len(password) < MIN_LENGTH:
        raise WeakPasswordError(f"use a password of at least {MIN_LENGTH} characters")
    return password


def hash_password(password: str) -> str:
    return _hasher.hash(check_password_strength(password))


def verify_password(password_hash: str | None, password: str) -> bool:
    """True when `password` matches; always spends the time of one verification."""
    try:
        return _hasher.verify(password_hash or _DUMMY_HASH, password) and password_hash is not None
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False
