"""Errors of actions that the API and pages turn into answers."""

from __future__ import annotations


class ConflictError(ValueError):
    """The change contradicts the conversation's state (e.g. someone else owns it)."""
