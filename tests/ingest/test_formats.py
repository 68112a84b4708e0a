"""PDF, Word and web pages through the same loader and chunking: made here with fpdf2 and python-docx, and
real files no one here wrote (Debian's shared-mime-info spec PDF and python3-dev's policy page)."""

from __future__ import annotations

import io
from pathlib import Path

import docx
import pytest
from fpdf import FPDF

from ingest.chunking import chunk_document
from ingest.config import ChunkingConfig
from ingest.errors import CorruptFileError, EncryptedFileError, IngestError, NoTextLayerError
from ingest.loaders import document_from_bytes
from ingest.models import Passage
from ingest.pipeline import ingest_documents, load_all

REAL_PDF = Path("/usr/share/doc/shared-mime-info/shared-mime-info-spec.pdf")  # Debian: shared-mime-info
REAL_HTML = Path("/usr/share/doc/python3/python-policy.html")  # Debian: python3-dev
needs_real = pytest.mark.skipif(
    not (REAL_PDF.exists() and REAL_HTML.exists()), reason="run `make real-docs` (Debian packages)"
)
WORDS = (
    "Street trees cool the pavement in summer and slow the rain that would flood the drains, which is why "
    "councils that plant them early spend less on repairs later; the evidence from forty cities agrees. "
)


def _chunk(raw: bytes, name: str) -> list[Passage]:
    doc = document_from_bytes(raw, name)
    return chunk_document(doc, ChunkingConfig(), lambda s: len(s.split()))


def _pdf(pages: list[list[str]], password: str = "") -> bytes:
    """A PDF with a running header, a page-number footer and hard-wrapped, hyphenated paragraphs."""
    pdf = FPDF()
    pdf.set_auto_page_break(False)
    for n, blocks in enumerate(pages, start=1):
        pdf.add_page()
        pdf.set_font("Helvetica", size=9)
        pdf.cell(0, 8, "Urban Forestry Review", new_x="LMARGIN", new_y="NEXT")
        for block in blocks:
            heading = len(block) < 40
            pdf.set_font("Helvetica", "B" if heading else "", 14 if heading else 11)
            pdf.multi_cell(0, 6, block, new_x="LMARGIN", new_y="NEXT")
            pdf.ln(3)
        pdf.set_y(-20)
        pdf.set_font("Helvetica", size=9)
        pdf.cell(0, 8, str(n), align="C")
    if password:
        pdf.set_encryption(owner_password="owner", user_password=password)
    return bytes(pdf.output())


def test_pdf_pages_headings_and_no_running_lines() -> None:
    raw = _pdf(
        [
            ["Why Trees Matter", WORDS * 2, "Shade And Heat", WORDS + "A street well plan-\nted pays for itself."],
            ["What It Costs", WORDS * 3],
        ]
    )
    passages = _chunk(raw, "trees.pdf")
    assert [p.section for p in passages][:1] == ["Why Trees Matter"]
    assert {"Shade And Heat", "What It Costs"} <= {p.section for p in passages}
    assert all("Urban Forestry Review" not in p.text for p in passages)
    assert all(not p.text.strip().endswith(("\n1", "\n2")) for p in passages)
    assert "street well planted pays" in " ".join(p.text for p in passages)  # the line-end hyphen is gone
    costs = [p for p in passages if p.section == "What It Costs"]
    assert costs and all(p.pages == (2,) and p.page_label == "p. 2" for p in costs)
    assert passages[0].pages == (1,)
    assert all("\n" not in p.text.strip() for p in passages if p.kind == "prose")  # wrapped lines joined


def test_scanned_encrypted_and_corrupt_pdfs_get_one_line_each() -> None:
    blank = FPDF()
    blank.add_page()
    blank.rect(20, 20, 100, 100, style="F")  # a "scan": marks, no text layer
    with pytest.raises(NoTextLayerError, match="no text layer"):
        document_from_bytes(bytes(blank.output()), "scan.pdf")
    with pytest.raises(EncryptedFileError, match="password-protected"):
        document_from_bytes(_pdf([[WORDS]], password="secret"), "locked.pdf")
    with pytest.raises(CorruptFileError, match="not a readable PDF"):
        document_from_bytes(b"%PDF-1.7\n garbage", "broken.pdf")
    with pytest.raises(CorruptFileError, match="not a readable Word"):
        document_from_bytes(b"PK\x03\x04 truncated", "broken.docx")


def test_a_bad_pdf_leaves_the_index_untouched(tmp_path, store, embedder, settings) -> None:
    (tmp_path / "good.txt").write_text("# Good\n\n" + WORDS)
    (tmp_path / "scan.pdf").write_bytes(b"%PDF-1.7\n not really")
    with pytest.raises(IngestError) as caught:
        ingest_documents(load_all([tmp_path]), store, embedder, settings.chunking)
    assert "\n" not in str(caught.value)
    assert store.list_documents() == []


def _docx() -> bytes:
    document = docx.Document()
    document.core_properties.title = "Trees in Cities"
    document.add_heading("Why Shade Matters", 1)
    document.add_paragraph(WORDS)
    document.add_paragraph("Reasons to plant:")
    document.add_paragraph("shade cools streets", style="List Bullet")
    document.add_paragraph("roots hold the soil", style="List Bullet")
    document.add_heading("Costs by City", 2)
    table = document.add_table(rows=3, cols=2)
    for r, row in enumerate([("City", "Trees planted"), ("Paris", "5000"), ("Lyon", "1200")]):
        for c, value in enumerate(row):
            table.cell(r, c).text = value
    document.add_paragraph(WORDS)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def test_docx_headings_lists_and_tables() -> None:
    doc = document_from_bytes(_docx(), "trees.docx")
    assert doc.title == "Trees in Cities" and doc.format == "docx"
    passages = chunk_document(doc, ChunkingConfig(), lambda s: len(s.split()))
    assert passages[0].section == "Why Shade Matters"
    assert any(p.kind == "list" and "- shade cools streets\n- roots hold the soil" in p.text for p in passages)
    table = next(p for p in passages if p.kind == "table")
    assert table.section == "Costs by City" and "City: Paris; Lyon. Trees planted: 5000; 1200." in table.index_text
    assert all(p.text == doc.text[p.start : p.end] for p in passages)


def test_html_article_without_navigation_or_footer() -> None:
    page = (
        "<html><head><title>Trees in Cities</title></head><body>"
        "<nav><a href='/'>Home</a> <a href='/about'>About us</a></nav>"
        "<div id='cookie-banner'>We use cookies. Accept all cookies?</div>"
        f"<article><h1>Trees in Cities</h1><p>{WORDS * 2}</p><h2>What It Costs</h2><p>{WORDS}</p>"
        "<ul><li>planting</li><li>watering</li></ul></article>"
        "<footer>Copyright 2025 Example News. All rights reserved.</footer></body></html>"
    )
    doc = document_from_bytes(page.encode(), "trees.html")
    assert doc.title == "Trees in Cities"
    assert "What It Costs" in {p.section for p in chunk_document(doc, ChunkingConfig(), lambda s: len(s.split()))}
    assert "- planting\n- watering" in doc.text
    for boilerplate in ("About us", "cookies", "All rights reserved"):
        assert boilerplate not in doc.text


@needs_real
def test_real_pdf_from_debian() -> None:
    doc = document_from_bytes(REAL_PDF.read_bytes(), REAL_PDF.name)
    assert doc.title == "Shared MIME-info Database" and len(doc.page_starts) == 17
    passages = chunk_document(doc, ChunkingConfig(), lambda s: len(s.split()))
    sections = [p.section for p in passages]
    for heading in ("1.1. Version", "1.2. What is this spec?", "2.1. Directory layout", "2.2. The source XML files"):
        assert heading in sections
    assert all("Shared MIME-info Database\n" not in p.text for p in passages)  # the running header is gone
    assert all(not p.text.rstrip().split("\n")[-1].strip().isdigit() for p in passages)  # so are page numbers
    by_section = {p.section: p for p in reversed(passages)}
    assert by_section["1.1. Version"].pages == (1,)
    assert by_section["2.2. The source XML files"].pages[0] == 4  # printed page 4 opens with 2.2


@needs_real
def test_real_html_page_from_debian() -> None:
    doc = document_from_bytes(REAL_HTML.read_bytes(), REAL_HTML.name)
    assert doc.title.startswith("Debian Python Policy")
    sections = {p.section for p in chunk_document(doc, ChunkingConfig(), lambda s: len(s.split()))}
    assert {"1. Copyright", "2. Completing the move to Python 3"} <= sections
    for chrome in ("Navigation", "Quick search", "Created using", "¶"):
        assert chrome not in doc.text
