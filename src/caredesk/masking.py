"""Personal data posted in public, masked in what people see unless their role needs it.

Triage records where the personal data in a message is. A card number is never shown whole
to anyone (its last four digits are enough to talk about it); read-only users see no
personal data at all. What is stored is unchanged: masking happens when a page is made.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from caredesk.models import Role

LABELS = {"email": "e-mail", "phone": "phone", "address": "address", "order": "order number"}


def masked(text: str, pii: Sequence[Mapping[str, Any]] | None, role: Role) -> str:
    """`text` with the spans that `role` should not see replaced by a short label."""
    if not pii:
        return text
    pieces: list[str] = []
    at = 0
    for span in sorted(pii, key=lambda s: int(s["start"])):
        start, end, kind = int(span["start"]), int(span["end"]), str(span["type"])
        if start < at or end > len(text) or start >= end:
            continue  # stored offsets that no longer fit the text: leave it as it is
        if kind == "card":
            digits = [c for c in text[start:end] if c.isdigit()]
            shown = f"[card ending {''.join(digits[-4:])}]" if role is not Role.READ_ONLY else "[card]"
        elif role is Role.READ_ONLY:
            shown = f"[{LABELS.get(kind, kind)}]"
        else:
            continue
        pieces.extend((text[at:start], shown))
        at = end
    pieces.append(text[at:])
    return "".join(pieces)
