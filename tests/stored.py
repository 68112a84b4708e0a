"""Read what a server stored, straight from the data dir's state database (no server's cache)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from app.state import StateStore, state_url
from app.web.sessions import SessionStore


def stored_debate(data_dir: Path, session_id: str) -> dict[str, Any]:
    """The debate in its JSON export format, as stored."""
    state = StateStore(state_url(data_dir))
    try:
        debate = SessionStore(Path(data_dir) / "sessions", state).get(session_id)
        assert debate is not None, f"debate {session_id} is not stored"
        return debate.to_json()
    finally:
        state.dispose()
