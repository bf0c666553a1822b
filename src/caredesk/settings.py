"""One typed settings object; every option can be set from the environment (`CAREDESK_*`)."""

from __future__ import annotations

from datetime import timedelta
from functools import lru_cache
from pathlib import Path

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_DATABASE_PATH = Path("caredesk.db")


class Settings(BaseSettings):
    """Caredesk configuration. Secrets come only from the environment, never from files in the repo."""

    model_config = SettingsConfigDict(env_prefix="CAREDESK_", extra="ignore")

    database_url: str = Field(
        default=f"sqlite:///{DEFAULT_DATABASE_PATH}",
        description=(
            "SQLAlchemy URL of the store: a SQLite file (default, nothing to install) or "
            "PostgreSQL for production, e.g. postgresql+psycopg://user@host/caredesk."
        ),
    )
    reopen_window_days: float = Field(
        default=7.0,
        ge=0,
        description=(
            "A new customer message on a resolved conversation reopens it when it comes within "
            "this many days of the resolution; later it starts a new conversation."
        ),
    )
    import_batch_size: int = Field(
        default=5_000,
        ge=1,
        le=100_000,
        description="Rows written per transaction by importers: bigger is faster, smaller uses less memory.",
    )

    loopback_delivery: bool = Field(
        default=True,
        description=(
            "Deliver replies to Caredesk's built-in loopback network instead of the real one: "
            "the demo and tests work offline with it. Turn it off once network accounts are connected."
        ),
    )
    secure_cookies: bool = Field(
        default=False,
        description="Mark session cookies Secure: set it when Caredesk is served behind TLS.",
    )

    secret_key: SecretStr | None = Field(
        default=None,
        description=(
            "The key that encrypts network credentials at rest (any long random string). "
            "Unset: a key is generated once into secret_key_file."
        ),
    )
    secret_key_file: Path = Field(
        default=Path("caredesk.key"),
        description="Where the generated key lives when CAREDESK_SECRET_KEY is unset (made with mode 0600).",
    )

    @property
    def reopen_window(self) -> timedelta:
        return timedelta(days=self.reopen_window_days)


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings, read once from the environment."""
    return Settings()
