"""Free text typed by people: whether it says anything, and within which length."""

from __future__ import annotations

import unicodedata


def compact(value: object) -> str:
    """A number or code as typed, made plain: full-width characters (a Chinese input method)
    normalised (NFKC), every space removed. ``１３９ １２３４`` is ``1391234``."""
    return "".join(unicodedata.normalize("NFKC", str(value or "")).split())


def says_something(text: str) -> bool:
    """Whether ``text`` shows anything: not only spaces, control characters or zero-width
    characters (a reason of U+200B alone is no reason)."""
    return any(unicodedata.category(ch)[0] not in "CZ" for ch in text)
