"""Structure-aware chunking: headings become sections; passages follow paragraphs and sentences.

Why these sizes: a passage is what a citation points at and what the UI highlights, so it should be one
argument — usually one paragraph. Paragraphs under `min_words` (one-line rhetorical beats such as
"It is also completely wrong.") join the next paragraph of their section; paragraphs over `max_words`
split at sentence boundaries. A bullet list stays with its lead-in sentence; a table (ASCII `+---+` or
Markdown `|---|`) stays whole when it fits and is embedded as a readable linearised form. A table too big
for the window splits between rows, and each later piece's embedded text starts with the table's header
(title and column-name rows) so every piece still says what its cells mean. Every passage's embedded text
fits the model's window (counted with its own tokenizer), so nothing is silently truncated.
"""

from __future__ import annotations

import hashlib
import itertools
import re
from collections.abc import Callable
from dataclasses import dataclass

from ingest.config import ChunkingConfig
from ingest.formats import pages_of
from ingest.models import Document, Passage
from ingest.sentences import split_sentences

TokenCounter = Callable[[str], int]
INTRO_SECTION = "Introduction"

_MD_HEADING = re.compile(r"^\s{0,3}#{1,6}\s+(.+?)\s*#*\s*$")
_BULLET = re.compile(r"^\s*(?:[-*•]|\d+[.)])\s+")
_TABLE = re.compile(r"^\s*[+|]")
_TERMINAL = tuple(".!?,;:\"”’')]")
_RULE_CHARS = frozenset("+|:=- \t")
_UNDERLINE = re.compile(r"^\s{0,3}(?:={3,}|-{3,})\s*$")
_HRULE = re.compile(r"^\s{0,3}(?:(?:\*\s*){3,}|(?:_\s*){3,})$")
_NUMBERED_HEADING = re.compile(r"^\s*(?:\d+(?:\.\d+)*\.?|[IVX]+\.)\s+")


@dataclass
class Unit:
    """A run of source lines that chunking never splits apart (except by sentences when too long)."""

    kind: str  # paragraph | list | table | heading
    start: int
    end: int


def chunk_document(doc: Document, config: ChunkingConfig, count_tokens: TokenCounter) -> list[Passage]:
    """Split a document into passages with exact offsets, stable ids and sentence offsets."""
    spans: list[tuple[str, str, int, int]] = []  # (kind, section, start, end)
    headers: dict[int, str] = {}  # start of a later piece of a split table -> the table's header text
    for title, units in _sections(doc.text, _read_units(doc.text)):
        spans.extend(_pack_section(doc.text, title, units, config, count_tokens, headers))
    return _make_passages(doc, spans, headers)


def linearise_table(table: str) -> str:
    """Turn an ASCII table into 'Title. Column: cell; cell. Column: cell; cell.' for embedding.

    Lines before the table (a lead-in sentence) are kept as they are.
    """
    lead_in = [line.strip() for line in table.splitlines() if line.strip() and not _TABLE.match(line)]
    rows = [_cells(line) for line in table.splitlines() if line.strip().startswith("|") and not _is_rule(line)]
    rows = [r for r in rows if any(r)]
    if not rows:
        return table
    parts: list[str] = list(lead_in)
    if len(rows[0]) == 1:
        parts.append(rows.pop(0)[0] + ".")
    if rows:
        header, body = rows[0], rows[1:]
        for col, name in enumerate(header):
            cells = [row[col] for row in body if col < len(row) and row[col]]
            parts.append(f"{name}: " + "; ".join(cells) + ".")
    return " ".join(parts)


def _cells(line: str) -> list[str]:
    return [cell.strip() for cell in line.strip().strip("|").split("|")]


def _is_rule(line: str) -> bool:
    """A table's ruling line: `+-----+`, `|---|:--:|`, `+=====+` (no cell text)."""
    stripped = line.strip()
    return ("--" in stripped or "==" in stripped) and set(stripped) <= _RULE_CHARS


def _read_units(text: str) -> list[Unit]:
    """Classify each line and merge consecutive list/table lines (and soft-wrapped paragraph lines)."""
    lines = _lines_with_offsets(text)
    blank_separated = any(not line.strip() for line, _ in lines[1:-1])
    units: list[Unit] = []
    for i, (line, start) in enumerate(lines):
        if not line.strip():
            units.append(Unit("blank", start, start))
            continue
        kind = _line_kind([ln for ln, _ in lines], i, blank_separated)
        end = start + len(line.rstrip())
        prev = units[-1] if units else None
        joins = (
            prev is not None
            and prev.kind == kind
            and (kind in ("list", "table") or (kind == "paragraph" and blank_separated))
        )
        if joins and prev is not None:
            prev.end = end
        else:
            units.append(Unit(kind, start + len(line) - len(line.lstrip()), end))
    return [u for u in units if u.kind not in ("blank", "rule")]


def _lines_with_offsets(text: str) -> list[tuple[str, int]]:
    out, pos = [], 0
    for line in text.split("\n"):
        out.append((line, pos))
        pos += len(line) + 1
    return out


def _line_kind(lines: list[str], i: int, blank_separated: bool) -> str:
    """heading | rule (an underline or a horizontal rule: dropped) | table | list | paragraph."""
    line = lines[i]
    prev_line = lines[i - 1] if i > 0 else ""
    next_line = lines[i + 1] if i + 1 < len(lines) else ""
    starts_block = not prev_line.strip() or not blank_separated
    if _MD_HEADING.match(line) or (_UNDERLINE.match(next_line) and starts_block and _heading_text(line)):
        return "heading"
    if _UNDERLINE.match(line) or _HRULE.match(line):
        return "rule"
    if _TABLE.match(line):
        return "table"
    if _NUMBERED_HEADING.match(line) and _numbered_heading(line, prev_line, next_line):
        return "heading"
    if _BULLET.match(line):
        return "list"
    followed = bool(next_line.strip()) or _text_follows(lines, i)
    return "heading" if starts_block and followed and _looks_like_heading(line) else "paragraph"


def _text_follows(lines: list[str], i: int) -> bool:
    """A line alone between blank lines is a heading only when more text comes after it."""
    return any(line.strip() for line in lines[i + 1 :])


def _heading_text(line: str) -> bool:
    """A line that can stand as a heading's words: short, not a list item, table or rule itself."""
    stripped = line.strip()
    return 0 < len(stripped.split()) <= 12 and not _TABLE.match(line) and not _UNDERLINE.match(line)


def _numbered_heading(line: str, prev_line: str, next_line: str) -> bool:
    """`2.1 The Basics` or `3. Method` on its own, not one item of a numbered list."""
    if not is_heading_line(line):
        return False
    if "." in line.split()[0].rstrip("."):  # a multi-level number (2.1, 1.1.) is a heading's
        return True
    return not _BULLET.match(prev_line) and not _BULLET.match(next_line)


def is_heading_line(line: str) -> bool:
    """Whether a line reads as a heading by itself: numbered (`2.1 The Basics`) or title-case, short, unpunctuated.

    For extracted text (PDF) where layout, not blank lines, separates blocks.
    """
    if _NUMBERED_HEADING.match(line):
        title = _NUMBERED_HEADING.sub("", line.strip(), count=1)
        closed = title.endswith(_TERMINAL) and not title.endswith("?")  # "1.2. What is this spec?" is a heading
        return bool(title) and title[0].isupper() and not closed and len(line.split()) <= 12
    return _looks_like_heading(line)


def _looks_like_heading(line: str) -> bool:
    """A short title-case (or ALL-CAPS) line without closing punctuation."""
    stripped = line.strip()
    words = stripped.split()
    if not words or len(words) > 12 or stripped.endswith(_TERMINAL):
        return False
    if not stripped[0].isupper():
        return False
    long_words = [w for w in words if len(w) > 3]
    capitalised = [w for w in long_words if w[0].isupper() or w[0] in '"“']
    return bool(long_words) and len(capitalised) / len(long_words) >= 0.6


def _sections(text: str, units: list[Unit]) -> list[tuple[str, list[Unit]]]:
    """Group units under the heading before them; text before the first heading is the introduction."""
    groups: list[tuple[str, list[Unit]]] = [(INTRO_SECTION, [])]
    for unit in units:
        if unit.kind == "heading":
            groups.append((_heading_title(text[unit.start : unit.end]), []))
        else:
            groups[-1][1].append(unit)
    return [g for g in groups if g[1]]


def _pack_section(
    text: str,
    title: str,
    units: list[Unit],
    config: ChunkingConfig,
    count_tokens: TokenCounter,
    headers: dict[int, str],
) -> list[tuple[str, str, int, int]]:
    """Pack a section's units into passages: small prose pieces join the next one while they fit."""
    limit = config.max_tokens - 2  # [CLS] and [SEP]

    def fits(start: int, end: int) -> bool:
        return count_tokens(_index_text(title, text[start:end], "prose")) <= limit

    def table_fits(start: int, end: int, header: str) -> bool:
        return count_tokens(_index_text(title, text[start:end], "table", header)) <= limit

    def words(start: int, end: int) -> int:
        return len(text[start:end].split())

    pieces = _units_to_pieces(text, units, config, fits, words, table_fits, headers)
    packed: list[tuple[str, int, int]] = []
    for kind, start, end in pieces:
        if packed and packed[-1][0] == "prose" and kind == "prose":
            prev_kind, prev_start, prev_end = packed[-1]
            small = words(prev_start, prev_end) < config.min_words
            if small and words(prev_start, end) <= config.max_words and fits(prev_start, end):
                packed[-1] = (prev_kind, prev_start, end)
                continue
        packed.append((kind, start, end))
    packed = _merge_small_tail(packed, config, fits, words)
    return [(kind, title, start, end) for kind, start, end in packed]


def _merge_small_tail(packed, config, fits, words):  # type: ignore[no-untyped-def]
    """A short last paragraph joins the passage before it when both are prose and it fits."""
    if len(packed) >= 2 and packed[-1][0] == packed[-2][0] == "prose":
        kind, start, end = packed[-1]
        _, prev_start, _ = packed[-2]
        if (
            words(start, end) < config.min_words
            and words(prev_start, end) <= config.max_words
            and fits(prev_start, end)
        ):
            packed[-2:] = [(kind, prev_start, end)]
    return packed


def _units_to_pieces(text, units, config, fits, words, table_fits, headers):  # type: ignore[no-untyped-def]
    """Units become pieces: tables whole (or by rows), lists with their lead-in, long paragraphs by sentences."""
    pieces: list[tuple[str, int, int]] = []
    for unit in units:
        if unit.kind == "table":
            start = unit.start
            if pieces and pieces[-1][0] == "prose" and _is_lead_in(text[pieces[-1][1] : pieces[-1][2]], config):
                start = pieces.pop()[1]  # a short line right before a table introduces it
            pieces.extend(("table", s, e) for s, e in _table_pieces(text, start, unit, table_fits, headers))
        elif unit.kind == "list":
            pieces.extend(_list_pieces(text, unit, pieces, fits))
        else:
            pieces.extend(("prose", s, e) for s, e in _split_long(text, unit.start, unit.end, config, fits, words))
    return pieces


def _table_pieces(
    text: str, start: int, unit: Unit, fits: Callable[[int, int, str], bool], headers: dict[int, str]
) -> list[tuple[int, int]]:
    """A table whole when it fits the window, else split between rows.

    The first piece keeps the lead-in and header; each later piece is rows only (its text an exact slice),
    and its embedded text gets the header in front (recorded in `headers`). Row groups of a grid table
    (rows ruled off from each other) stay together; a row too big for the window splits by lines, then
    between words.
    """
    if fits(start, unit.end, ""):
        return [(start, unit.end)]
    lines = _item_spans(text, unit.start, unit.end)
    n_head = _header_lines(text, lines)
    header = text[lines[0][0] : lines[n_head - 1][1]] if n_head else ""
    spans = ([(lines[0][0], lines[n_head - 1][1])] if n_head else []) + _row_groups(text, lines[n_head:])
    spans[0] = (start, spans[0][1])  # the lead-in (if any) opens the first piece

    def with_header(s: int, e: int) -> bool:
        return fits(s, e, "" if s == start or not header else header)

    def alone(s: int, e: int) -> bool:
        return with_header(s, e) or fits(s, e, "")

    pieces: list[tuple[int, int]] = []
    for s, e in _greedy(spans, with_header):
        if with_header(s, e):
            pieces.append((s, e))
            continue
        for ls, le in _greedy(_item_spans(text, s, e), with_header):
            pieces.extend([(ls, le)] if alone(ls, le) else _hard_split(text, ls, le, alone))
    for s, e in pieces:
        if s != start and header and fits(s, e, header):
            headers[s] = header
    return pieces


def _header_lines(text: str, lines: list[tuple[int, int]]) -> int:
    """How many of a table's lines are its header: up to the column-name row (after any title row) and its rules."""
    first_content = None
    for i, (s, e) in enumerate(lines):
        if _is_rule(text[s:e]):
            continue
        if first_content is None:
            first_content = i
        if len(_cells(text[s:e])) >= 2:
            return _past_rules(text, lines, i + 1)
    return 0 if first_content is None else _past_rules(text, lines, first_content + 1)


def _past_rules(text: str, lines: list[tuple[int, int]], i: int) -> int:
    while i < len(lines) and _is_rule(text[lines[i][0] : lines[i][1]]):
        i += 1
    return i


def _row_groups(text: str, lines: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """A table's body as rows: one line each, or, in a grid table (rules between rows), the lines up to a rule."""
    rules = [_is_rule(text[s:e]) for s, e in lines]
    grid = any(rule and not after for rule, after in itertools.pairwise(rules))
    groups: list[list[int]] = []
    closed = True
    for (s, e), rule in zip(lines, rules, strict=True):
        if groups and (rule or not closed):
            groups[-1][1] = e
            closed = closed or rule
        else:
            groups.append([s, e])
            closed = not rule and not grid
    return [(s, e) for s, e in groups]


def _greedy(spans: list[tuple[int, int]], fits: Callable[[int, int], bool]) -> list[tuple[int, int]]:
    """Join consecutive spans while the joined span fits; a span too big on its own stays alone."""
    out: list[tuple[int, int]] = []
    for s, e in spans:
        if out and fits(out[-1][0], e):
            out[-1] = (out[-1][0], e)
        else:
            out.append((s, e))
    return out


def _hard_split(text: str, start: int, end: int, fits: Callable[[int, int], bool]) -> list[tuple[int, int]]:
    """Split [start, end) between words (between characters inside a word too long) into fitting pieces."""
    words = [(start + m.start(), start + m.end()) for m in re.finditer(r"\S+", text[start:end])]
    out: list[tuple[int, int]] = []
    i = 0
    while i < len(words):
        if fits(*words[i]):
            piece, i = _gallop(words, i, fits)
            out.append(piece)
            continue
        chars = [(p, p + 1) for p in range(*words[i])]
        j = 0
        while j < len(chars):
            piece, j = _gallop(chars, j, fits)
            out.append(piece)
        i += 1
    return out


def _gallop(atoms: list[tuple[int, int]], i: int, fits: Callable[[int, int], bool]) -> tuple[tuple[int, int], int]:
    """The longest run `atoms[i:j]` (one atom at least) that fits, found in O(log) fit checks: (span, j)."""
    good, bad, step = i + 1, len(atoms) + 1, 1
    while good + step <= len(atoms):
        if fits(atoms[i][0], atoms[good + step - 1][1]):
            good += step
            step *= 2
        else:
            bad = good + step
            break
    else:
        if good < len(atoms) and fits(atoms[i][0], atoms[-1][1]):
            good = len(atoms)
        else:
            bad = min(bad, len(atoms))
    while bad - good > 1:
        mid = (good + bad) // 2
        if fits(atoms[i][0], atoms[mid - 1][1]):
            good = mid
        else:
            bad = mid
    return (atoms[i][0], atoms[good - 1][1]), good


def _is_lead_in(paragraph: str, config: ChunkingConfig) -> bool:
    return paragraph.rstrip().endswith(":") or len(paragraph.split()) < config.min_words


def _list_pieces(text, unit, pieces, fits):  # type: ignore[no-untyped-def]
    """Join a list to the paragraph before it (its lead-in); split between items if over the window."""
    start = unit.start
    if pieces and pieces[-1][0] == "prose":
        start = pieces.pop()[1]
    items = _item_spans(text, unit.start, unit.end)
    out: list[tuple[str, int, int]] = []
    current_start = start
    current_end = items[0][0]
    for item_start, item_end in items:
        if current_end > current_start and not fits(current_start, item_end) and current_end > items[0][0]:
            out.append(("list", current_start, current_end))
            current_start = item_start
        current_end = item_end
    out.append(("list", current_start, current_end))
    return out


def _item_spans(text: str, start: int, end: int) -> list[tuple[int, int]]:
    spans, pos = [], start
    for line in text[start:end].split("\n"):
        if line.strip():
            spans.append((pos, pos + len(line.rstrip())))
        pos += len(line) + 1
    return spans


def _split_long(text, start, end, config, fits, words):  # type: ignore[no-untyped-def]
    """Split [start, end) at sentence boundaries into pieces of at most max_words that fit the window."""
    if words(start, end) <= config.max_words and fits(start, end):
        return [(start, end)]
    sentences = split_sentences(text[start:end], offset=start)
    total = words(start, end)
    n_pieces = max(2, -(-total // config.max_words))
    target = total / n_pieces
    out: list[tuple[int, int]] = []
    piece_start = start
    piece_end = start
    for s_start, s_end in sentences:
        candidate_too_big = words(piece_start, s_end) > config.max_words or not fits(piece_start, s_end)
        if piece_end > piece_start and (candidate_too_big or words(piece_start, piece_end) >= target):
            out.append((piece_start, piece_end))
            piece_start = s_start
        piece_end = s_end
    out.append((piece_start, end))
    return out


def _heading_title(line: str) -> str:
    match = _MD_HEADING.match(line)
    return (match.group(1) if match else line).strip()


def _index_text(section: str, text: str, kind: str, header: str = "") -> str:
    """What gets embedded: the section title, then the text (a table linearised, after its header if given)."""
    if kind != "table":
        return f"{section}\n{text}"
    return f"{section}\n" + linearise_table(f"{header}\n{text}" if header else text)


def _make_passages(
    doc: Document, spans: list[tuple[str, str, int, int]], headers: dict[int, str] | None = None
) -> list[Passage]:
    passages: list[Passage] = []
    seen: dict[str, int] = {}
    for ordinal, (kind, section, start, end) in enumerate(spans):
        body = doc.text[start:end]
        key = hashlib.sha1(f"{doc.slug}\x00{body}".encode()).hexdigest()[:16]
        seen[key] = seen.get(key, -1) + 1
        pid = key if seen[key] == 0 else f"{key}-{seen[key]}"
        sentences = _table_rows(doc.text, start, end) if kind == "table" else split_sentences(body, offset=start)
        passages.append(
            Passage(
                id=pid,
                doc=doc.slug,
                section=section,
                ordinal=ordinal,
                start=start,
                end=end,
                text=body,
                kind=kind,
                sentences=tuple(sentences),
                index_text=_index_text(section, body, kind, (headers or {}).get(start, "") if kind == "table" else ""),
                pages=pages_of(doc.page_starts, start, end),
            )
        )
    return passages


def _table_rows(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """A table's 'sentences' are its lead-in sentences and content rows (not the +---+ rules)."""
    spans: list[tuple[int, int]] = []
    for s, e in _item_spans(text, start, end):
        if not _TABLE.match(text[s:e]):
            spans.extend(split_sentences(text[s:e], offset=s))
        elif any(ch.isalnum() for ch in text[s:e]):
            spans.append((s, e))
    return spans
