"""Eval settings: the retrieval budget and the optional LLM judge, from `COUNTERPOINT_EVAL__...` variables.

Kept beside the eval suite (the app's `Settings` ignores unknown variables); the names are those the
field would have as `Settings.eval`, e.g. `COUNTERPOINT_EVAL__JUDGE__BASE_URL`.
"""

from __future__ import annotations

from pathlib import Path

from pydantic import BaseModel, Field
from pydantic_settings import BaseSettings, SettingsConfigDict

EVAL_DIR = Path(__file__).resolve().parent
DEFAULT_THRESHOLDS = EVAL_DIR / "thresholds.json"


class JudgeSettings(BaseModel):
    """An OpenAI-compatible endpoint that grades replies; unset base_url = no judge."""

    base_url: str | None = Field(None, description="Judge endpoint; the judge runs only when this is set.")
    model: str = Field("gpt-4o-mini", description="Judge model name at the endpoint.")
    api_key: str = Field("not-needed", description="API key for the judge endpoint.")
    timeout_s: float = Field(60.0, description="Request timeout for the judge.")


class EvalSettings(BaseSettings):
    """Everything the eval suite reads besides the app's own settings."""

    model_config = SettingsConfigDict(env_prefix="COUNTERPOINT_EVAL__", env_nested_delimiter="__", extra="ignore")

    budget_chars: int = Field(1500, ge=1, description="Context budget B for recall_at_budget, in characters.")
    thresholds: Path = Field(DEFAULT_THRESHOLDS, description="Allowed regressions for `eval compare`.")
    judge: JudgeSettings = Field(default_factory=JudgeSettings)
