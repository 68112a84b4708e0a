"""The names a setting or a command-line flag may take: one home for each list.

`Settings` types its fields with the `Literal`s and the CLIs build `click.Choice(BACKENDS)` from the tuples,
so adding a backend is one edit here. A leaf module (it imports only `typing`), so a CLI can build its
options without importing the settings machinery.
"""

from __future__ import annotations

from typing import Literal, get_args

Backend = Literal["embedded", "openai", "fake"]
BACKENDS: tuple[Backend, ...] = get_args(Backend)  # ("embedded", "openai", "fake")

Strategy = Literal["auto", "scaffolded", "free"]  # auto = scaffolded for embedded and fake, free for openai
STRATEGIES: tuple[Strategy, ...] = get_args(Strategy)
