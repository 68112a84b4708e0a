"""The files people gave, kept as they were in the data dir (`originals/<slug>/<name>`), for download.

The index cites the extracted text; the original is what a reader checks it against (a PDF's layout,
a page's images). Written atomically before the document is published, so a published record never
names a missing file.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from ingest.errors import IngestError
from ingest.store import disk_full_message, is_disk_full


def keep_original(folder: Path, slug: str, name: str, raw: bytes) -> Path:
    """Write `raw` to `folder/slug/name` (replacing an older copy of that document); returns the path."""
    target_dir = folder / slug
    target = target_dir / Path(name).name
    try:
        target_dir.mkdir(parents=True, exist_ok=True)
        for old in target_dir.iterdir():
            if old.name != target.name and old.is_file():
                old.unlink()
        with tempfile.NamedTemporaryFile(dir=target_dir, prefix=".incoming-", delete=False) as tmp:
            tmp.write(raw)
        os.replace(tmp.name, target)
    except OSError as exc:
        message = disk_full_message(folder) if is_disk_full(exc) else f"cannot keep the original in {folder} ({exc})"
        raise IngestError(message) from exc
    return target


def original_path(folder: Path, slug: str, name: str) -> Path | None:
    """The kept original of a document, or None when there is none (a document ingested before originals)."""
    if not name:
        return None
    path = folder / slug / Path(name).name
    return path if path.is_file() else None
