"""What a quotation is: the one home of Counterpoint's quotation patterns.

`find_quotations` is the rule everything shares: the verifier (`citations.verify_citations`), the web page's
quote chips, the classroom's evidence checks and the eval's quote metrics. Where a reader genuinely needs a
different rule it is a named option of the same function, not a second pattern:

- default: curly quotes pair explicitly (“…”), straight quotes pair in order of appearance; a quotation
  never spans a line and has at least `MIN_QUOTE_WORDS` words.
- `single_quotes=True`: when no double or curly quotation is found, single quotes around a phrase of 8–300
  characters also count ('the lazy consensus insists') — users quote that way; in model text a stray
  apostrophe pair would be misread, so only the reading of a user's message asks for it.
- `mixed_marks=True`: also any opening mark (" or “) closed by the next closing mark (" or ”) — model text
  often mismatches them; the scaffold's filter and the concession check (`strip_quotations`) read it this way.

`ANY_QUOTED` is wider still (single quotes, guillemets): the injection filter treats any quoted stretch as
reported speech, not an instruction.
"""

from __future__ import annotations

import re

CURLY_QUOTATION = re.compile(r"“([^“”\n]+)”")
MIXED_QUOTATION = re.compile(r"[\"“]([^\"“”\n]*)[\"”]")
SINGLE_QUOTATION = re.compile(r"(?<![\w’'])['‘]([^'‘’\n]{8,300})['’](?![\w’'])")
ANY_QUOTED = re.compile(
    r"\"([^\"\n]{1,400})\"|“([^”\n]{1,400})”|(?<!\w)'([^'\n]{1,400})'(?!\w)|‘([^’\n]{1,400})’|«([^»\n]{1,400})»"
)
MIN_QUOTE_WORDS = 3  # shorter quoted stretches are scare quotes or titles, not quotations of the text


def find_quotations(
    text: str, *, min_words: int = MIN_QUOTE_WORDS, single_quotes: bool = False, mixed_marks: bool = False
) -> list[tuple[int, int]]:
    """Spans (inside the quote marks) of the text's quotations of `min_words` words or more, in order.

    See the module docstring for `single_quotes` (a user's message) and `mixed_marks` (model text).
    """
    spans = [m.span(1) for m in CURLY_QUOTATION.finditer(text)]
    straight = [m.start() for m in re.finditer('"', text)]
    spans += [(a + 1, b) for a, b in zip(straight[::2], straight[1::2], strict=False) if "\n" not in text[a:b]]
    if mixed_marks:
        spans = list(dict.fromkeys([*spans, *(m.span(1) for m in MIXED_QUOTATION.finditer(text))]))
    found = sorted(span for span in spans if len(text[span[0] : span[1]].split()) >= min_words)
    if not found and single_quotes:
        spans = [m.span(1) for m in SINGLE_QUOTATION.finditer(text)]
        found = [span for span in spans if len(text[span[0] : span[1]].split()) >= min_words]
    return found


def strip_quotations(text: str) -> str:
    """The text with every quotation (any length, mixed marks, the marks included) blanked out with spaces.

    Lengths and offsets stay as they were, so sentence spans of `text` still apply. What is left is the
    writer's own words: what a concession check reads.
    """
    chars = list(text)
    for start, end in find_quotations(text, min_words=0, mixed_marks=True):
        chars[start - 1 : end + 1] = " " * (end - start + 2)
    return "".join(chars)
