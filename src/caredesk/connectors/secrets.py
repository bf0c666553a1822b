"""Network credentials, encrypted at rest.

Tokens and app secrets are stored as one Fernet token (AES-128-CBC + HMAC-SHA256) per
account. The key comes from CAREDESK_SECRET_KEY, or is generated once into a file readable only
by its owner. A wrong key is reported as such rather than as garbled credentials.
"""

from __future__ import annotations

import base64
import hashlib
import os
import secrets
from collections.abc import Mapping
from pathlib import Path

import orjson
from cryptography.fernet import Fernet, InvalidToken

from caredesk.settings import Settings


class SecretKeyError(RuntimeError):
    """The stored credentials cannot be read with this key."""


class Vault:
    """Encrypts and decrypts the secrets of brand accounts."""

    def __init__(self, key: str) -> None:
        # Any string is accepted as a key: it is stretched to Fernet's 32 bytes.
        digest = hashlib.sha256(b"caredesk-credentials\0" + key.encode()).digest()
        self._fernet = Fernet(base64.urlsafe_b64encode(digest))

    @classmethod
    def from_settings(cls, settings: Settings) -> Vault:
        if settings.secret_key is not None:
            return cls(settings.secret_key.get_secret_value())
        return cls(_key_from_file(settings.secret_key_file))

    def seal(self, values: Mapping[str, str]) -> str:
        return self._fernet.encrypt(orjson.dumps(dict(values))).decode("ascii")

    def open(self, sealed: str | None) -> dict[str, str]:
        if not sealed:
            return {}
        try:
            values = orjson.loads(self._fernet.decrypt(sealed.encode("ascii")))
        except InvalidToken:
            raise SecretKeyError(
                "stored credentials cannot be decrypted with this secret key: restore the "
                "CAREDESK_SECRET_KEY (or key file) they were saved with, or enter them again"
            ) from None
        return {str(name): str(value) for name, value in values.items()}


def _key_from_file(path: Path) -> str:
    try:
        return path.read_text().strip()
    except FileNotFoundError:
        pass
    key = secrets.token_urlsafe(32)
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:  # another process made it first
        return path.read_text().strip()
    with os.fdopen(descriptor, "w") as file:
        file.write(key + "\n")
    return key
