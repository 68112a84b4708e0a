"""Prompt-injection defences: spot instructions in messages and documents, and keep them from the model.

Passages are data. A sentence in a document that reads like an instruction to the assistant is redacted
before any model sees it, and never quoted by the scaffold.
"""

from __future__ import annotations

import re

from ingest.sentences import split_sentences

INJECTION = re.compile(
    r"\b(ignore|disregard|forget) (all |any |the |your )?(previous|prior|above|earlier)? ?"
    r"(instructions|rules|prompts?)\b|"
    r"\b(system prompt|your (instructions|rules|prompt))\b|\byou are now\b|\bact as\b|\bdeveloper mode\b|"
    r"\b(print|say|output|repeat|respond with) (exactly|only|the (word|code|string))\b|"
    r"\b(end|start|begin) (every|each|your) (reply|answer|response)\b|\bnote to the (assistant|ai|model)\b",
    re.IGNORECASE,
)

REDACTED = "[instruction-like text removed]"


def redact_instructions(text: str) -> str:
    """Replace instruction-like sentences of a passage with a visible placeholder."""
    out, last = [], 0
    for start, end in split_sentences(text):
        if INJECTION.search(text[start:end]):
            out += [text[last:start], REDACTED]
            last = end
    return "".join([*out, text[last:]])
