"""Where an installed Counterpoint keeps its data, and where it reads its own files from."""

from __future__ import annotations

from pathlib import Path

import pytest

import prompts
from app import settings as settings_module
from app.settings import DEFAULT_ESSAY, REPO_ROOT, Settings, default_data_dir


def test_in_a_checkout_the_data_dir_stays_var_under_the_repository(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("COUNTERPOINT_DATA_DIR")
    assert settings_module.IN_CHECKOUT
    assert default_data_dir() == REPO_ROOT / "var" == Settings().data_dir


def test_installed_the_data_dir_is_the_users_data_folder(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setattr(settings_module, "IN_CHECKOUT", False)
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    assert default_data_dir() == tmp_path / "xdg" / "counterpoint"
    monkeypatch.setenv("XDG_DATA_HOME", "relative/ignored")  # the XDG spec: a relative path is ignored
    assert default_data_dir() == tmp_path / "home" / ".local" / "share" / "counterpoint"
    monkeypatch.delenv("XDG_DATA_HOME")
    assert default_data_dir() == tmp_path / "home" / ".local" / "share" / "counterpoint"


def test_prompts_and_the_default_essay_are_package_data() -> None:
    assert Path(str(prompts.root())) == REPO_ROOT / "prompts"
    assert prompts.read_text("modes/challenge.yaml") == (REPO_ROOT / "prompts/modes/challenge.yaml").read_text("utf-8")
    assert prompts.path("argument/cues.yaml").is_file() and not prompts.path("nope.yaml").is_file()
    assert DEFAULT_ESSAY == REPO_ROOT / "app" / "data" / "essays" / "bytedance-hollywood.txt"
    assert DEFAULT_ESSAY.is_file()


def test_a_missing_prompt_file_is_named() -> None:
    from app.debate import prompts as loader
    from app.debate.errors import CounterpointError

    with pytest.raises(CounterpointError, match=r"prompt file missing: prompts/modes/nope\.yaml"):
        loader.render("modes/nope.yaml")
