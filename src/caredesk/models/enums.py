"""The closed vocabularies of the domain. Stored as short strings with CHECK constraints."""

from __future__ import annotations

from enum import StrEnum


class Direction(StrEnum):
    INBOUND = "inbound"  # from a customer
    OUTBOUND = "outbound"  # from the brand (an agent, or the brand account itself)
    NOTE = "note"  # internal note, never sent anywhere


class Visibility(StrEnum):
    PUBLIC = "public"  # a post, comment or reply anyone can see
    PRIVATE = "private"  # a direct message on the same network


class ConversationStatus(StrEnum):
    OPEN = "open"
    PENDING = "pending"  # waiting on the customer
    SNOOZED = "snoozed"
    RESOLVED = "resolved"


class StartedBy(StrEnum):
    CUSTOMER = "customer"
    BRAND = "brand"


class Role(StrEnum):
    ADMIN = "admin"
    SUPERVISOR = "supervisor"
    AGENT = "agent"
    READ_ONLY = "read_only"


def check_in(column: str, enum: type[StrEnum]) -> str:
    """SQL for a CHECK that `column` holds one of `enum`'s values."""
    values = ", ".join(f"'{member.value}'" for member in enum)
    return f"{column} IN ({values})"
