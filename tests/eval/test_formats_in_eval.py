"""The eval's `doc` field and `counterpoint ingest` take every format: a PDF and a Word file made here."""

from __future__ import annotations

import json
from pathlib import Path

import docx
from click.testing import CliRunner
from fpdf import FPDF

from app.cli import main
from tests.eval.conftest import write_dataset

PAGE_TWO = "Street trees cool the pavement below them by several degrees on a summer afternoon."


def _pdf(path: Path) -> None:
    pdf = FPDF()
    for text in ("Cities should plant more trees along their streets.", PAGE_TWO):
        pdf.add_page()
        pdf.set_font("Helvetica", size=11)
        pdf.multi_cell(0, 6, text)
    pdf.output(str(path))


def _docx(path: Path) -> None:
    document = docx.Document()
    document.add_heading("Bells In Schools", level=1)
    document.add_paragraph("Schools should drop the bell between lessons, because it interrupts thinking.")
    document.save(str(path))


def test_eval_cases_name_pdf_and_docx_documents_by_slug(tmp_path: Path) -> None:
    cases = [
        {"id": "pdf-1", "query": "How much do street trees cool the pavement?", "gold": ["cool the pavement"],
         "doc": "trees"},
        {"id": "docx-1", "query": "Why drop the bell?", "gold": ["it interrupts thinking"], "doc": "bells"},
    ]  # fmt: skip
    dataset = write_dataset(tmp_path / "set", cases)
    _pdf(dataset.parent / "docs" / "trees.pdf")
    _docx(dataset.parent / "docs" / "bells.docx")
    out = tmp_path / "run"
    result = CliRunner().invoke(main, ["eval", "run", str(dataset), "--backend", "fake", "--out", str(out)])
    assert result.exit_code == 0, result.output
    records = {r["id"]: r for r in map(json.loads, (out / "results.jsonl").read_text().splitlines())}
    assert records["pdf-1"]["status"] == "ok" and records["docx-1"]["status"] == "ok"
    top = records["pdf-1"]["retrieved"][0]
    assert top["doc"] == "trees" and PAGE_TWO[:40] in top["text"]
    assert records["pdf-1"]["metrics"]["recall_at_k"] == 1.0
    assert records["docx-1"]["retrieved"][0]["doc"] == "bells"


def test_cli_ingest_takes_a_pdf_and_lists_its_pages(tmp_path: Path) -> None:
    path = tmp_path / "trees.pdf"
    _pdf(path)
    runner = CliRunner()
    ingested = runner.invoke(main, ["ingest", str(path)])
    assert ingested.exit_code == 0, ingested.output
    listed = runner.invoke(main, ["passages", "--doc", "trees", "--json"])
    assert listed.exit_code == 0, listed.output
    passages = json.loads(listed.output)
    pages = {p["page_label"] for p in passages if "page_label" in p}
    assert "p. 2" in pages or "pp. 1–2" in pages, passages
