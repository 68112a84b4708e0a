"""Normalised text matching with offsets back into the original (quotes, dashes, whitespace, case)."""

from __future__ import annotations

import re

_QUOTES = str.maketrans(
    {
        "‘": "'",
        "’": "'",
        "‚": "'",
        "‛": "'",
        "“": '"',
        "”": '"',
        "„": '"',
        "‟": '"',
        "–": "-",
        "—": "-",
        "−": "-",
        "‐": "-",
        "‑": "-",
    }
)
_WORD = re.compile(r"[a-z0-9$%]+(?:'[a-z]+)?")


def normalise(text: str) -> str:
    """Case-fold, straighten quotes and dashes, collapse whitespace."""
    return re.sub(r"\s+", " ", text.translate(_QUOTES).lower()).strip()


class NormalisedText:
    """A source text in normalised form, able to map a match back to original offsets."""

    def __init__(self, text: str) -> None:
        self.original = text
        chars: list[str] = []
        index: list[int] = []
        last_space = True
        for i, ch in enumerate(text.translate(_QUOTES).lower()):
            if ch.isspace():
                if last_space:
                    continue
                ch, last_space = " ", True
            else:
                last_space = False
            chars.append(ch)
            index.append(i)
        self.text = "".join(chars)
        self.index = index

    def find(self, needle: str) -> tuple[int, int] | None:
        """Original (start, end) of the first occurrence of `needle`, compared normalised."""
        key = normalise(needle).strip(" .,;:!?\"'")
        if not key:
            return None
        at = self.text.find(key)
        if at < 0:
            return None
        return self.index[at], self.index[at + len(key) - 1] + 1


def words(text: str) -> list[str]:
    return _WORD.findall(text.translate(_QUOTES).lower())
