"""Argument schemes of the author's reasons (Walton): which kind of inference a sentence makes.

The cues (weighted patterns per scheme) are in `prompts/schemes/cues.yaml`; each scheme's description,
slot patterns and critical-question templates are in `prompts/schemes/<scheme>.yaml`. Nothing here is
specific to one text: a scheme is detected from its cue words, and its slots are filled only with exact
substrings of the sentence (see `argument/critique.py`).
"""

from __future__ import annotations

import difflib
import itertools
import re
import string
from dataclasses import dataclass
from functools import cache
from importlib.resources.abc import Traversable

import yaml

import prompts
from ingest.sentences import split_sentences

SCHEMES_DIR = prompts.path("schemes")
CUES_FILE = SCHEMES_DIR.joinpath("cues.yaml")
PSEUDO_SCHEMES = ("concession", "reported")  # weaknesses the map shows directly, not inferences
_WORD = re.compile(r"[\w’'-]+")
_SLOT = re.compile(r"\{(\w+)\}")


@dataclass(frozen=True)
class SchemeCues:
    order: tuple[str, ...]
    patterns: dict[str, tuple[tuple[re.Pattern[str], float], ...]]
    thresholds: dict[str, float]

    def threshold(self, scheme: str) -> float:
        return self.thresholds.get(scheme, self.thresholds.get("default", 1.0))


@dataclass(frozen=True)
class Template:
    text: str
    slots: tuple[str, ...]

    def fill(self, values: dict[str, str]) -> str | None:
        """The question with every slot filled, or None when a slot has no value from the text."""
        if any(not values.get(s) for s in self.slots):
            return None
        return self.text.format(**{s: values[s] for s in self.slots})


@dataclass(frozen=True)
class Scheme:
    name: str
    description: str
    extract: tuple[re.Pattern[str], ...]
    questions: tuple[Template, ...]

    def slots(self, text: str) -> dict[str, str]:
        """Slot values from the sentence: the named groups of its extract patterns (first match wins per slot)."""
        found: dict[str, str] = {}
        for pattern in self.extract:
            match = pattern.search(text)
            if match is None:
                continue
            groups = {k: _trim(v) for k, v in match.groupdict().items() if v and _trim(v)}
            if any(k in found for k in groups):
                continue  # a pattern's slots belong together ("cause" with its own "effect")
            found.update(groups)
        return found


@cache
def load_cues(path: Traversable = CUES_FILE) -> SchemeCues:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    order = tuple(data.pop("order"))
    thresholds = {k: float(v) for k, v in data.pop("thresholds", {}).items()}
    patterns = {
        name: tuple(
            (re.compile(str(i["pattern"]), 0 if i.get("case") else re.IGNORECASE), float(i["weight"])) for i in items
        )
        for name, items in data.items()
    }
    return SchemeCues(order, patterns, thresholds)


@cache
def load_scheme(name: str) -> Scheme:
    data = yaml.safe_load(SCHEMES_DIR.joinpath(f"{name}.yaml").read_text(encoding="utf-8"))
    questions = tuple(Template(q, tuple(dict.fromkeys(_SLOT.findall(q)))) for q in data["questions"])
    extract = tuple(re.compile(p) for p in data.get("extract") or ())
    return Scheme(data["name"], data["description"], extract, questions)


def scheme_names() -> tuple[str, ...]:
    """The detectable schemes, in tie-break order (the pseudo-schemes are not detected from a sentence)."""
    return load_cues().order


def scheme_scores(text: str) -> dict[str, float]:
    """Each scheme's cue score for `text` (a sentence, or a few: parallel sentences count as alternatives)."""
    cues = load_cues()
    scores = {name: sum(w for p, w in cues.patterns.get(name, ()) if p.search(text)) for name in cues.order}
    spans = split_sentences(text)
    sentences = [text[s:e] for s, e in spans]
    if any(parallel_pair(a, b) for a, b in itertools.pairwise(sentences)):
        scores["alternatives"] = scores.get("alternatives", 0.0) + 1.5
    return scores


def ranked_schemes(text: str) -> list[tuple[str, float]]:
    """The schemes `text` reaches the threshold of, strongest first (ties in the cue file's order)."""
    cues = load_cues()
    if not_argument(text):
        return []
    scores = scheme_scores(text)
    hits = [(name, scores[name]) for name in cues.order if scores[name] >= cues.threshold(name)]
    return sorted(hits, key=lambda h: (-h[1], cues.order.index(h[0])))


def detect_scheme(text: str) -> str | None:
    """The argument scheme a sentence uses, or None when no scheme is recognisable."""
    ranked = ranked_schemes(text)
    return ranked[0][0] if ranked else None


def not_argument(text: str) -> bool:
    """Boilerplate (a licence, terms) that never carries a scheme, whatever its words."""
    cues = load_cues()
    score = sum(w for p, w in cues.patterns.get("not_argument", ()) if p.search(text))
    return score >= cues.threshold("not_argument")


def parallel_pair(a: str, b: str) -> tuple[str, str] | None:
    """Two adjacent sentences built alike that contrast one phrase ("They are in the X business." /
    "You are in the Y business."): the two contrasted phrases, exact substrings of `a` and `b`."""
    wa, wb = list(_WORD.finditer(a)), list(_WORD.finditer(b))
    if not (3 <= len(wa) <= 14 and 3 <= len(wb) <= 14):
        return None
    la, lb = [m.group().lower() for m in wa], [m.group().lower() for m in wb]
    matcher = difflib.SequenceMatcher(a=la, b=lb, autojunk=False)
    shared = sum(block.size for block in matcher.get_matching_blocks())
    if shared / max(len(la), len(lb)) < load_cues().threshold("parallel") or la == lb:
        return None
    replaced = [op for op in matcher.get_opcodes() if op[0] == "replace"]
    if not replaced:
        return None
    _, i1, i2, j1, j2 = max(replaced, key=lambda op: sum(len(la[k]) for k in range(op[1], op[2])))
    if i1 == 0 and i2 == len(la):
        return None
    # extend each phrase by the shared word that follows it ("dopamine-delivery" -> "dopamine-delivery business")
    ea, eb = (min(i2 + 1, len(la)), min(j2 + 1, len(lb))) if i2 < len(la) and j2 < len(lb) else (i2, j2)
    return a[wa[i1].start() : wa[ea - 1].end()], b[wb[j1].start() : wb[eb - 1].end()]


def _trim(value: str) -> str:
    return value.strip().strip(string.punctuation.replace("'", "").replace("-", "") + "“”‘ ").strip()
