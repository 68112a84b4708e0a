"""The teacher's view: password, assignments, two students' attempts, class summary, CSV and JSON."""

from __future__ import annotations

import csv
import io
import json

import pytest

from app.classroom.errors import AccessDenied, ClassroomError
from app.classroom.rounds import RoundFormat
from app.classroom.teacher import CODE_ALPHABET, Teacher, check_teacher_password
from app.settings import ClassroomSettings
from tests.classroom.conftest import PASSWORD

ADA = [
    "I agree with the author. “AI does not know what it feels like to fail.” So its films will feel hollow.",
    "You say young directors lose their jobs, but “the value of human curation skyrockets” when content is cheap.",
]
BOB = ["ByteDance will take over Hollywood.", "Studios are doomed."]


def test_teacher_features_need_the_right_password(make_classroom) -> None:
    classroom = make_classroom()
    for wrong in ("", None, "correct horse ", "CORRECT HORSE"):
        with pytest.raises(AccessDenied, match="wrong teacher password"):
            Teacher(classroom, wrong)
    with pytest.raises(AccessDenied, match="teacher features are off"):
        check_teacher_password(ClassroomSettings(), PASSWORD)
    assert "correct horse" not in repr(classroom.settings)  # the password never shows in logs or reprs


def test_assignment_flow_two_students_and_the_teachers_view(make_classroom) -> None:
    classroom = make_classroom()
    teacher = Teacher(classroom, PASSWORD)
    assignment = teacher.create_assignment(
        side="choice", fmt=RoundFormat(rounds=2, word_limit=80), thesis="AI won't win."
    )
    assert len(assignment.code) == 6 and set(assignment.code) <= set(CODE_ALPHABET)
    with pytest.raises(ClassroomError, match="choose a side"):
        classroom.join(assignment.code, "Ada")
    ada = classroom.join(assignment.code.lower(), "Ada", "for")
    bob = classroom.join(assignment.code, '=HYPERLINK("x")', "against")
    assert ada.round.format.word_limit == 80 and ada.round.thesis == "AI won't win."
    for attempt, turns in ((ada, ADA), (bob, BOB)):
        for text in turns:
            classroom.take_turn(attempt.token, text)

    rows = teacher.attempts(assignment.code)
    assert [(r["student"], r["side"], r["status"]) for r in rows] == [
        ("Ada", "for", "finished"), ("=HYPERLINK(\"x\")", "against", "finished"),
    ]  # fmt: skip
    assert rows[0]["scores"]["evidence"] == 2.0 and rows[1]["scores"]["evidence"] == 0.0
    assert [p["label"] for p in rows[0]["passages_used"]] == ["P11", "P9"]
    transcript = teacher.transcript(assignment.code, rows[0]["attempt"])
    assert transcript["turns"][1]["role"] == "bot" and transcript["turns"][1]["citations"]
    assert "token" not in json.dumps(transcript)

    summary = teacher.summary(assignment.code)
    assert summary["finished"] == 2
    assert {r["label"] for r in summary["most_used"]} == {"P9", "P11"}
    assert "P1" in summary["never_used"]
    assert summary["least_used"] and all(r["uses"] > 0 for r in summary["least_used"])  # never used ones aside
    assert not {r["label"] for r in summary["least_used"]} & set(summary["never_used"])
    parts = summary["argument"]
    assert {r["role"] for r in parts} <= {"claim", "reason", "evidence", "concession"}
    engaged = {r["label"] for r in parts if r["students"]}
    assert engaged and engaged <= {"P9", "P11"}  # the nodes of the passages the students quoted
    assert any(r["role"] == "concession" and not r["students"] for r in parts)  # nobody took up the concession
    never = [s["section"] for s in summary["sections"] if s["never_used"]]
    assert "Stop Romanticizing the Tech Pivot" in never and "The Economics of Hyper-Fragmentation" in never

    table = list(csv.DictReader(io.StringIO(teacher.export_csv(assignment.code))))
    assert [r["student"] for r in table] == ["Ada", '\'=HYPERLINK("x")']  # no formula runs in a spreadsheet
    assert table[0]["passages_used"] == "P11 P9" and table[0]["evidence"] == "2.0"
    everything = teacher.export_json(assignment.code)
    assert everything["assignment"]["code"] == assignment.code and len(everything["attempts"]) == 2
    assert everything["attempts"][0]["scorecard"]["turns"][0]["criteria"]["evidence"]["score"] == 2


def test_a_fixed_side_cannot_be_changed_by_the_student(make_classroom) -> None:
    classroom = make_classroom()
    code = Teacher(classroom, PASSWORD).create_assignment(side="against").code
    assert classroom.join(code, "Ada").round.side == "against"
    with pytest.raises(ClassroomError, match="sets your side: against"):
        classroom.join(code, "Bob", "for")
    with pytest.raises(ClassroomError, match="no assignment"):
        classroom.join("ZZZZZZ", "Bob")


def test_a_students_key_does_not_open_the_teachers_view(make_classroom) -> None:
    classroom = make_classroom()
    code = Teacher(classroom, PASSWORD).create_assignment().code
    student = classroom.join(code, "Ada", "for")
    for key in (student.token, code):
        with pytest.raises(AccessDenied):
            Teacher(classroom, key)
    assert "attempts" not in json.dumps(classroom.export_json(student.token))  # only the student's own round
