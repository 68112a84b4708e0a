"""One rule for text that crosses a boundary (a message from the page or the API, a session file, an export):
no control characters and no bidi controls.

Terminal escapes (ESC, BEL, NUL, C1 controls such as CSI) can rewrite what a terminal shows when a
transcript is printed; bidi overrides and isolates (U+202A–U+202E, U+2066–U+2069) make text read
differently from what it says ("Trojan Source"). Each such character becomes one space, so lengths and
the character offsets of citations stay as they were. Newlines and tabs are kept. A leaf module: it
imports nothing of Counterpoint's, so every layer may use it.
"""

from __future__ import annotations

import re
from typing import Any

# The one home of Counterpoint's control-character patterns. Each replaces what it matches with a space;
# they differ only in which line breaks survive, because the text they clean differs:
#   UNSAFE: text that is stored or shown (sessions, exports, transcripts): C0 controls but tab and newline,
#     DEL, the C1 controls and the bidi controls. A carriage return goes too (terminals honour it).
#   MESSAGE_CONTROL: a chat message as the debate service receives it: C0 controls and DEL, but tab, newline and
#     carriage return (a pasted CRLF paragraph stays a paragraph; the service splits sentences on them).
#   LINE_CONTROL: a one-line field (a student's display name): every C0 control, line breaks and tabs included.
UNSAFE = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
MESSAGE_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
LINE_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def clean_text(text: str) -> str:
    """`text` with every control character (but newline and tab) and bidi control replaced by a space."""
    return UNSAFE.sub(" ", text)


def clean_strings(value: Any) -> Any:
    """`clean_text` applied to every string inside JSON-like data (dicts, lists, tuples); the rest as is."""
    if isinstance(value, str):
        return clean_text(value)
    if isinstance(value, dict):
        return {key: clean_strings(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [clean_strings(item) for item in value]
    return value
