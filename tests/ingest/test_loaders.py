"""Bad input gets one clear error; odd encodings are decoded and said."""

from __future__ import annotations

from pathlib import Path

import pytest

from ingest.errors import IngestError
from ingest.loaders import find_documents, load_document


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(IngestError, match="no such file"):
        find_documents([tmp_path / "nope.txt"])


def test_directory_without_supported_files(tmp_path: Path) -> None:
    (tmp_path / "a.csv").write_text("x,y")
    with pytest.raises(IngestError, match="no supported files"):
        find_documents([tmp_path])


def test_directory_expands_to_supported_files(tmp_path: Path) -> None:
    (tmp_path / "b.md").write_text("# B\n\ntext")
    (tmp_path / "a.txt").write_text("text")
    (tmp_path / "c.csv").write_text("x")
    assert [p.name for p in find_documents([tmp_path])] == ["a.txt", "b.md"]


@pytest.mark.parametrize("content", [b"", b"   \n\t\n  "])
def test_empty_or_whitespace(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "empty.txt"
    path.write_bytes(content)
    with pytest.raises(IngestError, match="empty"):
        load_document(path)


def test_binary_file(tmp_path: Path) -> None:
    path = tmp_path / "image.txt"
    path.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" * 10)
    with pytest.raises(IngestError, match="binary"):
        load_document(path)


def test_non_utf8_falls_back_and_says_which(tmp_path: Path) -> None:
    path = tmp_path / "legacy.txt"
    path.write_bytes("Caf\u00e9 owners said \u201cno\u201d to it.".encode("cp1252"))
    doc = load_document(path)
    assert doc.encoding == "cp1252"
    assert doc.text == "Caf\u00e9 owners said \u201cno\u201d to it."


def test_five_megabyte_text_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "huge.txt"
    path.write_text("All work and no play makes a dull essay. " * 125_000)
    with pytest.raises(IngestError, match=r"over the 2\.0 MB limit"):
        load_document(path)


def test_unsupported_type(tmp_path: Path) -> None:
    path = tmp_path / "essay.pdf"
    path.write_bytes(b"%PDF-1.4")
    with pytest.raises(IngestError, match="unsupported file type"):
        load_document(path)


def test_crlf_is_normalised_and_title_found(tmp_path: Path) -> None:
    path = tmp_path / "My Essay (v2).md"
    path.write_bytes(b"# A Title\r\n\r\nBody text.\r\n")
    doc = load_document(path)
    assert doc.slug == "my-essay-v2"
    assert doc.title == "A Title"
    assert "\r" not in doc.text
