"""`counterpoint practice` (a timed practice round in the terminal) and `counterpoint classroom ...` (the
teacher's commands). Registered on the main CLI; bodies stay thin, the work is in `ClassroomService`."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from app import choices
from app.classroom import limits
from app.cli_errors import friendly_errors

if TYPE_CHECKING:
    from app.classroom.service import ClassroomService
    from app.classroom.store import Attempt
    from app.settings import Settings

BACKENDS = click.Choice(choices.BACKENDS)
SIDES = click.Choice(["for", "against"])
ROUNDS = click.IntRange(limits.MIN_ROUNDS, limits.MAX_ROUNDS)
WORD_LIMITS = click.IntRange(limits.MIN_WORD_LIMIT, limits.MAX_WORD_LIMIT)
TURN_SECONDS = click.IntRange(0, limits.MAX_TURN_SECONDS)
QUIT = ("/quit", "/exit")


def build_classroom(settings: Settings, backend: str | None = None) -> ClassroomService:
    """The classroom over the configured debate service (tests replace this to reuse one service)."""
    from app.wiring import make_classroom

    if backend is not None:
        settings = settings.model_copy(update={"llm": settings.llm.model_copy(update={"backend": backend})})
    return make_classroom(settings)


# --- the student's round ---------------------------------------------------------------------------
@click.command("practice")
@click.option("--side", type=SIDES, help="Your side on the essay's thesis (asked if not given).")
@click.option("--rounds", type=ROUNDS, help="Phases: opening, rebuttal(s), closing (default 3).")
@click.option("--word-limit", type=WORD_LIMITS, help="Most words a turn (default 200).")
@click.option("--seconds", type=TURN_SECONDS, help="Time a turn, 0 = no timer (default 0).")
@click.option("--doc", "slug", help="Document slug (default: the default essay).")
@click.option("--thesis", default="", help="The thesis in one line, shown to you (optional).")
@click.option("--code", help="Join a teacher's assignment with its code.")
@click.option("--name", help="Your display name (asked if not given).")
@click.option("--resume", "token", help="Continue a round with the key printed when it started.")
@click.option("--backend", type=BACKENDS, help="Override COUNTERPOINT_LLM__BACKEND.")
@click.option("--export", "export_path", type=click.Path(path_type=Path), help="Write the round here (.md or .json).")
@click.pass_obj
@friendly_errors
def practice_command(settings: Settings, **options: Any) -> None:
    """A practice debate: hold your side over timed turns; get a scorecard grounded in the text."""
    classroom = build_classroom(settings, options["backend"])
    attempt = _begin(classroom, options)
    _introduce(classroom, attempt)
    attempt = _play(classroom, attempt)
    if attempt.round.status != "finished":
        click.echo(f"\nRound saved. Continue with: counterpoint practice --resume {attempt.token}")
        return
    from app.classroom.export import scorecard_markdown

    click.echo("\n".join(scorecard_markdown(classroom.scorecard(attempt.token))))
    if options["export_path"]:
        _export(classroom, attempt, options["export_path"])


def _begin(classroom: ClassroomService, options: dict[str, Any]) -> Attempt:
    if options["token"]:
        return classroom.resume(options["token"])
    name = options["name"] or click.prompt("Your name", default="student")
    if options["code"]:
        from app.classroom.service import normalise_code

        assignment = classroom.store.assignment(normalise_code(options["code"]))
        side = options["side"] or (_ask_side() if assignment and assignment.side == "choice" else None)
        return classroom.join(options["code"], name, side)
    return classroom.start(name, options["side"] or _ask_side(), doc=options["slug"], fmt=_format(classroom, options),
                           thesis=options["thesis"])  # fmt: skip


def _ask_side() -> str:
    return str(click.prompt("Your side on the essay's thesis", type=SIDES))


def _format(classroom: ClassroomService, options: dict[str, Any]) -> Any:
    from app.classroom.rounds import RoundFormat

    base = classroom.default_format()
    return RoundFormat(
        options["rounds"] or base.rounds,
        options["word_limit"] or base.word_limit,
        base.turn_seconds if options["seconds"] is None else options["seconds"],
    )


def _introduce(classroom: ClassroomService, attempt: Attempt) -> None:
    from app.classroom.wording import rounds_text

    round_, fmt, labels = attempt.round, attempt.round.format, rounds_text("side_label")
    timer = f"{fmt.turn_seconds} s a turn" if fmt.turn_seconds else "no timer"
    click.echo(f"Practice round on '{round_.doc}' with {classroom.debate.backend_description()}.")
    if round_.thesis:
        click.echo(f"Thesis: {round_.thesis}")
    click.echo(f"You argue {labels[round_.side]}; Counterpoint argues {labels[round_.bot_side]}.")
    click.echo(f"Format: {', '.join(fmt.phases())}; up to {fmt.word_limit} words a turn; {timer}.")
    click.echo(f"Your key (to resume): {attempt.token}   Type /quit to stop and resume later.")


def _play(classroom: ClassroomService, attempt: Attempt) -> Attempt:
    """Alternate student and bot turns until the closing is done or the student quits."""
    while attempt.round.status != "finished":
        if attempt.round.status == "student":
            text = _ask_turn(classroom, attempt)
            if text is None:
                return attempt
            attempt = classroom.submit(attempt.token, text)
            _turn_notes(attempt)
        _bot_turn(classroom, attempt.token)
        attempt = classroom.resume(attempt.token)
    return attempt


def _ask_turn(classroom: ClassroomService, attempt: Attempt) -> str | None:
    """One line from the student (None = quit). The time left is shown; a late answer is still taken."""
    while True:
        left = classroom.seconds_left(attempt)
        clock = f"; {left:.0f} s left" if left is not None else ""
        click.echo(f"\n-- {attempt.round.phase} -- up to {attempt.round.format.word_limit} words{clock}")
        try:
            text = click.prompt("you", prompt_suffix="> ", default="", show_default=False)
        except (EOFError, click.Abort):
            return None
        if text.strip() in QUIT:
            return None
        if text.strip() or attempt.round.overdue(classroom.clock()):
            return str(text)
        click.echo("Say something for your side (or /quit).")


def _turn_notes(attempt: Attempt) -> None:
    turn = attempt.round.turns[-1]
    if turn.expired:
        click.echo("(time ran out: your turn was submitted as it was)")
    if turn.truncated_words:
        click.echo(f"(cut at the word limit: {turn.truncated_words} word(s) dropped)")


def _bot_turn(classroom: ClassroomService, token: str) -> None:
    click.echo("bot> ", nl=False)
    streamed = ""
    for event in classroom.bot_turn(token):
        if event.reply is None:
            streamed += event.text
            click.echo(event.text, nl=False)
        elif event.reply.text.strip() != streamed.strip():
            click.echo("\n-- verified --\n" + event.reply.text, nl=False)
    click.echo("")


def _export(classroom: ClassroomService, attempt: Attempt, path: Path) -> None:
    if path.suffix.lower() == ".json":
        text = json.dumps(classroom.export_json(attempt.token), ensure_ascii=False, indent=2)
    else:
        text = classroom.export_markdown(attempt.token)
    path.write_text(text, encoding="utf-8")
    click.echo(f"Round written to {path}")


# --- the teacher's commands ------------------------------------------------------------------------
@click.group("classroom")
def classroom_group() -> None:
    """Teacher commands: set assignments and review the class's attempts (needs the teacher password)."""


def password_option(func: Callable[..., Any]) -> Callable[..., Any]:
    return click.option("--password", prompt="Teacher password", hide_input=True, help="The teacher password.")(func)


@classroom_group.command("create")
@click.option("--side", type=click.Choice(["for", "against", "choice"]), default="choice", show_default=True)
@click.option("--doc", "slug", help="Document slug (default: the default essay).")
@click.option("--rounds", type=ROUNDS, help="Phases: opening, rebuttal(s), closing (default 3).")
@click.option("--word-limit", type=WORD_LIMITS, help="Most words a turn (default 200).")
@click.option("--seconds", type=TURN_SECONDS, help="Time a turn, 0 = no timer (default 0).")
@click.option("--thesis", default="", help="The thesis in one line, shown to students (optional).")
@password_option
@click.pass_obj
@friendly_errors
def create_command(settings: Settings, password: str, **options: Any) -> None:
    """Create an assignment and print the code students join with."""
    from app.classroom.teacher import Teacher

    classroom = build_classroom(settings)
    teacher = Teacher(classroom, password)
    fmt = _format(classroom, {**options, "word_limit": options["word_limit"]})
    found = teacher.create_assignment(doc=options["slug"], side=options["side"], fmt=fmt, thesis=options["thesis"])
    click.echo(f"Assignment {found.code}: '{found.doc}', side {found.side}, {', '.join(fmt.phases())}.")
    click.echo(f"Students join with: counterpoint practice --code {found.code}")


@classroom_group.command("assignments")
@password_option
@click.pass_obj
@friendly_errors
def assignments_command(settings: Settings, password: str) -> None:
    """List the assignments."""
    from app.classroom.export import iso
    from app.classroom.teacher import Teacher

    teacher = Teacher(build_classroom(settings), password)
    for a in teacher.assignments():
        attempts = len(teacher.attempts(a.code))
        click.echo(
            f"{a.code}  {a.doc}  side={a.side}  rounds={a.format.rounds}  {iso(a.created_at)}  {attempts} attempt(s)"
        )


@classroom_group.command("attempts")
@click.argument("code")
@click.option("--csv", "csv_path", type=click.Path(path_type=Path), help="Also write the table as CSV here.")
@click.option("--json", "json_path", type=click.Path(path_type=Path), help="Also write everything as JSON here.")
@password_option
@click.pass_obj
@friendly_errors
def attempts_command(
    settings: Settings, code: str, csv_path: Path | None, json_path: Path | None, password: str
) -> None:
    """Every attempt at an assignment with its scores, and which passages the class used."""
    from app.classroom.teacher import Teacher

    teacher = Teacher(build_classroom(settings), password)
    for row in teacher.attempts(code):
        scores = " ".join(f"{c}={'-' if v is None else v}" for c, v in row["scores"].items())
        click.echo(f"#{row['attempt']} {row['student']} ({row['side']}) {row['status']} {row['minutes']} min  {scores}")
    _print_summary(teacher.summary(code))
    if csv_path:
        csv_path.write_text(teacher.export_csv(code), encoding="utf-8")
        click.echo(f"CSV written to {csv_path}")
    if json_path:
        json_path.write_text(json.dumps(teacher.export_json(code), ensure_ascii=False, indent=2), encoding="utf-8")
        click.echo(f"JSON written to {json_path}")


def _print_summary(summary: dict[str, Any]) -> None:
    def labels(rows: list[dict[str, Any]]) -> str:
        return ", ".join(f"{r['label']} ({r['uses']})" for r in rows) or "none"

    click.echo(f"{summary['finished']} of {summary['attempts']} attempt(s) finished.")
    click.echo(f"Most used passages: {labels(summary['most_used'])}")
    click.echo(f"Least used passages: {labels(summary['least_used'])}")
    unused = [s["section"] for s in summary["sections"] if s["never_used"]]
    click.echo(f"Sections never used: {', '.join(unused) or 'none'}")
