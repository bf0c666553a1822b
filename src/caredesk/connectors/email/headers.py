"""Header values from strangers made safe to keep, and ours made safe to send.

Everything read from a header is one printable line (encoded words can decode to CR/LF, which
must never reach a header we write: security.md 16). Message-IDs are kept without their angle
brackets, as the bounded keys Caredesk stores; addresses we send to are one plain addr-spec.
"""

from __future__ import annotations

import re

from caredesk.ingest.inbound import MAX_ID_LENGTH

__all__ = ["MAX_HEADER_CHARS", "message_ids", "plain_address", "single_line"]

MAX_HEADER_CHARS = 1000
_ANGLED = re.compile(r"<([^<>\s]{1,998})>")
_BARE_ID = re.compile(r"[^<>\s@]+@[^<>\s@]+")
# One addr-spec: no display name, comments, quoting, lists or whitespace. Stricter than RFC
# 5322 on purpose: whatever passes can be written into To and RCPT TO as it is.
_ADDRESS = re.compile(
    r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~.-]{1,64}@[A-Za-z0-9](?:[A-Za-z0-9.-]{0,251}[A-Za-z0-9])?", re.ASCII
)


def single_line(value: str, limit: int = MAX_HEADER_CHARS) -> str:
    """`value` as one printable line: control characters (CR, LF, NUL, tabs) become spaces."""
    line = "".join(char if char.isprintable() else " " for char in value[: limit * 2])
    return " ".join(line.split())[:limit]


def message_ids(value: str | None) -> list[str]:
    """The valid Message-IDs in a Message-ID, In-Reply-To or References header, without brackets.

    Ids are kept only when they are printable, without whitespace, and short enough to be a
    stored key; a header without angle brackets counts as one bare `left@right` id.
    """
    if not value:
        return []
    found = _ANGLED.findall(value)
    if not found:
        bare = value.strip()
        found = [bare] if _BARE_ID.fullmatch(bare) else []
    return [found_id for found_id in found if len(found_id) <= MAX_ID_LENGTH and found_id.isprintable()]


def plain_address(value: str | None) -> str | None:
    """`value` lower-cased when it is one plain `local@domain` address; None otherwise."""
    if value is None:
        return None
    candidate = value.strip()
    if len(candidate) > 254 or not _ADDRESS.fullmatch(candidate) or ".." in candidate:
        return None
    return candidate.lower()
