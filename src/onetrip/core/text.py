"""Free text typed by people: whether it says anything, and within which length."""

from __future__ import annotations

import unicodedata


def says_something(text: str) -> bool:
    """Whether ``text`` shows anything: not only spaces, control characters or zero-width
    characters (a reason of U+200B alone is no reason)."""
    return any(unicodedata.category(ch)[0] not in "CZ" for ch in text)
