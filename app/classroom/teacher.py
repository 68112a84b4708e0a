"""The teacher's view: set assignments, see every attempt with its scores and transcript, see which parts
of the essay the class used, and download it all (CSV, JSON). Nothing here opens without the password.
"""

from __future__ import annotations

import csv
import hmac
import io
import secrets
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from typing import Any

from app.classroom.errors import AccessDenied, ClassroomError
from app.classroom.export import iso, round_json
from app.classroom.rounds import RoundFormat, parse_side
from app.classroom.rubric import CRITERIA
from app.classroom.service import ClassroomService, normalise_code
from app.classroom.store import Assignment, Attempt
from app.debate.textmatch import normalise
from app.settings import ClassroomSettings
from app.text_safety import clean_text
from argument.model import ArgumentMap
from ingest.models import Passage

CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I/L: read aloud and typed by students
CODE_LENGTH = 6
SUMMARY_TOP = 3
CSV_COLUMNS = (
    "assignment", "attempt", "student", "side", "status", "started_at", "finished_at", "minutes",
    *CRITERIA, "total", "passages_used", "misquotes", "misrepresentations", "expired_turns",
)  # fmt: skip


def check_teacher_password(settings: ClassroomSettings, given: str | None) -> None:
    """Refuse unless teacher features are on and `given` matches (constant-time comparison)."""
    expected = settings.teacher_password.get_secret_value() if settings.teacher_password else ""
    if not expected:
        raise AccessDenied("teacher features are off (set COUNTERPOINT_CLASSROOM__TEACHER_PASSWORD)")
    if not hmac.compare_digest((given or "").encode(), expected.encode()):
        raise AccessDenied("wrong teacher password")


@dataclass
class PasswordThrottle:
    """Slows guessing of one password (one account: the teacher password, or the site login).

    Per address: after `limit` wrong passwords from one client address within `window_s` seconds, that
    address is refused, even with the right password, for `lockout_s` seconds. Other addresses are not
    affected, so a student guessing cannot lock the teacher out from another machine.

    Per account: after `account_limit` wrong passwords within `window_s` from any set of addresses, every
    address is refused for `account_lockout_s` seconds, except addresses that gave the right password
    before (the teacher's own machine keeps working). The account limit is above what one address can
    reach on its own in a window (`limit` tries per `lockout_s`: 25 with the defaults), so only someone
    guessing from several addresses at once can lock the account, and then they delay new machines by
    `account_lockout_s`, never the known ones. The trade-off, stated in SECURITY.md: without the account
    limit, a guesser with many addresses would get `limit` tries per address, without bound; with it, they
    get `account_limit` a window in all, and can make a new machine wait.
    """

    limit: int = 5
    window_s: float = 300.0
    lockout_s: float = 60.0
    account_limit: int = 30  # above the 25 one address can make in a window (5 every 60 s lockout)
    account_lockout_s: float = 300.0
    clock: Callable[[], float] = time.monotonic
    max_clients: int = 10_000  # addresses remembered at most (the oldest quiet ones are forgotten first)
    _failures: dict[str, list[float]] = field(default_factory=dict, repr=False)
    _locked_until: dict[str, float] = field(default_factory=dict, repr=False)
    _account_failures: list[float] = field(default_factory=list, repr=False)
    _account_locked_until: float = field(default=0.0, repr=False)
    _known: dict[str, float] = field(default_factory=dict, repr=False)  # addresses that gave the right password
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def wait_s(self, client: str) -> float:
        """Seconds this client must wait before its next try (0: it may try now)."""
        with self._lock:
            now = self.clock()
            own = self._locked_until.get(client, 0.0) - now
            account = 0.0 if client in self._known else self._account_locked_until - now
            return max(0.0, own, account)

    def record(self, client: str, ok: bool) -> None:
        now = self.clock()
        with self._lock:
            if ok:
                self._failures.pop(client, None)
                self._known.pop(client, None)
                self._known[client] = now
                self._forget(self._known)
                return
            recent = [t for t in self._failures.get(client, []) if now - t < self.window_s] + [now]
            self._failures[client] = recent
            if len(recent) >= self.limit:
                self._locked_until[client] = now + self.lockout_s
                self._failures[client] = []
            self._account_failures = [t for t in self._account_failures if now - t < self.window_s] + [now]
            if len(self._account_failures) >= self.account_limit:
                self._account_locked_until = now + self.account_lockout_s
                self._account_failures = []
            self._prune(now)

    def _prune(self, now: float) -> None:
        """Keep memory bounded however many addresses guess: drop expired locks and stale failures."""
        if len(self._failures) + len(self._locked_until) <= self.max_clients:
            return
        self._locked_until = {c: t for c, t in self._locked_until.items() if t > now}
        self._failures = {c: ts for c, ts in self._failures.items() if ts and now - ts[-1] < self.window_s}
        self._forget(self._failures)

    def _forget(self, table: dict[str, Any]) -> None:
        while len(table) > self.max_clients:
            del table[next(iter(table))]  # insertion order: the oldest first


def new_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


class Teacher:
    """A teacher's session: constructing it checks the password; every method then works on the store."""

    def __init__(self, classroom: ClassroomService, password: str | None) -> None:
        check_teacher_password(classroom.settings, password)
        self.classroom = classroom
        self.store = classroom.store

    # --- assignments -----------------------------------------------------------------------------
    def create_assignment(
        self, *, doc: str | None = None, side: str = "choice", fmt: RoundFormat | None = None, thesis: str = ""
    ) -> Assignment:
        """A new assignment with a fresh short code; `side` is `for`, `against` or `choice`."""
        doc = doc or self.classroom.debate.default_doc
        self.classroom.check_document(doc)
        side = side if side == "choice" else parse_side(side)
        fmt = fmt or self.classroom.default_format()
        for _ in range(20):
            assignment = Assignment(new_code(), doc, side, fmt, thesis.strip(), self.classroom.clock())
            if self.store.add_assignment(assignment):
                return assignment
        raise ClassroomError("could not find a free assignment code; try again")  # pragma: no cover

    def assignments(self) -> list[Assignment]:
        return self.store.assignments()

    def assignment(self, code: str) -> Assignment:
        found = self.store.assignment(normalise_code(code))
        if found is None:
            raise ClassroomError(f"no assignment with the code '{code}'")
        return found

    # --- attempts --------------------------------------------------------------------------------
    def attempts(self, code: str) -> list[dict[str, Any]]:
        """One row per attempt: student, side, status, time, scores per criterion, passages used, flags."""
        assignment = self.assignment(code)
        return [attempt_row(a, assignment.code) for a in self.store.attempts_for(assignment.code)]

    def transcript(self, code: str, attempt_id: int) -> dict[str, Any]:
        """One attempt of this assignment in full: every turn with its citations, and the scorecard."""
        found = [a for a in self.store.attempts_for(self.assignment(code).code) if a.id == attempt_id]
        if not found:
            raise ClassroomError(f"no attempt {attempt_id} in assignment {code}")
        return round_json(found[0], found[0].scorecard)

    def summary(self, code: str) -> dict[str, Any]:
        assignment = self.assignment(code)
        passages = self.classroom.debate.passages(assignment.doc)
        amap = self.classroom.debate.argument_map(assignment.doc)
        return class_summary(self.store.attempts_for(assignment.code), passages, amap)

    # --- downloads -------------------------------------------------------------------------------
    def export_csv(self, code: str) -> str:
        """The attempts table as CSV (spreadsheet-safe: cells never start a formula)."""
        out = io.StringIO()
        writer = csv.DictWriter(out, fieldnames=CSV_COLUMNS, extrasaction="ignore")
        writer.writeheader()
        for row in self.attempts(code):
            flat = {**row, **row["scores"], "passages_used": " ".join(p["label"] for p in row["passages_used"])}
            writer.writerow({k: _safe_cell(v) for k, v in flat.items()})
        return out.getvalue()

    def export_json(self, code: str) -> dict[str, Any]:
        """The assignment, the class summary, and every attempt with transcript and scorecard."""
        assignment = self.assignment(code)
        attempts = self.store.attempts_for(assignment.code)
        passages = self.classroom.debate.passages(assignment.doc)
        return {
            "assignment": assignment_json(assignment),
            "summary": class_summary(attempts, passages),
            "attempts": [round_json(a, a.scorecard) for a in attempts],
        }


def assignment_json(assignment: Assignment) -> dict[str, Any]:
    return {**asdict(assignment), "format": assignment.format.to_json(), "created_at": iso(assignment.created_at)}


def attempt_row(attempt: Attempt, code: str) -> dict[str, Any]:
    card = attempt.scorecard or {}
    flags = card.get("flags", {})
    ended = attempt.finished_at or (attempt.round.turns[-1].submitted_at if attempt.round.turns else attempt.started_at)
    return {
        "assignment": code,
        "attempt": attempt.id,
        "student": attempt.student_name,
        "side": attempt.round.side,
        "status": "finished" if attempt.round.status == "finished" else f"in progress ({attempt.round.phase})",
        "started_at": iso(attempt.started_at),
        "finished_at": iso(attempt.finished_at),
        "minutes": round((ended - attempt.started_at) / 60, 1),
        "scores": {c: card.get("overall", {}).get(c) for c in CRITERIA},
        "total": card.get("total"),
        "passages_used": card.get("passages_used", []),
        "misquotes": flags.get("misquotes", 0),
        "misrepresentations": flags.get("misrepresentations", 0),
        "expired_turns": flags.get("expired_turns", 0),
    }


def class_summary(attempts: list[Attempt], passages: list[Passage], amap: ArgumentMap | None = None) -> dict[str, Any]:
    """Which passages and sections the class used (students and turns): most used, least used among those
    used at all, and never used; and which parts of the argument (map nodes) the class engaged and missed."""
    finished = [a for a in attempts if a.scorecard]
    students: Counter[str] = Counter()
    uses: Counter[str] = Counter()
    for attempt in finished:
        per_turn = [{p["id"] for p in t["evidence"]["passages_used"]} for t in attempt.scorecard["turns"]]  # type: ignore[index]
        uses.update(pid for ids in per_turn for pid in ids)
        students.update(set().union(*per_turn) if per_turn else set())
    rows = [
        {"id": p.id, "label": p.label, "section": p.section, "students": students[p.id], "uses": uses[p.id]}
        for p in passages
    ]
    return {
        "attempts": len(attempts),
        "finished": len(finished),
        "passages": rows,
        "most_used": [r for r in sorted(rows, key=_usage, reverse=True) if r["uses"]][:SUMMARY_TOP],
        "least_used": sorted((r for r in rows if r["uses"]), key=_usage)[:SUMMARY_TOP],
        "never_used": [r["label"] for r in rows if not r["uses"]],
        "sections": _sections(rows),
        "criteria": _criteria_means(finished),
        "argument": argument_engagement(finished, amap, {p.id: p.label for p in passages}) if amap else [],
    }


def argument_engagement(finished: list[Attempt], amap: ArgumentMap, labels: dict[str, str]) -> list[dict[str, Any]]:
    """Each reason, piece of evidence, claim and concession of the essay, with how many students engaged
    it: quoted its words or paraphrased its sentence in a scored turn."""
    students: Counter[str] = Counter()
    for attempt in finished:
        engaged: set[str] = set()
        for turn in attempt.scorecard["turns"]:  # type: ignore[index]
            engaged |= _engaged_nodes(turn["evidence"], amap)
        students.update(engaged)
    return [
        {"id": n.id, "role": n.role, "label": labels.get(n.passage_id or "", "?"), "text": n.text,
         "students": students[n.id]}
        for n in amap.nodes
        if n.role in ARGUMENT_PARTS and n.voice == "author"
    ]  # fmt: skip


def _engaged_nodes(evidence: dict[str, Any], amap: ArgumentMap) -> set[str]:
    quoted = [normalise(q["text"]) for q in evidence.get("verified_quotes", [])]
    paraphrased = {normalise(p["essay_sentence"]) for p in evidence.get("paraphrases", [])}
    found = set()
    for node in amap.nodes:
        words = normalise(node.text)
        if words in paraphrased or any(q and (q in words or words in q) for q in quoted):
            found.add(node.id)
    return found


ARGUMENT_PARTS = ("claim", "reason", "evidence", "concession")


def _usage(row: dict[str, Any]) -> tuple[int, int]:
    return int(row["uses"]), int(row["students"])


def _sections(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    sections: dict[str, dict[str, Any]] = {}
    for r in rows:
        entry = sections.setdefault(r["section"], {"section": r["section"], "uses": 0, "passages": []})
        entry["uses"] += r["uses"]
        entry["passages"].append(r["label"])
    return [{**s, "never_used": s["uses"] == 0} for s in sections.values()]


def _criteria_means(finished: list[Attempt]) -> dict[str, float | None]:
    means: dict[str, float | None] = {}
    for c in CRITERIA:
        values = [a.scorecard["overall"][c] for a in finished if a.scorecard and a.scorecard["overall"][c] is not None]
        means[c] = round(sum(values) / len(values), 2) if values else None
    return means


def _safe_cell(value: Any) -> Any:
    """Spreadsheets run cells starting with = + - @ as formulas: a student's name must not. No control or
    bidi characters either (checked before cleaning, so a leading tab or CR is still quoted)."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + clean_text(value)
    return clean_text(value) if isinstance(value, str) else value
