"""`counterpoint eval ...` commands (registered on the main CLI)."""

from __future__ import annotations

import click


@click.group(name="eval")
def eval_group() -> None:
    """Measure retrieval, grounding and debate behaviour on a dataset."""
