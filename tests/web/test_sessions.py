"""Session persistence: the state database, JSON export, safe ids, one streamed turn at a time, Stop keeps
what was shown, a failed write keeps memory as stored."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from app.debate.errors import CounterpointError
from app.settings import Settings
from app.state import debates as rows
from app.web import chips, evidence, export
from app.web.sessions import SessionStore, Turn, browser_secret, is_session_id
from tests.replies import FIRST_VERSION, make_reply


def test_saved_debate_survives_a_restart(tmp_path: Path) -> None:
    store = SessionStore(tmp_path / "sessions")
    debate = store.new("essay", "socratic")
    pending = store.begin(debate, "claim", "socratic", "essay")
    assert store.commit(
        debate, pending, Turn("claim", "socratic", "essay", "reply", reply=make_reply("reply", "socratic"))
    )

    reopened = SessionStore(tmp_path / "sessions").get(debate.id)  # a new process: nothing cached
    assert reopened is not None
    assert reopened.mode == "socratic" and reopened.doc == "essay"
    assert reopened.history() == [{"role": "user", "content": "claim"}, {"role": "assistant", "content": "reply"}]
    exported = store.export(reopened)
    assert exported == store.path(debate.id) and not list((tmp_path / "sessions").glob(".*.tmp"))
    assert json.loads(exported.read_text())["turns"][0]["user"] == "claim"  # the JSON export format


@pytest.mark.parametrize("bad", [None, "", "../../etc/passwd", "A" * 32, 42, {"id": 1}])
def test_malformed_ids_are_never_used_as_paths(tmp_path: Path, bad: object) -> None:
    assert not is_session_id(bad)
    assert SessionStore(tmp_path).get(bad) is None


def test_a_corrupt_old_session_file_is_skipped_by_the_import(tmp_path: Path) -> None:
    (tmp_path / "sessions").mkdir()
    (tmp_path / "sessions" / f"{'a' * 32}.json").write_text("{not json")
    assert SessionStore(tmp_path / "sessions").get("a" * 32) is None


def test_one_streamed_turn_at_a_time(tmp_path: Path) -> None:
    store = SessionStore(tmp_path)
    debate = store.new("essay", "challenge")
    first = store.begin(debate, "one", "challenge", "essay")
    with pytest.raises(CounterpointError, match="still being written"):
        store.begin(debate, "two", "challenge", "essay")
    store.abandon(debate, first)
    assert store.begin(debate, "two", "challenge", "essay")


def test_stop_records_the_partial_reply_and_the_late_commit_is_dropped(tmp_path: Path) -> None:
    store = SessionStore(tmp_path)
    debate = store.new("essay", "challenge")
    pending = store.begin(debate, "claim", "challenge", "essay")
    pending.text = "The essay says"
    stopped = store.stop(debate, "(stopped)")
    assert stopped is not None and stopped.stopped and stopped.text == "The essay says\n\n(stopped)"
    late = Turn("claim", "challenge", "essay", "full reply")
    assert not store.commit(debate, pending, late)
    assert [t.text for t in SessionStore(tmp_path).get(debate.id).turns] == [stopped.text]  # type: ignore[union-attr]


def test_retry_replaces_the_last_turn(tmp_path: Path) -> None:
    store = SessionStore(tmp_path)
    debate = store.new("essay", "challenge")
    for text in ("first", "second"):
        pending = store.begin(debate, "claim", "challenge", "essay")
        store.commit(debate, pending, Turn("claim", "challenge", "essay", text))
    pending = store.begin(debate, "claim", "defend", "essay", replaces_last=True)
    store.commit(debate, pending, Turn("claim", "defend", "essay", "again"))
    assert [t.text for t in debate.turns] == ["first", "again"]
    assert debate.mode == "defend"


def test_browser_secret_is_stable_and_private(tmp_path: Path) -> None:
    secret = browser_secret(tmp_path)
    assert secret == browser_secret(tmp_path)
    assert (tmp_path / ".browser-secret").stat().st_mode & 0o077 == 0


def test_a_failed_write_mid_debate_shows_the_reply_says_so_and_keeps_what_was_stored(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import sqlite3

    from sqlalchemy.exc import OperationalError

    from app.debate.models import Reply
    from app.debate.service import ReplyEvent
    from app.state import debates as rows
    from app.web.turns import run_turn

    class OneReply:
        max_message_chars = Settings().max_message_chars

        def stream(self, message, history, mode, doc):
            yield ReplyEvent("text", "The essay disagrees.")
            yield ReplyEvent("reply", reply=Reply(text="The essay disagrees.", mode=mode, strategy="free", doc=doc))

    store = SessionStore(tmp_path)
    debate = store.new("essay", "challenge")
    list(run_turn(OneReply(), store, debate, "first claim", "challenge", "essay"))  # type: ignore[arg-type]

    def disk_full(*args: object) -> None:
        raise OperationalError("INSERT", {}, sqlite3.OperationalError("database or disk is full"))

    monkeypatch.setattr(rows, "put_turn", disk_full)  # the head is written, then the turn fails
    updates = list(run_turn(OneReply(), store, debate, "second claim", "challenge", "essay"))  # type: ignore[arg-type]
    assert updates[-1].partial == "The essay disagrees."  # the reader still sees the reply
    assert "could not be saved (database or disk is full)" in updates[-1].error
    assert [t.user for t in debate.turns] == ["first claim"] and debate.pending is None  # memory = database
    stored = SessionStore(tmp_path).get(debate.id)  # nothing half-written: the head rolled back with the turn
    assert stored is not None and stored.revision == debate.revision == 1

    monkeypatch.undo()  # space again: the next turn is recorded normally
    list(run_turn(OneReply(), store, debate, "third claim", "challenge", "essay"))  # type: ignore[arg-type]
    reopened = SessionStore(tmp_path).get(debate.id)
    assert reopened is not None and [t.user for t in reopened.turns] == ["first claim", "third claim"]


def test_a_turn_stored_by_an_earlier_version_loads_renders_and_stays_as_stored(tmp_path: Path) -> None:
    store = SessionStore(tmp_path / "sessions")
    debate = store.new("essay", "defend")
    pending = store.begin(debate, "claim", "defend", "essay")
    assert store.commit(debate, pending, Turn("claim", "defend", "essay", "first"))
    old = {"user": "claim", "mode": "defend", "doc": "essay", "text": FIRST_VERSION["reply"], "reply": FIRST_VERSION}
    store.state.write(lambda conn: rows.put_turn(conn, debate.id, 0, {**old, "stopped": False, "at": "x"}, None))

    reopened = SessionStore(tmp_path / "sessions", store.state).get(debate.id)  # a new process reads the row
    assert reopened is not None and reopened.last_reply() is not None
    turn = reopened.turns[0]
    assert turn.reply is not None and turn.reply.moves == [] and turn.reply.user_stance == "unclear"
    assert "[P3](#cite-P3-170-180)" in chips.turn_messages(turn)[1]["content"]
    assert "Audiences" in evidence.evidence_html(reopened.last_reply()) and "made up" in export.debate_markdown(
        reopened, {}, "fake"
    )
    pending = store.begin(reopened, "more", "defend", "essay")
    assert store.commit(reopened, pending, Turn("more", "defend", "essay", "second", reply=make_reply("second")))
    stored = store.state.read(lambda conn: rows.load(conn, debate.id))
    assert stored is not None and stored.turns[0]["reply"] == FIRST_VERSION  # a later write leaves it as it was
