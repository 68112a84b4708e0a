"""Small helpers turning a handler's view (None = leave as it is) into Gradio output values."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import gradio as gr


def keep(value: Any, make: Callable[[Any], Any] = lambda v: v) -> Any:
    """`gr.skip()` for None (leave the component alone), else `make(value)`."""
    return gr.skip() if value is None else make(value)


def changes(**fields: Any) -> Any:
    """A `gr.update` of the fields that are not None; `gr.skip()` when none is."""
    given = {name: value for name, value in fields.items() if value is not None}
    return gr.update(**given) if given else gr.skip()
