"""Sentence boundaries with exact offsets, offline (no NLTK data, no model).

A boundary is `.`, `!`, `?` or `…` (plus closing quotes/brackets) followed by whitespace and a
character that can start a sentence; common abbreviations are not boundaries.
"""

from __future__ import annotations

import re

_END = re.compile(r"[.!?…]+[\"”’')\]]*(?=\s|$)")
_ABBREVIATIONS = {"vs", "e.g", "i.e", "mr", "mrs", "ms", "dr", "st", "etc", "no", "u.s", "fig", "approx", "cf"}
_BULLET = re.compile(r"^\s*(?:[-*•]|\d+[.)])\s+")


def split_sentences(text: str, offset: int = 0) -> list[tuple[int, int]]:
    """(start, end) offsets of the sentences in `text`, shifted by `offset`. Each line ends a sentence."""
    spans: list[tuple[int, int]] = []
    line_start = 0
    for line in text.split("\n"):
        spans.extend((offset + line_start + s, offset + line_start + e) for s, e in _split_line(line))
        line_start += len(line) + 1
    return spans


def _split_line(line: str) -> list[tuple[int, int]]:
    bullet = _BULLET.match(line)
    start = bullet.end() if bullet else 0
    spans: list[tuple[int, int]] = []
    for match in _END.finditer(line):
        end = match.end()
        if not _is_boundary(line, match.start(), end):
            continue
        _append(spans, line, start, end)
        start = end
    _append(spans, line, start, len(line))
    return spans


def _is_boundary(line: str, dot: int, end: int) -> bool:
    rest = line[end:].lstrip()
    if not rest:
        return True
    if rest[0].islower():
        return False
    word = re.findall(r"[\w.]+$", line[:dot])
    return not (line[dot] == "." and word and word[0].lower().rstrip(".") in _ABBREVIATIONS)


def _append(spans: list[tuple[int, int]], line: str, start: int, end: int) -> None:
    piece = line[start:end]
    stripped = piece.strip()
    if not stripped or not any(ch.isalnum() for ch in stripped):
        return
    lead = len(piece) - len(piece.lstrip())
    spans.append((start + lead, start + lead + len(stripped)))
