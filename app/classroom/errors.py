"""Errors the classroom raises; messages are shown to students and teachers as is."""

from __future__ import annotations

from app.debate.errors import CounterpointError


class ClassroomError(CounterpointError):
    """A request the round or the assignment cannot take (wrong phase, unknown code, bad format)."""


class AccessDenied(ClassroomError):
    """Unknown attempt token, wrong teacher password, or teacher features switched off."""
