"""Word (.docx) -> text: headings from paragraph styles, list items, tables as Markdown tables, footnotes last.

Headings become Markdown `#` lines (level from the style: Title, Heading 1-6), list paragraphs `- ` or
`1. ` items, tables `| a | b |` rows that chunking keeps whole like any table. A footnote reference is
kept in the text as `[n]` and the footnotes follow under a "Notes" heading. Images, comments, tracked
changes and text boxes are not read.
"""

from __future__ import annotations

import io
import re
from typing import Any

from ingest.errors import CorruptFileError, EncryptedFileError
from ingest.formats import Extracted

_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_HEADING_STYLE = re.compile(r"^heading\s*([1-6])$", re.I)


def extract_docx(raw: bytes, name: str) -> Extracted:
    """The document's body in reading order, then its footnotes."""
    document = _open(raw, name)
    blocks: list[str] = []
    last_kind = ""
    numbers: dict[str, int] = {}
    names = {str(style.style_id): str(style.name) for style in document.styles}
    for element in document.element.body.iterchildren():
        if element.tag == f"{_W}p":
            kind, block = _paragraph(element, _style_name(names, element), numbers)
        elif element.tag == f"{_W}tbl":
            kind, block = "table", _table(element)
        else:
            continue
        if not block:
            continue
        if kind != "list":
            numbers.clear()
        if kind == last_kind == "list":
            blocks[-1] += "\n" + block  # items of one list stay on consecutive lines
        else:
            blocks.append(block)
        last_kind = kind
    notes = _footnotes(document)
    if notes:
        blocks.append("## Notes")
        blocks.append("\n".join(f"[{n}] {text}" for n, text in notes))
    title = (document.core_properties.title or "").strip()
    return Extracted(text="\n\n".join(blocks) + "\n", title=title, format="docx")


def _open(raw: bytes, name: str) -> Any:
    import docx

    if raw.startswith(b"\xd0\xcf\x11\xe0"):  # an OLE container: an encrypted .docx (or an old .doc)
        raise EncryptedFileError(f"{name}: the Word file is password-protected (or an old .doc): save it as .docx")
    try:
        return docx.Document(io.BytesIO(raw))
    except Exception as exc:  # python-docx raises BadZipFile, KeyError, ValueError... on a broken package
        raise CorruptFileError(f"{name}: not a readable Word .docx file (damaged or not a .docx)") from exc


def _style_name(names: dict[str, str], element: Any) -> str:
    style_id = element.xpath("./w:pPr/w:pStyle/@w:val")
    return names.get(style_id[0], style_id[0]) if style_id else ""


def _paragraph(element: Any, style: str, numbers: dict[str, int]) -> tuple[str, str]:
    """(kind, text): a heading as `## text`, a list item as `- text` / `3. text`, else the plain text."""
    text = _runs_text(element)
    heading = _HEADING_STYLE.match(style)
    if text and (style.lower() == "title" or heading):
        return "heading", "#" * (int(heading.group(1)) if heading else 1) + " " + text
    numbered = "list number" in style.lower()
    if text and (numbered or "list" in style.lower() or element.xpath("./w:pPr/w:numPr")):
        key = "number" if numbered else "bullet"
        numbers[key] = numbers.get(key, 0) + 1
        return "list", (f"{numbers[key]}. " if numbered else "- ") + text
    return "paragraph", text


def _runs_text(element: Any) -> str:
    """A paragraph's text with tabs as spaces and footnote references as `[n]`."""
    parts: list[str] = []
    for node in element.iter(f"{_W}t", f"{_W}tab", f"{_W}br", f"{_W}footnoteReference"):
        if node.tag == f"{_W}t":
            parts.append(node.text or "")
        elif node.tag == f"{_W}footnoteReference":
            parts.append(f"[{node.get(f'{_W}id')}]")
        else:
            parts.append(" ")
    return " ".join("".join(parts).split())


def _table(element: Any) -> str:
    rows = []
    for tr in element.iter(f"{_W}tr"):
        cells = [_runs_text(tc).replace("|", "/") for tc in tr.iter(f"{_W}tc")]
        rows.append("| " + " | ".join(cells) + " |")
    if not rows:
        return ""
    width = rows[0].count("|") - 1
    return "\n".join([rows[0], "|" + "---|" * width, *rows[1:]])


def _footnotes(document: Any) -> list[tuple[str, str]]:
    """(id, text) of each real footnote (ids -1 and 0 are Word's separators)."""
    for rel in document.part.rels.values():
        if rel.reltype.endswith("/footnotes"):
            from lxml import etree

            root = etree.fromstring(rel.target_part.blob)
            notes = []
            for note in root.iter(f"{_W}footnote"):
                note_id = note.get(f"{_W}id") or ""
                text = _runs_text(note)
                if note_id.lstrip("-").isdigit() and int(note_id) > 0 and text:
                    notes.append((note_id, text))
            return notes
    return []
