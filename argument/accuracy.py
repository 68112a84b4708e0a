"""Role and voice accuracy of a built map against hand labels (`eval/datasets/argument/*.labels.json`)."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from argument.model import ArgumentMap


@dataclass
class Accuracy:
    """How a map agrees with the labels of one text, sentence by sentence."""

    name: str
    sentences: int
    role_correct: int
    voice_correct: int
    thesis_correct: bool
    reported_found: int  # labelled `reported` sentences the map also calls reported
    reported_total: int
    confusions: list[tuple[str, str, str]] = field(default_factory=list)  # (text, gold role/voice, mapped)

    @property
    def role_accuracy(self) -> float:
        return self.role_correct / self.sentences if self.sentences else 1.0

    @property
    def voice_accuracy(self) -> float:
        return self.voice_correct / self.sentences if self.sentences else 1.0

    def to_json(self) -> dict[str, object]:
        return {
            "text": self.name,
            "sentences": self.sentences,
            "role_accuracy": round(self.role_accuracy, 3),
            "voice_accuracy": round(self.voice_accuracy, 3),
            "thesis_correct": self.thesis_correct,
            "reported_recall": round(self.reported_found / self.reported_total, 3) if self.reported_total else 1.0,
        }


def load_labels(path: Path) -> dict[str, object]:
    return json.loads(path.read_text(encoding="utf-8"))


def score_map(name: str, amap: ArgumentMap, labels: dict[str, object]) -> Accuracy:
    """Compare by sentence text: the labels enumerate the same sentences the mapper's nodes are."""
    by_text = {n.text: n for n in amap.nodes}
    gold = labels["sentences"]
    assert isinstance(gold, list)
    acc = Accuracy(name, len(gold), 0, 0, False, 0, 0)
    thesis = amap.thesis_node
    acc.thesis_correct = (thesis.text if thesis else None) == labels.get("thesis")
    for item in gold:
        node = by_text.get(item["text"]) or by_text.get(item["text"].lstrip("# "))
        role, voice = (node.role, node.voice) if node else ("missing", "missing")
        acc.role_correct += role == item["role"]
        acc.voice_correct += voice == item["voice"]
        if item["voice"] == "reported":
            acc.reported_total += 1
            acc.reported_found += voice == "reported"
        if (role, voice) != (item["role"], item["voice"]):
            acc.confusions.append((item["text"], f"{item['role']}/{item['voice']}", f"{role}/{voice}"))
    return acc
