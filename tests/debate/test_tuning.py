"""The node-ranking knobs are settings (defaults as tuned), read by the service and the message reading."""

import pytest

from app.debate import reading
from app.settings import RetrievalSettings, Settings


def test_node_ranking_defaults_are_the_tuned_values() -> None:
    tuning = RetrievalSettings()
    assert tuning.node_lexical_weight == 0.25
    assert tuning.question_lexical_weight == 0.5
    assert tuning.node_retrieval_bonus == 0.15
    assert tuning.node_lexical_weight == reading.LEXICAL_WEIGHT  # the reading's default is the setting's


def test_node_ranking_knobs_come_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COUNTERPOINT_RETRIEVAL__NODE_RETRIEVAL_BONUS", "0.3")
    monkeypatch.setenv("COUNTERPOINT_RETRIEVAL__QUESTION_LEXICAL_WEIGHT", "0.75")
    tuning = Settings().retrieval
    assert tuning.node_retrieval_bonus == 0.3 and tuning.question_lexical_weight == 0.75
    with pytest.raises(ValueError):
        RetrievalSettings(node_lexical_weight=-1)
