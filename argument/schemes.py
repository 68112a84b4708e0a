"""Argument schemes of the author's reasons (Walton): which kind of inference a sentence makes."""

from __future__ import annotations


def detect_scheme(text: str) -> str | None:
    """The argument scheme a sentence uses, or None when no scheme is recognisable."""
    return None
