"""One-line errors for every command-line face (a leaf module, so any CLI can import it without cycles)."""

from __future__ import annotations

import functools
import os
from collections.abc import Callable
from typing import Any

import click

from app.settings import Settings


class UserError(click.ClickException):
    """Printed as one line, exit code 2."""

    exit_code = 2

    def show(self, file: Any = None) -> None:
        click.echo(f"error: {self.message}", err=True)


def friendly_errors(func: Callable[..., Any]) -> Callable[..., Any]:
    """Turn known errors into one clear line and unknown ones into a short message, never a traceback."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        from app.debate.errors import CounterpointError
        from ingest.errors import IngestError

        try:
            return func(*args, **kwargs)
        except (IngestError, CounterpointError) as exc:
            raise UserError(str(exc)) from exc
        except (click.ClickException, click.exceptions.Exit, click.Abort, KeyboardInterrupt):
            raise
        except Exception as exc:
            if os.environ.get("COUNTERPOINT_DEBUG"):
                raise
            from ingest.store import disk_full_message, is_disk_full

            if is_disk_full(exc):  # Chroma's InternalError, SQLite's OperationalError, ENOSPC: one line, the fix
                folder = next((a.data_dir for a in args if isinstance(a, Settings)), Settings().data_dir)
                raise UserError(disk_full_message(folder)) from exc
            message = f"unexpected failure ({type(exc).__name__}: {exc}); set COUNTERPOINT_DEBUG=1 for details"
            raise UserError(message) from exc

    return wrapper
