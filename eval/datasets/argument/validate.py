"""Check the argument-map gold labels against the system's own sentence enumeration.

Run from the repo root: `python eval/datasets/argument/validate.py` (prints per-file counts; exits 1 on any problem).
"""

from __future__ import annotations

import json
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
sys.path.insert(0, str(ROOT))

from ingest.loaders import load_document  # noqa: E402
from ingest.sentences import split_sentences  # noqa: E402

ROLES = ("thesis", "claim", "reason", "evidence", "concession", "call_to_action", "context")
VOICES = ("author", "reported")
KEYS = {"text", "role", "voice", "answers", "supports"}


def check(path: Path) -> tuple[list[str], Counter, int]:
    data = json.loads(path.read_text(encoding="utf-8"))
    errors: list[str] = []
    doc = load_document(ROOT / data["source"])
    texts = [doc.text[s:e] for s, e in split_sentences(doc.text)]
    sentences = data["sentences"]
    if len(sentences) != len(texts):
        errors.append(f"{len(sentences)} labelled sentences, {len(texts)} spans")
    for i, (item, text) in enumerate(zip(sentences, texts, strict=False)):
        if item["text"] != text:
            errors.append(f"#{i}: text {item['text']!r} != span {text!r}")
    all_texts = {item["text"] for item in sentences}
    for i, item in enumerate(sentences):
        if set(item) - KEYS:
            errors.append(f"#{i}: unknown keys {sorted(set(item) - KEYS)}")
        if item["role"] not in ROLES:
            errors.append(f"#{i}: bad role {item['role']!r}")
        if item["voice"] not in VOICES:
            errors.append(f"#{i}: bad voice {item['voice']!r}")
        for link in ("answers", "supports"):
            if link in item and item[link] not in all_texts:
                errors.append(f"#{i}: {link} target not in file: {item[link]!r}")
        if "answers" in item:
            target = next(s for s in sentences if s["text"] == item["answers"])
            if target["voice"] != "reported":
                errors.append(f"#{i}: answers a sentence that is not reported")
    theses = [item for item in sentences if item["role"] == "thesis"]
    if data["thesis"] is None:
        if theses:
            errors.append("thesis is null but a sentence has role thesis")
    elif len(theses) != 1 or theses[0]["text"] != data["thesis"]:
        errors.append(f"need exactly one thesis sentence equal to the thesis field, found {len(theses)}")
    roles = Counter(item["role"] for item in sentences)
    reported = sum(item["voice"] == "reported" for item in sentences)
    return errors, roles, reported


def main() -> int:
    bad = 0
    for path in sorted(Path(__file__).parent.glob("*.labels.json")):
        errors, roles, reported = check(path)
        counts = ", ".join(f"{r} {roles[r]}" for r in ROLES if roles[r])
        print(f"{path.name}: {sum(roles.values())} sentences ({counts}); reported {reported}")
        for e in errors:
            print(f"  ERROR {e}")
        bad += bool(errors)
    return 1 if bad else 0


if __name__ == "__main__":
    raise SystemExit(main())
