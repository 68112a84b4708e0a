"""Classroom settings: `Settings.classroom` (env: `COUNTERPOINT_CLASSROOM__...`).

The model is defined in `app.settings` with the other sections, so that the configuration depends on no
face; the classroom imports it from here."""

from __future__ import annotations

from app.settings import ClassroomSettings

__all__ = ["ClassroomSettings"]
