"""Classroom settings, meant to live at `Settings.classroom` (env: `COUNTERPOINT_CLASSROOM__...`)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pydantic import BaseModel, Field, SecretStr

from app.classroom.limits import MAX_ROUNDS, MAX_TURN_SECONDS, MAX_WORD_LIMIT, MIN_ROUNDS, MIN_WORD_LIMIT


class ClassroomSettings(BaseModel):
    """Practice-round defaults and the teacher's password."""

    teacher_password: SecretStr | None = Field(
        None, description="Password for the teacher's view; unset = teacher features disabled."
    )
    rounds: int = Field(
        3, ge=MIN_ROUNDS, le=MAX_ROUNDS, description="Phases per round: opening, rounds-2 rebuttals, closing."
    )
    word_limit: int = Field(
        200, ge=MIN_WORD_LIMIT, le=MAX_WORD_LIMIT, description="Most words in a student turn (longer turns are cut)."
    )
    turn_seconds: int = Field(0, ge=0, le=MAX_TURN_SECONDS, description="Time for a student turn; 0 = no timer.")
    db_path: Path = Field(
        Path("classroom.sqlite3"),
        description="Earlier versions' classroom SQLite file, relative to the data dir; imported into the state "
        "database on first start.",
    )

    def database(self, data_dir: Path) -> Path:
        """The earlier versions' SQLite file, resolved inside the data dir unless absolute."""
        return self.db_path if self.db_path.is_absolute() else Path(data_dir) / self.db_path


def classroom_settings(settings: Any) -> ClassroomSettings:
    """`settings.classroom` once the main Settings has the field; the defaults until then."""
    found = getattr(settings, "classroom", None)
    return found if isinstance(found, ClassroomSettings) else ClassroomSettings()
