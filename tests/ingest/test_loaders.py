"""Bad input gets one clear error; odd encodings are decoded and said."""

from __future__ import annotations

import random
import re
from pathlib import Path

import pytest

from ingest.errors import IngestError
from ingest.loaders import content_hash, find_documents, load_document, slugify


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
    path = tmp_path / "essay.odt"
    path.write_bytes(b"PK\x03\x04")
    with pytest.raises(IngestError, match="unsupported file type"):
        load_document(path)


def test_crlf_is_normalised_and_title_found(tmp_path: Path) -> None:
    path = tmp_path / "My Essay (v2).md"
    path.write_bytes(b"# A Title\r\n\r\nBody text.\r\n")
    doc = load_document(path)
    assert doc.slug == "my-essay-v2"
    assert doc.title == "A Title"
    assert "\r" not in doc.text


TEXT = "Un caf\u00e9 \u201ccher\u201d, dit-il.\nThe second line of a UTF-16 essay.\n" * 20


@pytest.mark.parametrize(
    ("raw", "encoding"),
    [
        (TEXT.encode("utf-16"), "utf-16-le"),  # Python writes a BOM, little-endian here
        (b"\xff\xfe" + TEXT.encode("utf-16-le"), "utf-16-le"),
        (b"\xfe\xff" + TEXT.encode("utf-16-be"), "utf-16-be"),
        (TEXT.encode("utf-16-le"), "utf-16-le"),  # no BOM: told by the NUL bytes at odd positions
        (TEXT.encode("utf-16-be"), "utf-16-be"),  # no BOM: NULs at even positions
    ],
)
def test_utf16_is_decoded_and_says_which(tmp_path: Path, raw: bytes, encoding: str) -> None:
    path = tmp_path / "wide.txt"
    path.write_bytes(raw)
    doc = load_document(path)
    assert doc.encoding == encoding
    assert doc.text == TEXT
    assert doc.content_hash == content_hash(TEXT)  # the same text as its UTF-8 copy


def test_utf16_with_windows_newlines(tmp_path: Path) -> None:
    path = tmp_path / "notepad.txt"
    path.write_bytes("# Title\r\n\r\nBody text.\r\n".encode("utf-16"))
    doc = load_document(path)
    assert (doc.text, doc.title, doc.encoding) == ("# Title\n\nBody text.\n", "Title", "utf-16-le")


@pytest.mark.parametrize(
    "raw",
    [
        b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" * 10,
        b"\x00\x01\x02" * 100,
        bytes(4096),  # all NULs: both positions, so not UTF-16
        b"\xff\xfe" + random.Random(7).randbytes(4000),  # a BOM, then noise (lone surrogates, controls)
        b"\x01\x00\x02\x00\x03\x00\x04\x00" * 200,  # NULs every other byte, but control codes, not text
        "text in UTF-32".encode("utf-32"),
    ],
)
def test_real_binary_is_still_refused(tmp_path: Path, raw: bytes) -> None:
    path = tmp_path / "blob.txt"
    path.write_bytes(raw)
    with pytest.raises(IngestError, match="binary"):
        load_document(path)


def test_slugs_of_ascii_names_are_unchanged() -> None:
    assert slugify("bytedance-hollywood") == "bytedance-hollywood"
    assert slugify("My Essay (v2)") == "my-essay-v2"


def test_accented_names_are_transliterated() -> None:
    assert slugify("Café crème — à la carte") == "cafe-creme-a-la-carte"
    assert slugify("Ｆｕｌｌｗｉｄｔｈ") == "fullwidth"


def test_names_without_ascii_letters_get_distinct_hashed_slugs() -> None:
    a, b = slugify("论文"), slugify("随笔")
    assert re.fullmatch(r"doc-[0-9a-f]{8}", a) and re.fullmatch(r"doc-[0-9a-f]{8}", b)
    assert a != b and a == slugify("论文")  # distinct per name, stable per name
    assert slugify("论文 v2") != slugify("随笔 v2")  # letters that vanished still tell names apart
    assert slugify("Эссе") != slugify("Очерк")
    assert re.fullmatch(r"doc-[0-9a-f]{8}", slugify("!!!"))
